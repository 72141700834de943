"""API of contacts, contact candidates and F levels, mounted at /api/v1/tracing.

- ``POST /tracing/contacts``: record one contact (TRACE_EDIT). Send a ``client_uuid``: the same
  one again answers 200 with the first contact instead of 201.
- ``POST /tracing/contacts/bulk``: many at once; each item gets its own result (created,
  existing or error with messages by field); one bad item does not stop the others.
- ``GET /tracing/contacts?person_id=``: a person's contacts (CASE_VIEW).
- ``DELETE /tracing/contacts/{id}``: mark removed (kept for the audit trail); levels re-derived.
- ``GET /tracing/levels/{person_id}``: the person's F level, the chain that explains it and the
  handling due (``level`` is null for someone with no level; ``f0_case`` for an F0).
- ``GET /tracing/candidates``: candidates to check; ``POST …/{id}/confirm`` (optionally with
  contact fields) and ``POST …/{id}/reject``.

A person outside the caller's area answers 404; a contact needs one of its two persons inside.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.roles import Perm
from phongdich.people.models import Person
from phongdich.policy.models import ContactSetting
from phongdich.tracing import candidates, levels
from phongdich.tracing.contacts import ContactItem, add_contact, add_contacts, remove_contact
from phongdich.tracing.models import Contact, ContactCandidate, ContactSource, Proximity

router = Router(tags=["contacts and F levels"])


class ContactIn(Schema):
    person_a_id: uuid.UUID
    person_b_id: uuid.UUID
    first_date: datetime.date = Field(..., description="First exposure, YYYY-MM-DD.")
    last_date: datetime.date = Field(..., description="Last exposure, YYYY-MM-DD (not in the future).")
    setting: str = Field(ContactSetting.OTHER, description="household, workplace, school, transport, …")
    proximity: str = Field(Proximity.UNKNOWN, description="direct, within_2m, same_room, further, unknown.")
    minutes: int | None = Field(None, ge=0)
    masked: bool | None = None
    source: str = Field(ContactSource.INTERVIEW, description="interview, household, checkin, vehicle, …")
    note: str = Field("", max_length=255)
    client_uuid: uuid.UUID | None = None


class BulkIn(Schema):
    items: list[ContactIn] = Field(..., max_length=5000)


class ContactOut(Schema):
    id: uuid.UUID
    client_uuid: uuid.UUID | None
    person_a_id: uuid.UUID
    person_b_id: uuid.UUID
    first_date: datetime.date
    last_date: datetime.date
    setting: str
    proximity: str
    minutes: int | None
    masked: bool | None
    source: str
    note: str
    removed_at: datetime.datetime | None


class ItemOut(Schema):
    index: int
    status: str
    contact_id: uuid.UUID | None
    client_uuid: uuid.UUID | None
    errors: dict[str, Any]


class StepOut(Schema):
    person_id: uuid.UUID | None = Field(..., description="Null for a person outside your area.")
    person_name: str
    level: int
    contact_date: datetime.date | None
    case_code: str


class LevelOut(Schema):
    person_id: uuid.UUID
    level: int | None = Field(..., description="1 = F1 …; null: no level (or an F0).")
    f0_case: str | None = Field(..., description="The case code when the person is F0.")
    chain_text: str
    chain: list[StepOut]
    exposed_on: datetime.date | None
    handling: str | None
    handling_until: datetime.date | None
    test_dates: list[datetime.date]
    rule_set_id: int | None
    rule_set_confirmed: bool | None


class CandidateOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    other_id: uuid.UUID
    reason: str
    exposure_date: datetime.date | None
    status: str
    evidence: dict[str, Any]
    contact_id: uuid.UUID | None


class ConfirmIn(Schema):
    first_date: datetime.date | None = None
    last_date: datetime.date | None = None
    setting: str | None = None
    proximity: str | None = None
    minutes: int | None = Field(None, ge=0)
    masked: bool | None = None
    note: str | None = Field(None, max_length=255)


def _invalid(exc: DjangoValidationError, prefix: str = "") -> NinjaValidationError:
    return NinjaValidationError(
        [
            {"loc": ("body", "payload", f"{prefix}{name}"), "type": "value_error", "ctx": {"error": message}}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    )


def _people(request: HttpRequest) -> QuerySet[Person]:
    return access.scope(current_user(request), Person.objects.all())


def _contacts(request: HttpRequest) -> QuerySet[Contact]:
    people = _people(request).values("pk")
    return Contact.objects.filter(Q(person_a__in=people) | Q(person_b__in=people))


def _contact_out(c: Contact) -> ContactOut:
    return ContactOut(
        id=c.pk,
        client_uuid=c.client_uuid,
        person_a_id=c.person_a_id,
        person_b_id=c.person_b_id,
        first_date=c.first_date,
        last_date=c.last_date,
        setting=c.setting,
        proximity=c.proximity,
        minutes=c.minutes,
        masked=c.masked,
        source=c.source,
        note=c.note,
        removed_at=c.removed_at,
    )


def _item(payload: ContactIn) -> ContactItem:
    data = payload.dict()
    return ContactItem(person_a=data.pop("person_a_id"), person_b=data.pop("person_b_id"), **data)


def _one[M: Any](request: HttpRequest, qs: QuerySet[M], perm: Perm, pk: uuid.UUID) -> M:
    """One record of an already scoped queryset: 403 without ``perm``, else 404 when absent."""
    access.require(current_user(request), perm)
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc


@router.post("/contacts", response={200: ContactOut, 201: ContactOut}, summary="Record a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> tuple[int, ContactOut]:
    user = current_user(request)
    access.require(user, Perm.TRACE_EDIT)
    ids = [payload.person_a_id, payload.person_b_id]
    people = Person.objects.select_related("province").in_bulk(ids)
    a, b = people.get(payload.person_a_id), people.get(payload.person_b_id)
    if a is None or b is None or not access.scope(user, Person.objects.filter(pk__in=ids)).exists():
        raise Http404(_("Not found."))
    data = payload.dict()
    for key in ("person_a_id", "person_b_id"):
        data.pop(key)
    try:
        contact, created = add_contact(user, a, b, **data)
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return (201 if created else 200), _contact_out(contact)


@router.post("/contacts/bulk", response=list[ItemOut], summary="Record many contacts; one result per item")
def create_contacts(request: HttpRequest, payload: BulkIn) -> list[ItemOut]:
    user = current_user(request)
    access.require(user, Perm.TRACE_EDIT)
    results = add_contacts(user, [_item(i) for i in payload.items])
    return [
        ItemOut(index=r.index, status=r.status, contact_id=r.contact_id, client_uuid=r.client_uuid, errors=r.errors)
        for r in results
    ]


@router.get("/contacts", response=list[ContactOut], summary="A person's contacts")
def list_contacts(request: HttpRequest, person_id: uuid.UUID = Query(...)) -> list[ContactOut]:  # noqa: B008
    user = current_user(request)
    person = access.get_for_user(user, Person.objects.all(), Perm.CASE_VIEW, pk=person_id)
    rows = Contact.objects.filter(Q(person_a=person) | Q(person_b=person)).order_by("-last_date")[:1000]
    return [_contact_out(c) for c in rows]


@router.delete("/contacts/{contact_id}", response=ContactOut, summary="Remove a contact (kept for the audit trail)")
def delete_contact(request: HttpRequest, contact_id: uuid.UUID) -> ContactOut:
    user = current_user(request)
    contact = _one(request, _contacts(request), Perm.TRACE_EDIT, contact_id)
    return _contact_out(remove_contact(user, contact))


@router.get("/levels/{person_id}", response=LevelOut, summary="A person's F level, its chain and the handling due")
def person_level(request: HttpRequest, person_id: uuid.UUID) -> LevelOut:
    from phongdich.cases.models import Case, CaseStatus

    user = current_user(request)
    person = access.get_for_user(user, Person.objects.all(), Perm.CASE_VIEW, pk=person_id)
    case = Case.objects.filter(person=person, status=CaseStatus.CONFIRMED).order_by("-confirmed_on").first()
    level = None if case else levels.level_for(person)
    steps = levels.explain(person) if level else []
    visible = set(
        access.scope(user, Person.objects.filter(pk__in=[s.person_id for s in steps])).values_list("pk", flat=True)
    )
    return LevelOut(
        person_id=person.pk,
        level=level.level if level else None,
        f0_case=case.code if case else None,
        chain_text=levels.chain_text(person) if level else "",
        chain=[
            StepOut(
                person_id=s.person_id if s.person_id in visible else None,
                person_name=s.person_name if s.person_id in visible else _("a person outside your area"),
                level=s.level,
                contact_date=s.contact_date,
                case_code=s.case_code,
            )
            for s in steps
        ],
        exposed_on=level.exposed_on if level else None,
        handling=level.handling if level else None,
        handling_until=level.handling_until if level else None,
        test_dates=[datetime.date.fromisoformat(d) for d in level.test_dates] if level else [],
        rule_set_id=level.rule_set_id if level else None,
        rule_set_confirmed=level.rule_set.confirmed if level else None,
    )


def _candidate_out(c: ContactCandidate) -> CandidateOut:
    return CandidateOut(
        id=c.pk,
        person_id=c.person_id,
        other_id=c.other_id,
        reason=c.reason,
        exposure_date=c.exposure_date,
        status=c.status,
        evidence=dict(c.evidence or {}),
        contact_id=c.contact_id,
    )


def _candidates(request: HttpRequest) -> QuerySet[ContactCandidate]:
    people = _people(request).values("pk")
    return ContactCandidate.objects.filter(Q(person__in=people) | Q(other__in=people))


@router.get("/candidates", response=list[CandidateOut], summary="Contact candidates to check")
def list_candidates(request: HttpRequest, status: str = "pending") -> list[CandidateOut]:
    access.require(current_user(request), Perm.CASE_VIEW)
    return [_candidate_out(c) for c in _candidates(request).filter(status=status)[:1000]]


@router.post("/candidates/{candidate_id}/confirm", response=ContactOut, summary="Confirm a candidate as a contact")
def confirm_candidate(request: HttpRequest, candidate_id: uuid.UUID, payload: ConfirmIn) -> ContactOut:
    user = current_user(request)
    candidate = _one(request, _candidates(request), Perm.TRACE_EDIT, candidate_id)
    try:
        contact = candidates.confirm(user, candidate, **payload.dict(exclude_unset=True))
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return _contact_out(contact)


@router.post("/candidates/{candidate_id}/reject", response=CandidateOut, summary="Not a contact")
def reject_candidate(request: HttpRequest, candidate_id: uuid.UUID) -> CandidateOut:
    user = current_user(request)
    candidate = _one(request, _candidates(request), Perm.TRACE_EDIT, candidate_id)
    try:
        return _candidate_out(candidates.reject(user, candidate))
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
