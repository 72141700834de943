"""Streaming exports of the line lists: Excel (.xlsx) and CSV, in constant memory.

Exports go to offices as they are: Vietnamese headers, dates as dd/mm/yyyy, the person's
district and commune. They must not fail at 1,000,000 rows, so nothing is built in memory
or on disk:

- rows come from ``values_list(...).iterator(chunk_size=2000)`` (a server-side cursor on
  PostgreSQL), so the database rows are fetched in chunks and never all held;
- CSV is written row by row (UTF-8 with a BOM, so Excel opens Vietnamese correctly) and
  handed out in ~64 KB pieces;
- Excel is written by a small SpreadsheetML writer straight into a ZIP stream
  (``zipfile`` on an unseekable sink uses data descriptors), handed out piece by piece as it
  is compressed. openpyxl's write-only mode would hold the sheet in a temporary file and send
  the first byte only once every row is written, which at a million rows outlasts proxy and
  worker timeouts; this writer sends the first bytes at once. A sheet holds at most
  1,048,575 data rows (Excel's limit); further rows continue on "(2)", "(3)"… sheets.
  Dates are real date cells shown as dd/mm/yyyy, so they sort and filter in Excel.

Each export writes one access-log row (channel "export", detail = the number of rows).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from phongdich.cases.models import Case, ClinicalStatus, DetectedBy, Outcome
from phongdich.people.models import Sex
from phongdich.policy.models import Handling
from phongdich.tracing.linelists import initials, log_view
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
CHUNK = 64 * 1024
DB_CHUNK = 2000
SHEET_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text | int | date


# Export texts are Vietnamese whatever the user's language: the files go to offices as they are.
_SEX = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
_DETECTED = {
    DetectedBy.COMMUNITY: "Cộng đồng",
    DetectedBy.QUARANTINE: "Trong khu cách ly",
    DetectedBy.CHECKPOINT: "Tại chốt kiểm soát",
    DetectedBy.SCREENING: "Sàng lọc",
    DetectedBy.SELF_REPORTED: "Tự khai báo",
}
_CLINICAL = {
    ClinicalStatus.ASYMPTOMATIC: "Không triệu chứng",
    ClinicalStatus.MILD: "Nhẹ",
    ClinicalStatus.MODERATE: "Trung bình",
    ClinicalStatus.SEVERE: "Nặng",
    ClinicalStatus.CRITICAL: "Nguy kịch",
}
_OUTCOME = {Outcome.UNDER_TREATMENT: "Đang điều trị", Outcome.RECOVERED: "Khỏi bệnh", Outcome.DIED: "Tử vong"}
_STATUS = {"confirmed": "Đã xác định", "ruled_out": "Đã loại trừ"}
_HANDLING = {
    Handling.HOSPITAL: "Cách ly, điều trị tại bệnh viện",
    Handling.CENTRALISED: "Cách ly tập trung",
    Handling.HOME: "Cách ly tại nhà",
    Handling.SELF_MONITOR: "Tự theo dõi sức khỏe tại nhà",
    Handling.NONE: "Không áp dụng biện pháp",
}

CASE_COLUMNS = [
    Column("STT", 7, "int"),
    Column("Mã ca bệnh", 12),
    Column("Mã BN", 11),
    Column("Họ và tên", 26),
    Column("Năm sinh", 9, "int"),
    Column("Giới tính", 9),
    Column("Huyện", 22),
    Column("Xã/phường", 22),
    Column("Ngày khởi phát", 13, "date"),
    Column("Ngày lấy mẫu", 13, "date"),
    Column("Ngày xác định", 13, "date"),
    Column("Phát hiện tại", 18),
    Column("Nguồn lây", 20),
    Column("Tình trạng lâm sàng", 18),
    Column("Kết quả điều trị", 15),
    Column("Ngày kết quả", 13, "date"),
    Column("Ổ dịch", 24),
    Column("Trạng thái", 13),
]

CONTACT_COLUMNS = [
    Column("STT", 7, "int"),
    Column("Họ và tên", 26),
    Column("Năm sinh", 9, "int"),
    Column("Giới tính", 9),
    Column("Phân loại", 9),
    Column("Ca bệnh gốc (F0)", 14),
    Column("Tiếp xúc với", 26),
    Column("Ngày tiếp xúc", 13, "date"),
    Column("Biện pháp", 26),
    Column("Đến ngày", 13, "date"),
    Column("Huyện", 22),
    Column("Xã/phường", 22),
    Column("Ổ dịch", 24),
]

_CASE_FIELDS = (
    "code",
    "national_code",
    "person__full_name",
    "person__birth_year",
    "person__birth_date",
    "person__sex",
    "district__name",
    "commune__name",
    "onset_date",
    "sample_date",
    "confirmed_on",
    "detected_by",
    "source_known",
    "source_note",
    "clinical_status",
    "outcome",
    "outcome_date",
    "cluster__name",
    "status",
)


def case_rows(qs: QuerySet[Case]) -> Iterator[list[Any]]:
    """The rows of a case export, in the order of CASE_COLUMNS."""
    for number, row in enumerate(qs.values_list(*_CASE_FIELDS).iterator(chunk_size=DB_CHUNK), start=1):
        (code, bn, name, birth_year, birth_date, sex, district, commune, onset, sample, confirmed) = row[:11]
        (detected, known, source_note, clinical, outcome, outcome_date, cluster, status) = row[11:]
        source = ("Đã rõ" + (f": {source_note}" if source_note else "")) if known else "Chưa rõ nguồn lây"
        yield [
            number,
            code,
            bn,
            name,
            birth_year or (birth_date.year if birth_date else None),
            _SEX.get(sex, ""),
            district or "",
            commune or "",
            onset,
            sample,
            confirmed,
            _DETECTED.get(detected, detected),
            source,
            _CLINICAL.get(clinical, clinical),
            _OUTCOME.get(outcome, outcome),
            outcome_date,
            cluster or "",
            _STATUS.get(status, status),
        ]


def contact_rows(user: User, qs: QuerySet[PersonLevel]) -> Iterator[list[Any]]:
    """The rows of an F-person export, in the order of CONTACT_COLUMNS. The person a level
    came through is named only when inside the user's unit (initials otherwise)."""
    own_level = user.unit.level if user.unit is not None else None
    via_unit = f"via_person__{own_level}_id" if own_level else "via_person_id"
    fields = (
        "person__full_name",
        "person__birth_year",
        "person__birth_date",
        "person__sex",
        "level",
        "case__code",
        "via_person__full_name",
        via_unit,
        "exposed_on",
        "handling",
        "handling_until",
        "person__district__name",
        "person__commune__name",
        "case__cluster__name",
    )
    for number, row in enumerate(qs.values_list(*fields).iterator(chunk_size=DB_CHUNK), start=1):
        (name, birth_year, birth_date, sex, level, case_code, via_name, via_unit_id, exposed) = row[:9]
        (handling, until, district, commune, cluster) = row[9:]
        if via_name is None:
            via = case_code or ""
        elif own_level is None and user.is_superuser:
            via = via_name
        else:
            via = via_name if via_unit_id == user.unit_id else initials(via_name)
        yield [
            number,
            name,
            birth_year or (birth_date.year if birth_date else None),
            _SEX.get(sex, ""),
            f"F{level}",
            case_code or "",
            via,
            exposed,
            _HANDLING.get(handling, handling),
            until,
            district or "",
            commune or "",
            cluster or "",
        ]


# ---------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------


def filename(stem: str, unit: AdminUnit | None, ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    code = unit.code if unit is not None else "all"
    return f"{stem}-{code}-{stamp}.{ext}"


def export_cases(user: User, qs: QuerySet[Case], unit: AdminUnit | None, fmt: str) -> StreamingHttpResponse:
    log_view(user, unit, "export", "case line list", qs.count())
    name = filename("danh-sach-ca-benh", unit, fmt)
    if fmt == "csv":
        return csv_response(CASE_COLUMNS, case_rows(qs), name)
    return xlsx_response(CASE_COLUMNS, case_rows(qs), name, "Ca bệnh")


def export_contacts(user: User, qs: QuerySet[PersonLevel], unit: AdminUnit | None, fmt: str) -> StreamingHttpResponse:
    log_view(user, unit, "export", "F-person line list", qs.count())
    name = filename("danh-sach-f1-f2-f3", unit, fmt)
    if fmt == "csv":
        return csv_response(CONTACT_COLUMNS, contact_rows(user, qs), name)
    return xlsx_response(CONTACT_COLUMNS, contact_rows(user, qs), name, "F1-F2-F3")


def _attachment(response: StreamingHttpResponse, name: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _dmy(value: Any) -> Any:
    return value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else ("" if value is None else value)


def csv_stream(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so that Excel opens it as UTF-8
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_dmy(v) for v in row])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(columns: Sequence[Column], rows: Iterable[Sequence[Any]], name: str) -> StreamingHttpResponse:
    return _attachment(StreamingHttpResponse(csv_stream(columns, rows), content_type=CSV), name)


def xlsx_response(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], name: str, sheet: str
) -> StreamingHttpResponse:
    return _attachment(StreamingHttpResponse(xlsx_stream(columns, rows, sheet), content_type=XLSX), name)


# ---------------------------------------------------------------------------------------------
# The streaming .xlsx writer
# ---------------------------------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EPOCH = datetime.date(1899, 12, 30)
# Characters XML 1.0 does not allow (they would make Excel refuse the file).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STYLE_HEADER = 1
_STYLE_DATE = 2

_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDCF1E5"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _text(value: str) -> str:
    value = escape(_ILLEGAL.sub("", value))
    if value[:1].isspace() or value[-1:].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


class _Sink:
    """An unseekable file for ZipFile: it keeps what is written until it is taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _sheet_start(columns: Sequence[Column]) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>' for i, c in enumerate(columns, start=1)
    )
    header = "".join(
        f'<c r="{_letters(i)}1" t="inlineStr" s="{_STYLE_HEADER}">{_text(c.header)}</c>' for i, c in enumerate(columns)
    )
    return (
        f'{_HEAD}<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData><row r="1">{header}</row>'
    )


_SHEET_END = "</sheetData></worksheet>"


def _cell_writers(columns: Sequence[Column]) -> list[Callable[[Any, int], str]]:
    writers: list[Callable[[Any, int], str]] = []
    for index, column in enumerate(columns):
        ref = _letters(index)

        def cell(value: Any, row: int, ref: str = ref, kind: str = column.kind) -> str:
            if value is None or value == "":
                return ""
            if kind == "date" and isinstance(value, datetime.date):
                return f'<c r="{ref}{row}" s="{_STYLE_DATE}"><v>{(value - _EPOCH).days}</v></c>'
            if kind == "int" and isinstance(value, int):
                return f'<c r="{ref}{row}"><v>{value}</v></c>'
            return f'<c r="{ref}{row}" t="inlineStr">{_text(str(value))}</c>'

        writers.append(cell)
    return writers


def _sheet_name(base: str, number: int) -> str:
    name = base if number == 1 else f"{base} ({number})"
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


def xlsx_stream(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet: str = "Danh sách", sheet_rows: int = SHEET_ROWS
) -> Iterator[bytes]:
    """An .xlsx file as a stream of byte pieces; memory stays constant whatever the row count."""
    sink = _Sink()
    writers = _cell_writers(columns)
    start = _sheet_start(columns).encode("utf-8")
    names: list[str] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as archive:
        iterator = iter(rows)
        row = next(iterator, None)
        while True:
            names.append(_sheet_name(sheet, len(names) + 1))
            with archive.open(f"xl/worksheets/sheet{len(names)}.xml", "w", force_zip64=True) as entry:
                entry.write(start)
                pending: list[str] = []
                size = 0
                row_number = 1
                while row is not None and row_number <= sheet_rows:
                    row_number += 1
                    cells = "".join(write(value, row_number) for write, value in zip(writers, row, strict=False))
                    line = f'<row r="{row_number}">{cells}</row>'
                    pending.append(line)
                    size += len(line)
                    if size > CHUNK:
                        entry.write("".join(pending).encode("utf-8"))
                        pending.clear()
                        size = 0
                        data = sink.take()
                        if data:
                            yield data
                    row = next(iterator, None)
                pending.append(_SHEET_END)
                entry.write("".join(pending).encode("utf-8"))
            data = sink.take()
            if data:
                yield data
            if row is None:  # otherwise this sheet is full: the next rows go on a new sheet
                break
        sheets = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(names, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>{sheets}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL_NS}">{rels}'
            f'<Relationship Id="rId{len(names) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr(
            "_rels/.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
    data = sink.take()
    if data:
        yield data
