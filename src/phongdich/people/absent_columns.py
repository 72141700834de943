"""The columns of an absent-citizen list (danh sách công dân tạm vắng) and their header variants.

The template, the import and the export all read this one table. A header in a file is
recognised whatever its case, diacritics, spacing or punctuation ("HỌ VÀ TÊN", "ho ten",
"Full name"), through ``header_key``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from phongdich.core.text import fold

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(text: object) -> str:
    """'Số CCCD/CMND' → 'socccdcmnd': folded, only letters and digits."""
    return _NOT_ALNUM.sub("", fold(str(text or "")))


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Vietnamese, as in the template
    required: bool
    aliases: tuple[str, ...]
    width: int = 18
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("stt", "STT", False, ("stt", "so thu tu", "tt", "no", "number", "#"), 6),
    Column(
        "full_name",
        "Họ và tên",
        True,
        ("ho va ten", "ho ten", "ten", "ho va ten cong dan", "full name", "name", "fullname"),
        26,
    ),
    Column(
        "id_number",
        "Số CCCD/CMND",
        True,
        (
            "so cccd/cmnd",
            "cccd/cmnd",
            "so cccd",
            "so cmnd",
            "cccd",
            "cmnd",
            "so cmnd/cccd",
            "cmnd/cccd",
            "so dinh danh",
            "so dinh danh ca nhan",
            "id number",
            "id",
            "citizen id",
        ),
        16,
        "12 chữ số (CCCD) hoặc 9 chữ số (CMND); nhập dạng văn bản để giữ số 0 đầu",
    ),
    Column(
        "birth",
        "Ngày sinh",
        True,
        (
            "ngay sinh",
            "ngay thang nam sinh",
            "nam sinh",
            "sinh ngay",
            "date of birth",
            "birth date",
            "birthdate",
            "dob",
        ),
        13,
        "dd/mm/yyyy hoặc năm sinh",
    ),
    Column("sex", "Giới tính", False, ("gioi tinh", "gioi", "sex", "gender"), 9, "Nam / Nữ"),
    Column(
        "phone",
        "Số điện thoại",
        False,
        ("so dien thoai", "dien thoai", "sdt", "so dt", "dt", "phone", "phone number", "telephone", "mobile"),
        14,
    ),
    Column(
        "village",
        "Thôn/bản/tổ dân phố",
        False,
        (
            "thon/ban/to dan pho",
            "thon/ban",
            "thon, ban, to dan pho",
            "thon",
            "ban",
            "to dan pho",
            "thon xom",
            "village",
        ),
        18,
    ),
    Column(
        "temp_address",
        "Địa chỉ tạm trú",
        False,
        ("dia chi tam tru", "noi tam tru", "dia chi noi tam tru", "cho o hien nay", "temporary address", "address"),
        32,
    ),
    Column(
        "temp_province",
        "Tỉnh tạm trú",
        True,
        (
            "tinh tam tru",
            "tinh/thanh pho tam tru",
            "tinh/tp tam tru",
            "tinh, thanh pho tam tru",
            "tinh",
            "tinh/thanh pho",
            "province",
            "temporary province",
            "province stayed in",
        ),
        18,
        "tên hoặc mã tỉnh",
    ),
    Column(
        "temp_commune",
        "Xã/phường tạm trú",
        False,
        (
            "xa/phuong tam tru",
            "phuong/xa tam tru",
            "xa/phuong/thi tran tam tru",
            "xa tam tru",
            "xa/phuong",
            "commune",
            "temporary commune",
            "commune stayed in",
        ),
        18,
        "tên hoặc mã xã (không bắt buộc)",
    ),
    Column(
        "workplace",
        "Nơi làm việc",
        False,
        ("noi lam viec", "noi cong tac", "co quan", "cong ty", "workplace", "employer", "place of work"),
        26,
    ),
    Column(
        "left_on",
        "Ngày đi",
        False,
        (
            "ngay di",
            "ngay di khoi dia phuong",
            "ngay tam vang",
            "tam vang tu ngay",
            "departure date",
            "date left",
            "left on",
        ),
        12,
        "dd/mm/yyyy (không bắt buộc)",
    ),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
HEADERS: list[str] = [c.header for c in COLUMNS]

# header_key(variant) → column key
HEADER_VARIANTS: dict[str, str] = {}
for _col in COLUMNS:
    for _text in (_col.header, _col.key, *_col.aliases):
        HEADER_VARIANTS.setdefault(header_key(_text), _col.key)


def map_headers(cells: list[object]) -> dict[str, int]:
    """{column key: index} for the recognised headers of one row (the first of each kind wins)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = HEADER_VARIANTS.get(header_key(cell))
        if key is not None and key not in found:
            found[key] = index
    return found
