"""API of the checkpoints app, mounted at /api/v1/checkpoints.

- ``GET/POST ""`` checkpoints, ``GET /{id}``; ``GET/POST /shifts``, ``POST /shifts/{id}/end``;
- ``GET /status?checkpoint_id=&id_number=`` or ``&token=`` (a declaration QR): the person's
  status from every module (``status.status_for``), access-logged;
- ``POST /passages`` (one; a resent client UUID answers 200 with the first), ``GET /passages``,
  ``POST /passages/sync`` (the offline queue: each item "new", "known" or "error");
- ``GET /snapshot?checkpoint_id=`` (ID number → minimal status for the province, access-logged),
  ``GET /changes?checkpoint_id=&since=``;
- ``POST /vehicle-passages``, ``GET /vehicles?plate=``;
- ``GET /arrivals`` (the commune's), ``POST /arrivals/{id}/confirm``;
- ``GET/POST /violations``.

Rights: checkpoint work needs CHECKPOINT_OPERATE at a checkpoint in your area; checkpoints and
shifts CHECKPOINT_MANAGE; arrivals DECLARATION_VIEW / DECLARATION_REVIEW; violations
VIOLATION_RECORD. A record outside your area answers 404.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.checkpoints import actions, queries, snapshot
from phongdich.checkpoints.models import (
    Arrival,
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
from phongdich.checkpoints.status import find_person, status_for
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.models import User
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person

router = Router(tags=["checkpoints"])


# Helpers -------------------------------------------------------------------------------


def invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}])


def raise_error(exc: actions.CheckpointError) -> None:
    if exc.status == 422:
        raise invalid(exc.field or "", exc.message) from exc
    raise HttpError(exc.status, exc.message) from exc


def unit_by_code(field: str, code: str | None, *, in_scope_of: User | None = None) -> AdminUnit | None:
    if not code:
        return None
    unit = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, code=code).first()
    if unit is None:
        raise invalid(field, _("Unknown administrative unit."))
    if in_scope_of is not None and not access.unit_in_scope(in_scope_of, unit):
        raise PermissionDenied(_("This unit is outside your area."))
    return unit


def operated_checkpoint(user: User, checkpoint_id: Any) -> Checkpoint:
    """A checkpoint the user may work at (CHECKPOINT_OPERATE, in their area) or 403/404."""
    return access.get_for_user(user, Checkpoint.objects.all(), Perm.CHECKPOINT_OPERATE, pk=checkpoint_id)


def person_by_id(field: str, person_id: uuid.UUID | None) -> Person | None:
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        raise invalid(field, _("Unknown person."))
    return person


# Schemas -------------------------------------------------------------------------------


class CheckpointErrorOut(Schema):
    detail: str


class CheckpointUnitRef(Schema):
    id: int
    code: str
    name: str


def unit_ref(unit: AdminUnit | None) -> CheckpointUnitRef | None:
    return CheckpointUnitRef(id=unit.pk, code=unit.code, name=unit.name) if unit is not None else None


class CheckpointIn(Schema):
    client_uuid: uuid.UUID | None = None
    name: str = Field(..., max_length=160)
    kind: CheckpointKind
    unit_code: str = Field(..., description="District or commune code where the checkpoint is.")
    place: str = Field("", max_length=255)


class CheckpointOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    place: str
    active: bool
    district: CheckpointUnitRef | None
    commune: CheckpointUnitRef | None


def checkpoint_out(cp: Checkpoint) -> CheckpointOut:
    return CheckpointOut(
        id=cp.pk,
        name=cp.name,
        kind=cp.kind,
        place=cp.place,
        active=cp.active,
        district=unit_ref(cp.district),
        commune=unit_ref(cp.commune),
    )


class CheckpointShiftIn(Schema):
    client_uuid: uuid.UUID | None = None
    checkpoint_id: uuid.UUID
    officers: list[str] = Field(default_factory=list, description="Usernames of the officers on duty.")
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    note: str = Field("", max_length=255)


class CheckpointShiftOut(Schema):
    id: uuid.UUID
    checkpoint_id: uuid.UUID
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    officers: list[str]
    note: str


def shift_out(shift: Shift) -> CheckpointShiftOut:
    return CheckpointShiftOut(
        id=shift.pk,
        checkpoint_id=shift.checkpoint_id,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        officers=[u.username for u in shift.officers.all()],
        note=shift.note,
    )


class CheckpointTestOut(Schema):
    kind: str
    outcome: str
    taken_on: datetime.date
    resulted_at: datetime.datetime
    hours: int


class CheckpointStatusOut(Schema):
    person_id: uuid.UUID
    full_name: str
    birth_year: int | None
    home: str
    checked_at: datetime.datetime
    absent: bool
    absent_since: datetime.date | None
    level: int | None = Field(None, description="0 = F0 (active case), 1–3 = F1–F3.")
    level_label: str
    case_code: str
    handling: str
    handling_until: datetime.date | None
    in_quarantine: bool
    quarantine_until: datetime.date | None
    quarantine_requested: bool
    results: list[CheckpointTestOut]
    required_pcr_hours: int
    required_antigen_hours: int
    rule_set: str
    meets_requirement: bool | None = Field(None, description="None when the rule set in force requires no test.")
    alert: bool
    declaration_id: uuid.UUID | None = None
    declared_at: datetime.datetime | None = Field(None, description="The latest declaration in the last 3 days.")
    origin_code: str = ""
    destination_commune_code: str = ""
    vaccination: None = None


def status_out(person: Person, checkpoint: Checkpoint, declaration: Any = None) -> CheckpointStatusOut:
    s = status_for(person, province=checkpoint.province_id)
    req = s.requirement
    home = ", ".join(u.name for u in (person.commune, person.district) if u is not None)
    if declaration is None:
        declaration = queries.recent_declaration(person)
    origin = getattr(declaration, "origin_unit", None) or getattr(declaration, "origin_province", None)
    dest = getattr(declaration, "commune", None)
    return CheckpointStatusOut(
        person_id=person.pk,
        full_name=person.full_name,
        birth_year=person.birth_year or (person.birth_date.year if person.birth_date else None),
        home=home,
        checked_at=s.checked_at,
        absent=s.absent,
        absent_since=s.absent_since,
        level=s.level,
        level_label=s.level_label,
        case_code=s.case_code,
        handling=s.handling,
        handling_until=s.handling_until,
        in_quarantine=s.in_quarantine,
        quarantine_until=s.quarantine_until,
        quarantine_requested=s.quarantine_requested,
        results=[CheckpointTestOut(**r.__dict__) for r in s.results],
        required_pcr_hours=req.pcr_hours if req else 0,
        required_antigen_hours=req.antigen_hours if req else 0,
        rule_set=req.rule_set_code if req else "",
        meets_requirement=s.meets_requirement,
        alert=s.alert,
        declaration_id=getattr(declaration, "pk", None),
        declared_at=getattr(declaration, "declared_at", None),
        origin_code=origin.code if origin is not None else "",
        destination_commune_code=dest.code if dest is not None else "",
    )


class CheckpointPassageIn(Schema):
    client_uuid: uuid.UUID | None = None
    checkpoint_id: uuid.UUID
    person_id: uuid.UUID | None = None
    id_number: str = Field("", max_length=20, description="When the person is not given by id.")
    full_name: str = Field("", max_length=120, description="Needed when the ID number is not known yet.")
    direction: Direction = Direction.INBOUND
    passed_at: datetime.datetime | None = None
    outcome: PassageOutcome
    origin_code: str = Field("", max_length=16, description="Unit (any level, any province) coming from.")
    destination_commune_code: str = Field("", max_length=16)
    declaration_id: uuid.UUID | None = None
    note: str = Field("", max_length=255)


class CheckpointPassageOut(Schema):
    id: uuid.UUID
    checkpoint_id: uuid.UUID
    person_id: uuid.UUID
    direction: str
    passed_at: datetime.datetime
    outcome: str
    origin_code: str
    destination_commune_code: str
    vehicle_passage_id: uuid.UUID | None
    placement_request_id: uuid.UUID | None
    declaration_id: uuid.UUID | None
    synced: bool


def passage_out(p: Passage) -> CheckpointPassageOut:
    return CheckpointPassageOut(
        id=p.pk,
        checkpoint_id=p.checkpoint_id,
        person_id=p.person_id,
        direction=p.direction,
        passed_at=p.passed_at,
        outcome=p.outcome,
        origin_code=p.origin.code if p.origin else "",
        destination_commune_code=p.destination_commune.code if p.destination_commune else "",
        vehicle_passage_id=p.vehicle_passage_id,
        placement_request_id=p.placement_request_id,
        declaration_id=p.declaration_id,
        synced=p.synced,
    )


class CheckpointSyncItemIn(Schema):
    client_uuid: uuid.UUID
    id_number: str = Field("", max_length=20)
    person_id: uuid.UUID | None = None
    full_name: str = Field("", max_length=120)
    direction: str = Direction.INBOUND
    passed_at: datetime.datetime | None = None
    outcome: str
    origin_code: str = Field("", max_length=16)
    destination_commune_code: str = Field("", max_length=16)
    note: str = Field("", max_length=255)


class CheckpointSyncIn(Schema):
    checkpoint_id: uuid.UUID
    passages: list[CheckpointSyncItemIn] = Field(..., max_length=actions.MAX_SYNC)


class CheckpointSyncResultOut(Schema):
    client_uuid: uuid.UUID
    status: str = Field(..., description="new | known | error")
    passage_id: uuid.UUID | None
    detail: str
    errors: dict[str, str]


class CheckpointSyncOut(Schema):
    new: int
    known: int
    errors: int
    results: list[CheckpointSyncResultOut]


class CheckpointPassengerIn(Schema):
    person_id: uuid.UUID | None = None
    id_number: str = Field("", max_length=20)
    outcome: PassageOutcome = PassageOutcome.LET_THROUGH
    destination_commune_code: str = Field("", max_length=16)


class CheckpointVehiclePassageIn(Schema):
    client_uuid: uuid.UUID | None = None
    checkpoint_id: uuid.UUID
    plate: str = Field(..., max_length=20)
    kind: VehicleKind | None = None
    seats: int | None = Field(None, ge=1, le=100)
    people_carried: int | None = Field(None, ge=0, le=1000)
    driver_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    origin_code: str = Field("", max_length=16)
    destination_code: str = Field("", max_length=16)
    direction: Direction = Direction.INBOUND
    passed_at: datetime.datetime | None = None
    passengers: list[CheckpointPassengerIn] = Field(default_factory=list, max_length=actions.MAX_PASSENGERS)


class CheckpointVehicleOut(Schema):
    id: uuid.UUID
    plate: str
    plate_display: str
    kind: str
    seats: int | None
    owner_id: uuid.UUID | None


class CheckpointVehiclePassageOut(Schema):
    id: uuid.UUID
    checkpoint_id: uuid.UUID
    vehicle: CheckpointVehicleOut
    direction: str
    passed_at: datetime.datetime
    passengers: int
    over_capacity: bool
    driver_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    passage_ids: list[uuid.UUID]


def vehicle_out(v: Vehicle) -> CheckpointVehicleOut:
    return CheckpointVehicleOut(
        id=v.pk, plate=v.plate, plate_display=v.plate_display, kind=v.kind, seats=v.seats, owner_id=v.owner_id
    )


def vehicle_passage_out(vp: VehiclePassage) -> CheckpointVehiclePassageOut:
    return CheckpointVehiclePassageOut(
        id=vp.pk,
        checkpoint_id=vp.checkpoint_id,
        vehicle=vehicle_out(vp.vehicle),
        direction=vp.direction,
        passed_at=vp.passed_at,
        passengers=vp.passengers,
        over_capacity=vp.over_capacity,
        driver_id=vp.driver_id,
        owner_id=vp.owner_id,
        passage_ids=list(vp.people.values_list("pk", flat=True)),
    )


class CheckpointArrivalOut(Schema):
    id: uuid.UUID
    source: str
    person_id: uuid.UUID | None
    full_name: str
    arrived_on: datetime.date
    home_monitoring: bool
    coming_from: str
    checkpoint: str
    status: str
    declaration_checked: bool
    monitoring_arranged: bool
    commune: CheckpointUnitRef | None


def arrival_out(a: Arrival) -> CheckpointArrivalOut:
    passage = a.passage
    coming_from = a.reported_from
    if passage is not None and passage.origin is not None:
        coming_from = passage.origin.name
    return CheckpointArrivalOut(
        id=a.pk,
        source=a.source,
        person_id=a.person_id,
        full_name=a.person.full_name if a.person else a.reported_name,
        arrived_on=a.arrived_on,
        home_monitoring=a.home_monitoring,
        coming_from=coming_from,
        checkpoint=passage.checkpoint.name if passage is not None else "",
        status=a.status,
        declaration_checked=a.declaration_checked,
        monitoring_arranged=a.monitoring_arranged,
        commune=unit_ref(a.commune),
    )


class CheckpointConfirmIn(Schema):
    declaration_checked: bool = True
    monitoring_arranged: bool = True


class CheckpointViolationIn(Schema):
    client_uuid: uuid.UUID | None = None
    kind: ViolationKind
    person_id: uuid.UUID | None = None
    passage_id: uuid.UUID | None = None
    vehicle_passage_id: uuid.UUID | None = None
    plate: str = Field("", max_length=20)
    owner_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    note: str = Field("", max_length=500)
    occurred_at: datetime.datetime | None = None


class CheckpointViolationOut(Schema):
    id: uuid.UUID
    kind: str
    person_id: uuid.UUID | None
    vehicle_plate: str
    owner_id: uuid.UUID | None
    driver_id: uuid.UUID | None
    passage_id: uuid.UUID | None
    vehicle_passage_id: uuid.UUID | None
    occurred_at: datetime.datetime
    note: str


def violation_out(v: Violation) -> CheckpointViolationOut:
    return CheckpointViolationOut(
        id=v.pk,
        kind=v.kind,
        person_id=v.person_id,
        vehicle_plate=v.vehicle.plate_display if v.vehicle else "",
        owner_id=v.owner_id,
        driver_id=v.driver_id,
        passage_id=v.passage_id,
        vehicle_passage_id=v.vehicle_passage_id,
        occurred_at=v.occurred_at,
        note=v.note,
    )


# Checkpoints and shifts --------------------------------------------------------------------


@router.get("", response=list[CheckpointOut], summary="Checkpoints in your area")
def list_checkpoints(request: HttpRequest) -> list[CheckpointOut]:
    user = current_user(request)
    if not (user.can(Perm.CHECKPOINT_OPERATE) or user.can(Perm.CHECKPOINT_MANAGE)):
        raise PermissionDenied(_("Your role does not allow this."))
    return [checkpoint_out(cp) for cp in queries.checkpoints_in_scope(user)]


@router.post("", response={200: CheckpointOut, 201: CheckpointOut}, summary="Create a checkpoint")
def create_checkpoint(request: HttpRequest, payload: CheckpointIn) -> tuple[int, CheckpointOut]:
    user = current_user(request)
    access.require(user, Perm.CHECKPOINT_MANAGE)
    unit = unit_by_code("unit_code", payload.unit_code, in_scope_of=user)
    assert unit is not None
    try:
        cp, created = actions.create_checkpoint(
            user, name=payload.name, kind=payload.kind, unit=unit, place=payload.place, client_uuid=payload.client_uuid
        )
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), checkpoint_out(cp)


@router.get("/shifts", response=list[CheckpointShiftOut], summary="Shifts of a checkpoint, newest first")
def list_shifts(request: HttpRequest, checkpoint_id: uuid.UUID) -> list[CheckpointShiftOut]:
    user = current_user(request)
    if not (user.can(Perm.CHECKPOINT_OPERATE) or user.can(Perm.CHECKPOINT_MANAGE)):
        raise PermissionDenied(_("Your role does not allow this."))
    cp = get_object_or_404(queries.checkpoints_in_scope(user), pk=checkpoint_id)
    return [shift_out(s) for s in cp.shifts.prefetch_related("officers")[:100]]


@router.post(
    "/shifts",
    response={200: CheckpointShiftOut, 201: CheckpointShiftOut},
    summary="Put officers on duty at a checkpoint",
)
def create_shift(request: HttpRequest, payload: CheckpointShiftIn) -> tuple[int, CheckpointShiftOut]:
    user = current_user(request)
    cp = access.get_for_user(user, Checkpoint.objects.all(), Perm.CHECKPOINT_MANAGE, pk=payload.checkpoint_id)
    officers = list(User.objects.filter(username__in=payload.officers, is_active=True))
    if len(officers) != len(set(payload.officers)):
        raise invalid("officers", _("Unknown officer."))
    try:
        shift, created = actions.start_shift(
            user,
            cp,
            officers,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            note=payload.note,
            client_uuid=payload.client_uuid,
        )
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), shift_out(shift)


@router.post("/shifts/{shift_id}/end", response=CheckpointShiftOut, summary="End a shift now")
def end_shift(request: HttpRequest, shift_id: uuid.UUID) -> CheckpointShiftOut:
    user = current_user(request)
    shift = access.get_for_user(user, Shift.objects.all(), Perm.CHECKPOINT_MANAGE, "checkpoint__", pk=shift_id)
    try:
        return shift_out(actions.end_shift(user, shift))
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise


# Status, passages, sync, snapshot -----------------------------------------------------------


@router.get(
    "/status", response=CheckpointStatusOut, summary="A person's status at a checkpoint (by ID number or QR token)"
)
def lookup_status(
    request: HttpRequest,
    checkpoint_id: uuid.UUID,
    id_number: str = Query("", max_length=20),
    token: str = Query("", max_length=400),
) -> CheckpointStatusOut:
    user = current_user(request)
    cp = operated_checkpoint(user, checkpoint_id)
    person, declaration = queries.lookup(id_number=id_number, token=token)
    if person is None:
        raise Http404
    record_access(user, person, channel="api", detail="checkpoint status")
    return status_out(person, cp, declaration)


def _passage_person(user: User, payload: CheckpointPassageIn) -> Person:
    person = person_by_id("person_id", payload.person_id)
    if person is not None:
        return person
    item = actions.SyncItem(
        uuid.uuid4(), payload.outcome, None, id_number=payload.id_number, full_name=payload.full_name
    )
    try:
        return actions._person_for(user, item)
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise


@router.post(
    "/passages",
    response={200: CheckpointPassageOut, 201: CheckpointPassageOut, 409: CheckpointErrorOut},
    summary="Record a person through a checkpoint (a resent client UUID answers 200)",
)
def create_passage(request: HttpRequest, payload: CheckpointPassageIn) -> tuple[int, CheckpointPassageOut]:
    user = current_user(request)
    cp = operated_checkpoint(user, payload.checkpoint_id)
    if payload.client_uuid is not None:
        found = Passage.objects.filter(client_uuid=payload.client_uuid).first()
        if found is not None:
            if found.checkpoint_id != cp.pk:
                raise HttpError(409, _("This client UUID was used for another record."))
            return 200, passage_out(found)
    if payload.person_id is None and not payload.id_number:
        raise invalid("id_number", _("Give the person's ID number."))
    origin = unit_by_code("origin_code", payload.origin_code)
    destination = unit_by_code("destination_commune_code", payload.destination_commune_code)
    try:
        with transaction.atomic():
            person = _passage_person(user, payload)
            passage, created = actions.record_passage(
                user,
                cp,
                person,
                outcome=payload.outcome,
                direction=payload.direction,
                passed_at=payload.passed_at,
                origin=origin,
                destination_commune=destination,
                declaration_id=payload.declaration_id,
                note=payload.note,
                client_uuid=payload.client_uuid,
            )
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), passage_out(passage)


@router.get("/passages", response=list[CheckpointPassageOut], summary="Recent passages at checkpoints in your area")
def list_passages(
    request: HttpRequest, checkpoint_id: uuid.UUID | None = None, limit: int = Query(100, ge=1, le=500)
) -> list[CheckpointPassageOut]:
    user = current_user(request)
    if not (user.can(Perm.CHECKPOINT_OPERATE) or user.can(Perm.CHECKPOINT_MANAGE)):
        raise PermissionDenied(_("Your role does not allow this."))
    qs = access.scope(user, Passage.objects.select_related("origin", "destination_commune"))
    if checkpoint_id is not None:
        qs = qs.filter(checkpoint_id=checkpoint_id)
    return [passage_out(p) for p in qs[:limit]]


@router.post(
    "/passages/sync", response=CheckpointSyncOut, summary="Send the offline queue (resent client UUIDs are 'known')"
)
def sync_passages(request: HttpRequest, payload: CheckpointSyncIn) -> CheckpointSyncOut:
    user = current_user(request)
    cp = operated_checkpoint(user, payload.checkpoint_id)
    items = []
    bad: list[actions.SyncResult] = []
    for raw in payload.passages:
        try:
            origin = unit_by_code("origin_code", raw.origin_code)
            dest = unit_by_code("destination_commune_code", raw.destination_commune_code)
            person = person_by_id("person_id", raw.person_id)
        except NinjaValidationError:
            bad.append(actions.SyncResult(raw.client_uuid, "error", None, _("Unknown administrative unit or person.")))
            continue
        items.append(
            actions.SyncItem(
                raw.client_uuid,
                raw.outcome,
                raw.passed_at,
                person=person,
                id_number=raw.id_number,
                full_name=raw.full_name,
                direction=raw.direction,
                origin=origin,
                destination_commune=dest,
                note=raw.note,
            )
        )
    try:
        results = actions.sync_passages(user, cp, items) + bad
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise
    order = {item.client_uuid: i for i, item in enumerate(payload.passages)}
    results.sort(key=lambda r: order.get(r.client_uuid, 0))
    return CheckpointSyncOut(
        new=sum(r.status == "new" for r in results),
        known=sum(r.status == "known" for r in results),
        errors=sum(r.status == "error" for r in results),
        results=[CheckpointSyncResultOut(**r.__dict__) for r in results],
    )


@router.get("/snapshot", summary="Offline snapshot: ID number → minimal status for the checkpoint's province")
def get_snapshot(request: HttpRequest, checkpoint_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    cp = operated_checkpoint(user, checkpoint_id)
    data = snapshot.build(cp.province_id or 0)
    record_access(user, cp, channel="export", detail=f"offline snapshot: {data['count']} persons")
    return data


@router.get("/changes", summary="Status changes since a snapshot (same rows)")
def get_changes(request: HttpRequest, checkpoint_id: uuid.UUID, since: datetime.datetime) -> dict[str, Any]:
    user = current_user(request)
    cp = operated_checkpoint(user, checkpoint_id)
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    data = snapshot.changes_since(cp.province_id or 0, since)
    record_access(user, cp, channel="export", detail=f"offline changes: {len(data['rows'])} persons")
    return data


# Vehicles ------------------------------------------------------------------------------------


@router.post(
    "/vehicle-passages",
    response={200: CheckpointVehiclePassageOut, 201: CheckpointVehiclePassageOut, 409: CheckpointErrorOut},
    summary="Record a vehicle and its passengers (over capacity records a violation)",
)
def create_vehicle_passage(
    request: HttpRequest, payload: CheckpointVehiclePassageIn
) -> tuple[int, CheckpointVehiclePassageOut]:
    user = current_user(request)
    cp = operated_checkpoint(user, payload.checkpoint_id)
    if payload.client_uuid is not None:
        found = VehiclePassage.objects.filter(client_uuid=payload.client_uuid, checkpoint=cp).first()
        if found is not None:
            return 200, vehicle_passage_out(found)
    passengers = []
    for i, p in enumerate(payload.passengers):
        person = person_by_id(f"passengers.{i}.person_id", p.person_id) or find_person(p.id_number)
        if person is None:
            raise invalid(f"passengers.{i}.id_number", _("Unknown person: record them first."))
        passengers.append(
            actions.Passenger(
                person, p.outcome, unit_by_code(f"passengers.{i}.destination_commune_code", p.destination_commune_code)
            )
        )
    try:
        vp, created = actions.record_vehicle_passage(
            user,
            cp,
            plate=payload.plate,
            kind=payload.kind or "",
            seats=payload.seats,
            passengers=passengers,
            people_carried=payload.people_carried,
            driver=person_by_id("driver_id", payload.driver_id),
            owner=person_by_id("owner_id", payload.owner_id),
            origin=unit_by_code("origin_code", payload.origin_code),
            destination=unit_by_code("destination_code", payload.destination_code),
            direction=payload.direction,
            passed_at=payload.passed_at,
            client_uuid=payload.client_uuid,
        )
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), vehicle_passage_out(vp)


@router.get(
    "/vehicles", response=list[CheckpointVehicleOut], summary="Vehicles seen at checkpoints in your area, by plate"
)
def list_vehicles(request: HttpRequest, plate: str = Query("", max_length=20)) -> list[CheckpointVehicleOut]:
    user = current_user(request)
    if not (user.can(Perm.CHECKPOINT_OPERATE) or user.can(Perm.CHECKPOINT_MANAGE)):
        raise PermissionDenied(_("Your role does not allow this."))
    seen = access.scope(user, VehiclePassage.objects.all()).values("vehicle_id")
    qs = Vehicle.objects.filter(pk__in=seen)
    if plate:
        try:
            compact, _shown = actions.normalise_plate(plate)
        except actions.CheckpointError as exc:
            raise_error(exc)
            raise
        qs = qs.filter(plate=compact)
    return [vehicle_out(v) for v in qs[:100]]


# Arrivals ------------------------------------------------------------------------------------


@router.get(
    "/arrivals", response=list[CheckpointArrivalOut], summary="People arriving in your commune (default: today)"
)
def list_arrivals(
    request: HttpRequest,
    day: datetime.date | None = None,
    status: ArrivalStatus | None = None,
) -> list[CheckpointArrivalOut]:
    user = current_user(request)
    access.require(user, Perm.DECLARATION_VIEW)
    qs = queries.arrivals_in_scope(user).filter(arrived_on=day or timezone.localdate())
    if status is not None:
        qs = qs.filter(status=status)
    return [arrival_out(a) for a in qs[:500]]


@router.post(
    "/arrivals/{arrival_id}/confirm",
    response=CheckpointArrivalOut,
    summary="Confirm an arrival's declaration and monitoring",
)
def confirm_arrival(request: HttpRequest, arrival_id: uuid.UUID, payload: CheckpointConfirmIn) -> CheckpointArrivalOut:
    user = current_user(request)
    arrival = access.get_for_user(user, Arrival.objects.all(), Perm.DECLARATION_REVIEW, pk=arrival_id)
    arrival = actions.confirm_arrival(
        user,
        arrival,
        declaration_checked=payload.declaration_checked,
        monitoring_arranged=payload.monitoring_arranged,
    )
    return arrival_out(queries.arrivals_in_scope(user).get(pk=arrival.pk))


# Violations ----------------------------------------------------------------------------------


@router.get("/violations", response=list[CheckpointViolationOut], summary="Violations recorded in your area")
def list_violations(request: HttpRequest, kind: ViolationKind | None = None) -> list[CheckpointViolationOut]:
    user = current_user(request)
    access.require(user, Perm.VIOLATION_RECORD)
    qs = access.scope(user, Violation.objects.select_related("vehicle"))
    if kind is not None:
        qs = qs.filter(kind=kind)
    return [violation_out(v) for v in qs[:500]]


@router.post(
    "/violations", response={200: CheckpointViolationOut, 201: CheckpointViolationOut}, summary="Record a violation"
)
def create_violation(request: HttpRequest, payload: CheckpointViolationIn) -> tuple[int, CheckpointViolationOut]:
    user = current_user(request)
    access.require(user, Perm.VIOLATION_RECORD)
    if payload.client_uuid is not None:
        found = access.scope(user, Violation.objects.filter(client_uuid=payload.client_uuid)).first()
        if found is not None:
            return 200, violation_out(found)
    passage = vehicle_passage = vehicle = None
    if payload.passage_id is not None:
        passage = get_object_or_404(access.scope(user, Passage.objects.all()), pk=payload.passage_id)
    if payload.vehicle_passage_id is not None:
        vehicle_passage = get_object_or_404(
            access.scope(user, VehiclePassage.objects.all()), pk=payload.vehicle_passage_id
        )
    person = person_by_id("person_id", payload.person_id)
    if person is not None and passage is None and not access.scope(user, Person.objects.filter(pk=person.pk)).exists():
        # Someone of another area: only against a passage at a checkpoint of yours.
        raise invalid("person_id", _("Unknown person."))
    try:
        with transaction.atomic():
            if payload.plate:
                vehicle, _created = actions.register_vehicle(user, payload.plate)
            v = actions.record_violation(
                user,
                payload.kind,
                person=person,
                vehicle=vehicle,
                passage=passage,
                vehicle_passage=vehicle_passage,
                owner=person_by_id("owner_id", payload.owner_id),
                driver=person_by_id("driver_id", payload.driver_id),
                note=payload.note,
                unit=user.unit,
                occurred_at=payload.occurred_at,
                client_uuid=payload.client_uuid,
            )
    except actions.CheckpointError as exc:
        raise_error(exc)
        raise
    return 201, violation_out(v)
