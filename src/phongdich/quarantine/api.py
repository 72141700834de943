"""API of the quarantine app at /api/v1/quarantine (the same actions as the pages).

Facilities (``FACILITY_MANAGE`` to change, ``QUARANTINE_VIEW`` to read; facilities of your area):
- ``GET/POST /facilities``, ``GET /facilities/{id}`` (rooms and beds with occupancy),
  ``POST /facilities/{id}/rooms``, ``POST /rooms/{id}/flag``, ``GET /occupancy``.

Placements (``QUARANTINE_EDIT`` to change; visible to the person's area and to the facility's area):
- ``GET /awaiting``: F1/F2 whose level calls for quarantine and open requests, not yet placed.
- ``POST /requests``: ask for an arrival to be placed (``client_uuid``: a resend answers 200);
  ``POST /requests/{id}/cancel``.
- ``POST /placements``: one person (home quarantine when the facility is the commune's home
  facility or ``home`` is true; a chosen room with ``overrides`` {rule: reason}).
- ``POST /placements/bulk``: a busload: ``person_ids``, ``facility_ids``, optional ``risk_group``
  and ``day_one`` for arrivals, ``all_or_nothing`` (default true). 201 when written, 409 with the
  refusals (``refused``: person id → reasons) when nothing was written.
- ``GET /placements``, ``GET /placements/{id}`` (access-logged), ``POST /placements/{id}/checks``,
  ``/incidents``, ``/release``, ``/became-f0``; ``GET /placements/{id}/order.pdf`` and ``/certificate.pdf``.
- ``GET /overdue-tests``.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.people.queries import active_people
from phongdich.quarantine import actions, documents, queries
from phongdich.quarantine.models import (
    Bed,
    Facility,
    FacilityKind,
    IncidentKind,
    Payer,
    Placement,
    PlacementStatus,
    RiskGroup,
    Room,
    RoomSex,
)

router = Router(tags=["quarantine"])


def _invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}])


def _raise(exc: actions.QuarantineError) -> None:
    if exc.status == 422:
        raise _invalid(exc.field or "", exc.message) from exc
    raise HttpError(exc.status, exc.message) from exc


def _person(user: Any, pk: uuid.UUID) -> Any:
    return access.get_for_user(user, active_people(user), Perm.PERSON_VIEW, pk=pk)


# Schemas -------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class FacilityIn(Schema):
    client_uuid: uuid.UUID | None = None
    name: str = Field(..., max_length=200)
    kind: FacilityKind
    unit_id: int = Field(..., description="The administrative unit where the facility is (in your area).")
    address: str = Field("", max_length=255)
    meal_cost_per_day: int = Field(0, ge=0)
    lodging_cost_per_day: int = Field(0, ge=0)
    payer: Payer = Payer.STATE


class FacilityOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    address: str
    commune_id: int | None
    district_id: int | None
    meal_cost_per_day: Decimal
    lodging_cost_per_day: Decimal
    payer: str
    active: bool


class BedOut(Schema):
    id: int
    label: str
    usable: bool
    placement_id: uuid.UUID | None


class RoomOut(Schema):
    id: int
    name: str
    sex: str
    flagged: bool
    risk_groups: list[str]
    free: int
    beds: list[BedOut]


class FacilityDetailOut(FacilityOut):
    rooms: list[RoomOut]


class RoomIn(Schema):
    name: str = Field(..., max_length=60)
    beds: int = Field(..., ge=1, le=actions.MAX_BEDS_PER_ROOM)
    usable_beds: int | None = Field(None, ge=0)
    sex: RoomSex = RoomSex.ANY


class RoomCreatedOut(Schema):
    id: int
    name: str
    beds: int


class FlagIn(Schema):
    reason: str = Field(..., max_length=255)


class OccupancyOut(Schema):
    facility_id: uuid.UUID
    name: str
    kind: str
    rooms: int
    usable_beds: int
    occupied: int
    free: int
    by_risk_group: dict[str, int]


class RequestIn(Schema):
    client_uuid: uuid.UUID | None = None
    person_id: uuid.UUID
    risk_group: RiskGroup
    day_one: datetime.date = Field(..., description="Arrival date (day 1).")
    reason: str = Field("", max_length=255)


class RequestOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    risk_group: str
    day_one: datetime.date
    status: str


class AwaitingOut(Schema):
    person_id: uuid.UUID
    full_name: str
    risk_group: str
    day_one: datetime.date
    end_date: datetime.date | None
    handling: str
    source: str
    request_id: uuid.UUID | None


class PlacementIn(Schema):
    client_uuid: uuid.UUID | None = None
    person_id: uuid.UUID
    facility_id: uuid.UUID | None = Field(None, description="Empty with home=true: the person's commune.")
    home: bool = False
    room_id: int | None = None
    bed_id: int | None = None
    overrides: dict[str, str] = Field(
        default_factory=dict, description="{rule: reason}: risk_group, entry_window, sex."
    )
    entered_on: datetime.date | None = None
    risk_group: RiskGroup | None = None
    day_one: datetime.date | None = None


class QuarantineBulkIn(Schema):
    person_ids: list[uuid.UUID] = Field(..., min_length=1, max_length=actions.MAX_BULK)
    facility_ids: list[uuid.UUID] = Field(..., min_length=1, max_length=50)
    entered_on: datetime.date | None = None
    risk_group: RiskGroup | None = None
    day_one: datetime.date | None = None
    all_or_nothing: bool = True


class PlacementOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    facility_id: uuid.UUID
    room_id: int | None
    bed_id: int | None
    risk_group: str
    day_one: datetime.date
    entered_on: datetime.date
    end_date: datetime.date
    test_dates: list[str]
    rule_set_code: str
    status: str
    ended_on: datetime.date | None
    cost_per_day: Decimal
    payer: str
    cost_so_far: Decimal
    cost_total: Decimal | None
    overrides: list[dict[str, str]]

    @staticmethod
    def resolve_rule_set_code(obj: Placement) -> str:
        return obj.rule_set.code

    @staticmethod
    def resolve_cost_so_far(obj: Placement) -> Decimal:
        return obj.cost_on(timezone.localdate())


class QuarantineBulkOut(Schema):
    written: bool
    placed: int
    placements: list[PlacementOut]
    refused: dict[str, list[str]]
    refused_text: dict[str, str]


class CheckIn(Schema):
    client_uuid: uuid.UUID | None = None
    checked_on: datetime.date
    temperature: Decimal | None = Field(None, max_digits=3, decimal_places=1)
    symptoms: list[str] = Field(default_factory=list)
    note: str = Field("", max_length=255)


class CheckOut(Schema):
    id: uuid.UUID
    checked_on: datetime.date
    temperature: Decimal | None
    symptoms: list[str]


class IncidentIn(Schema):
    client_uuid: uuid.UUID | None = None
    kind: IncidentKind
    occurred_on: datetime.date
    description: str = Field(..., max_length=500)


class IncidentOut(Schema):
    id: uuid.UUID
    kind: str
    occurred_on: datetime.date


class ReleaseIn(Schema):
    released_on: datetime.date
    early_reason: str = Field("", max_length=255)


class DateIn(Schema):
    on: datetime.date


class QuarantineOverdueOut(Schema):
    placement_id: uuid.UUID
    person_id: uuid.UUID
    facility_id: uuid.UUID
    due_on: datetime.date


# Facilities ----------------------------------------------------------------------------------------


@router.get("/facilities", response=list[FacilityOut], summary="Facilities of your area")
def list_facilities(request: HttpRequest, kind: FacilityKind | None = None) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    qs = queries.facilities_in_scope(user)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return list(qs[:500])


@router.post("/facilities", response={200: FacilityOut, 201: FacilityOut}, summary="Create a facility")
def create_facility(request: HttpRequest, payload: FacilityIn) -> Any:
    user = current_user(request)
    access.require(user, Perm.FACILITY_MANAGE)
    unit = AdminUnit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise _invalid("unit_id", _("Unknown administrative unit."))
    if not access.unit_in_scope(user, unit):
        raise PermissionDenied(_("This unit is outside your area."))
    try:
        facility, created = actions.create_facility(
            user,
            name=payload.name,
            kind=payload.kind,
            unit=unit,
            address=payload.address,
            meal_cost_per_day=payload.meal_cost_per_day,
            lodging_cost_per_day=payload.lodging_cost_per_day,
            payer=payload.payer,
            client_uuid=payload.client_uuid,
        )
    except actions.QuarantineError as exc:
        _raise(exc)
    return (201 if created else 200), facility


def _facility_detail(facility: Facility) -> dict[str, Any]:
    data = FacilityOut.from_orm(facility).dict()
    data["rooms"] = [
        {
            "id": view.room.pk,
            "name": view.room.name,
            "sex": view.room.sex,
            "flagged": view.flagged,
            "risk_groups": sorted(view.groups),
            "free": view.free,
            "beds": [
                {"id": b.pk, "label": b.label, "usable": b.usable, "placement_id": p.pk if p else None}
                for b, p in view.beds
            ],
        }
        for view in queries.facility_rooms(facility)
    ]
    return data


@router.get("/facilities/{facility_id}", response=FacilityDetailOut, summary="A facility with rooms and beds")
def get_facility(request: HttpRequest, facility_id: uuid.UUID) -> Any:
    facility = queries.get_facility(current_user(request), facility_id)
    return _facility_detail(facility)


@router.post("/facilities/{facility_id}/rooms", response={201: RoomCreatedOut}, summary="Add a room with its beds")
def add_room(request: HttpRequest, facility_id: uuid.UUID, payload: RoomIn) -> Any:
    user = current_user(request)
    facility = queries.get_facility(user, facility_id, Perm.FACILITY_MANAGE)
    try:
        room = actions.add_room(
            user, facility, name=payload.name, beds=payload.beds, usable_beds=payload.usable_beds, sex=payload.sex
        )
    except actions.QuarantineError as exc:
        _raise(exc)
    return 201, {"id": room.pk, "name": room.name, "beds": payload.beds}


def _room(user: Any, room_id: int, perm: Perm) -> Room:
    room = Room.objects.select_related("facility").filter(pk=room_id).first()
    if room is None:
        raise Http404
    queries.get_facility(user, room.facility_id, perm)
    return room


@router.post("/rooms/{room_id}/flag", response=RoomCreatedOut, summary="Flag a room (someone there became F0)")
def flag_room(request: HttpRequest, room_id: int, payload: FlagIn) -> Any:
    user = current_user(request)
    room = _room(user, room_id, Perm.QUARANTINE_EDIT)
    try:
        actions.flag_room(user, room, payload.reason)
    except actions.QuarantineError as exc:
        _raise(exc)
    return {"id": room.pk, "name": room.name, "beds": room.beds.count()}


@router.get("/occupancy", response=list[OccupancyOut], summary="Live occupancy of the facilities of your area")
def occupancy(request: HttpRequest) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    return [
        {
            "facility_id": f.facility.pk,
            "name": f.facility.name,
            "kind": f.facility.kind,
            "rooms": f.rooms,
            "usable_beds": f.usable_beds,
            "occupied": f.occupied,
            "free": f.free,
            "by_risk_group": f.by_group,
        }
        for f in queries.occupancy(user)
    ]


# Requests and placements ---------------------------------------------------------------------------


@router.get("/awaiting", response=list[AwaitingOut], summary="People awaiting placement in your area")
def awaiting(request: HttpRequest, on: datetime.date | None = None) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    return [
        {
            "person_id": a.person.pk,
            "full_name": a.person.full_name,
            "risk_group": a.risk_group,
            "day_one": a.day_one,
            "end_date": a.end_date,
            "handling": a.handling,
            "source": a.source,
            "request_id": a.request_id,
        }
        for a in queries.awaiting(user, on)
    ]


@router.post("/requests", response={200: RequestOut, 201: RequestOut}, summary="Ask for a person to be placed")
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_EDIT)
    person = _person(user, payload.person_id)
    try:
        req, created = actions.request_placement(
            user,
            person,
            payload.risk_group,
            day_one=payload.day_one,
            reason=payload.reason,
            client_uuid=payload.client_uuid,
        )
    except actions.QuarantineError as exc:
        _raise(exc)
    return (201 if created else 200), req


@router.post("/requests/{request_id}/cancel", response=RequestOut, summary="Cancel an open request")
def cancel_request(request: HttpRequest, request_id: uuid.UUID) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_EDIT)
    req = queries.requests_in_scope(user).filter(pk=request_id).first()
    if req is None:
        raise Http404
    try:
        return actions.cancel_request(user, req)
    except actions.QuarantineError as exc:
        _raise(exc)


def _facility_for_placement(user: Any, payload: PlacementIn, person: Any) -> Facility:
    if payload.home:
        if person.commune is None:
            raise _invalid("home", _("The person has no commune: home quarantine needs one."))
        return actions.home_facility_for(person.commune)
    if payload.facility_id is None:
        raise _invalid("facility_id", _("Choose a facility."))
    facility = access.scope(user, Facility.objects.all()).filter(pk=payload.facility_id).first()
    if facility is None:
        raise Http404
    return facility


@router.post(
    "/placements",
    response={200: PlacementOut, 201: PlacementOut, 409: ErrorOut},
    summary="Place one person (a facility, a chosen room, or at home)",
)
def create_placement(request: HttpRequest, payload: PlacementIn) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_EDIT)
    if payload.client_uuid is not None:
        found = queries.placements_in_scope(user).filter(client_uuid=payload.client_uuid).first()
        if found is not None:
            return 200, found
    person = _person(user, payload.person_id)
    facility = _facility_for_placement(user, payload, person)
    room = bed = None
    if payload.room_id is not None:
        room = Room.objects.filter(pk=payload.room_id, facility=facility).first()
        if room is None:
            raise _invalid("room_id", _("The room is not in that facility."))
    if payload.bed_id is not None:
        bed = Bed.objects.select_related("room").filter(pk=payload.bed_id, room__facility=facility).first()
        if bed is None:
            raise _invalid("bed_id", _("The bed is not in that room."))
    try:
        placement, created = actions.place_person(
            user,
            person,
            facility,
            room=room,
            bed=bed,
            overrides=payload.overrides,
            entered_on=payload.entered_on,
            risk_group=payload.risk_group,
            day_one=payload.day_one,
            client_uuid=payload.client_uuid,
        )
    except actions.QuarantineError as exc:
        _raise(exc)
    return (201 if created else 200), placement


@router.post(
    "/placements/bulk",
    response={201: QuarantineBulkOut, 409: QuarantineBulkOut},
    summary="Place many people at once (a busload)",
)
def bulk_place(request: HttpRequest, payload: QuarantineBulkIn) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_EDIT)
    ids = list(dict.fromkeys(payload.person_ids))
    people = list(active_people(user).filter(pk__in=ids))
    if len(people) != len(ids):
        raise _invalid("person_ids", _("Some people are unknown or outside your area."))
    facilities = list(access.scope(user, Facility.objects.all()).filter(pk__in=set(payload.facility_ids)))
    if len(facilities) != len(set(payload.facility_ids)):
        raise _invalid("facility_ids", _("Some facilities are unknown or outside your area."))
    try:
        result = actions.place_people(
            user,
            people,
            facilities,
            entered_on=payload.entered_on,
            risk_group=payload.risk_group,
            day_one=payload.day_one,
            all_or_nothing=payload.all_or_nothing,
        )
    except actions.QuarantineError as exc:
        _raise(exc)
    body = {
        "written": result.written,
        "placed": result.placed_count,
        "placements": result.placements if result.written else [],
        "refused": {str(k): v for k, v in result.refused.items()},
        "refused_text": {str(k): "; ".join(actions.rule_label(r) for r in v) for k, v in result.refused.items()},
    }
    return (201 if result.written else 409), body


@router.get("/placements", response=list[PlacementOut], summary="Placements visible to you")
def list_placements(
    request: HttpRequest,
    status: PlacementStatus | None = None,
    facility_id: uuid.UUID | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    qs = queries.placements_filter(user, status=status or "", facility_id=facility_id)
    return list(qs[offset : offset + limit])


@router.get("/placements/{placement_id}", response=PlacementOut, summary="One placement (access-logged)")
def get_placement(request: HttpRequest, placement_id: uuid.UUID) -> Any:
    user = current_user(request)
    placement = queries.get_placement(user, placement_id)
    record_access(user, placement.person, "api", "quarantine placement")
    return placement


def _editable(request: HttpRequest, placement_id: uuid.UUID) -> tuple[Any, Placement]:
    user = current_user(request)
    return user, queries.get_placement(user, placement_id, Perm.QUARANTINE_EDIT)


@router.post(
    "/placements/{placement_id}/checks", response={200: CheckOut, 201: CheckOut}, summary="A daily health check"
)
def add_check(request: HttpRequest, placement_id: uuid.UUID, payload: CheckIn) -> Any:
    user, placement = _editable(request, placement_id)
    try:
        check, created = actions.record_check(
            user,
            placement,
            checked_on=payload.checked_on,
            temperature=payload.temperature,
            symptoms=payload.symptoms,
            note=payload.note,
            client_uuid=payload.client_uuid,
        )
    except actions.QuarantineError as exc:
        _raise(exc)
    return (201 if created else 200), check


@router.post(
    "/placements/{placement_id}/incidents",
    response={200: IncidentOut, 201: IncidentOut},
    summary="An escape or violation",
)
def add_incident(request: HttpRequest, placement_id: uuid.UUID, payload: IncidentIn) -> Any:
    user, placement = _editable(request, placement_id)
    try:
        incident, created = actions.record_incident(
            user,
            placement,
            kind=payload.kind,
            occurred_on=payload.occurred_on,
            description=payload.description,
            client_uuid=payload.client_uuid,
        )
    except actions.QuarantineError as exc:
        _raise(exc)
    return (201 if created else 200), incident


@router.post("/placements/{placement_id}/release", response=PlacementOut, summary="Release (early only with a reason)")
def release(request: HttpRequest, placement_id: uuid.UUID, payload: ReleaseIn) -> Any:
    user, placement = _editable(request, placement_id)
    try:
        return actions.release(user, placement, on=payload.released_on, early_reason=payload.early_reason)
    except actions.QuarantineError as exc:
        _raise(exc)


@router.post("/placements/{placement_id}/became-f0", response=PlacementOut, summary="The person became F0")
def became_f0(request: HttpRequest, placement_id: uuid.UUID, payload: DateIn) -> Any:
    user, placement = _editable(request, placement_id)
    try:
        return actions.end_as_f0(user, placement, on=payload.on)
    except actions.QuarantineError as exc:
        _raise(exc)


@router.get("/placements/{placement_id}/order.pdf", summary="The quarantine order (PDF)")
def order_pdf(request: HttpRequest, placement_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    placement = queries.get_placement(user, placement_id)
    record_access(user, placement.person, "api", "quarantine order")
    return HttpResponse(documents.order_pdf(placement), content_type="application/pdf")


@router.get(
    "/placements/{placement_id}/certificate.pdf",
    response={200: None, 409: ErrorOut},
    summary="The release certificate (PDF)",
)
def certificate_pdf(request: HttpRequest, placement_id: uuid.UUID) -> Any:
    user = current_user(request)
    placement = queries.get_placement(user, placement_id)
    if placement.status != PlacementStatus.RELEASED:
        raise HttpError(409, _("A certificate is issued on release."))
    record_access(user, placement.person, "api", "quarantine certificate")
    return HttpResponse(documents.certificate_pdf(placement), content_type="application/pdf")


@router.get("/overdue-tests", response=list[QuarantineOverdueOut], summary="Overdue tests of people in quarantine")
def overdue_tests(request: HttpRequest) -> Any:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    return [
        {
            "placement_id": o.placement.pk,
            "person_id": o.placement.person_id,
            "facility_id": o.placement.facility_id,
            "due_on": o.due_on,
        }
        for o in queries.overdue_tests(user)
    ]
