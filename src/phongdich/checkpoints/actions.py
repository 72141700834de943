"""Every change of the checkpoints app: atomic, audited, idempotent by client UUID.

- ``create_checkpoint``, ``update_checkpoint`` (name, kind, place, open/closed), ``start_shift`` / ``end_shift``;
- ``record_passage`` (one person; ``sent_to_quarantine`` asks the quarantine module for a
  placement through ``quarantine.actions.request_placement``; a let-through creates an
  ``Arrival`` for the destination commune) and ``sync_passages`` (the offline queue: a resent
  client UUID is reported as known, never recorded twice);
- ``record_vehicle_passage`` (plate checked with biensoxe, passengers linked, over capacity
  recorded as a violation against the vehicle, its owner and driver);
- ``confirm_arrival`` (the commune), ``report_return`` (the public family form);
- ``record_violation`` (also called by the declarations app);
- ``propose_vehicle_contacts``: the tracing candidate source (co-passengers of a new F0).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.checkpoints.models import (
    LET_THROUGH_OUTCOMES,
    Arrival,
    ArrivalSource,
    ArrivalStatus,
    Checkpoint,
    CheckpointKind,
    Direction,
    Passage,
    PassageOutcome,
    Shift,
    Vehicle,
    VehicleKind,
    VehiclePassage,
    Violation,
    ViolationKind,
)
from phongdich.checkpoints.status import status_for
from phongdich.core.audit import record_change, snapshot
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Person

if TYPE_CHECKING:
    from phongdich.cases.models import Case
    from phongdich.core.models import User

MAX_SYNC = 500
MAX_PASSENGERS = 200
EARLIEST = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)  # no record before the epidemic
FUTURE_SLACK = datetime.timedelta(minutes=10)
VEHICLE_CONTACT_DAYS = 14  # a passenger's trip counts as exposure up to this many days before confirmation
_NS = uuid.UUID("1b8f4d0e-9a1c-4b55-8f7e-3c2d6a9e0b17")


class CheckpointError(Exception):
    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _check_time(when: datetime.datetime | None, field_name: str = "passed_at") -> datetime.datetime:
    now = timezone.now()
    if when is None:
        return now
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + FUTURE_SLACK:
        raise CheckpointError(_("The time cannot be in the future."), field=field_name)
    if when < EARLIEST:
        raise CheckpointError(_("The time is too early."), field=field_name)
    return when


def _check_commune(unit: AdminUnit | None, field_name: str) -> None:
    if unit is not None and unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise CheckpointError(_("Choose a commune."), field=field_name)


def _create_once[M: Any](model: type[M], client_uuid: uuid.UUID | None, **values: Any) -> tuple[M, bool]:
    """(row, True); or (the first row, False) when the same client UUID was written at the same moment."""
    try:
        with transaction.atomic():
            return model.objects.create(client_uuid=client_uuid, **values), True
    except IntegrityError:
        found = model.objects.filter(client_uuid=client_uuid).first() if client_uuid is not None else None
        if found is None:
            raise
        return found, False


def derived(seed: uuid.UUID | None, what: str) -> uuid.UUID | None:
    """A client UUID for a follow-up record, derived from the first one (retries find it again)."""
    return uuid.uuid5(_NS, f"{seed}:{what}") if seed is not None else None


# Checkpoints and shifts ------------------------------------------------------------------


@transaction.atomic
def create_checkpoint(
    actor: User | None,
    *,
    name: str,
    kind: str,
    unit: AdminUnit,
    place: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Checkpoint, bool]:
    if client_uuid is not None:
        found = Checkpoint.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    name = (name or "").strip()
    if not name:
        raise CheckpointError(_("Enter the checkpoint's name."), field="name")
    if kind not in CheckpointKind.values:
        raise CheckpointError(_("Choose a kind of checkpoint."), field="kind")
    if unit.level == Level.PROVINCE:
        raise CheckpointError(_("Choose the district or commune where the checkpoint is."), field="unit")
    cp, created = _create_once(
        Checkpoint, client_uuid, name=name[:160], kind=kind, place=(place or "").strip()[:255], **lineage_columns(unit)
    )
    if not created:
        return cp, False
    record_change(actor, "checkpoint.create", cp, None, snapshot(cp, ["name", "kind", "place", "district", "commune"]))
    return cp, True


_EDITABLE = ["name", "kind", "place", "active"]


@transaction.atomic
def update_checkpoint(
    actor: User | None,
    checkpoint: Checkpoint,
    *,
    name: str,
    kind: str,
    place: str = "",
    active: bool = True,
) -> Checkpoint:
    """Rename, re-kind, re-place, close or reopen a checkpoint; audited, nothing written when unchanged.

    The unit stays: the checkpoint's passages carry its jurisdiction from when they were recorded.
    A closed checkpoint takes no passages (``record_passage``).
    """
    name = (name or "").strip()
    if not name:
        raise CheckpointError(_("Enter the checkpoint's name."), field="name")
    if kind not in CheckpointKind.values:
        raise CheckpointError(_("Choose a kind of checkpoint."), field="kind")
    cp = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
    before = snapshot(cp, _EDITABLE)
    values = {"name": name[:160], "kind": kind, "place": (place or "").strip()[:255], "active": bool(active)}
    changed = [f for f, v in values.items() if getattr(cp, f) != v]
    if not changed:
        return cp
    for f in changed:
        setattr(cp, f, values[f])
    cp.save(update_fields=changed)
    record_change(actor, "checkpoint.update", cp, before, snapshot(cp, _EDITABLE))
    return cp


@transaction.atomic
def start_shift(
    actor: User | None,
    checkpoint: Checkpoint,
    officers: Sequence[User],
    *,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    note: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Shift, bool]:
    if client_uuid is not None:
        found = Shift.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    start = starts_at or timezone.now()
    if ends_at is not None and ends_at <= start:
        raise CheckpointError(_("The shift must end after it starts."), field="ends_at")
    for officer in officers:
        if officer.unit is None or not (
            officer.unit.contains(_unit_of(checkpoint)) or _unit_of(checkpoint).contains(officer.unit)
        ):
            raise CheckpointError(_("An officer of another area cannot be on this shift."), field="officers")
    shift, created = _create_once(
        Shift,
        client_uuid,
        checkpoint=checkpoint,
        starts_at=start,
        ends_at=ends_at,
        note=(note or "")[:255],
        created_by=_user(actor),
    )
    if not created:
        return shift, False
    shift.officers.set(list(officers))
    record_change(
        actor,
        "checkpoint.shift.start",
        shift,
        None,
        {"checkpoint": str(checkpoint.pk), "officers": [o.pk for o in officers], "starts_at": start.isoformat()},
    )
    return shift, True


@transaction.atomic
def end_shift(actor: User | None, shift: Shift, ends_at: datetime.datetime | None = None) -> Shift:
    if shift.ends_at is not None and shift.ends_at <= timezone.now():
        return shift
    end = ends_at or timezone.now()
    if end <= shift.starts_at:
        raise CheckpointError(_("The shift must end after it starts."), field="ends_at")
    shift.ends_at = end
    shift.save(update_fields=["ends_at"])
    record_change(actor, "checkpoint.shift.end", shift, {"ends_at": None}, {"ends_at": end.isoformat()})
    return shift


def _unit_of(checkpoint: Checkpoint) -> AdminUnit:
    unit_id = checkpoint.village_id or checkpoint.commune_id or checkpoint.district_id or checkpoint.province_id
    return AdminUnit.objects.get(pk=unit_id or 0)


def _columns(record: Any) -> dict[str, Any]:
    return {
        "province_id": record.province_id,
        "district_id": record.district_id,
        "commune_id": record.commune_id,
        "village_id": record.village_id,
    }


# Violations ------------------------------------------------------------------------------


@transaction.atomic
def record_violation(
    actor: User | None,
    kind: str,
    *,
    person: Person | None = None,
    vehicle: Vehicle | None = None,
    passage: Passage | None = None,
    vehicle_passage: VehiclePassage | None = None,
    owner: Person | None = None,
    driver: Person | None = None,
    note: str = "",
    declaration_id: uuid.UUID | None = None,
    declaration: Any = None,
    unit: AdminUnit | None = None,
    occurred_at: datetime.datetime | None = None,
    client_uuid: uuid.UUID | None = None,
) -> Violation:
    """Record a violation against the person, the vehicle, its owner and driver (those given or known).

    ``declaration`` (or ``declaration_id``) links a declarations.Declaration. The owner and driver
    default from the vehicle passage (or the vehicle's owner). The jurisdiction is the checkpoint's
    when there is a passage, else ``unit``, the person's, or the actor's. The same ``client_uuid``
    again returns the first record.
    """
    if client_uuid is not None:
        found = Violation.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found
    if kind not in ViolationKind.values:
        raise CheckpointError(_("Choose a kind of violation."), field="kind")
    if declaration is not None:  # a declarations.Declaration: its id is kept (no database reference)
        declaration_id = declaration_id or declaration.pk
    if passage is not None:
        person = person or passage.person
        vehicle_passage = vehicle_passage or passage.vehicle_passage
    if vehicle_passage is not None:
        vehicle = vehicle or vehicle_passage.vehicle
        owner = owner or vehicle_passage.owner
        driver = driver or vehicle_passage.driver
    if vehicle is not None:
        owner = owner or vehicle.owner
    if person is None and vehicle is None and owner is None and driver is None:
        raise CheckpointError(_("Say who or which vehicle the violation is against."), field="person_id")
    when = _check_time(occurred_at, "occurred_at") if occurred_at is not None else timezone.now()
    anchor: Any = passage or vehicle_passage
    if anchor is not None:
        cols = _columns(anchor)
    elif unit is not None:
        cols = lineage_columns(unit)
    elif person is not None and person.province_id is not None:
        cols = _columns(person)
    else:
        cols = lineage_columns(actor.unit if actor is not None and actor.is_authenticated else None)
    v, created = _create_once(
        Violation,
        client_uuid,
        kind=kind,
        person=person,
        vehicle=vehicle,
        owner=owner,
        driver=driver,
        passage=passage,
        vehicle_passage=vehicle_passage,
        declaration_id=declaration_id,
        occurred_at=when,
        note=(note or "").strip()[:500],
        recorded_by=_user(actor),
        **cols,
    )
    if not created:
        return v
    record_change(
        actor,
        "violation.record",
        v,
        None,
        snapshot(v, ["kind", "person", "vehicle", "owner", "driver", "passage", "vehicle_passage", "note"]),
    )
    return v


# Passages --------------------------------------------------------------------------------


def _risk_group(origin: AdminUnit | None, day: datetime.date) -> str:
    from phongdich.policy.queries import risk_level
    from phongdich.quarantine.models import RiskGroup

    return RiskGroup.ARRIVAL_HIGH_RISK if origin is not None and risk_level(origin, day) else RiskGroup.ARRIVAL


def _jsonable_status(data: dict[str, Any]) -> dict[str, Any]:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return dict(json.loads(json.dumps(data, cls=DjangoJSONEncoder)))


@transaction.atomic
def record_passage(
    actor: User | None,
    checkpoint: Checkpoint,
    person: Person,
    *,
    outcome: str,
    direction: str = Direction.INBOUND,
    passed_at: datetime.datetime | None = None,
    origin: AdminUnit | None = None,
    destination_commune: AdminUnit | None = None,
    vehicle_passage: VehiclePassage | None = None,
    declaration_id: uuid.UUID | None = None,
    note: str = "",
    client_uuid: uuid.UUID | None = None,
    synced: bool = False,
) -> tuple[Passage, bool]:
    """One person through ``checkpoint`` with the officer's ``outcome``; idempotent by ``client_uuid``."""
    if client_uuid is not None:
        found = Passage.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    if outcome not in PassageOutcome.values:
        raise CheckpointError(_("Choose an outcome."), field="outcome")
    if direction not in Direction.values:
        raise CheckpointError(_("Choose a direction."), field="direction")
    if not checkpoint.active:
        raise CheckpointError(_("This checkpoint is closed."), status=409, field="checkpoint_id")
    if person.merged_into_id is not None:
        raise CheckpointError(_("This record was merged into another."), status=409, field="person_id")
    _check_commune(destination_commune, "destination_commune")
    when = _check_time(passed_at)
    status = status_for(person, when, province=checkpoint.province_id)
    from phongdich.policy.models import RuleSet

    rule_set = RuleSet.objects.filter(code=status.requirement.rule_set_code).first() if status.requirement else None
    passage = Passage(
        client_uuid=client_uuid,
        checkpoint=checkpoint,
        person=person,
        direction=direction,
        passed_at=when,
        outcome=outcome,
        origin=origin,
        destination_commune=destination_commune,
        vehicle_passage=vehicle_passage,
        declaration_id=declaration_id,
        rule_set=rule_set,
        status_shown=_jsonable_status(status.as_dict()),
        note=(note or "").strip()[:255],
        officer=_user(actor),
        synced=synced,
        **_columns(checkpoint),
    )
    try:
        with transaction.atomic():
            passage.save()
    except IntegrityError:  # the same client UUID, sent twice at once
        return Passage.objects.get(client_uuid=client_uuid), False
    if outcome == PassageOutcome.SENT_TO_QUARANTINE:
        _request_quarantine(actor, passage, origin)
    if outcome in LET_THROUGH_OUTCOMES and direction == Direction.INBOUND and destination_commune is not None:
        Arrival.objects.create(
            client_uuid=derived(client_uuid, "arrival"),
            source=ArrivalSource.CHECKPOINT,
            person=person,
            passage=passage,
            arrived_on=timezone.localdate(when),
            home_monitoring=outcome == PassageOutcome.HOME_MONITORING,
            **lineage_columns(destination_commune),
        )
    record_change(
        actor,
        "checkpoint.passage",
        passage,
        None,
        snapshot(passage, ["checkpoint", "person", "direction", "outcome", "origin", "destination_commune"]),
    )
    return passage, True


def _request_quarantine(actor: User | None, passage: Passage, origin: AdminUnit | None) -> None:
    from phongdich.quarantine.actions import QuarantineError, request_placement

    day = timezone.localdate(passage.passed_at)
    try:
        req, _created = request_placement(
            actor,
            passage.person,
            _risk_group(origin, day),
            day_one=day,
            reason=_("Sent to quarantine at %(checkpoint)s") % {"checkpoint": passage.checkpoint.name},
            client_uuid=derived(passage.client_uuid or passage.pk, "quarantine"),
        )
    except QuarantineError as exc:
        raise CheckpointError(exc.message, status=exc.status, field="outcome") from exc
    passage.placement_request_id = req.pk
    passage.save(update_fields=["placement_request_id"])


@dataclass
class SyncItem:
    client_uuid: uuid.UUID
    outcome: str
    passed_at: datetime.datetime | None
    person: Person | None = None
    id_number: str = ""
    full_name: str = ""
    direction: str = Direction.INBOUND
    origin: AdminUnit | None = None
    destination_commune: AdminUnit | None = None
    note: str = ""


@dataclass
class SyncResult:
    client_uuid: uuid.UUID
    status: str  # "new" | "known" | "error"
    passage_id: uuid.UUID | None = None
    detail: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _person_for(actor: User | None, item: SyncItem) -> Person:
    from phongdich.checkpoints.status import find_person
    from phongdich.people.actions import PersonData, intake_person

    if item.person is not None:
        return item.person
    found = find_person(item.id_number)
    if found is not None:
        return found
    digits = "".join(ch for ch in item.id_number if ch.isdigit())
    if len(digits) not in (9, 12):
        raise CheckpointError(_("Enter a 9- or 12-digit ID number."), field="id_number")
    if not (item.full_name or "").strip():
        raise CheckpointError(_("This ID number is not known: enter the person's name."), field="full_name")
    from django.core.exceptions import ValidationError

    from phongdich.people.validation import normalize_name

    try:
        name = normalize_name(item.full_name)
    except ValidationError as exc:
        raise CheckpointError(" ".join(exc.messages), field="full_name") from exc
    intake = intake_person(
        actor,
        PersonData(full_name=name, id_number=digits, unit=item.destination_commune),
        client_uuid=derived(item.client_uuid, "person"),
    )
    return intake.person


def sync_passages(actor: User | None, checkpoint: Checkpoint, items: Sequence[SyncItem]) -> list[SyncResult]:
    """Record the offline queue. Each item stands alone: a bad one does not stop the others."""
    if len(items) > MAX_SYNC:
        raise CheckpointError(_("Send at most %(n)d passages at a time.") % {"n": MAX_SYNC}, field="passages")
    results = []
    for item in items:
        known = Passage.objects.filter(client_uuid=item.client_uuid).values_list("pk", flat=True).first()
        if known is not None:
            results.append(SyncResult(item.client_uuid, "known", known))
            continue
        try:
            with transaction.atomic():
                person = _person_for(actor, item)
                passage, created = record_passage(
                    actor,
                    checkpoint,
                    person,
                    outcome=item.outcome,
                    direction=item.direction,
                    passed_at=item.passed_at,
                    origin=item.origin,
                    destination_commune=item.destination_commune,
                    note=item.note,
                    client_uuid=item.client_uuid,
                    synced=True,
                )
        except CheckpointError as exc:
            results.append(SyncResult(item.client_uuid, "error", None, exc.message, {exc.field or "": exc.message}))
            continue
        results.append(SyncResult(item.client_uuid, "new" if created else "known", passage.pk))
    return results


# Vehicles --------------------------------------------------------------------------------


def normalise_plate(value: str) -> tuple[str, str]:
    """(compact, display) of a Vietnamese plate, e.g. ('29A12345', '29A-123.45'); CheckpointError if invalid."""
    from biensoxe import VietnamVehiclePlate

    text = (value or "").strip()
    if not text or len(text) > 20:
        raise CheckpointError(_("Enter a valid Vietnamese plate number, e.g. 27B-012.34."), field="plate")
    try:
        plate = VietnamVehiclePlate.from_string(text)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(_("Enter a valid Vietnamese plate number, e.g. 27B-012.34."), field="plate") from exc
    return str(plate.compact)[:16], str(plate)[:20]


@transaction.atomic
def register_vehicle(
    actor: User | None,
    plate: str,
    *,
    kind: str = "",
    seats: int | None = None,
    owner: Person | None = None,
) -> tuple[Vehicle, bool]:
    """The vehicle with this plate (created, or its kind, seats and owner updated when given)."""
    compact, display = normalise_plate(plate)
    if kind and kind not in VehicleKind.values:
        raise CheckpointError(_("Choose a kind of vehicle."), field="kind")
    if seats is not None and not 1 <= seats <= 100:
        raise CheckpointError(_("Seats must be between 1 and 100."), field="seats")
    vehicle = Vehicle.objects.select_for_update().filter(plate=compact).first()
    if vehicle is None:
        vehicle = Vehicle.objects.create(
            plate=compact, plate_display=display, kind=kind or VehicleKind.CAR, seats=seats, owner=owner
        )
        record_change(actor, "vehicle.create", vehicle, None, snapshot(vehicle, ["plate", "kind", "seats", "owner"]))
        return vehicle, True
    before = snapshot(vehicle, ["kind", "seats", "owner"])
    changed = []
    for name, value in (("kind", kind or None), ("seats", seats), ("owner", owner)):
        if value is not None and getattr(vehicle, name) != value:
            setattr(vehicle, name, value)
            changed.append(name)
    if changed:
        vehicle.save(update_fields=changed)
        record_change(actor, "vehicle.update", vehicle, before, snapshot(vehicle, ["kind", "seats", "owner"]))
    return vehicle, False


@dataclass
class Passenger:
    person: Person
    outcome: str = PassageOutcome.LET_THROUGH
    destination_commune: AdminUnit | None = None
    client_uuid: uuid.UUID | None = None


@transaction.atomic
def record_vehicle_passage(
    actor: User | None,
    checkpoint: Checkpoint,
    *,
    plate: str,
    kind: str = "",
    seats: int | None = None,
    passengers: Sequence[Passenger] = (),
    people_carried: int | None = None,
    driver: Person | None = None,
    owner: Person | None = None,
    origin: AdminUnit | None = None,
    destination: AdminUnit | None = None,
    direction: str = Direction.INBOUND,
    passed_at: datetime.datetime | None = None,
    client_uuid: uuid.UUID | None = None,
) -> tuple[VehiclePassage, bool]:
    """A vehicle and its passengers (each a passage linked to it). Over capacity records a violation."""
    if client_uuid is not None:
        found = VehiclePassage.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    if direction not in Direction.values:
        raise CheckpointError(_("Choose a direction."), field="direction")
    if not checkpoint.active:
        raise CheckpointError(_("This checkpoint is closed."), status=409, field="checkpoint_id")
    if len(passengers) > MAX_PASSENGERS:
        raise CheckpointError(_("Too many passengers."), field="passengers")
    ids = [p.person.pk for p in passengers]
    if len(set(ids)) != len(ids) or (driver is not None and driver.pk in ids):
        raise CheckpointError(_("A person is listed twice."), field="passengers")
    carried = people_carried if people_carried is not None else len(passengers)
    if carried < len(passengers) or carried > 1000:
        raise CheckpointError(_("The number of people carried is not valid."), field="people_carried")
    when = _check_time(passed_at)
    vehicle, _created = register_vehicle(actor, plate, kind=kind, seats=seats, owner=owner)
    over = vehicle.seats is not None and carried > vehicle.seats
    vp, created = _create_once(
        VehiclePassage,
        client_uuid,
        checkpoint=checkpoint,
        vehicle=vehicle,
        direction=direction,
        passed_at=when,
        passengers=carried,
        over_capacity=over,
        driver=driver,
        owner=owner or vehicle.owner,
        origin=origin,
        destination=destination,
        officer=_user(actor),
        **_columns(checkpoint),
    )
    if not created:
        return vp, False
    record_change(
        actor,
        "vehicle.passage",
        vp,
        None,
        snapshot(vp, ["checkpoint", "vehicle", "direction", "passengers", "over_capacity", "driver", "owner"]),
    )
    for i, p in enumerate(passengers):
        record_passage(
            actor,
            checkpoint,
            p.person,
            outcome=p.outcome,
            direction=direction,
            passed_at=when,
            origin=origin,
            destination_commune=p.destination_commune,
            vehicle_passage=vp,
            client_uuid=p.client_uuid or derived(client_uuid, f"passenger:{i}"),
        )
    if over:
        record_violation(
            actor,
            ViolationKind.OVER_CAPACITY,
            vehicle_passage=vp,
            note=_("%(carried)d people carried, %(seats)d seats") % {"carried": carried, "seats": vehicle.seats or 0},
            occurred_at=when,
            client_uuid=derived(client_uuid, "over_capacity"),
        )
    return vp, True


def propose_vehicle_contacts(cases: Sequence[Case]) -> None:
    """Tracing candidate source: the others on a vehicle with a new F0 in the days before confirmation."""
    from phongdich.tracing.candidates import propose
    from phongdich.tracing.models import ContactSource

    for case in cases:
        since = timezone.make_aware(
            datetime.datetime.combine(
                case.confirmed_on - datetime.timedelta(days=VEHICLE_CONTACT_DAYS), datetime.time()
            )
        )
        trips = VehiclePassage.objects.filter(people__person_id=case.person_id, passed_at__gte=since).select_related(
            "vehicle"
        )
        for trip in trips.distinct():
            others = {p.person for p in trip.people.select_related("person")} | {trip.driver}
            for other in others:
                if other is None or other.pk == case.person_id:
                    continue
                propose(
                    case.person,
                    other,
                    ContactSource.VEHICLE,
                    timezone.localdate(trip.passed_at),
                    {"case": case.code, "vehicle_passage": str(trip.pk), "plate": trip.vehicle.plate_display},
                )


# Arrivals --------------------------------------------------------------------------------


@transaction.atomic
def confirm_arrival(
    actor: User | None, arrival: Arrival, *, declaration_checked: bool = True, monitoring_arranged: bool = True
) -> Arrival:
    """The destination commune confirms the arrival's declaration and monitoring; idempotent."""
    arrival = Arrival.objects.select_for_update().get(pk=arrival.pk)
    if arrival.status == ArrivalStatus.CONFIRMED:
        return arrival
    before = snapshot(arrival, ["status", "declaration_checked", "monitoring_arranged"])
    arrival.status = ArrivalStatus.CONFIRMED
    arrival.declaration_checked = declaration_checked
    arrival.monitoring_arranged = monitoring_arranged
    arrival.confirmed_by = _user(actor)
    arrival.confirmed_at = timezone.now()
    arrival.save(update_fields=["status", "declaration_checked", "monitoring_arranged", "confirmed_by", "confirmed_at"])
    record_change(
        actor,
        "arrival.confirm",
        arrival,
        before,
        snapshot(arrival, ["status", "declaration_checked", "monitoring_arranged"]),
    )
    _end_absence(actor, arrival)
    return arrival


def _end_absence(actor: User | None, arrival: Arrival) -> None:
    """A citizen on an absent list confirmed home in their own commune: the absent period ends (R-ABSENT)."""
    from phongdich.people.actions import set_residence
    from phongdich.people.models import ResidenceStatus

    person = arrival.person
    if person is None or person.commune_id != arrival.commune_id:
        return
    if person.residence_status != ResidenceStatus.TEMPORARILY_ABSENT:
        return
    set_residence(actor, person, ResidenceStatus.PERMANENT, started_on=arrival.arrived_on)


@dataclass
class FamilyReport:
    full_name: str
    commune: AdminUnit
    arrived_on: datetime.date
    id_number: str = ""
    phone: str = ""
    coming_from: str = ""
    reporter_phone: str = ""


@transaction.atomic
def report_return(report: FamilyReport, client_uuid: uuid.UUID | None = None) -> tuple[Arrival, bool]:
    """A family reports a returning citizen (public form, no account): an arrival for the commune."""
    if client_uuid is not None:
        found = Arrival.objects.filter(client_uuid=client_uuid).first()
        if found is not None:
            return found, False
    name = " ".join((report.full_name or "").split())
    if not name:
        raise CheckpointError(_("Enter the name of the person coming home."), field="full_name")
    if report.commune.level != Level.COMMUNE:
        raise CheckpointError(_("Choose a commune."), field="commune")
    today = timezone.localdate()
    if report.arrived_on > today + datetime.timedelta(days=7) or report.arrived_on < today - datetime.timedelta(
        days=14
    ):
        raise CheckpointError(_("Give a date within the last two weeks or the next week."), field="arrived_on")
    digits = "".join(ch for ch in report.id_number if ch.isdigit())
    person = None
    if digits:
        from phongdich.checkpoints.status import find_person

        found_person = find_person(digits)
        if found_person is not None and found_person.commune_id == report.commune.pk:
            person = found_person  # matched only inside the commune: nothing is revealed either way
    arrival = Arrival.objects.create(
        client_uuid=client_uuid,
        source=ArrivalSource.FAMILY,
        person=person,
        arrived_on=report.arrived_on,
        reported_name=name[:120],
        reported_id_number=digits[:12],
        reported_phone=(report.phone or "")[:16],
        reported_from=(report.coming_from or "").strip()[:160],
        reporter_phone=(report.reporter_phone or "")[:16],
        **lineage_columns(report.commune),
    )
    record_change(None, "arrival.family_report", arrival, None, {"commune": report.commune.pk, "matched": bool(person)})
    return arrival, True
