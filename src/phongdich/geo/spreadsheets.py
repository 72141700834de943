"""Import templates (.xlsx, Vietnamese headers) for villages and population figures."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from phongdich.geo.actions import POPULATION_COLUMNS, VILLAGE_COLUMNS
from phongdich.geo.models import LEVEL_DEPTH, AdminUnit, Level
from phongdich.geo.queries import subtree
from phongdich.geo.tabular import Column

LEVEL_WORD = {Level.PROVINCE: "tỉnh", Level.DISTRICT: "huyện", Level.COMMUNE: "xã", Level.VILLAGE: "thôn"}

VILLAGE_NOTES = (
    "MẪU NHẬP DANH SÁCH THÔN, BẢN, TỔ DÂN PHỐ",
    "Mỗi dòng là một thôn/bản/tổ dân phố. Dòng đầu tiên giữ nguyên tên cột.",
    "Mã xã: mã 5 chữ số của xã/phường/thị trấn (xem trang “Danh sách xã”). Bắt buộc.",
    "Tên thôn/bản/tổ dân phố: ví dụ “Bản Na Sang 1”, “Tổ dân phố 3”. Bắt buộc.",
    "Loại: thôn, bản, tổ dân phố, xóm, ấp, khu phố… Để trống thì lấy theo tên.",
    "Mã: để trống thì hệ thống tự cấp mã dạng <mã xã>-001, -002…",
    "Dân số: số người (số nguyên, không âm). Không bắt buộc.",
    "Tải lên lại cùng một tệp không tạo thêm bản ghi nào. Dòng lỗi được báo theo số dòng và không được ghi.",
)

POPULATION_NOTES = (
    "MẪU NHẬP DÂN SỐ THEO ĐƠN VỊ HÀNH CHÍNH",
    "Các đơn vị trong địa bàn của bạn đã được điền sẵn. Điền cột “Dân số” cho đơn vị cần cập nhật.",
    "Dòng để trống cột “Dân số” được bỏ qua.",
    "Dân số của đơn vị cấp trên = số liệu của chính đơn vị đó nếu có, nếu không thì bằng tổng các đơn vị cấp dưới.",
    "Cấp: tỉnh, huyện, xã, thôn. Chỉ cần khi mã bị mất số 0 ở đầu (ô định dạng số).",
)


def _workbook(columns: Sequence[Column], rows: Iterable[Sequence[Any]], notes: Iterable[str]) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách"
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for i, col in enumerate(columns, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = max(14, len(col.header) + 6)
        if col.key in ("code", "commune_code"):
            for r in range(2, max(ws.max_row, 500) + 1):  # text, so that leading zeros stay
                ws.cell(row=r, column=i).number_format = "@"
    info = wb.create_sheet("Hướng dẫn")
    for line in notes:
        info.append([line])
    info.column_dimensions["A"].width = 110
    info["A1"].font = Font(bold=True)
    return wb


def _save(wb: Any) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _in(unit: AdminUnit | None) -> Any:
    if unit is None:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(subtree(unit), version=unit.version)


def villages_template(unit: AdminUnit | None) -> bytes:
    wb = _workbook(VILLAGE_COLUMNS, [], VILLAGE_NOTES)
    sheet = wb.create_sheet("Danh sách xã")
    sheet.append(["Mã xã", "Tên xã/phường/thị trấn", "Thuộc"])
    communes = _in(unit).filter(level=Level.COMMUNE).select_related("parent").order_by("code")
    for c in communes:
        sheet.append([c.code, c.name, c.parent.name if c.parent else ""])
    for col, width in (("A", 10), ("B", 36), ("C", 36)):
        sheet.column_dimensions[col].width = width
    return _save(wb)


def population_template(unit: AdminUnit | None) -> bytes:
    units = sorted(_in(unit).only("code", "name", "level", "population"), key=lambda u: (LEVEL_DEPTH[u.level], u.code))
    rows = [(u.code, u.population, LEVEL_WORD[Level(u.level)], u.name) for u in units]
    return _save(_workbook(POPULATION_COLUMNS, rows, POPULATION_NOTES))
