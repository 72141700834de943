"""Fixtures for the geo tests: upload helpers (CSV and .xlsx built in memory)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest


def csv_bytes(rows: Sequence[Sequence[Any]], sep: str = ",", encoding: str = "utf-8") -> bytes:
    lines = [sep.join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


VILLAGE_HEADER = ["Mã xã", "Tên thôn/bản/tổ dân phố", "Loại", "Mã", "Dân số"]
POPULATION_HEADER = ["Mã đơn vị", "Dân số", "Cấp"]


@pytest.fixture
def admin_user(personas):
    from phongdich.core.roles import Role

    return personas[Role.ADMIN]
