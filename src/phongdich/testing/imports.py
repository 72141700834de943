"""A laboratory's results file (Excel or CSV): read with geo.tabular, applied with results.apply_rows.

Columns (headers matched without diacritics or case): "Mã ống mẫu" (barcode), "Kết quả"
(Dương tính / Âm tính / Không xác định, or positive / negative / invalid), optional "Giá trị Ct"
and "Thời gian trả kết quả" (dd/mm/yyyy hh:mm; now when empty). A file that cannot be used
(not a spreadsheet, empty, missing columns) raises FileProblem and writes nothing. Each bad row
is reported (row, column, message in the viewer's language) and nothing is written for it; the
good rows are written. The same file again writes nothing: every row is "unchanged".
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import time
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongdich.core.audit import record_change
from phongdich.geo.tabular import Column, FileProblem, read_table
from phongdich.testing import rules
from phongdich.testing.models import Laboratory, ResultImport, ResultSource
from phongdich.testing.results import Applied, Problem, ResultRow, apply_rows

if TYPE_CHECKING:
    from phongdich.core.models import User

__all__ = ["COLUMNS", "FileProblem", "import_results", "report_rows"]

COLUMNS = (
    Column("barcode", "Mã ống mẫu", ("ma mau", "ma ong", "ma vach", "barcode", "tube barcode", "ma so mau")),
    Column("outcome", "Kết quả", ("ket qua xet nghiem", "result", "outcome")),
    Column("ct", "Giá trị Ct", ("ct", "ct value", "chi so ct"), required=False),
    Column(
        "resulted_at",
        "Thời gian trả kết quả",
        ("ngay tra ket qua", "resulted at", "result time", "ngay co ket qua"),
        required=False,
    ),
)
FIELD_LABELS = {
    "barcode": gettext_lazy("Tube barcode"),
    "outcome": gettext_lazy("Result"),
    "ct": gettext_lazy("Ct value"),
    "resulted_at": gettext_lazy("Result time"),
}
_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@functools.lru_cache(maxsize=4096)
def parse_when(text: str) -> datetime.datetime | None:
    """A result time as written in a lab file (local time); None when empty; ValueError when not a time."""
    text = (text or "").strip()
    if not text:
        return None
    value: datetime.datetime | None = None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        for fmt in _FORMATS:
            try:
                value = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if value is None:
        raise ValueError(text)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _parse(number: int, cells: dict[str, str], problems: list[Problem]) -> ResultRow | None:
    barcode = rules.clean_barcode(cells.get("barcode"))
    raw_outcome = cells.get("outcome", "")
    outcome = rules.parse_outcome(raw_outcome) or ("" if not raw_outcome.strip() else "?")
    try:
        ct = rules.parse_ct(cells.get("ct", ""))
    except ValueError:
        problems.append(Problem(number, "ct", "ct_invalid"))
        return None
    try:
        when = parse_when(cells.get("resulted_at", ""))
    except ValueError:
        problems.append(Problem(number, "resulted_at", "when_invalid"))
        return None
    return ResultRow(barcode, outcome, ct, when, number)


def import_results(actor: User | None, lab: Laboratory, filename: str, data: bytes) -> ResultImport:
    """Read and apply a results file; returns the import record with its counts and report.

    Raises FileProblem (nothing written) when the file as a whole cannot be used.
    """
    started = time.perf_counter()
    table = read_table(filename, data, COLUMNS)
    problems: list[Problem] = []
    rows = [r for number, cells in table.rows if (r := _parse(number, cells, problems)) is not None]
    applied: Applied = apply_rows(actor, lab, rows, ResultSource.IMPORT)
    problems.extend(applied.problems)
    problems.sort(key=lambda p: p.row)
    record = ResultImport.objects.create(
        lab=lab,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        rows_total=len(table.rows),
        rows_written=applied.written,
        rows_unchanged=applied.unchanged,
        rows_rejected=len(problems),
        positives=applied.positives,
        proposals=applied.proposals,
        queued=applied.queued,
        errors=[p.as_json() for p in problems[:5000]],
        seconds=round(time.perf_counter() - started, 3),
    )
    record_change(actor, "results.import", record, None, {"rows": record.rows_total, "written": record.rows_written})
    return record


def report_rows(record: ResultImport) -> list[dict[str, Any]]:
    """The import's bad rows with the column and message in the active language."""
    return [
        {
            "row": err.get("row"),
            "column": str(FIELD_LABELS.get(err.get("field", ""), err.get("field", ""))),
            "field": err.get("field", ""),
            "code": err.get("code", ""),
            "message": rules.row_message(err.get("code", ""), err.get("params")),
        }
        for err in record.errors or []
    ]


def template_csv() -> bytes:
    header = ",".join(c.header for c in COLUMNS)
    return (header + "\nDB-0000001,Âm tính,,10/08/2021 14:30\nDB-0000002,Dương tính,24.5,10/08/2021 14:30\n").encode(
        "utf-8-sig"
    )
