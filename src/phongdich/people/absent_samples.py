"""Synthetic absent-citizen lists, for tests, the demo and the import benchmark.

``build_sample_file(n, unit, seed=0, fmt="xlsx") -> bytes`` makes a valid file of ``n`` rows
for ``unit`` (a commune or a village) with the template's headers: distinct plausible
CCCD numbers, Vietnamese names, birth dates, mobile phones, villages of the commune,
provinces of the same hierarchy version.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from typing import Any

from phongdich.geo.models import AdminUnit, Level
from phongdich.people.absent_columns import HEADERS

_FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Lò",
    "Quàng",
    "Lường",
    "Giàng",
    "Vàng",
    "Sùng",
    "Cà",
    "Tòng",
    "Lý",
    "Hà",
    "Mùa",
]
_MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "A", "Seo", "Hữu", "Xuân"]
_MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Mai", "Kim", "Hồng"]
_GIVEN_M = [
    "Hùng",
    "Dũng",
    "Tuấn",
    "Nam",
    "Sơn",
    "Phong",
    "Long",
    "Chứ",
    "Páo",
    "Dế",
    "Khánh",
    "Thắng",
    "Hải",
    "Bình",
    "Cường",
    "Toàn",
]
_GIVEN_F = [
    "Lan",
    "Hương",
    "Mai",
    "Dung",
    "Hoa",
    "Mỷ",
    "Dở",
    "Chi",
    "Thảo",
    "Linh",
    "Trang",
    "Nga",
    "Yến",
    "Hằng",
    "Vân",
    "Ly",
]
_WORK = [
    "Công ty TNHH Samsung Electronics Việt Nam",
    "KCN Quang Châu, Bắc Giang",
    "Công ty giày da Pou Yuen",
    "Làm tự do",
    "Công ty may Việt Tiến",
    "KCN VSIP Bình Dương",
    "Công trình xây dựng",
    "Nhà hàng",
    "",
]
_STREETS = ["Nguyễn Trãi", "Lê Lợi", "Trần Phú", "Hoàng Văn Thụ", "Quang Trung", "Hùng Vương", "Điện Biên Phủ"]
_MOBILE = [
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "86",
    "96",
    "97",
    "98",
    "91",
    "94",
    "88",
    "83",
    "84",
    "85",
    "70",
    "76",
    "77",
    "78",
    "79",
    "90",
    "93",
    "56",
    "58",
    "59",
]


def sample_rows(n: int, unit: AdminUnit, seed: int = 0) -> list[list[Any]]:
    """``n`` rows in the template's column order (see absent_columns.COLUMNS)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    commune = unit if unit.level == Level.COMMUNE else unit.commune
    villages = list(AdminUnit.objects.filter(level=Level.VILLAGE, commune=commune).values_list("name", flat=True))
    if unit.level == Level.VILLAGE:
        villages = [unit.name]
    provinces = list(
        AdminUnit.objects.filter(version=unit.version, level=Level.PROVINCE)
        .exclude(pk=unit.province_id or 0)
        .values_list("name", "code")
    ) or list(AdminUnit.objects.filter(version=unit.version, level=Level.PROVINCE).values_list("name", "code"))
    home_code = int(unit.province.code) if unit.province is not None and unit.province.code.isdigit() else 11
    today = datetime.date.today()  # noqa: DTZ011 - a calendar date for synthetic data
    base = rng.randrange(0, 400_000)
    rows: list[list[Any]] = []
    seen: set[tuple[str, datetime.date]] = set()
    for i in range(n):
        while True:  # the same name and birth date twice would be a duplicate row
            female = rng.random() < 0.5
            name = " ".join(
                [
                    rng.choice(_FAMILY),
                    rng.choice(_MIDDLE_F if female else _MIDDLE_M),
                    rng.choice(_GIVEN_F if female else _GIVEN_M),
                ]
            )
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 45))
            if (name, birth) not in seen:
                seen.add((name, birth))
                break
        century = 0 if birth.year < 2000 else 2
        # Distinct within the file: the serial is the row index offset by a seeded base.
        id_number = f"{home_code:03d}{century + (1 if female else 0)}{birth.year % 100:02d}{(base + i) % 1_000_000:06d}"
        phone = "0" + rng.choice(_MOBILE) + f"{rng.randrange(0, 10_000_000):07d}"
        province_name, _code = rng.choice(provinces)
        rows.append(
            [
                i + 1,
                name,
                id_number,
                birth.strftime("%d/%m/%Y") if rng.random() < 0.95 else str(birth.year),
                "Nữ" if female else "Nam",
                phone,
                rng.choice(villages) if villages else "",
                f"Số {rng.randrange(1, 300)} đường {rng.choice(_STREETS)}",
                province_name,
                "",
                rng.choice(_WORK),
                (today - datetime.timedelta(days=rng.randrange(1, 400))).strftime("%d/%m/%Y"),
            ]
        )
    return rows


def build_sample_file(n: int, unit: AdminUnit, seed: int = 0, fmt: str = "xlsx") -> bytes:
    """A valid absent-citizen list of ``n`` synthetic rows for ``unit``, as .xlsx or .csv bytes."""
    return rows_to_file(sample_rows(n, unit, seed), fmt)


def rows_to_file(rows: list[list[Any]], fmt: str = "xlsx", headers: list[str] | None = None) -> bytes:
    """Rows under the template's headers (or ``headers``) as an .xlsx or a UTF-8 .csv file."""
    headers = HEADERS if headers is None else headers
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
