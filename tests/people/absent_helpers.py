"""Helpers shared by the absent-list tests (imported by tests/people/test_absent_*.py)."""

from __future__ import annotations

from typing import Any

from phongdich.core.models import AccessLog, AuditLog
from phongdich.people.absent_samples import rows_to_file
from phongdich.people.actions import PersonData, intake_person, set_residence
from phongdich.people.models import (
    AbsentListUpload,
    DuplicateCandidate,
    Person,
    ResidenceRecord,
    ResidenceStatus,
    Source,
)


def row(
    name: str = "Lò Văn Minh",
    id_number: str = "011090001234",
    birth: Any = "15/03/1990",
    sex: str = "Nam",
    phone: str = "0912345678",
    village: str = "",
    address: str = "Số 12 Trần Phú",
    province: str = "Lai Châu",
    commune: str = "",
    workplace: str = "Công ty ABC",
    left_on: str = "",
) -> list[Any]:
    return ["", name, id_number, birth, sex, phone, village, address, province, commune, workplace, left_on]


def xlsx(*rows: list[Any], headers: list[str] | None = None) -> bytes:
    return rows_to_file(list(rows), "xlsx", headers)


def csv_file(*rows: list[Any], headers: list[str] | None = None) -> bytes:
    return rows_to_file(list(rows), "csv", headers)


def counts() -> dict[str, int]:
    """How many rows each table the import writes to holds (to assert nothing was written)."""
    return {
        "persons": Person.objects.count(),
        "records": ResidenceRecord.objects.count(),
        "uploads": AbsentListUpload.objects.count(),
        "duplicates": DuplicateCandidate.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def access_count() -> int:
    return AccessLog.objects.count()


def intake_one_by_one(officer: Any, good: list[Any]) -> None:
    """The reference path: each good row through intake_person + set_residence, as any intake."""
    for r in good:
        person = intake_person(
            officer,
            PersonData(
                full_name=r.full_name,
                id_number=r.id_number,
                birth_date=r.birth_date,
                birth_year=r.birth_year,
                sex=r.sex,
                phone=r.phone,
                unit=r.unit,
                workplace=r.workplace,
            ),
            source=Source.ABSENT_LIST,
        ).person
        set_residence(
            officer,
            person,
            ResidenceStatus.TEMPORARILY_ABSENT,
            started_on=r.left_on,
            temp_address=r.temp_address,
            temp_province=r.temp_province,
            temp_commune=r.temp_commune,
            workplace=r.workplace,
            phone=r.phone,
            source=Source.ABSENT_LIST,
        )


def state() -> tuple[list[Any], list[Any], list[Any]]:
    """Persons, residence records and review pairs, comparable across two runs."""
    persons = {}
    for p in Person.objects.filter(merged_into__isnull=True):
        key = (p.full_name, p.id_number or "", str(p.birth_date), p.birth_year or 0, p.phone)
        persons[p.pk] = key
    out_persons = sorted(
        (
            persons[p.pk],
            p.sex,
            p.workplace,
            p.residence_status,
            p.source,
            p.province_id or 0,
            p.district_id or 0,
            p.commune_id or 0,
            p.village_id or 0,
        )
        for p in Person.objects.filter(merged_into__isnull=True)
    )
    records = sorted(
        (
            persons[r.person_id],
            r.status,
            str(r.started_on),
            str(r.ended_on),
            r.temp_address,
            r.temp_province_id or 0,
            r.temp_commune_id or 0,
            r.workplace,
            r.phone,
            r.source,
        )
        for r in ResidenceRecord.objects.all()
    )
    pairs = sorted(
        tuple(sorted([persons[d.person_a_id], persons[d.person_b_id]])) for d in DuplicateCandidate.objects.all()
    )
    return out_persons, records, pairs
