"""Contact candidates: possible contacts found in data already held, confirmed by a tracer.

``propose`` is the seam later modules use (venue check-ins within ±1 hour of an F0, shared
vehicles at checkpoints); this issue adds the household: when a person becomes F0, the other
members of their household become candidates (``propose_household``, called from
``levels.on_cases_confirmed``). A candidate does not count for F levels until ``confirm``
turns it into a Contact.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.audit import record_change
from phongdich.people.models import Person
from phongdich.policy.models import ContactSetting
from phongdich.tracing.models import Contact, ContactCandidate, ContactSource, Proximity

if TYPE_CHECKING:
    from phongdich.cases.models import Case
    from phongdich.core.models import User

# The setting a confirmed candidate's contact gets by default, from how it was found.
DEFAULT_SETTING = {
    ContactSource.HOUSEHOLD: ContactSetting.HOUSEHOLD,
    ContactSource.CHECKIN: ContactSetting.VENUE,
    ContactSource.VEHICLE: ContactSetting.TRANSPORT,
    ContactSource.EXPOSURE_SITE: ContactSetting.VENUE,
}

# Other modules that find candidates in data they hold (venue check-ins, shared vehicles) register
# a function here from their app's ready(); it is called with the newly confirmed cases, inside the
# confirming transaction, and proposes pairs through ``propose`` / ``propose_many``.
CandidateSource = Callable[[Sequence["Case"]], object]
_sources: list[CandidateSource] = []


def register_source(source: CandidateSource) -> CandidateSource:
    if source not in _sources:
        _sources.append(source)
    return source


def propose_from_sources(cases: Sequence[Case]) -> None:
    """The household, then every registered source, for newly confirmed cases."""
    propose_households(cases)
    for source in _sources:
        source(cases)


_CONFIRM_NAMESPACE = uuid.UUID("6f1d3c52-3f0e-4d59-9a8e-2b1f8a8f0c11")


def propose(
    person: Person,
    other: Person,
    reason: str,
    exposure_date: datetime.date | None,
    evidence: dict[str, Any] | None = None,
) -> ContactCandidate | None:
    """Queue ``other`` as a possible contact of ``person``; None when there is nothing new to check.

    Nothing is queued for the same person, a merged record, a pair that already has an active
    contact, or a candidate already queued for the same pair, reason and date (either order).
    """
    if person.pk == other.pk or person.merged_into_id is not None or other.merged_into_id is not None:
        return None
    pair = Q(person_a=person, person_b=other) | Q(person_a=other, person_b=person)
    if Contact.objects.filter(pair, removed_at__isnull=True).exists():
        return None
    same = Q(person=person, other=other) | Q(person=other, other=person)
    if ContactCandidate.objects.filter(same, reason=reason, exposure_date=exposure_date).exists():
        return None
    try:
        with transaction.atomic():
            return ContactCandidate.objects.create(
                person=person, other=other, reason=reason, exposure_date=exposure_date, evidence=evidence or {}
            )
    except IntegrityError:
        return None


def propose_household(case: Case) -> list[ContactCandidate]:
    """The other active members of the F0's household become candidates (reason: household)."""
    return propose_households([case])


def propose_households(cases: Sequence[Case]) -> list[ContactCandidate]:
    """``propose_household`` for many cases with a handful of queries (the batch path)."""
    holders = {c.person_id: c for c in cases}
    people = dict(
        Person.objects.filter(pk__in=list(holders), merged_into__isnull=True, household__isnull=False).values_list(
            "pk", "household_id"
        )
    )
    if not people:
        return []
    members: dict[Any, list[Any]] = {}
    for pk, household in Person.objects.filter(
        household_id__in=set(people.values()), merged_into__isnull=True
    ).values_list("pk", "household_id"):
        members.setdefault(household, []).append(pk)
    pairs = [(pid, other) for pid, hh in people.items() for other in members.get(hh, []) if other != pid]
    if not pairs:
        return []
    ids = list({p for pair in pairs for p in pair})
    linked = {
        frozenset(pair)
        for pair in Contact.objects.filter(
            person_a_id__in=ids, person_b_id__in=ids, removed_at__isnull=True
        ).values_list("person_a_id", "person_b_id")
    }
    queued = {
        (frozenset((a, b)), day)
        for a, b, day in ContactCandidate.objects.filter(
            person_id__in=ids, other_id__in=ids, reason=ContactSource.HOUSEHOLD
        ).values_list("person_id", "other_id", "exposure_date")
    }
    new = []
    for pid, other in pairs:
        case = holders[pid]
        key = frozenset((pid, other))
        if key in linked or (key, case.confirmed_on) in queued:
            continue
        queued.add((key, case.confirmed_on))
        new.append(
            ContactCandidate(
                person_id=pid,
                other_id=other,
                reason=ContactSource.HOUSEHOLD,
                exposure_date=case.confirmed_on,
                evidence={"case": case.code, "household": str(people[pid])},
            )
        )
    ContactCandidate.objects.bulk_create(new, ignore_conflicts=True)
    return new


def confirm(actor: User | None, candidate: ContactCandidate, **contact_fields: Any) -> Contact:
    """Turn a candidate into a Contact (fields default from the candidate); idempotent."""
    from phongdich.tracing.contacts import add_contact

    with transaction.atomic():
        candidate = ContactCandidate.objects.select_for_update().select_related("person", "other").get(pk=candidate.pk)
        if candidate.status == ContactCandidate.Status.CONFIRMED and candidate.contact is not None:
            return candidate.contact
        if candidate.status == ContactCandidate.Status.REJECTED:
            raise ValidationError({"status": _("This candidate was marked as not a contact.")})
        day = candidate.exposure_date or timezone.localdate()
        today = timezone.localdate()
        day = min(day, today)
        fields: dict[str, Any] = {
            "first_date": day,
            "last_date": day,
            "setting": DEFAULT_SETTING.get(ContactSource(candidate.reason), ContactSetting.OTHER)
            if candidate.reason in ContactSource.values
            else ContactSetting.OTHER,
            "proximity": Proximity.UNKNOWN,
            "source": candidate.reason if candidate.reason in ContactSource.values else ContactSource.INTERVIEW,
        }
        fields.update({k: v for k, v in contact_fields.items() if v is not None or k in ("minutes", "masked")})
        contact, _created = add_contact(
            actor,
            candidate.person,
            candidate.other,
            client_uuid=uuid.uuid5(_CONFIRM_NAMESPACE, str(candidate.pk)),
            **fields,
        )
        candidate.status = ContactCandidate.Status.CONFIRMED
        candidate.contact = contact
        candidate.reviewed_by = actor if actor is not None and actor.is_authenticated else None
        candidate.reviewed_at = timezone.now()
        candidate.save(update_fields=["status", "contact", "reviewed_by", "reviewed_at"])
        record_change(
            actor,
            "candidate.confirm",
            candidate,
            {"status": "pending"},
            {"status": "confirmed", "contact": str(contact.pk)},
        )
    return contact


def reject(actor: User | None, candidate: ContactCandidate) -> ContactCandidate:
    """Mark a candidate as not a contact (kept, so that it is not proposed again)."""
    with transaction.atomic():
        candidate = ContactCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status == ContactCandidate.Status.CONFIRMED:
            raise ValidationError({"status": _("This candidate is already a confirmed contact.")})
        if candidate.status == ContactCandidate.Status.REJECTED:
            return candidate
        candidate.status = ContactCandidate.Status.REJECTED
        candidate.reviewed_by = actor if actor is not None and actor.is_authenticated else None
        candidate.reviewed_at = timezone.now()
        candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        record_change(actor, "candidate.reject", candidate, {"status": "pending"}, {"status": "rejected"})
    return candidate
