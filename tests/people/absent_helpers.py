"""Helpers shared by the absent-list tests (imported by tests/people/test_absent_*.py)."""

from __future__ import annotations

from typing import Any

from phongdich.core.models import AccessLog, AuditLog
from phongdich.people.absent_samples import rows_to_file
from phongdich.people.models import AbsentListUpload, DuplicateCandidate, Person, ResidenceRecord


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
