"""API of the declarations app, mounted by api/main.py at /api/v1/declarations.

Public (no sign-in; per-IP rate limit → 429; a ``website`` honeypot; size limits):
- ``POST /public``: submit a declaration. Send a ``client_uuid``: the same one again answers 200
  with the first declaration instead of 201. The answer holds the QR token and its validity
  only (no personal data).
- ``POST /checkins/public``: check in at a venue by its poster token (phone or ID number).

Staff (DECLARATION_VIEW; records outside your area answer 404):
- ``GET ""``: declarations of your area (filters ``flagged`` = has open flags, ``kind``,
  ``flag``, ``date_from``/``date_to``; ``limit``/``offset``); ``GET /{id}`` (access-logged).
- ``POST ""``: declare on behalf of a traveller (DECLARATION_REVIEW or CHECKPOINT_OPERATE).
- ``GET /flags`` (``state`` open/handled/all), ``POST /flags/{id}/handle`` (DECLARATION_REVIEW).
- ``POST /{id}/violations``: record an untruthful or missing declaration (VIOLATION_RECORD).
Venues (VENUE_MANAGE): ``GET/POST /venues``, ``GET/PATCH/DELETE /venues/{id}`` (delete =
stop taking check-ins; the check-ins are kept), ``GET /venues/{id}/poster`` (the check-in URL
and its QR as SVG). Check-ins: ``GET /checkins`` (VENUE_MANAGE; person ids and times, no names).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import field_validator

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.declarations import actions, queries, tokens
from phongdich.declarations.actions import CheckInData, DeclarationData, PlaceVisit, VenueData
from phongdich.declarations.models import (
    Channel,
    CheckIn,
    Condition,
    Declaration,
    DeclarationFlag,
    DeclarationKind,
    Exposure,
    FlagKind,
    SiteVenue,
    Symptom,
    Transport,
    Venue,
    VenueKind,
)
from phongdich.declarations.processing import ensure_processed
from phongdich.declarations.qr import qr_svg
from phongdich.declarations.ratelimit import rate_limited
from phongdich.geo.cache import units_by_pk
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Sex
from phongdich.people.validation import normalize_id_number, normalize_name, normalize_phone

router = Router(tags=["declarations"])


# Helpers -------------------------------------------------------------------------------


def invalid(field: str, message: str) -> NinjaValidationError:
    """A 422 naming the field, as the API's validation handler renders it."""
    return NinjaValidationError([{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}])


def raise_error(exc: actions.DeclarationError) -> None:
    if exc.status == 422:
        raise invalid(exc.field, exc.message) from exc
    raise HttpError(exc.status, exc.message) from exc


def _unit(field: str, unit_id: int | None, levels: tuple[str, ...]) -> AdminUnit | None:
    """The unit of the deployment's hierarchy at one of ``levels`` (from the process's unit cache)."""
    if unit_id is None:
        return None
    unit = units_by_pk([unit_id]).get(unit_id)
    if unit is None or unit.version != settings.PHONGDICH_HIERARCHY or unit.level not in levels:
        raise invalid(field, _("Unknown administrative unit."))
    return unit


def _validated(fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except DjangoValidationError as exc:
        raise ValueError(" ".join(str(m) for m in exc.messages)) from exc


# Schemas -------------------------------------------------------------------------------


class PlaceIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    unit_id: int | None = Field(None, description="The commune or district of the place, if known.")
    date: datetime.date | None = None


class DeclarationIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="Made by the client; a resend returns the first one.")
    kind: DeclarationKind
    full_name: str = Field(..., min_length=1, max_length=120)
    phone: str = Field(..., max_length=20, description="Vietnamese or international number.")
    id_number: str | None = Field(None, max_length=20, description="CCCD (12 digits), CMND (9) or a passport number.")
    birth_date: datetime.date | None = None
    birth_year: int | None = Field(None, ge=1900, le=2100)
    sex: Sex = Sex.UNKNOWN
    nationality: str = Field("Việt Nam", max_length=60)
    destination_id: int = Field(..., description="The commune (or village) you are going to or live in.")
    address: str = Field("", max_length=255)
    origin_province_id: int | None = None
    origin_unit_id: int | None = Field(None, description="District or commune you come from, if known.")
    origin_country: str = Field("", max_length=60)
    travel_date: datetime.date | None = None
    transport: Transport | None = None
    vehicle_number: str = Field("", max_length=32)
    seat: str = Field("", max_length=16)
    places: list[PlaceIn] = Field(default_factory=list, max_length=actions.MAX_PLACES)
    provinces_visited: list[int] = Field(default_factory=list, max_length=actions.MAX_PROVINCES)
    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(Symptom.values))
    exposures: list[Exposure] = Field(default_factory=list, max_length=len(Exposure.values))
    conditions: list[Condition] = Field(default_factory=list, max_length=len(Condition.values))
    website: str = Field("", max_length=200, description="Leave empty (a trap for robots).")

    @field_validator("full_name")
    @classmethod
    def _name(cls, v: str) -> str:
        return str(_validated(normalize_name, v))

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        phone = _validated(normalize_phone, v)
        if not phone:
            raise ValueError(_("The phone number is required."))
        return str(phone)

    def declaration_data(self) -> DeclarationData:
        id_number = (self.id_number or "").strip() or None
        if id_number is not None:
            passport = id_number.replace(" ", "").upper()
            if self.kind == DeclarationKind.ARRIVAL_ABROAD and not passport.isdigit():
                if not (passport.isalnum() and 6 <= len(passport) <= 12):
                    raise invalid("id_number", _("The passport number is not valid."))
                id_number = passport
            else:
                try:
                    id_number = normalize_id_number(id_number)
                except DjangoValidationError as exc:
                    raise invalid("id_number", " ".join(str(m) for m in exc.messages)) from exc
        elif self.kind != DeclarationKind.ARRIVAL_ABROAD:
            raise invalid("id_number", _("The ID number is required."))
        destination = _unit("destination_id", self.destination_id, (Level.COMMUNE, Level.VILLAGE))
        assert destination is not None
        return DeclarationData(
            kind=self.kind,
            full_name=self.full_name,
            phone=self.phone,
            destination=destination,
            id_number=id_number,
            birth_date=self.birth_date,
            birth_year=self.birth_year,
            sex=self.sex,
            nationality=self.nationality,
            address=self.address,
            origin_province=_unit("origin_province_id", self.origin_province_id, (Level.PROVINCE,)),
            origin_unit=_unit("origin_unit_id", self.origin_unit_id, (Level.DISTRICT, Level.COMMUNE)),
            origin_country=self.origin_country,
            travel_date=self.travel_date,
            transport=self.transport or "",
            vehicle_number=self.vehicle_number,
            seat=self.seat,
            places=[
                PlaceVisit(name=p.name, unit=_unit("places", p.unit_id, (Level.DISTRICT, Level.COMMUNE)), date=p.date)
                for p in self.places
            ],
            provinces_visited=[
                u for u in (_unit("provinces_visited", i, (Level.PROVINCE,)) for i in self.provinces_visited) if u
            ],
            symptoms=list(self.symptoms),
            exposures=list(self.exposures),
            conditions=list(self.conditions),
        )


class ReceiptOut(Schema):
    qr_token: str = Field(..., description="Show it as a QR code at checkpoints; carries no personal data.")
    kind: str
    declared_at: datetime.datetime
    valid_until: datetime.datetime


class DeclarationUnitRef(Schema):
    id: int
    code: str
    name: str


class FlagOut(Schema):
    id: uuid.UUID
    declaration_id: uuid.UUID
    kind: str
    label: str
    detail: dict[str, Any]
    created_at: datetime.datetime
    handled: bool
    handled_at: datetime.datetime | None
    note: str


class DeclarationOut(Schema):
    id: uuid.UUID
    kind: str
    channel: str
    person_id: uuid.UUID | None
    full_name: str
    id_number: str
    birth_date: datetime.date | None
    birth_year: int | None
    sex: str
    nationality: str
    phone: str
    address: str
    commune: DeclarationUnitRef | None
    village: DeclarationUnitRef | None
    origin_province: DeclarationUnitRef | None
    origin_country: str
    travel_date: datetime.date | None
    transport: str
    vehicle_number: str
    seat: str
    places: list[dict[str, Any]]
    provinces_visited: list[int]
    symptoms: list[str]
    exposures: list[str]
    conditions: list[str]
    declared_at: datetime.datetime
    rule_set_id: int | None
    processed: bool = Field(..., description="False while the person matching and flags are still to be done.")
    flags: list[FlagOut]


class DeclarationList(Schema):
    count: int
    items: list[DeclarationOut]


class DeclarationFilters(Schema):
    flagged: bool | None = Field(None, description="true: only declarations with flags not handled.")
    kind: DeclarationKind | None = None
    flag: FlagKind | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class FlagFilters(Schema):
    state: str = Field("open", pattern="^(open|handled|all)$")
    kind: FlagKind | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class DeclarationHandleIn(Schema):
    handled: bool = True
    note: str = Field("", max_length=255)


class DeclarationViolationIn(Schema):
    kind: str = Field(..., pattern="^(untruthful_declaration|missing_declaration)$")
    note: str = Field("", max_length=500)
    client_uuid: uuid.UUID | None = None


class DeclarationViolationOut(Schema):
    id: uuid.UUID
    kind: str


class VenueIn(Schema):
    client_uuid: uuid.UUID | None = None
    name: str = Field(..., min_length=1, max_length=200)
    kind: VenueKind = VenueKind.OTHER
    unit_id: int = Field(..., description="The commune or village of the venue (in your area).")
    address: str = Field("", max_length=255)
    active: bool = True


class VenuePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: VenueKind | None = None
    unit_id: int | None = None
    address: str | None = Field(None, max_length=255)
    active: bool | None = None


class VenueOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    address: str
    active: bool
    commune: DeclarationUnitRef | None
    village: DeclarationUnitRef | None
    checkin_path: str


class PosterOut(Schema):
    url: str
    svg: str


class CheckInIn(Schema):
    client_uuid: uuid.UUID | None = None
    venue_token: str = Field(..., min_length=1, max_length=40)
    phone: str = Field("", max_length=20)
    id_number: str | None = Field(None, max_length=20)
    full_name: str = Field("", max_length=120)
    website: str = Field("", max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return str(_validated(normalize_phone, v))

    @field_validator("id_number")
    @classmethod
    def _id(cls, v: str | None) -> str | None:
        value = _validated(normalize_id_number, v)
        return str(value) if value else None

    @field_validator("full_name")
    @classmethod
    def _name(cls, v: str) -> str:
        return str(_validated(normalize_name, v)) if v.strip() else ""


class CheckInReceipt(Schema):
    venue: str
    checked_in_at: datetime.datetime


class CheckInOut(Schema):
    id: int
    venue_id: uuid.UUID
    venue_code: str
    person_id: uuid.UUID | None
    checked_in_at: datetime.datetime
    channel: str


class CheckInFilters(Schema):
    venue_id: uuid.UUID | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    limit: int = Field(200, ge=1, le=1000)
    offset: int = Field(0, ge=0)


# Rendering -----------------------------------------------------------------------------


def _ref(unit: AdminUnit | None) -> dict[str, Any] | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit is not None else None


def _flag(flag: DeclarationFlag) -> dict[str, Any]:
    return {
        "id": flag.pk,
        "declaration_id": flag.declaration_id,
        "kind": flag.kind,
        "label": str(flag.get_kind_display()),
        "detail": flag.detail,
        "created_at": flag.created_at,
        "handled": flag.handled_at is not None,
        "handled_at": flag.handled_at,
        "note": flag.note,
    }


def _declaration(d: Declaration, flags: list[DeclarationFlag]) -> dict[str, Any]:
    return {
        "id": d.pk,
        "kind": d.kind,
        "channel": d.channel,
        "person_id": d.person_id,
        "full_name": d.full_name,
        "id_number": d.id_number,
        "birth_date": d.birth_date,
        "birth_year": d.birth_year,
        "sex": d.sex,
        "nationality": d.nationality,
        "phone": d.phone,
        "address": d.address,
        "commune": _ref(d.commune),
        "village": _ref(d.village),
        "origin_province": _ref(d.origin_province),
        "origin_country": d.origin_country,
        "travel_date": d.travel_date,
        "transport": d.transport,
        "vehicle_number": d.vehicle_number,
        "seat": d.seat,
        "places": d.places,
        "provinces_visited": d.provinces_visited,
        "symptoms": d.symptoms,
        "exposures": d.exposures,
        "conditions": d.conditions,
        "declared_at": d.declared_at,
        "rule_set_id": d.rule_set_id,
        "processed": not d.pending,
        "flags": [_flag(f) for f in flags],
    }


def _venue(v: Venue) -> dict[str, Any]:
    return {
        "id": v.pk,
        "code": v.code,
        "name": v.name,
        "kind": v.kind,
        "address": v.address,
        "active": v.active,
        "commune": _ref(v.commune),
        "village": _ref(v.village),
        "checkin_path": reverse("public:checkin", kwargs={"token": v.token}),
    }


def _receipt(d: Declaration) -> dict[str, Any]:
    return {
        "qr_token": tokens.make_token(d.reference),
        "kind": d.kind,
        "declared_at": d.declared_at,
        "valid_until": d.declared_at + tokens.TOKEN_VALID_FOR,
    }


# Declarations --------------------------------------------------------------------------


@router.post(
    "/public",
    response={200: ReceiptOut, 201: ReceiptOut, 429: dict[str, str]},
    auth=None,
    summary="Submit a medical declaration (public, no sign-in)",
)
def public_submit(request: HttpRequest, payload: DeclarationIn) -> tuple[int, dict[str, Any]]:
    if rate_limited(request, "declare"):
        raise HttpError(429, _("Too many declarations from your connection. Try again in a few minutes."))
    if payload.website:
        # A robot filled the trap: answer like a success, write nothing.
        fake = Declaration(kind=payload.kind, declared_at=datetime.datetime.now(tz=datetime.UTC))
        return 201, _receipt(fake)
    data = payload.declaration_data()
    try:
        declaration, created = actions.submit_declaration(data, client_uuid=payload.client_uuid, channel=Channel.API)
    except actions.DeclarationError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), _receipt(declaration)


@router.post(
    "",
    response={200: DeclarationOut, 201: DeclarationOut},
    summary="Declare on behalf of a traveller (staff or checkpoint officer)",
)
def staff_submit(request: HttpRequest, payload: DeclarationIn) -> tuple[int, dict[str, Any]]:
    user = current_user(request)
    if not (user.can(Perm.DECLARATION_REVIEW) or user.can(Perm.CHECKPOINT_OPERATE)):
        raise PermissionDenied(_("Your role does not allow this."))
    channel = Channel.CHECKPOINT if user.can(Perm.CHECKPOINT_OPERATE) else Channel.STAFF
    data = payload.declaration_data()
    try:
        declaration, created = actions.submit_declaration(
            data, client_uuid=payload.client_uuid, channel=channel, actor=user
        )
    except actions.DeclarationError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), _declaration(declaration, list(declaration.flags.all()))


@router.get("", response=DeclarationList, summary="Declarations of your area (destination commune)")
def declaration_list(request: HttpRequest, filters: Query[DeclarationFilters]) -> dict[str, Any]:
    user = current_user(request)
    qs = queries.declarations_in_scope(user).select_related("commune", "village", "origin_province")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.flagged:
        qs = qs.filter(pk__in=DeclarationFlag.objects.filter(handled_at__isnull=True).values("declaration_id"))
    elif filters.flagged is False:
        qs = qs.exclude(pk__in=DeclarationFlag.objects.filter(handled_at__isnull=True).values("declaration_id"))
    if filters.flag:
        qs = qs.filter(pk__in=DeclarationFlag.objects.filter(kind=filters.flag).values("declaration_id"))
    if filters.date_from:
        qs = qs.filter(declared_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(declared_at__date__lte=filters.date_to)
    qs = qs.order_by("-declared_at")
    items = list(qs[filters.offset : filters.offset + filters.limit])
    flags: dict[Any, list[DeclarationFlag]] = {}
    for flag in DeclarationFlag.objects.filter(declaration_id__in=[d.pk for d in items]):
        flags.setdefault(flag.declaration_id, []).append(flag)
    return {"count": qs.count(), "items": [_declaration(d, flags.get(d.pk, [])) for d in items]}


@router.get("/flags", response=list[FlagOut], summary="Flags of your area: the work list")
def flag_list(request: HttpRequest, filters: Query[FlagFilters]) -> list[dict[str, Any]]:
    user = current_user(request)
    qs = queries.flags_in_scope(user)
    if filters.state == "open":
        qs = qs.filter(handled_at__isnull=True)
    elif filters.state == "handled":
        qs = qs.filter(handled_at__isnull=False)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return [_flag(f) for f in qs.order_by("-created_at")[filters.offset : filters.offset + filters.limit]]


@router.post("/flags/{uuid:flag_id}/handle", response=FlagOut, summary="Mark a flag handled (or reopen it)")
def flag_handle(request: HttpRequest, flag_id: uuid.UUID, payload: DeclarationHandleIn) -> dict[str, Any]:
    user = current_user(request)
    access.require(user, Perm.DECLARATION_VIEW)
    flag = access.get_for_user(user, DeclarationFlag.objects.all(), Perm.DECLARATION_REVIEW, pk=flag_id)
    try:
        flag = actions.handle_flag(user, flag, note=payload.note, handled=payload.handled)
    except actions.DeclarationError as exc:
        raise_error(exc)
    return _flag(flag)


@router.get("/{uuid:declaration_id}", response=DeclarationOut, summary="One declaration (access-logged)")
def declaration_detail(request: HttpRequest, declaration_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    d = access.get_for_user(
        user,
        Declaration.objects.select_related("commune", "village", "origin_province"),
        Perm.DECLARATION_VIEW,
        pk=declaration_id,
    )
    d = ensure_processed(d)
    record_access(user, d, channel="api")
    return _declaration(d, list(d.flags.all()))


@router.post(
    "/{uuid:declaration_id}/violations",
    response={201: DeclarationViolationOut},
    summary="Record an untruthful or missing declaration (VIOLATION_RECORD)",
)
def declaration_violation(
    request: HttpRequest, declaration_id: uuid.UUID, payload: DeclarationViolationIn
) -> tuple[int, dict[str, Any]]:
    user = current_user(request)
    access.require(user, Perm.VIOLATION_RECORD)
    d = access.get_for_user(
        user, Declaration.objects.select_related("person"), Perm.VIOLATION_RECORD, pk=declaration_id
    )
    d = ensure_processed(d)
    if d.person is None:
        raise HttpError(409, _("This declaration is not linked to a person."))
    try:
        violation = actions.record_declaration_violation(
            user, d.person, payload.kind, declaration=d, note=payload.note, client_uuid=payload.client_uuid
        )
    except actions.DeclarationError as exc:
        raise_error(exc)
        raise
    except DjangoValidationError as exc:
        raise HttpError(422, " ".join(str(m) for m in exc.messages)) from exc
    except Exception as exc:  # the checkpoints app's own error type (CheckpointError)
        if type(exc).__name__ == "CheckpointError":
            raise HttpError(getattr(exc, "status", 422), str(getattr(exc, "message", exc))) from exc
        raise
    return 201, {"id": violation.pk, "kind": violation.kind}


# Venues --------------------------------------------------------------------------------


def _venue_unit(user: Any, unit_id: int) -> AdminUnit:
    unit = _unit("unit_id", unit_id, (Level.COMMUNE, Level.VILLAGE))
    assert unit is not None
    if not access.unit_in_scope(user, unit):
        raise PermissionDenied(_("This unit is outside your area."))
    return unit


@router.get("/venues", response=list[VenueOut], summary="Venues of your area")
def venue_list(request: HttpRequest, active: bool | None = None, limit: int = 200, offset: int = 0) -> list[Any]:
    user = current_user(request)
    qs = queries.venues_in_scope(user).select_related("commune", "village")
    if active is not None:
        qs = qs.filter(active=active)
    limit = max(1, min(limit, 1000))
    return [_venue(v) for v in qs.order_by("name")[max(0, offset) : max(0, offset) + limit]]


@router.post("/venues", response={200: VenueOut, 201: VenueOut}, summary="Register a venue")
def venue_create(request: HttpRequest, payload: VenueIn) -> tuple[int, dict[str, Any]]:
    user = current_user(request)
    access.require(user, Perm.VENUE_MANAGE)
    if payload.client_uuid is not None:
        existing = Venue.objects.filter(client_uuid=payload.client_uuid).first()
        if existing is not None:
            access.get_for_user(user, Venue.objects.all(), Perm.VENUE_MANAGE, pk=existing.pk)
            return 200, _venue(existing)
    unit = _venue_unit(user, payload.unit_id)
    data = VenueData(name=payload.name, unit=unit, kind=payload.kind, address=payload.address, active=payload.active)
    try:
        venue, created = actions.create_venue(user, data, client_uuid=payload.client_uuid)
    except actions.DeclarationError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), _venue(venue)


@router.get("/venues/{uuid:venue_id}", response=VenueOut, summary="One venue")
def venue_detail(request: HttpRequest, venue_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    return _venue(access.get_for_user(user, Venue.objects.all(), Perm.VENUE_MANAGE, pk=venue_id))


@router.patch("/venues/{uuid:venue_id}", response=VenueOut, summary="Change a venue")
def venue_patch(request: HttpRequest, venue_id: uuid.UUID, payload: VenuePatch) -> dict[str, Any]:
    user = current_user(request)
    venue = access.get_for_user(user, Venue.objects.all(), Perm.VENUE_MANAGE, pk=venue_id)
    unit = _venue_unit(user, payload.unit_id) if payload.unit_id is not None else (venue.village or venue.commune)
    assert unit is not None
    data = VenueData(
        name=payload.name if payload.name is not None else venue.name,
        unit=unit,
        kind=payload.kind or venue.kind,
        address=payload.address if payload.address is not None else venue.address,
        active=payload.active if payload.active is not None else venue.active,
    )
    try:
        venue = actions.update_venue(user, venue, data)
    except actions.DeclarationError as exc:
        raise_error(exc)
    return _venue(venue)


@router.delete("/venues/{uuid:venue_id}", response={204: None}, summary="Stop a venue taking check-ins (kept)")
def venue_delete(request: HttpRequest, venue_id: uuid.UUID) -> tuple[int, None]:
    user = current_user(request)
    venue = access.get_for_user(user, Venue.objects.all(), Perm.VENUE_MANAGE, pk=venue_id)
    unit = venue.village or venue.commune
    assert unit is not None
    actions.update_venue(
        user, venue, VenueData(name=venue.name, unit=unit, kind=venue.kind, address=venue.address, active=False)
    )
    return 204, None


@router.get("/venues/{uuid:venue_id}/poster", response=PosterOut, summary="The check-in URL and its QR code (SVG)")
def venue_poster(request: HttpRequest, venue_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    venue = access.get_for_user(user, Venue.objects.all(), Perm.VENUE_MANAGE, pk=venue_id)
    url = request.build_absolute_uri(reverse("public:checkin", kwargs={"token": venue.token}))
    return {"url": url, "svg": str(qr_svg(url, scale=10))}


# Check-ins -----------------------------------------------------------------------------


@router.post(
    "/checkins/public",
    response={200: CheckInReceipt, 201: CheckInReceipt},
    auth=None,
    summary="Check in at a venue (public, no sign-in)",
)
def checkin_public(request: HttpRequest, payload: CheckInIn) -> tuple[int, dict[str, Any]]:
    if rate_limited(request, "checkin"):
        raise HttpError(429, _("Too many check-ins from your connection. Try again in a few minutes."))
    venue = Venue.objects.filter(token=payload.venue_token, active=True).first()
    if venue is None:
        raise HttpError(404, _("Not found."))
    if payload.website:
        return 201, {"venue": venue.name, "checked_in_at": datetime.datetime.now(tz=datetime.UTC)}
    data = CheckInData(phone=payload.phone, id_number=payload.id_number, full_name=payload.full_name)
    try:
        checkin, created = actions.check_in(venue, data, client_uuid=payload.client_uuid, channel=CheckIn.Channel.API)
    except actions.DeclarationError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), {"venue": venue.name, "checked_in_at": checkin.checked_in_at}


@router.get("/checkins", response=list[CheckInOut], summary="Check-ins at the venues of your area")
def checkin_list(request: HttpRequest, filters: Query[CheckInFilters]) -> list[dict[str, Any]]:
    user = current_user(request)
    qs = queries.checkins_in_scope(user)
    if filters.venue_id:
        qs = qs.filter(venue_id=filters.venue_id)
    window = Q()
    if filters.since:
        window &= Q(checked_in_at__gte=filters.since)
    if filters.until:
        window &= Q(checked_in_at__lte=filters.until)
    rows = (
        qs.filter(window)
        .order_by("-checked_in_at")
        .values_list("id", "venue_id", "venue__code", "person_id", "checked_in_at", "channel")[
            filters.offset : filters.offset + filters.limit
        ]
    )
    return [
        {"id": i, "venue_id": v, "venue_code": code, "person_id": p, "checked_in_at": at, "channel": ch}
        for i, v, code, p, at, ch in rows
    ]


# Exposure sites ↔ venues ------------------------------------------------------------------


class DeclarationSiteVenueOut(Schema):
    venue_id: uuid.UUID
    code: str
    name: str
    checkins_in_window: int = Field(..., description="Check-ins at the venue inside the site's window.")


class DeclarationSiteVenueIn(Schema):
    venue_id: uuid.UUID


class DeclarationSiteVenueLinked(Schema):
    venue_id: uuid.UUID
    candidates_proposed: int = Field(..., description="New contact candidates of the site's case (0 without a case).")


def _site_for(request: HttpRequest, site_id: uuid.UUID) -> Any:
    from phongdich.cases.exposure import get_site

    return get_site(current_user(request), site_id, Perm.EXPOSURE_PUBLISH)


@router.get(
    "/exposure-sites/{uuid:site_id}/venues",
    response=list[DeclarationSiteVenueOut],
    summary="Venues linked to an exposure site (EXPOSURE_PUBLISH)",
)
def site_venue_list(request: HttpRequest, site_id: uuid.UUID) -> list[dict[str, Any]]:
    site = _site_for(request, site_id)
    return [
        {"venue_id": v.pk, "code": v.code, "name": v.name, "checkins_in_window": n}
        for v, n in queries.site_venues(site)
    ]


@router.post(
    "/exposure-sites/{uuid:site_id}/venues",
    response={200: DeclarationSiteVenueLinked, 201: DeclarationSiteVenueLinked},
    summary="Link a venue of the site's area to an exposure site; its check-ins in the window become candidates",
)
def site_venue_link(
    request: HttpRequest, site_id: uuid.UUID, payload: DeclarationSiteVenueIn
) -> tuple[int, dict[str, Any]]:
    site = _site_for(request, site_id)
    user = current_user(request)
    if SiteVenue.objects.filter(site=site, venue_id=payload.venue_id).exists():
        return 200, {"venue_id": payload.venue_id, "candidates_proposed": 0}
    venue = queries.venues_to_link(user, site).filter(pk=payload.venue_id).first()
    if venue is None:
        raise invalid("venue_id", _("Choose a venue of the site's area."))
    _link, proposed = actions.link_site_venue(user, site, venue)
    return 201, {"venue_id": venue.pk, "candidates_proposed": proposed}
