"""Reading an uploaded CSV or Excel file into rows, and writing import templates.

Headers are matched diacritic- and case-insensitively against a few aliases, so "Mã xã",
"MA XA" and "ma_xa" are the same column. Rows are numbered as the user sees them in the
spreadsheet (the header is row 1 when it is the first line). Problems with the file itself
raise :class:`FileProblem` with a translated message; problems with a row are the caller's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_ROWS = 100_000
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"MZ")
_SEPARATORS = re.compile(r"[\s_\-./]+")


class FileProblem(Exception):
    """The file as a whole cannot be used (unreadable, empty, wrong headers). Nothing is written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Vietnamese header written in templates
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        folded = header_key(header)
        return folded in {header_key(self.header), *(header_key(a) for a in self.aliases)}


@dataclass
class Table:
    header_row: int
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, {column key: text})


def header_key(text: str) -> str:
    from phongdich.core.text import fold

    return _SEPARATORS.sub(" ", fold(text)).strip()


def cell_text(value: Any) -> str:
    """A cell as text: 3124.0 (a number typed in Excel) → "3124"; None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _excel_rows(data: bytes) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # any parser error: the file is not a workbook we can read
        raise FileProblem(_("The file is not a readable Excel workbook.")) from exc
    yield from rows


def _decode(data: bytes) -> str:
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")  # Vietnamese Windows code page, common in old CSV exports
    except UnicodeDecodeError as exc:
        raise FileProblem(_("The file is not a spreadsheet (Excel or CSV).")) from exc


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    if any(data.startswith(m) for m in _BINARY_MAGIC) or (
        b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff")
    ):
        raise FileProblem(_("The file is not a spreadsheet (Excel or CSV)."))
    text = _decode(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error as exc:
        raise FileProblem(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def read_rows(filename: str, data: bytes) -> Iterator[list[Any]]:
    """Raw rows of the first sheet of an .xlsx/.xls/.ods workbook or of a CSV file."""
    if not data or not data.strip():
        raise FileProblem(_("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return _excel_rows(data)
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
        raise FileProblem(_("The file is not a readable Excel workbook."))
    return _csv_rows(data)


def read_table(filename: str, data: bytes, columns: Sequence[Column]) -> Table:
    """Find the header row, check the required columns, return the non-empty data rows."""
    rows = read_rows(filename, data)
    header_row = 0
    index: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        headers = [cell_text(v) for v in raw]
        if not any(headers):
            continue
        header_row = number
        for col in columns:
            for i, h in enumerate(headers):
                if h and col.matches(h):
                    index.setdefault(col.key, i)
        break
    if not header_row:
        raise FileProblem(_("The file is empty."))
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        raise FileProblem(
            _("Missing columns: %(missing)s. Use the template: its first row holds the column names.")
            % {"missing": ", ".join(f"“{m}”" for m in missing)}
        )
    out: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(rows, start=header_row + 1):
        values = {key: cell_text(raw[i]) if i < len(raw) else "" for key, i in index.items()}
        if not any(values.values()):
            continue
        out.append((number, values))
        if len(out) > MAX_ROWS:
            raise FileProblem(_("Too many rows: at most %(n)s per file.") % {"n": f"{MAX_ROWS:n}"})
    if not out:
        raise FileProblem(_("The file has column names but no rows."))
    return Table(header_row, out)
