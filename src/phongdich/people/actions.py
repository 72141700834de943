"""Every change to people goes through these functions: atomic, audited, matched."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.core.audit import record_change, snapshot
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.people.matching import Identity, find_match
from phongdich.people.models import (
    DuplicateCandidate,
    Household,
    Person,
    ResidenceRecord,
    ResidenceStatus,
    Sex,
    Source,
)

if TYPE_CHECKING:
    from phongdich.core.models import User


@dataclass
class PersonData:
    """Validated fields of a person, as the boundary (form, API, import) hands them over."""

    full_name: str
    id_number: str | None = None
    birth_date: datetime.date | None = None
    birth_year: int | None = None
    sex: str = Sex.UNKNOWN
    phone: str = ""
    unit: AdminUnit | None = None
    address: str = ""
    household: Household | None = None
    household_role: str = ""
    ethnicity: str = ""
    occupation: str = ""
    workplace: str = ""
    conditions: list[str] = field(default_factory=list)
    pregnant: bool = False

    def identity(self) -> Identity:
        return Identity(
            full_name=self.full_name,
            id_number=self.id_number,
            birth_date=self.birth_date,
            birth_year=self.birth_year or (self.birth_date.year if self.birth_date else None),
            phone=self.phone,
        )


@dataclass
class Intake:
    person: Person
    created: bool
    duplicates_queued: int = 0


PERSON_FIELDS = [
    "id_number",
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "phone",
    "address",
    "household",
    "household_role",
    "ethnicity",
    "occupation",
    "workplace",
    "conditions",
    "pregnant",
    "residence_status",
    "province",
    "district",
    "commune",
    "village",
]


def active_record(person: Person) -> Person:
    """The record a merged person now lives on (itself when not merged)."""
    seen = 0
    while person.merged_into_id is not None and seen < 20:
        person = Person.objects.get(pk=person.merged_into_id)
        seen += 1
    return person


def queue_duplicate(a: Person, b: Person, score: int, reasons: list[str]) -> bool:
    """Put a pair in the review queue once (the lower id first). Returns True if new."""
    first, second = sorted([a, b], key=lambda p: str(p.pk))
    _obj, created = DuplicateCandidate.objects.get_or_create(
        person_a=first, person_b=second, defaults={"score": score, "reasons": reasons}
    )
    return created


@transaction.atomic
def intake_person(
    actor: User | None,
    data: PersonData,
    *,
    client_uuid: uuid.UUID | None = None,
    source: str = Source.MANUAL,
    fill_missing: bool = True,
) -> Intake:
    """Find or create the person described by ``data``.

    A retry with the same ``client_uuid`` returns the first result. A match by ID number (or
    by name + birth date + phone) returns the existing record, filling in fields it lacked;
    likely duplicates are created and queued for review.
    """
    if client_uuid is not None:
        existing = Person.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return Intake(active_record(existing), created=False)
    match = find_match(data.identity())
    if match.person is not None:
        person = match.person
        if fill_missing:
            _fill_missing(actor, person, data)
        return Intake(person, created=False)
    person = Person(
        client_uuid=client_uuid,
        id_number=data.id_number,
        full_name=data.full_name,
        name_key=fold(data.full_name),
        birth_date=data.birth_date,
        birth_year=data.birth_year or (data.birth_date.year if data.birth_date else None),
        sex=data.sex,
        phone=data.phone,
        address=data.address,
        household=data.household,
        household_role=data.household_role,
        ethnicity=data.ethnicity,
        occupation=data.occupation,
        workplace=data.workplace,
        conditions=data.conditions,
        pregnant=data.pregnant,
        source=source,
        **lineage_columns(data.unit),
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # A concurrent intake created the same ID number or client UUID first: return that one.
        again = Person.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if again is None and data.id_number:
            again = Person.objects.filter(id_number=data.id_number, merged_into__isnull=True).first()
        if again is None:
            raise
        return Intake(again, created=False)
    record_change(actor, "person.create", person, None, snapshot(person, PERSON_FIELDS))
    queued = sum(queue_duplicate(person, other, score, reasons) for other, score, reasons in match.candidates)
    return Intake(person, created=True, duplicates_queued=queued)


def _fill_missing(actor: User | None, person: Person, data: PersonData) -> None:
    before = snapshot(person, PERSON_FIELDS)
    changed: list[str] = []
    for name in ("id_number", "birth_date", "phone", "occupation", "workplace", "address", "ethnicity"):
        if not getattr(person, name) and getattr(data, name):
            setattr(person, name, getattr(data, name))
            changed.append(name)
    if person.birth_year is None and (data.birth_year or data.birth_date):
        person.birth_year = data.birth_year or (data.birth_date.year if data.birth_date else None)
        changed.append("birth_year")
    if person.sex == Sex.UNKNOWN and data.sex != Sex.UNKNOWN:
        person.sex = data.sex
        changed.append("sex")
    if person.commune_id is None and data.unit is not None:
        for key, value in lineage_columns(data.unit).items():
            setattr(person, key, value)
        changed += ["province", "district", "commune", "village"]
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
        record_change(actor, "person.fill", person, before, snapshot(person, PERSON_FIELDS))


@transaction.atomic
def update_person(actor: User | None, person: Person, changes: dict[str, Any]) -> Person:
    """Apply validated ``changes`` (field → value; ``unit`` moves the person) with an audit row."""
    before = snapshot(person, PERSON_FIELDS)
    fields: list[str] = []
    for name, value in changes.items():
        if name == "unit":
            for key, col in lineage_columns(value).items():
                setattr(person, key, col)
            fields += ["province", "district", "commune", "village"]
            continue
        setattr(person, name, value)
        fields.append(name)
        if name == "full_name":
            person.name_key = fold(value)
            fields.append("name_key")
        if name == "birth_date" and value is not None:
            person.birth_year = value.year
            fields.append("birth_year")
    if fields:
        person.save(update_fields=[*set(fields), "updated_at"])
        record_change(actor, "person.update", person, before, snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def set_residence(
    actor: User | None,
    person: Person,
    status: str,
    *,
    started_on: datetime.date | None = None,
    temp_address: str = "",
    temp_province: AdminUnit | None = None,
    temp_commune: AdminUnit | None = None,
    workplace: str = "",
    phone: str = "",
    source: str = Source.MANUAL,
    upload_id: uuid.UUID | None = None,
    row_number: int | None = None,
) -> ResidenceRecord | None:
    """Open a residence period in ``status``, closing the one before. Same details again: no change."""
    status = ResidenceStatus(status)
    today = timezone.localdate()
    current = person.residence_records.filter(ended_on__isnull=True).order_by("-created_at").first()
    details = {
        "temp_address": temp_address,
        "temp_province_id": temp_province.pk if temp_province else None,
        "temp_commune_id": temp_commune.pk if temp_commune else None,
        "workplace": workplace,
        "phone": phone,
    }
    if current is not None and current.status == status and all(getattr(current, k) == v for k, v in details.items()):
        return None
    if current is not None:
        current.ended_on = started_on or today
        current.save(update_fields=["ended_on"])
    record = ResidenceRecord.objects.create(
        person=person,
        status=status,
        started_on=started_on or today,
        source=source,
        upload_id=upload_id,
        row_number=row_number,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **details,
    )
    if person.residence_status != status:
        before = {"residence_status": person.residence_status}
        person.residence_status = status
        person.save(update_fields=["residence_status", "updated_at"])
        record_change(actor, "person.residence", person, before, {"residence_status": status})
    return record


def ensure_household(actor: User | None, code: str, unit: AdminUnit | None, address: str = "") -> Household | None:
    """The household with ``code`` in the unit's commune, created (and audited) when there is none."""
    code = code.strip()
    if not code or unit is None:
        return None
    commune_id = unit.pk if unit.level == "commune" else unit.commune_id
    existing = Household.objects.filter(code=code, commune_id=commune_id).first()
    if existing is not None:
        return existing
    household = Household.objects.create(code=code, address=address, **lineage_columns(unit))
    record_change(actor, "household.create", household, None, snapshot(household))
    return household
