"""Every change to quarantine goes through these functions: atomic, audited, idempotent creates.

Placement (``place_people`` for a busload or a list, ``place_person`` for one, possibly into a
chosen room with rules overridden) loads the people and the rooms, runs the pure engine of
``placement.py`` and writes the plan in bulk: one ``bulk_create`` of placements, one of audit
rows. The chosen facilities are locked (``SELECT … FOR UPDATE`` in pk order) for the
transaction, so two officers placing at once never get the same bed.

Why a person is quarantined, and on what dates (``schedule.py``): an F1/F2 whose derived level
calls for quarantine takes its level's dates and rule set; anyone else needs an open
``PlacementRequest`` (an arrival: ``request_placement``, which the checkpoint module calls) or
the risk group and arrival date given with the placement.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.cases.models import Case, CaseStatus, Outcome
from phongdich.core.audit import record_change, snapshot
from phongdich.core.models import AuditLog
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Person, Sex
from phongdich.policy.queries import RuleBook
from phongdich.quarantine import placement as engine
from phongdich.quarantine import schedule
from phongdich.quarantine.models import (
    Bed,
    Facility,
    FacilityKind,
    HealthCheck,
    Incident,
    IncidentKind,
    Payer,
    Placement,
    PlacementRequest,
    PlacementStatus,
    RequestStatus,
    RiskGroup,
    Room,
    RoomSex,
)
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.core.models import User

MAX_BULK = 5000
MAX_BEDS_PER_ROOM = 60
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))
EARLIEST = datetime.date(2020, 1, 1)

RULE_LABELS: dict[str, Any] = {
    engine.Rule.F0: gettext_lazy("has an active case (F0): refer to treatment"),
    engine.Rule.FLAGGED_ROOM: gettext_lazy("the room is flagged (someone there became F0)"),
    engine.Rule.CAPACITY: gettext_lazy("no free usable bed"),
    engine.Rule.RISK_GROUP: gettext_lazy("the room holds another risk group"),
    engine.Rule.ENTRY_WINDOW: gettext_lazy("the room's people started quarantine on dates too far apart"),
    engine.Rule.SEX: gettext_lazy("the room is for the other sex"),
    engine.Rule.NO_ROOM: gettext_lazy("the facility has no room in use"),
    "active_placement": gettext_lazy("already in quarantine"),
    "no_reason": gettext_lazy("no F level or request calls for quarantine"),
    "period_over": gettext_lazy("the quarantine period is already over"),
    "no_arrival_rule": gettext_lazy("the rule set in force does not quarantine arrivals"),
    "merged": gettext_lazy("the record was merged into another"),
}


class QuarantineError(Exception):
    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))


def _today() -> datetime.date:
    return timezone.localdate()


def _check_date(day: datetime.date, field_name: str, *, not_before: datetime.date | None = None) -> None:
    if day > _today():
        raise QuarantineError(_("The date cannot be in the future."), field=field_name)
    if day < (not_before or EARLIEST):
        raise QuarantineError(_("The date is too early."), field=field_name)


# Facilities, rooms and beds ------------------------------------------------------------------------

FACILITY_FIELDS = [
    "name",
    "kind",
    "address",
    "meal_cost_per_day",
    "lodging_cost_per_day",
    "payer",
    "active",
    "province",
    "district",
    "commune",
    "village",
]


def _cost(value: Decimal | int | str | None, field_name: str) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else 0))
    except InvalidOperation as exc:
        raise QuarantineError(_("Enter an amount in đồng."), field=field_name) from exc
    if amount < 0 or amount > Decimal("100000000") or amount != amount.to_integral_value():
        raise QuarantineError(_("Enter a whole amount in đồng between 0 and 100,000,000."), field=field_name)
    return amount


@transaction.atomic
def create_facility(
    actor: User | None,
    *,
    name: str,
    kind: str,
    unit: AdminUnit,
    address: str = "",
    meal_cost_per_day: Decimal | int | str = 0,
    lodging_cost_per_day: Decimal | int | str = 0,
    payer: str = Payer.STATE,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Facility, bool]:
    """A quarantine facility at ``unit`` (its jurisdiction). A paid facility always charges the person."""
    if client_uuid is not None:
        found = Facility.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    name = (name or "").strip()
    if not name:
        raise QuarantineError(_("Enter the facility's name."), field="name")
    if kind not in FacilityKind.values or kind == FacilityKind.HOME:
        raise QuarantineError(_("Choose a kind of facility (home quarantine needs no facility)."), field="kind")
    if payer not in Payer.values:
        raise QuarantineError(_("Choose who pays."), field="payer")
    if kind == FacilityKind.PAID:
        payer = Payer.PERSON
    facility = Facility(
        client_uuid=client_uuid,
        name=name[:200],
        kind=kind,
        address=(address or "").strip()[:255],
        meal_cost_per_day=_cost(meal_cost_per_day, "meal_cost_per_day"),
        lodging_cost_per_day=_cost(lodging_cost_per_day, "lodging_cost_per_day"),
        payer=payer,
        **lineage_columns(unit),
    )
    facility.save()
    record_change(actor, "quarantine.facility.create", facility, None, snapshot(facility, FACILITY_FIELDS))
    return facility, True


@transaction.atomic
def add_room(
    actor: User | None,
    facility: Facility,
    *,
    name: str,
    beds: int,
    usable_beds: int | None = None,
    sex: str = RoomSex.ANY,
) -> Room:
    """A room with ``beds`` beds, of which the first ``usable_beds`` (default all) may be used (spacing)."""
    if facility.is_home:
        raise QuarantineError(_("Home quarantine has no rooms."), status=409)
    name = (name or "").strip()[:60]
    if not name:
        raise QuarantineError(_("Enter the room's name or number."), field="name")
    if not 1 <= beds <= MAX_BEDS_PER_ROOM:
        raise QuarantineError(_("A room has between 1 and %(n)d beds.") % {"n": MAX_BEDS_PER_ROOM}, field="beds")
    usable = beds if usable_beds is None else usable_beds
    if not 0 <= usable <= beds:
        raise QuarantineError(_("Usable beds cannot exceed the beds of the room."), field="usable_beds")
    if sex not in RoomSex.values:
        raise QuarantineError(_("Choose who may stay in the room."), field="sex")
    if Room.objects.filter(facility=facility, name=name).exists():
        raise QuarantineError(_("The facility already has a room of that name."), status=409, field="name")
    room = Room.objects.create(facility=facility, name=name, sex=sex)
    Bed.objects.bulk_create(Bed(room=room, label=f"{i:02d}", usable=i <= usable) for i in range(1, beds + 1))
    record_change(
        actor, "quarantine.room.create", room, None, {"name": name, "beds": beds, "usable": usable, "sex": sex}
    )
    return room


@transaction.atomic
def flag_room(actor: User | None, room: Room, reason: str) -> Room:
    """Close a room to new placements (someone there became F0)."""
    reason = (reason or "").strip()
    if not reason:
        raise QuarantineError(_("Say why the room is flagged."), field="reason")
    before = snapshot(room, ["flagged_at", "flag_reason"])
    room.flagged_at = timezone.now()
    room.flag_reason = reason[:255]
    room.save(update_fields=["flagged_at", "flag_reason"])
    record_change(actor, "quarantine.room.flag", room, before, snapshot(room, ["flagged_at", "flag_reason"]))
    return room


@transaction.atomic
def clear_room_flag(actor: User | None, room: Room) -> Room:
    before = snapshot(room, ["flagged_at", "flag_reason"])
    room.flagged_at = None
    room.flag_reason = ""
    room.save(update_fields=["flagged_at", "flag_reason"])
    record_change(actor, "quarantine.room.unflag", room, before, snapshot(room, ["flagged_at", "flag_reason"]))
    return room


def home_facility_for(commune: AdminUnit) -> Facility:
    """The commune's home-quarantine "facility" (made on first use): supervised by the commune."""
    found = Facility.objects.filter(kind=FacilityKind.HOME, commune=commune).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Facility.objects.create(
                name=_("Home quarantine – %(commune)s") % {"commune": commune.name},
                kind=FacilityKind.HOME,
                payer=Payer.PERSON,
                **lineage_columns(commune),
            )
    except IntegrityError:  # made at the same time by another request
        return Facility.objects.get(kind=FacilityKind.HOME, commune=commune)


# Requests ------------------------------------------------------------------------------------------


@transaction.atomic
def request_placement(
    actor: User | None,
    person: Person,
    risk_group: str,
    *,
    day_one: datetime.date,
    reason: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[PlacementRequest, bool]:
    """Ask for someone to be placed (an arrival, usually): they appear on the awaiting list.

    Called by the checkpoint module for arrivals from high-risk areas. A second request for a
    person who already has an open one returns that one.
    """
    if client_uuid is not None:
        found = PlacementRequest.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    if person.merged_into_id is not None:
        raise QuarantineError(rule_label("merged"), status=409, field="person_id")
    if risk_group not in RiskGroup.values:
        raise QuarantineError(_("Choose a risk group."), field="risk_group")
    _check_date(day_one, "day_one")
    if Placement.objects.filter(person=person, status=PlacementStatus.ACTIVE).exists():
        raise QuarantineError(_("The person is already in quarantine."), status=409, field="person_id")
    if _active_case_ids([person.pk]):
        raise QuarantineError(rule_label(engine.Rule.F0), status=409, field="person_id")
    found = PlacementRequest.objects.filter(person=person, status=RequestStatus.OPEN).first()
    if found is not None:
        return found, False
    req = PlacementRequest.objects.create(
        client_uuid=client_uuid,
        person=person,
        risk_group=risk_group,
        day_one=day_one,
        reason=(reason or "").strip()[:255],
        requested_by=actor if actor is not None and actor.is_authenticated else None,
        **_columns_of(person),
    )
    record_change(actor, "quarantine.request", req, None, snapshot(req, ["person", "risk_group", "day_one", "reason"]))
    return req, True


@transaction.atomic
def cancel_request(actor: User | None, req: PlacementRequest, reason: str = "") -> PlacementRequest:
    if req.status != RequestStatus.OPEN:
        raise QuarantineError(_("The request is no longer open."), status=409)
    req.status = RequestStatus.CANCELLED
    req.save(update_fields=["status"])
    record_change(actor, "quarantine.request.cancel", req, {"status": "open"}, {"status": req.status, "note": reason})
    return req


# Placement -------------------------------------------------------------------------------------------


def _columns_of(person: Person) -> dict[str, Any]:
    return {
        "province_id": person.province_id,
        "district_id": person.district_id,
        "commune_id": person.commune_id,
        "village_id": person.village_id,
    }


def _active_case_ids(person_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    return set(
        Case.objects.filter(
            person_id__in=person_ids, status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT
        ).values_list("person_id", flat=True)
    )


@dataclass
class Subject:
    """One person to place, with the dates their quarantine follows."""

    person: Person
    schedule: schedule.Schedule
    request: PlacementRequest | None = None


@dataclass
class BulkResult:
    placements: list[Placement] = field(default_factory=list)
    refused: dict[uuid.UUID, list[str]] = field(default_factory=dict)  # person id → rule codes
    written: bool = False

    @property
    def placed_count(self) -> int:
        return len(self.placements) if self.written else 0


def _subjects(
    people: Sequence[Person],
    entered_on: datetime.date,
    risk_group: str | None,
    day_one: datetime.date | None,
) -> tuple[list[Subject], dict[uuid.UUID, list[str]], set[uuid.UUID]]:
    """Why and on what dates each person is quarantined; the refused with their reasons; the F0s."""
    ids = [p.pk for p in people]
    refused: dict[uuid.UUID, list[str]] = {}
    f0 = _active_case_ids(ids)
    placed = set(
        Placement.objects.filter(person_id__in=ids, status=PlacementStatus.ACTIVE).values_list("person_id", flat=True)
    )
    requests = {
        r.person_id: r
        for r in PlacementRequest.objects.filter(person_id__in=ids, status=RequestStatus.OPEN).order_by("created_at")
    }
    levels = {lv.person_id: lv for lv in PersonLevel.objects.filter(person_id__in=ids).select_related("rule_set")}
    book: RuleBook | None = None
    subjects = []
    for person in people:
        if person.merged_into_id is not None:
            refused[person.pk] = ["merged"]
            continue
        if person.pk in placed:
            refused[person.pk] = ["active_placement"]
            continue
        if person.pk in f0:
            refused[person.pk] = [engine.Rule.F0]
            continue
        sched: schedule.Schedule | None = None
        req = requests.get(person.pk)
        level = levels.get(person.pk)
        group, first = (req.risk_group, req.day_one) if req is not None else (risk_group, day_one)
        if level is not None and (req is None or req.risk_group in (RiskGroup.F1, RiskGroup.F2)):
            sched = schedule.from_level(level)  # an F1/F2 follows its level's dates
        if sched is None and group is not None and first is not None:
            book = book or RuleBook.load()
            sched = schedule.for_arrival(book.on(first, person.province_id), first, group)
            if sched is None:
                refused[person.pk] = ["no_arrival_rule"]
                continue
        if sched is None:
            refused[person.pk] = ["no_reason"]
            continue
        if sched.end_date <= entered_on:
            refused[person.pk] = ["period_over"]
            continue
        subjects.append(Subject(person, sched, req))
    return subjects, refused, f0


def _room_states(facilities: Sequence[Facility]) -> tuple[list[engine.RoomState], dict[int, Room]]:
    """The rooms of these facilities as the engine sees them: free usable beds, who is there, flags."""
    rooms = {r.pk: r for r in Room.objects.filter(facility__in=facilities, active=True)}
    occupied: dict[int, list[Any]] = {}
    taken: set[int] = set()
    rows = Placement.objects.filter(room_id__in=rooms, status=PlacementStatus.ACTIVE).values(
        "room_id", "bed_id", "risk_group", "day_one", "person_id", "person__household_id", "person__sex"
    )
    for row in rows:
        occupied.setdefault(row["room_id"], []).append(row)
        if row["bed_id"] is not None:
            taken.add(row["bed_id"])
    f0_rooms = set()
    occupant_ids = [row["person_id"] for rows_ in occupied.values() for row in rows_]
    if occupant_ids:
        f0 = _active_case_ids(occupant_ids)
        f0_rooms = {rid for rid, rows_ in occupied.items() if any(r["person_id"] in f0 for r in rows_)}
    free: dict[int, list[int]] = {rid: [] for rid in rooms}
    for bed_id, room_id in (
        Bed.objects.filter(room_id__in=rooms, usable=True).order_by("room_id", "label").values_list("id", "room_id")
    ):
        if bed_id not in taken:
            free[room_id].append(bed_id)
    states = []
    for rid, room in rooms.items():
        here = occupied.get(rid, [])
        days = [r["day_one"] for r in here]
        households = {r["person__household_id"] for r in here}
        state = engine.RoomState(
            room_id=rid,
            facility_id=room.facility_id,
            sex=room.sex,
            free_beds=free[rid],
            flagged=room.flagged_at is not None or rid in f0_rooms,
            groups={r["risk_group"] for r in here},
            first_day=min(days) if days else None,
            last_day=max(days) if days else None,
            occupants=len(here),
        )
        sexes = {r["person__sex"] for r in here}
        if room.sex != RoomSex.ANY and len(households) == 1 and None not in households and sexes - {room.sex}:
            state.exclusive_household = next(iter(households))  # a family under the sex exemption
        states.append(state)
    return states, rooms


def _candidate(subject: Subject) -> engine.Candidate:
    p = subject.person
    return engine.Candidate(
        key=p.pk,
        sex=p.sex if p.sex in (Sex.MALE, Sex.FEMALE) else Sex.UNKNOWN,
        household=p.household_id,
        risk_group=subject.schedule.risk_group,
        day_one=subject.schedule.day_one,
    )


def _lock(facilities: Sequence[Facility]) -> list[Facility]:
    return list(Facility.objects.select_for_update().filter(pk__in=[f.pk for f in facilities]).order_by("pk"))


def _new_placement(
    actor: User | None,
    subject: Subject,
    facility: Facility,
    room_id: int | None,
    bed_id: int | None,
    entered_on: datetime.date,
    overrides: list[dict[str, str]] | None = None,
    client_uuid: uuid.UUID | None = None,
) -> Placement:
    s = subject.schedule
    return Placement(
        client_uuid=client_uuid,
        person=subject.person,
        facility=facility,
        room_id=room_id,
        bed_id=bed_id,
        request=subject.request,
        risk_group=s.risk_group,
        day_one=s.day_one,
        entered_on=entered_on,
        end_date=s.end_date,
        test_dates=[d.isoformat() for d in s.test_dates],
        rule_set=s.rule_set,
        cost_per_day=facility.cost_per_day,
        payer=facility.payer,
        overrides=overrides or [],
        placed_by=actor if actor is not None and actor.is_authenticated else None,
        **_columns_of(subject.person),
    )


def _audit_after(p: Placement) -> dict[str, Any]:
    after: dict[str, Any] = {
        "person": str(p.person_id),
        "facility": str(p.facility_id),
        "room": p.room_id,
        "bed": p.bed_id,
        "risk_group": p.risk_group,
        "day_one": p.day_one.isoformat(),
        "entered_on": p.entered_on.isoformat(),
        "end_date": p.end_date.isoformat(),
        "status": p.status,
        "rule_set": p.rule_set_id,
    }
    if p.overrides:
        after["overrides"] = p.overrides
    return after


# Above this many rows, PostgreSQL gets the placements and their audit rows by COPY (a busload of
# 2,000 writes in a fraction of the time of an INSERT … UNNEST); below, a plain bulk_create.
COPY_FROM = 200


def _insert(objs: Sequence[Any]) -> None:
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        model.objects.bulk_create(objs, batch_size=1000)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(f, "db_returning", False))]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    conn = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is read 20 times a row
    with conn.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields])


def _write(actor: User | None, placements: list[Placement], action: str) -> None:
    _insert(placements)
    request_ids = [p.request_id for p in placements if p.request_id is not None]
    if request_ids:
        PlacementRequest.objects.filter(pk__in=request_ids).update(status=RequestStatus.PLACED)
    who = actor if actor is not None and actor.is_authenticated else None
    label = Placement._meta.label
    _insert(
        [
            AuditLog(actor=who, action=action, object_type=label, object_id=str(p.pk), after=_audit_after(p))
            for p in placements
        ]
    )


def _driver_integrity_error() -> type[Exception]:
    """The driver's own IntegrityError (COPY bypasses Django's error wrapping)."""
    return getattr(getattr(connection, "Database", None), "IntegrityError", IntegrityError)


def _write_or_conflict(actor: User | None, placements: list[Placement], action: str = "quarantine.place") -> None:
    """Write, or 409 when someone placed the same person or bed at the same moment (the unique constraints)."""
    try:
        with transaction.atomic():
            _write(actor, placements, action)
    except (IntegrityError, _driver_integrity_error()) as exc:
        raise QuarantineError(_("Someone else was placed at the same time; try again."), status=409) from exc


def _check_entered(entered_on: datetime.date) -> None:
    if entered_on > _today():
        raise QuarantineError(_("The date cannot be in the future."), field="entered_on")
    if entered_on < EARLIEST:
        raise QuarantineError(_("The date is too early."), field="entered_on")


@transaction.atomic
def place_people(
    actor: User | None,
    people: Sequence[Person],
    facilities: Sequence[Facility],
    *,
    entered_on: datetime.date | None = None,
    risk_group: str | None = None,
    day_one: datetime.date | None = None,
    all_or_nothing: bool = True,
    window: int = engine.ENTRY_WINDOW_DAYS,
) -> BulkResult:
    """Place a list of people (a busload) into the rooms of ``facilities`` under the cohorting rules.

    ``risk_group``/``day_one`` apply to those without an F level or open request (a bus of
    arrivals). With ``all_or_nothing`` (the default) nothing is written unless everyone fits, and
    the result says who could not be placed and why; otherwise those who fit are placed.
    """
    entered_on = entered_on or _today()
    _check_entered(entered_on)
    if not people:
        raise QuarantineError(_("Choose at least one person."), field="person_ids")
    if len(people) > MAX_BULK:
        raise QuarantineError(_("At most %(n)d people at once.") % {"n": MAX_BULK}, field="person_ids")
    if len({p.pk for p in people}) != len(people):
        raise QuarantineError(_("A person is listed twice."), field="person_ids")
    if not facilities:
        raise QuarantineError(_("Choose at least one facility."), field="facility_ids")
    if any(f.is_home or not f.active for f in facilities):
        raise QuarantineError(_("Choose facilities with rooms, in use."), field="facility_ids")
    if risk_group is not None and risk_group not in RiskGroup.values:
        raise QuarantineError(_("Choose a risk group."), field="risk_group")
    if day_one is not None:
        _check_date(day_one, "day_one")
    locked = _lock(facilities)
    by_id: dict[Any, Facility] = {f.pk: f for f in locked}
    subjects, refused, _f0 = _subjects(people, entered_on, risk_group, day_one)
    result = BulkResult(refused={k: [str(r) for r in v] for k, v in refused.items()})
    states, _rooms = _room_states(locked)
    plan = engine.place([_candidate(s) for s in subjects], states, window)
    for refusal in plan.refusals:
        result.refused[refusal.key] = [str(r) for r in refusal.reasons]
    facility_of = {s.room_id: s.facility_id for s in states}
    by_person = {s.person.pk: s for s in subjects}
    result.placements = [
        _new_placement(actor, by_person[a.key], by_id[facility_of[a.room_id]], a.room_id, a.bed_id, entered_on)
        for a in plan.assignments
    ]
    if result.refused and all_or_nothing:
        return result
    if result.placements:
        _write_or_conflict(actor, result.placements)
    result.written = True
    return result


@transaction.atomic
def place_person(
    actor: User | None,
    person: Person,
    facility: Facility,
    *,
    room: Room | None = None,
    bed: Bed | None = None,
    overrides: dict[str, str] | None = None,
    entered_on: datetime.date | None = None,
    risk_group: str | None = None,
    day_one: datetime.date | None = None,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Placement, bool]:
    """Place one person: at home (the home facility of their commune), in a chosen room, or wherever the rules allow.

    Into a chosen room, the officer may override the rules ``risk_group``, ``entry_window`` and
    ``sex`` by giving a reason for each (``overrides = {rule: reason}``); the reasons are stored
    on the placement and in the audit row. F0, capacity and flagged rooms are never overridden.
    """
    if client_uuid is not None:
        found = Placement.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    entered_on = entered_on or _today()
    _check_entered(entered_on)
    overrides = {k: (v or "").strip() for k, v in (overrides or {}).items()}
    for rule, reason in overrides.items():
        if rule not in engine.OVERRIDABLE:
            raise QuarantineError(_("This rule cannot be overridden: %(rule)s.") % {"rule": rule}, field="overrides")
        if not reason:
            raise QuarantineError(_("Give a reason for each rule overridden."), field="overrides")
    if risk_group is not None and risk_group not in RiskGroup.values:
        raise QuarantineError(_("Choose a risk group."), field="risk_group")
    if day_one is not None:
        _check_date(day_one, "day_one")
    if bed is not None:
        room = bed.room if room is None else room
        if bed.room_id != room.pk:
            raise QuarantineError(_("The bed is not in that room."), field="bed_id")
    if room is not None and room.facility_id != facility.pk:
        raise QuarantineError(_("The room is not in that facility."), field="room_id")
    if not facility.active:
        raise QuarantineError(_("The facility is not in use."), status=409, field="facility_id")
    if facility.is_home and person.commune_id is not None and facility.commune_id != person.commune_id:
        facility = home_facility_for(person.commune)  # type: ignore[arg-type]
    locked = _lock([facility])[0]
    subjects, refused, _f0 = _subjects([person], entered_on, risk_group, day_one)
    if refused:
        code = refused[person.pk][0]
        status = 409 if code in ("active_placement", engine.Rule.F0, "merged") else 422
        raise QuarantineError(rule_label(code), status=status, field="person_id")
    subject = subjects[0]
    if locked.is_home:
        if person.commune_id is None:
            raise QuarantineError(_("The person has no commune: home quarantine needs one."), field="person_id")
        placement = _new_placement(actor, subject, locked, None, None, entered_on, client_uuid=client_uuid)
        _write_or_conflict(actor, [placement], "quarantine.place_home")
        return placement, True
    states, _rooms = _room_states([locked])
    candidate = _candidate(subject)
    if room is None:
        plan = engine.place([candidate], states)
        if plan.refusals:
            reasons = "; ".join(rule_label(r) for r in plan.refusals[0].reasons)
            raise QuarantineError(_("No room fits: %(reasons)s.") % {"reasons": reasons}, status=409)
        room_id, bed_id = plan.assignments[0].room_id, plan.assignments[0].bed_id
        used: list[dict[str, str]] = []
    else:
        state = next((s for s in states if s.room_id == room.pk), None)
        if state is None:
            raise QuarantineError(_("The room is not in use."), status=409, field="room_id")
        if bed is not None:
            if bed.pk not in state.free_beds:
                raise QuarantineError(_("The bed is taken or not usable."), status=409, field="bed_id")
            state.free_beds = [bed.pk]
        broken, _exempt = engine.check_room([candidate], state)
        not_overridden = [r for r in broken if r not in overrides]
        if not_overridden:
            reasons = "; ".join(rule_label(r) for r in not_overridden)
            raise QuarantineError(_("The room does not fit: %(reasons)s.") % {"reasons": reasons}, status=409)
        room_id, bed_id = room.pk, state.free_beds[0]
        used = [{"rule": str(r), "reason": overrides[r]} for r in broken]
    placement = _new_placement(actor, subject, locked, room_id, bed_id, entered_on, used, client_uuid)
    _write_or_conflict(actor, [placement])
    return placement, True


# During the stay -------------------------------------------------------------------------------------


def _require_active(placement: Placement) -> None:
    if placement.status != PlacementStatus.ACTIVE:
        raise QuarantineError(_("The person is no longer in quarantine here."), status=409)


@transaction.atomic
def record_check(
    actor: User | None,
    placement: Placement,
    *,
    checked_on: datetime.date,
    temperature: Decimal | float | str | None = None,
    symptoms: Sequence[str] = (),
    note: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[HealthCheck, bool]:
    """A daily health check: temperature and symptoms."""
    if client_uuid is not None:
        found = HealthCheck.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    _require_active(placement)
    _check_date(checked_on, "checked_on", not_before=placement.entered_on)
    temp: Decimal | None = None
    if temperature not in (None, ""):
        try:
            temp = Decimal(str(temperature)).quantize(Decimal("0.1"))
        except InvalidOperation as exc:
            raise QuarantineError(_("Enter the temperature in °C, e.g. 36.8."), field="temperature") from exc
        if not TEMPERATURE_RANGE[0] <= temp <= TEMPERATURE_RANGE[1]:
            raise QuarantineError(_("The temperature must be between 34 and 43 °C."), field="temperature")
    from phongdich.cases.actions import CaseError, clean_symptoms

    try:
        cleaned = clean_symptoms(list(symptoms))
    except CaseError as exc:
        raise QuarantineError(exc.message, field="symptoms") from exc
    check = HealthCheck.objects.create(
        client_uuid=client_uuid,
        placement=placement,
        checked_on=checked_on,
        temperature=temp,
        symptoms=cleaned,
        note=(note or "").strip()[:255],
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_change(
        actor, "quarantine.check", check, None, snapshot(check, ["placement", "checked_on", "temperature", "symptoms"])
    )
    return check, True


def _end(actor: User | None, placement: Placement, status: str, on: datetime.date, note: str = "") -> Placement:
    before = snapshot(placement, ["status", "ended_on", "release_note", "cost_total"])
    placement.status = status
    placement.ended_on = on
    placement.ended_by = actor if actor is not None and actor.is_authenticated else None
    placement.release_note = note[:255]
    placement.cost_total = placement.cost_on(on)
    placement.save(update_fields=["status", "ended_on", "ended_by", "release_note", "cost_total"])
    after = snapshot(placement, ["status", "ended_on", "release_note", "cost_total"])
    record_change(actor, f"quarantine.{status}", placement, before, after)
    return placement


@transaction.atomic
def record_incident(
    actor: User | None,
    placement: Placement,
    *,
    kind: str,
    occurred_on: datetime.date,
    description: str,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Incident, bool]:
    """An escape (ends the stay and frees the bed) or another violation of the rules (recorded only)."""
    if client_uuid is not None:
        found = Incident.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    _require_active(placement)
    if kind not in IncidentKind.values:
        raise QuarantineError(_("Choose what happened."), field="kind")
    _check_date(occurred_on, "occurred_on", not_before=placement.entered_on)
    description = (description or "").strip()
    if not description:
        raise QuarantineError(_("Describe what happened."), field="description")
    incident = Incident.objects.create(
        client_uuid=client_uuid,
        placement=placement,
        kind=kind,
        occurred_on=occurred_on,
        description=description[:500],
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_change(
        actor, "quarantine.incident", incident, None, snapshot(incident, ["placement", "kind", "occurred_on"])
    )
    if kind == IncidentKind.ESCAPE:
        _end(actor, placement, PlacementStatus.ESCAPED, occurred_on, description)
    return incident, True


@transaction.atomic
def release(actor: User | None, placement: Placement, *, on: datetime.date, early_reason: str = "") -> Placement:
    """Release on or after the end date; earlier only with a reason (audited)."""
    _require_active(placement)
    _check_date(on, "released_on", not_before=placement.entered_on)
    early_reason = (early_reason or "").strip()
    if on < placement.end_date and not early_reason:
        raise QuarantineError(
            _("The quarantine ends on %(date)s: an earlier release needs a reason.")
            % {"date": placement.end_date.strftime("%d/%m/%Y")},
            status=409,
            field="released_on",
        )
    return _end(actor, placement, PlacementStatus.RELEASED, on, early_reason if on < placement.end_date else "")


@transaction.atomic
def end_as_f0(actor: User | None, placement: Placement, *, on: datetime.date) -> Placement:
    """The person became F0: the stay ends (treatment takes over) and their room is flagged."""
    _require_active(placement)
    _check_date(on, "ended_on", not_before=placement.entered_on)
    if placement.room is not None:
        flag_room(actor, placement.room, _("Someone in the room became F0 on %(date)s.") % {"date": f"{on:%d/%m/%Y}"})
    return _end(actor, placement, PlacementStatus.ENDED, on, _("Became F0"))


def end_stay_of_new_f0(actor: User | None, case: Case) -> None:
    """``cases.events.confirmed`` listener: a person in quarantine became F0: the stay ends (treatment
    takes over) and their room is flagged, as the officer's "became F0" would."""
    placement = Placement.objects.filter(person_id=case.person_id, status=PlacementStatus.ACTIVE).first()
    if placement is not None:
        end_as_f0(actor, placement, on=max(case.confirmed_on, placement.entered_on))
