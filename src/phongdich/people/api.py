"""API of the person registry, mounted at /api/v1/.

- ``POST /persons``: create (or find) a person. Send a ``client_uuid``: sending it again
  returns the first result (200 instead of 201), never a second record. A person already
  registered with the same ID number (or the same name + birth date + phone) is returned
  with 200 as well.
- ``GET /persons/search?q=``: by ID number, phone or name (diacritic-insensitive).
- ``GET /persons/{id}``, ``PATCH /persons/{id}``, ``POST /persons/{id}/residence``.
- ``GET /duplicates``, ``POST /duplicates/{id}/merge``, ``POST /duplicates/{id}/dismiss``,
  ``POST /merges/{id}/undo``.

The address unit is given either by ``unit_id`` (the id of /api/v1/units) or by
``unit_code``, the official code in the deployment's hierarchy (e.g. ``"03124"`` for a
commune, a village's code as imported); it must be a commune or a village. A unit outside
the caller's area answers 403; a record outside it answers 404. ID numbers are shown in full
to roles that may edit people, with the middle digits masked for the others.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import field_validator, model_validator

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.people import actions, merging, queries
from phongdich.people.display import mask_id_number
from phongdich.people.forms import check_residence_start
from phongdich.people.models import (
    DuplicateCandidate,
    Person,
    PersonMerge,
    ResidenceRecord,
    ResidenceStatus,
    Sex,
    Source,
)
from phongdich.people.validation import normalize_id_number, normalize_name, normalize_phone, parse_birth

router = Router(tags=["people"])


# Validation helpers: Django ValidationError → ValueError, whose text the API shows as is.


def _django(fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except DjangoValidationError as exc:
        raise ValueError(" ".join(str(m) for m in exc.messages)) from exc


def _birth_date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    date, year = _django(parse_birth, value)
    if date is None and year is not None:
        raise ValueError(_("Give a full date here; send the year alone as birth_year."))
    return date


def _birth_year(value: int | None) -> int | None:
    if value is None:
        return None
    if not (1900 <= value <= timezone.localdate().year):
        raise ValueError(_("The year of birth is not plausible."))
    return value


def _invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}])


# Schemas ------------------------------------------------------------------------------


class PersonFields(Schema):
    id_number: str | None = Field(None, description="12-digit CCCD or 9-digit CMND.", max_length=20)
    birth_date: datetime.date | None = Field(None, description="YYYY-MM-DD (dd/mm/yyyy accepted).")
    birth_year: int | None = Field(None, description="When only the year is known.")
    sex: Sex | None = None
    phone: str | None = Field(None, description="Vietnamese number; stored as +84…", max_length=20)
    unit_id: int | None = Field(None, description="Commune or village id (see /api/v1/units).")
    unit_code: str | None = Field(
        None, description="Or its official code in the deployment's hierarchy.", max_length=16
    )
    address: str | None = Field(None, max_length=255)
    household_code: str | None = Field(None, max_length=32, description="Found in the commune, or created.")
    household_role: str | None = Field(None, max_length=40)
    ethnicity: str | None = Field(None, max_length=40)
    occupation: str | None = Field(None, max_length=120)
    workplace: str | None = Field(None, max_length=255)
    conditions: list[str] | None = None
    pregnant: bool | None = None

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, v: str | None) -> str | None:
        return _django(normalize_id_number, v)

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth_date(cls, v: Any) -> datetime.date | None:
        return _birth_date(v)

    @field_validator("birth_year")
    @classmethod
    def _birth_year(cls, v: int | None) -> int | None:
        return _birth_year(v)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return None if v is None else _django(normalize_phone, v)

    @field_validator("conditions")
    @classmethod
    def _conditions(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        return list(dict.fromkeys(c.strip()[:80] for c in v if c and c.strip()))


class PersonIn(PersonFields):
    client_uuid: uuid.UUID | None = Field(None, description="Made by the client; a resend returns the first result.")
    full_name: str = Field(..., max_length=200)

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, v: str) -> str:
        return _django(normalize_name, v)

    @model_validator(mode="after")
    def _unit_given(self) -> PersonIn:
        if self.unit_id is None and not self.unit_code:
            raise ValueError(_("Give the address unit: unit_id or unit_code."))
        return self


class PersonPatch(PersonFields):
    full_name: str | None = Field(None, max_length=200)

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, v: str | None) -> str | None:
        return None if v is None else _django(normalize_name, v)


class PersonUnitRef(Schema):
    id: int
    code: str
    name: str
    level: str


class HouseholdRef(Schema):
    id: uuid.UUID
    code: str


class PersonOut(Schema):
    id: uuid.UUID
    full_name: str
    id_number: str | None
    birth_date: datetime.date | None
    birth_year: int | None
    sex: str
    phone: str
    address: str
    province: PersonUnitRef | None
    district: PersonUnitRef | None
    commune: PersonUnitRef | None
    village: PersonUnitRef | None
    household: HouseholdRef | None
    household_role: str
    ethnicity: str
    occupation: str
    workplace: str
    conditions: list[str]
    pregnant: bool
    residence_status: str
    source: str
    merged_into: uuid.UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ResidenceIn(Schema):
    status: ResidenceStatus
    started_on: datetime.date | None = Field(None, description="Today when omitted.")
    temp_address: str = Field("", max_length=255)
    temp_province_id: int | None = None
    temp_province_code: str | None = Field(None, max_length=16)
    temp_commune_id: int | None = None
    temp_commune_code: str | None = Field(None, max_length=16)
    workplace: str = Field("", max_length=255)
    phone: str = Field("", max_length=20)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return _django(normalize_phone, v)


class ResidenceOut(Schema):
    id: int
    status: str
    started_on: datetime.date | None
    ended_on: datetime.date | None
    temp_address: str
    temp_province: PersonUnitRef | None
    temp_commune: PersonUnitRef | None
    workplace: str
    phone: str
    source: str
    created_at: datetime.datetime


class PairSide(Schema):
    id: uuid.UUID
    in_scope: bool
    full_name: str | None
    birth_date: datetime.date | None
    birth_year: int | None
    commune: PersonUnitRef | None


class DuplicateOut(Schema):
    id: int
    score: int
    reasons: list[str]
    status: str
    person_a: PairSide
    person_b: PairSide
    created_at: datetime.datetime


class MergeIn(Schema):
    survivor_id: uuid.UUID = Field(..., description="The record to keep: person_a or person_b of the pair.")


class MergeOut(Schema):
    id: int
    survivor_id: uuid.UUID
    merged_id: uuid.UUID
    moved: dict[str, list[Any]]
    performed_at: datetime.datetime
    undone_at: datetime.datetime | None


class ErrorOut(Schema):
    detail: str


# Output -------------------------------------------------------------------------------


def _unit(unit: AdminUnit | None) -> PersonUnitRef | None:
    if unit is None:
        return None
    return PersonUnitRef(id=unit.pk, code=unit.code, name=unit.name, level=unit.level)


def _person_out(user: Any, p: Person) -> PersonOut:
    return PersonOut(
        id=p.pk,
        full_name=p.full_name,
        id_number=mask_id_number(p.id_number, full=user.can(Perm.PERSON_EDIT)) or None,
        birth_date=p.birth_date,
        birth_year=p.birth_year,
        sex=p.sex,
        phone=p.phone,
        address=p.address,
        province=_unit(p.province),
        district=_unit(p.district),
        commune=_unit(p.commune),
        village=_unit(p.village),
        household=HouseholdRef(id=p.household.pk, code=p.household.code) if p.household else None,
        household_role=p.household_role,
        ethnicity=p.ethnicity,
        occupation=p.occupation,
        workplace=p.workplace,
        conditions=list(p.conditions or []),
        pregnant=p.pregnant,
        residence_status=p.residence_status,
        source=p.source,
        merged_into=p.merged_into_id,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def _residence_out(r: ResidenceRecord) -> ResidenceOut:
    return ResidenceOut(
        id=r.pk,
        status=r.status,
        started_on=r.started_on,
        ended_on=r.ended_on,
        temp_address=r.temp_address,
        temp_province=_unit(r.temp_province),
        temp_commune=_unit(r.temp_commune),
        workplace=r.workplace,
        phone=r.phone,
        source=r.source,
        created_at=r.created_at,
    )


def _side(user: Any, p: Person, visible: bool) -> PairSide:
    return PairSide(
        id=p.pk,
        in_scope=visible,
        full_name=p.full_name if visible else None,
        birth_date=p.birth_date if visible else None,
        birth_year=p.birth_year if visible else None,
        commune=_unit(p.commune),
    )


def _duplicate_out(user: Any, pair: DuplicateCandidate) -> DuplicateOut:
    visible = set(
        queries.people_in_scope(user).filter(pk__in=[pair.person_a_id, pair.person_b_id]).values_list("pk", flat=True)
    )
    return DuplicateOut(
        id=pair.pk,
        score=pair.score,
        reasons=list(pair.reasons or []),
        status=pair.status,
        person_a=_side(user, pair.person_a, pair.person_a_id in visible),
        person_b=_side(user, pair.person_b, pair.person_b_id in visible),
        created_at=pair.created_at,
    )


def _merge_out(m: PersonMerge) -> MergeOut:
    return MergeOut(
        id=m.pk,
        survivor_id=m.survivor_id,
        merged_id=m.merged_id,
        moved=m.moved or {},
        performed_at=m.performed_at,
        undone_at=m.undone_at,
    )


# Lookups ------------------------------------------------------------------------------

_RELATED = ("province", "district", "commune", "village", "household")


def _get_person(request: HttpRequest, person_id: uuid.UUID, perm: Perm) -> Person:
    qs = queries.people_in_scope(current_user(request)).select_related(*_RELATED)
    return access.get_for_user(current_user(request), qs, perm, pk=person_id)


def _resolve_unit(field: str, unit_id: int | None, unit_code: str | None, levels: tuple[str, ...]) -> AdminUnit | None:
    if unit_id is None and not unit_code:
        return None
    units = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, level__in=levels)
    unit = units.filter(pk=unit_id).first() if unit_id is not None else units.filter(code=unit_code).first()
    if unit is None:
        if levels == (Level.COMMUNE, Level.VILLAGE):
            raise _invalid(field, _("Unknown administrative unit (give a commune or a village)."))
        raise _invalid(field, _("Unknown administrative unit."))
    return unit


def _unit_for_write(request: HttpRequest, unit_id: int | None, unit_code: str | None) -> AdminUnit | None:
    field = "unit_id" if unit_id is not None else "unit_code"
    unit = _resolve_unit(field, unit_id, unit_code, (Level.COMMUNE, Level.VILLAGE))
    if unit is not None and not access.unit_in_scope(current_user(request), unit):
        raise PermissionDenied(_("This unit is outside your area."))
    return unit


# Persons ------------------------------------------------------------------------------


@router.post(
    "/persons",
    response={200: PersonOut, 201: PersonOut, 409: ErrorOut},
    summary="Register a person (idempotent with client_uuid)",
)
def create_person(request: HttpRequest, payload: PersonIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.PERSON_EDIT)
    unit = _unit_for_write(request, payload.unit_id, payload.unit_code)
    data = actions.PersonData(
        full_name=payload.full_name,
        id_number=payload.id_number,
        birth_date=payload.birth_date,
        birth_year=payload.birth_year or (payload.birth_date.year if payload.birth_date else None),
        sex=payload.sex or Sex.UNKNOWN,
        phone=payload.phone or "",
        unit=unit,
        address=payload.address or "",
        household_role=payload.household_role or "",
        ethnicity=payload.ethnicity or "",
        occupation=payload.occupation or "",
        workplace=payload.workplace or "",
        conditions=payload.conditions or [],
        pregnant=bool(payload.pregnant),
    )
    with transaction.atomic():
        data.household = actions.ensure_household(user, payload.household_code or "", unit, data.address)
        intake = actions.intake_person(
            user, data, client_uuid=payload.client_uuid, source=Source.API, fill_missing=False
        )
        if intake.created:
            actions.set_residence(user, intake.person, ResidenceStatus.PERMANENT, source=Source.API)
        else:
            transaction.set_rollback(True)
    person = queries.people_in_scope(user).select_related(*_RELATED).filter(pk=intake.person.pk).first()
    if person is None:
        raise HttpError(409, _("This person is already registered in another area. Ask that area to update it."))
    return (201 if intake.created else 200), _person_out(user, person)


@router.get("/persons/search", response=list[PersonOut], summary="Search people by ID number, phone or name")
def search_persons(
    request: HttpRequest, q: str = Query(..., max_length=120), limit: int = Query(20, ge=1, le=100)
) -> Any:
    access.require(current_user(request), Perm.PERSON_VIEW)
    people = queries.search_people(current_user(request), q, limit).select_related(*_RELATED)
    return [_person_out(current_user(request), p) for p in people]


@router.get("/persons/{person_id}", response=PersonOut, summary="A person's record (the read is logged)")
def get_person(request: HttpRequest, person_id: uuid.UUID) -> Any:
    person = _get_person(request, person_id, Perm.PERSON_VIEW)
    record_access(current_user(request), person, "api")
    return _person_out(current_user(request), person)


@router.patch("/persons/{person_id}", response={200: PersonOut, 409: ErrorOut}, summary="Change a person's details")
def update_person(request: HttpRequest, person_id: uuid.UUID, payload: PersonPatch) -> Any:
    user = current_user(request)
    person = _get_person(request, person_id, Perm.PERSON_EDIT)
    if person.merged_into_id is not None:
        raise HttpError(409, _("This record was merged into another one: change that one instead."))
    sent = payload.model_dump(exclude_unset=True)
    if "full_name" in sent and sent["full_name"] is None:
        raise _invalid("full_name", _("The full name is required."))
    changes: dict[str, Any] = {}
    if "unit_id" in sent or "unit_code" in sent:
        unit = _unit_for_write(request, sent.get("unit_id"), sent.get("unit_code"))
        if unit is not None:
            changes["unit"] = unit
    simple: tuple[str, ...] = ("full_name", "birth_date", "birth_year", "sex", "phone", "address")
    simple += ("household_role", "ethnicity", "occupation", "workplace", "conditions", "pregnant", "id_number")
    defaults: dict[str, Any] = {"phone": "", "address": "", "household_role": "", "ethnicity": "", "occupation": ""}
    defaults |= {"workplace": "", "conditions": [], "pregnant": False, "sex": Sex.UNKNOWN}
    for name in simple:
        if name in sent:
            value = sent[name]
            if value is None and name in defaults:
                value = defaults[name]
            if getattr(person, name) != value:
                changes[name] = value
    if changes.get("id_number"):
        clash = Person.objects.filter(id_number=changes["id_number"], merged_into__isnull=True).exclude(pk=person.pk)
        if clash.exists():
            raise HttpError(409, _("Another record already has this ID number."))
    try:
        with transaction.atomic():
            if "household_code" in sent:
                unit = changes.get("unit") or person.village or person.commune
                household = actions.ensure_household(user, sent["household_code"] or "", unit, person.address)
                if household != person.household:
                    changes["household"] = household
            actions.update_person(user, person, changes)
    except IntegrityError as exc:
        raise HttpError(409, _("Another record already has this ID number.")) from exc
    person = _get_person(request, person_id, Perm.PERSON_EDIT)
    return _person_out(user, person)


@router.post(
    "/persons/{person_id}/residence",
    response={200: ResidenceOut, 201: ResidenceOut, 409: ErrorOut},
    summary="Change a person's residence status (tạm trú, tạm vắng with where they stay)",
)
def change_residence(request: HttpRequest, person_id: uuid.UUID, payload: ResidenceIn) -> tuple[int, Any]:
    user = current_user(request)
    person = _get_person(request, person_id, Perm.PERSON_EDIT)
    if person.merged_into_id is not None:
        raise HttpError(409, _("This record was merged into another one: change that one instead."))
    try:
        started_on = check_residence_start(person, payload.started_on)
    except DjangoValidationError as exc:
        raise _invalid("started_on", " ".join(exc.messages)) from exc
    absent = payload.status == ResidenceStatus.TEMPORARILY_ABSENT
    province = commune = None
    if absent:
        f_p = "temp_province_id" if payload.temp_province_id is not None else "temp_province_code"
        province = _resolve_unit(f_p, payload.temp_province_id, payload.temp_province_code, (Level.PROVINCE,))
        f_c = "temp_commune_id" if payload.temp_commune_id is not None else "temp_commune_code"
        commune = _resolve_unit(f_c, payload.temp_commune_id, payload.temp_commune_code, (Level.COMMUNE,))
        if commune is not None and province is not None and commune.province_id != province.pk:
            raise _invalid(f_c, _("This commune is not in the chosen province."))
        if commune is not None and province is None:
            province = commune.province
    record = actions.set_residence(
        user,
        person,
        payload.status,
        started_on=started_on,
        temp_address=payload.temp_address.strip() if absent else "",
        temp_province=province,
        temp_commune=commune,
        workplace=payload.workplace.strip() if absent else "",
        phone=payload.phone if absent else "",
        source=Source.API,
    )
    if record is None:
        current = person.residence_records.filter(ended_on__isnull=True).order_by("-created_at").first()
        assert current is not None
        return 200, _residence_out(current)
    return 201, _residence_out(record)


@router.get("/persons/{person_id}/residence", response=list[ResidenceOut], summary="A person's residence history")
def residence_history(request: HttpRequest, person_id: uuid.UUID) -> Any:
    person = _get_person(request, person_id, Perm.PERSON_VIEW)
    record_access(current_user(request), person, "api", "residence")
    rows = person.residence_records.select_related("temp_province", "temp_commune")
    return [_residence_out(r) for r in rows]


# Duplicates and merges ----------------------------------------------------------------


def _pair(request: HttpRequest, pair_id: int) -> DuplicateCandidate:
    access.require(current_user(request), Perm.DUPLICATE_REVIEW)
    qs = queries.visible_duplicates(current_user(request)).select_related("person_a__commune", "person_b__commune")
    try:
        return qs.get(pk=pair_id)
    except DuplicateCandidate.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc


def _both_in_scope(request: HttpRequest, pair: DuplicateCandidate) -> None:
    visible = queries.people_in_scope(current_user(request)).filter(pk__in=[pair.person_a_id, pair.person_b_id]).count()
    if visible < 2:
        raise PermissionDenied(_("Both records must be in your area: ask the level above to review this pair."))


@router.get("/duplicates", response=list[DuplicateOut], summary="Possible duplicates waiting for review")
def list_duplicates(request: HttpRequest, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)) -> Any:
    access.require(current_user(request), Perm.DUPLICATE_REVIEW)
    pairs = queries.pending_duplicates(current_user(request)).select_related("person_a__commune", "person_b__commune")
    return [_duplicate_out(current_user(request), p) for p in pairs[offset : offset + limit]]


@router.post(
    "/duplicates/{pair_id}/merge",
    response={201: MergeOut, 409: ErrorOut},
    summary="Merge a pair, keeping survivor_id",
)
def merge_pair(request: HttpRequest, pair_id: int, payload: MergeIn) -> tuple[int, Any]:
    pair = _pair(request, pair_id)
    _both_in_scope(request, pair)
    survivor = {pair.person_a_id: pair.person_a, pair.person_b_id: pair.person_b}.get(payload.survivor_id)
    if survivor is None:
        raise _invalid("survivor_id", _("The record to keep must be one of the pair."))
    try:
        merge = merging.merge_candidate(current_user(request), pair, survivor)
    except merging.MergeError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return 201, _merge_out(merge)


@router.post(
    "/duplicates/{pair_id}/dismiss", response={200: DuplicateOut, 409: ErrorOut}, summary="Not the same person"
)
def dismiss_pair(request: HttpRequest, pair_id: int) -> Any:
    pair = _pair(request, pair_id)
    _both_in_scope(request, pair)
    try:
        pair = merging.dismiss_candidate(current_user(request), pair)
    except merging.MergeError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return _duplicate_out(current_user(request), pair)


@router.post("/merges/{merge_id}/undo", response={200: MergeOut, 409: ErrorOut}, summary="Undo a merge")
def undo(request: HttpRequest, merge_id: int) -> Any:
    user = current_user(request)
    access.require(user, Perm.DUPLICATE_REVIEW)
    try:
        merge = queries.merges_in_scope(user).get(pk=merge_id)
    except PersonMerge.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
    try:
        merge = merging.undo_merge(user, merge)
    except merging.MergeError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return _merge_out(merge)
