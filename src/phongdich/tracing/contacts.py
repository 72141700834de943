"""Recording and removing contacts (exposures between two persons): atomic, audited, idempotent.

Every change calls ``levels.on_contact_changed`` in the same transaction, so F levels are true
when the call returns. Bad input raises ``django.core.exceptions.ValidationError`` with a
message per field, in the active language; nothing is written.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.audit import record_change, snapshot
from phongdich.people.models import Person
from phongdich.policy.models import ContactSetting
from phongdich.tracing import investigations, levels
from phongdich.tracing.models import Contact, ContactCandidate, ContactSource, Proximity

if TYPE_CHECKING:
    from phongdich.core.models import User

CONTACT_FIELDS = [
    "person_a",
    "person_b",
    "first_date",
    "last_date",
    "setting",
    "proximity",
    "minutes",
    "masked",
    "source",
    "note",
    "province_code",
]


def _province_code(a: Person, b: Person) -> str:
    for person in (a, b):
        if person.province_id is not None:
            province = person.province
            if province is not None:
                return province.code[:4]
    return ""


def validate_contact(
    person_a: Person,
    person_b: Person,
    *,
    first_date: datetime.date | None,
    last_date: datetime.date | None,
    setting: str,
    proximity: str,
    minutes: int | None,
    source: str,
    note: str = "",
) -> dict[str, str]:
    """The problems of a contact, by field (empty when it is valid)."""
    errors: dict[str, str] = {}
    if person_a.pk == person_b.pk:
        errors["person_b"] = _("A person cannot be their own contact.")
    for name, person in (("person_a", person_a), ("person_b", person_b)):
        if person.merged_into_id is not None:
            errors[name] = _("This record was merged into another one; record the contact on the active record.")
    today = timezone.localdate()
    if first_date is None:
        errors["first_date"] = _("Give the date of the first exposure.")
    if last_date is None:
        errors["last_date"] = _("Give the date of the last exposure.")
    if first_date is not None and last_date is not None and first_date > last_date:
        errors["last_date"] = _("The last exposure cannot be before the first one.")
    for name, day in (("first_date", first_date), ("last_date", last_date)):
        if day is not None and day > today:
            errors[name] = _("An exposure date cannot be in the future.")
    if setting not in ContactSetting.values:
        errors["setting"] = _("Unknown setting.")
    if proximity not in Proximity.values:
        errors["proximity"] = _("Unknown proximity.")
    if source not in ContactSource.values:
        errors["source"] = _("Unknown source.")
    if minutes is not None and (minutes < 0 or minutes > 60 * 24 * 366):
        errors["minutes"] = _("The duration must be between 0 and 527,040 minutes.")
    if len(note) > 255:
        errors["note"] = _("The note is limited to 255 characters.")
    return errors


def _settle_candidates(actor: User | None, contact: Contact) -> None:
    """A contact recorded between two people answers their pending candidates: confirmed by it."""
    a, b = contact.person_a_id, contact.person_b_id
    ContactCandidate.objects.filter(
        Q(person_id=a, other_id=b) | Q(person_id=b, other_id=a), status=ContactCandidate.Status.PENDING
    ).update(
        status=ContactCandidate.Status.CONFIRMED,
        contact=contact,
        reviewed_by=actor if actor is not None and actor.is_authenticated else None,
        reviewed_at=timezone.now(),
    )


def add_contact(
    actor: User | None,
    person_a: Person,
    person_b: Person,
    *,
    first_date: datetime.date,
    last_date: datetime.date,
    setting: str,
    proximity: str,
    minutes: int | None = None,
    masked: bool | None = None,
    source: str,
    note: str = "",
    client_uuid: uuid.UUID | None = None,
    sync: bool = True,
) -> tuple[Contact, bool]:
    """Record a contact; ``(contact, created)``. The same ``client_uuid`` again returns the first one.

    The open investigations the change touches re-sync their task lists
    (``investigations.sync_for_persons``) unless ``sync`` is False (a batch syncs once at the end).
    """
    if client_uuid is not None:
        existing = Contact.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    note = (note or "").strip()
    errors = validate_contact(
        person_a,
        person_b,
        first_date=first_date,
        last_date=last_date,
        setting=setting,
        proximity=proximity,
        minutes=minutes,
        source=source,
        note=note,
    )
    if errors:
        raise ValidationError(errors)
    contact = Contact(
        client_uuid=client_uuid,
        person_a=person_a,
        person_b=person_b,
        first_date=first_date,
        last_date=last_date,
        setting=setting,
        proximity=proximity,
        minutes=minutes,
        masked=masked,
        source=source,
        note=note,
        province_code=_province_code(person_a, person_b),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            contact.save(force_insert=True)
            record_change(actor, "contact.create", contact, None, snapshot(contact, CONTACT_FIELDS))
            _settle_candidates(actor, contact)
            levels.on_contact_changed(contact)
            if sync:
                investigations.sync_for_persons([contact.person_a_id, contact.person_b_id])
    except IntegrityError:
        if client_uuid is not None:
            existing = Contact.objects.filter(client_uuid=client_uuid).first()
            if existing is not None:
                return existing, False
        raise
    return contact, True


def remove_contact(actor: User | None, contact: Contact) -> Contact:
    """Mark a contact removed (kept for the audit trail); levels that relied on it are re-derived."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.removed_at is not None:
            return contact
        contact.removed_at = timezone.now()
        contact.removed_by = actor if actor is not None and actor.is_authenticated else None
        contact.save(update_fields=["removed_at", "removed_by"])
        record_change(
            actor, "contact.remove", contact, {"removed_at": None}, {"removed_at": contact.removed_at.isoformat()}
        )
        levels.on_contact_changed(contact)
        investigations.sync_for_persons([contact.person_a_id, contact.person_b_id])
    return contact


# ---------------------------------------------------------------------------------------------
# Bulk (the API): each item on its own, with its own result.


@dataclass
class ContactItem:
    person_a: uuid.UUID
    person_b: uuid.UUID
    first_date: datetime.date
    last_date: datetime.date
    setting: str = ContactSetting.OTHER
    proximity: str = Proximity.UNKNOWN
    minutes: int | None = None
    masked: bool | None = None
    source: str = ContactSource.INTERVIEW
    note: str = ""
    client_uuid: uuid.UUID | None = None


@dataclass
class ItemResult:
    index: int
    status: str  # "created", "existing" or "error"
    contact_id: uuid.UUID | None = None
    client_uuid: uuid.UUID | None = None
    errors: dict[str, Any] = field(default_factory=dict)


def add_contacts(actor: User, items: list[ContactItem]) -> list[ItemResult]:
    """Record many contacts. Each person must be active and one of the two inside the actor's area.

    An item that fails does not stop the others; its result carries the errors by field.
    """
    from phongdich.core.access import scope

    results: list[ItemResult] = []
    touched: set[uuid.UUID] = set()
    ids = {i.person_a for i in items} | {i.person_b for i in items}
    people = Person.objects.select_related("province").in_bulk(list(ids))
    visible = set(scope(actor, Person.objects.filter(pk__in=list(ids))).values_list("pk", flat=True))
    for index, item in enumerate(items):
        a, b = people.get(item.person_a), people.get(item.person_b)
        errors: dict[str, Any] = {}
        if a is None or (a.pk not in visible and (b is None or b.pk not in visible)):
            errors["person_a"] = _("Person not found.")
        if b is None:
            errors["person_b"] = _("Person not found.")
        if errors or a is None or b is None:
            results.append(ItemResult(index, "error", client_uuid=item.client_uuid, errors=errors))
            continue
        try:
            contact, created = add_contact(
                actor,
                a,
                b,
                first_date=item.first_date,
                last_date=item.last_date,
                setting=item.setting,
                proximity=item.proximity,
                minutes=item.minutes,
                masked=item.masked,
                source=item.source,
                note=item.note,
                client_uuid=item.client_uuid,
                sync=False,
            )
        except ValidationError as exc:
            results.append(ItemResult(index, "error", client_uuid=item.client_uuid, errors=exc.message_dict))
            continue
        if created:
            touched.update((contact.person_a_id, contact.person_b_id))
        results.append(
            ItemResult(index, "created" if created else "existing", contact.pk, client_uuid=item.client_uuid)
        )
    investigations.sync_for_persons(touched)
    return results
