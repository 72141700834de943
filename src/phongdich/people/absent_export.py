"""The downloadable template and the export of the consolidated list (Excel and CSV).

Exports carry Vietnamese headers (they go to checkpoints and offices as they are), the
person's district, commune and village, and dates as dd/mm/yyyy. Each export writes one
access-log row (channel "export", detail = the number of persons), not one per person.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from phongdich.core.audit import record_access
from phongdich.people.absent_columns import COLUMNS, HEADERS
from phongdich.people.models import ResidenceRecord, Sex

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

EXPORT_HEADERS = [
    "STT",
    "Họ và tên",
    "Số CCCD/CMND",
    "Ngày sinh",
    "Giới tính",
    "Số điện thoại",
    "Huyện",
    "Xã/phường",
    "Thôn/bản/tổ dân phố",
    "Địa chỉ tạm trú",
    "Tỉnh tạm trú",
    "Xã/phường tạm trú",
    "Nơi làm việc",
    "Ngày đi",
]
_WIDTHS = [6, 26, 16, 12, 9, 14, 22, 22, 20, 34, 18, 20, 28, 12]
_SEX = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
_FIELDS = (
    "person__full_name",
    "person__id_number",
    "person__birth_date",
    "person__birth_year",
    "person__sex",
    "phone",
    "person__phone",
    "person__district__name",
    "person__commune__name",
    "person__village__name",
    "temp_address",
    "temp_province__name",
    "temp_commune__name",
    "workplace",
    "started_on",
)


def dmy(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def local_phone(e164: str) -> str:
    """+84912345678 → 0912345678 (as people write it on paper)."""
    if e164.startswith("+84"):
        return "0" + e164[3:]
    return e164


def export_rows(qs: QuerySet[ResidenceRecord]) -> Iterator[list[Any]]:
    """The rows of an export, in the order of EXPORT_HEADERS."""
    values = qs.order_by("person__district__code", "person__commune__code", "person__name_key", "person_id")
    for number, row in enumerate(values.values_list(*_FIELDS).iterator(chunk_size=2000), start=1):
        (name, id_number, birth_date, birth_year, sex, phone, person_phone, district, commune, village) = row[:10]
        (temp_address, temp_province, temp_commune, workplace, started_on) = row[10:]
        yield [
            number,
            name,
            id_number or "",
            dmy(birth_date) if birth_date else (str(birth_year) if birth_year else ""),
            _SEX.get(sex, ""),
            local_phone(phone or person_phone or ""),
            district or "",
            commune or "",
            village or "",
            temp_address,
            temp_province or "",
            temp_commune or "",
            workplace,
            dmy(started_on),
        ]


def _filename(unit: AdminUnit | None, ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    code = unit.code if unit is not None else "all"
    return f"danh-sach-tam-vang-{code}-{stamp}.{ext}"


def export_csv(user: User, qs: QuerySet[ResidenceRecord], unit: AdminUnit | None) -> StreamingHttpResponse:
    count = qs.count()
    if unit is not None:
        record_access(user, unit, "export", detail=f"{count}")
    else:
        _record_export_without_unit(user, count)

    def stream() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # so that Excel opens it as UTF-8
        writer.writerow(EXPORT_HEADERS)
        for row in export_rows(qs):
            writer.writerow(row)
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(stream(), content_type=CSV)
    response["Content-Disposition"] = f'attachment; filename="{_filename(unit, "csv")}"'
    return response


def export_xlsx(user: User, qs: QuerySet[ResidenceRecord], unit: AdminUnit | None) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    count = qs.count()
    if unit is not None:
        record_access(user, unit, "export", detail=f"{count}")
    else:
        _record_export_without_unit(user, count)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tạm vắng")
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export_rows(qs):
        sheet.append(row)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to FileResponse
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=_filename(unit, "xlsx"), content_type=XLSX)


def _record_export_without_unit(user: User, count: int) -> None:
    """A superuser without a unit exports everything: log it against the user."""
    record_access(user, user, "export", detail=f"{count}")


# ---------------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------------

_EXAMPLE = [
    1,
    "Lò Văn Minh",
    "011090001234",
    "15/03/1990",
    "Nam",
    "0912345678",
    "",
    "Số 12 đường Trần Phú, phường Bến Thành",
    "Thành phố Hồ Chí Minh",
    "",
    "Công ty TNHH ABC",
    "01/02/2021",
]


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Danh sách"
    sheet.append(HEADERS)
    fill = PatternFill("solid", fgColor="DCF1E5")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="9B2C1F" if column.required else "1C2530")
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("id_number", "phone", "birth", "left_on"):
            # Text cells keep the leading 0 of ID numbers and phones.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Bắt buộc", "Ghi chú"])
    for column in COLUMNS:
        guide.append([column.header, "Có" if column.required else "Không", column.note])
    guide.append([])
    guide.append(["Ví dụ một dòng (không nhập dòng này vào danh sách):"])
    guide.append(HEADERS)
    guide.append(_EXAMPLE)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 60
    for cell in guide[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(HEADERS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_response(fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(template_csv(), content_type=CSV)
        response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-tam-vang.csv"'
        return response
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-tam-vang.xlsx"'
    return response
