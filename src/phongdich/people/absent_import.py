"""Import of an absent-citizen list (danh sách công dân tạm vắng) of a commune or a village.

``import_absent_list(actor, unit, filename, data)`` reads an .xlsx/.xls/.ods or .csv file,
validates every row, and for the good rows finds or creates the person and marks them
temporarily absent. A bad row writes nothing; the upload keeps a report of every bad row
(row number as in the spreadsheet, column, message).

The per-row meaning is exactly that of ``actions.intake_person`` followed by
``actions.set_residence`` (tests/people/test_absent_bulk_equivalence.py checks it), but the
work is done in bulk so that 100,000 rows import in seconds. In one transaction, chunk by chunk
of good rows (_Pipeline), so that Python and the database work at the same time:

1. parse the file, then validate the rows in Python (no query per row);
2. load, for each chunk, the active persons with its ID numbers and those with its names and
   birth dates, and their open residence records (_Loader), while the next chunk is validated;
3. run the matching rules of ``people.matching`` row by row in memory (rows earlier in the
   file are seen by later ones, as they would be one by one);
4. write the persons each chunk created, with their residence records (PostgreSQL: COPY, its
   text made column by column), while the next chunks are validated and planned; at the end
   the filled-in fields and new statuses of known persons, their closed and new residence
   records, duplicate-review pairs and their audit rows.

On PostgreSQL the writes run in a thread (absent_worker.DbWorker) on the import's connection,
and the reads of step 2 in another thread on a second connection (a second server process): it
sees only committed rows, which are what they would see in the transaction, since the matcher
keeps this file's own persons in memory. Inside a caller's transaction (a test's) both run on
the import's connection. The cyclic garbage collector is off meanwhile (see _no_cyclic_gc).

Audit: one ``absent_upload.import`` row for the upload (who, which unit and file, its counts),
one ``person.fill`` row per existing person whose missing fields were filled in and one
``person.residence`` row per existing person whose status changed. A person the list creates
gets no audit row of its own: the import is one act, and the person's residence record says
which upload and row created it and who uploaded it (``source`` = absent list), while the
person's values at creation are the row's. Every change can be traced back to its file and row.

The same file uploaded twice to the same unit changes nothing: the first upload is returned.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime
import functools
import gc
import hashlib
import heapq
import io
import json
import operator
import os
import re
import threading
import time
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from phongdich.core.access import require, unit_in_scope
from phongdich.core.audit import record_change
from phongdich.core.models import AuditLog
from phongdich.core.roles import Perm
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.scoping import lineage_columns
from phongdich.people.absent_columns import BY_KEY, COLUMNS, map_headers
from phongdich.people.absent_worker import DbWorker
from phongdich.people.matching import LIKELY, SAME_PERSON, Identity, score_pair
from phongdich.people.models import (
    AbsentListUpload,
    DuplicateCandidate,
    Person,
    ResidenceRecord,
    ResidenceStatus,
    Sex,
    Source,
)
from phongdich.people.validation import normalize_id_number, normalize_name, normalize_phone, parse_birth

if TYPE_CHECKING:
    from phongdich.core.models import User

CHUNK = 5000  # rows per statement where each value is a parameter (SQLite)


def _load_chunk() -> int:
    """Rows per matching query: on PostgreSQL a list goes as one parameter (see _ARRAY), so a
    chunk of the pipeline (LOAD_CHUNK rows) is one query of each kind; elsewhere the number of
    parameters is bounded."""
    return 50_000 if connection.vendor == "postgresql" else CHUNK


MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 20
TEXT_LIMITS = {"temp_address": 255, "workplace": 255}
ABSENT = ResidenceStatus.TEMPORARILY_ABSENT


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class AbsentUploadError(Exception):
    """A whole upload refused (nothing written). ``status`` is the HTTP status to answer."""

    status = 422

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


# Row-error codes → message (English source, translated when shown). The codes of
# people/validation.py keep its wording.
ROW_MESSAGES: dict[str, Promise] = {
    "id_digits": gettext_lazy("The ID number must contain digits only."),
    "id_length": gettext_lazy("The ID number must have 12 digits (CCCD) or 9 digits (CMND)."),
    "id_province": gettext_lazy("The first 3 digits of a CCCD must be a province code (001-096)."),
    "id_invalid": gettext_lazy("The ID number is not valid."),
    "phone_invalid": gettext_lazy("Not a valid phone number."),
    "name_required": gettext_lazy("The full name is required."),
    "name_long": gettext_lazy("The full name is too long (at most 120 characters)."),
    "name_digits": gettext_lazy("A name cannot contain digits."),
    "birth_year": gettext_lazy("The year of birth is not plausible."),
    "birth_format": gettext_lazy("Not a valid date (use dd/mm/yyyy)."),
    "birth_future": gettext_lazy("The date of birth is in the future."),
    "birth_old": gettext_lazy("The date of birth is not plausible."),
    "birth_required": gettext_lazy("The date of birth (or the year of birth) is required."),
    "sex_invalid": gettext_lazy("Write Nam or Nữ."),
    "province_required": gettext_lazy("The province where the person stays is required."),
    "province_unknown": gettext_lazy("No province has this name or code."),
    "commune_unknown": gettext_lazy("No commune of the province stayed in has this name or code."),
    "commune_ambiguous": gettext_lazy("Several communes of the province stayed in have this name: write its code."),
    "village_unknown": gettext_lazy("No village or residential group of %(unit)s has this name."),
    "village_ambiguous": gettext_lazy("Several villages of %(unit)s have this name: write its code."),
    "village_other": gettext_lazy("The list is uploaded for %(unit)s: leave this column empty or write that name."),
    "too_long": gettext_lazy("Too long (at most %(n)s characters)."),
    "left_format": gettext_lazy("Not a valid date (use dd/mm/yyyy)."),
    "left_future": gettext_lazy("The departure date is in the future."),
    "left_old": gettext_lazy("The departure date is not plausible."),
    "dup_id": gettext_lazy("The same ID number as row %(row)s."),
    "dup_name": gettext_lazy("The same name and date of birth as row %(row)s."),
    "invalid": gettext_lazy("Invalid value."),
}


def row_message(code: str, params: dict[str, Any] | None = None) -> str:
    """The message of a row error in the active language."""
    template = ROW_MESSAGES.get(code, ROW_MESSAGES["invalid"])
    text = str(template)
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return text
    return text


def report_errors(upload: AbsentListUpload) -> list[dict[str, Any]]:
    """The upload's bad rows with their messages in the active language."""
    return [
        {
            "row": err.get("row"),
            "column": err.get("column", ""),
            "field": err.get("field", ""),
            "code": err.get("code", ""),
            "message": row_message(err.get("code", ""), err.get("params")),
        }
        for err in upload.errors or []
    ]


@dataclass
class RowError:
    row: int
    field: str
    code: str
    params: dict[str, Any] | None = None

    def as_json(self, headers: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "row": self.row,
            "column": headers.get(self.field) or BY_KEY[self.field].header,
            "field": self.field,
            "code": self.code,
        }
        if self.params:
            out["params"] = self.params
        return out


# ---------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    """The data rows of the file: (spreadsheet row number, cells by column key)."""

    headers: dict[str, str]  # column key → header text as written in the file
    rows: list[tuple[int, tuple[Any, ...]]]  # cells in CELL_KEYS order (None: no such column)


# The cells of a data row, in the order RowValidator._row unpacks them (the STT column is not
# kept); tests/people/test_absent_import.py checks that these are the template's other columns.
CELL_KEYS = (
    "full_name",
    "id_number",
    "birth",
    "sex",
    "phone",
    "village",
    "temp_address",
    "temp_province",
    "temp_commune",
    "workplace",
    "left_on",
)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(filename: str, data: bytes) -> Table:
    """The header and data rows of an absent list, or AbsentUploadError (400/422)."""
    if not data or not data.strip():
        raise AbsentUploadError(_("The file is empty: there is nothing to import."), 422)
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        sheets = _workbook_rows(data)
    elif b"\x00" in data[:8192]:
        raise AbsentUploadError(_("This file is not a spreadsheet: upload an Excel (.xlsx) or CSV file."), 400)
    else:
        sheets = [_csv_rows(data)]
    for raw in sheets:
        table = _find_table(raw)
        if table is not None:
            return table
    raise AbsentUploadError(
        _("No header row found. The first row must hold the column names of the template: %(headers)s.")
        % {"headers": ", ".join(c.header for c in COLUMNS if c.required)},
        422,
    )


def _workbook_rows(data: bytes) -> list[list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for index in range(len(workbook.sheet_names)):
            sheet = workbook.get_sheet_by_index(index)
            sheets.append(sheet.to_python(skip_empty_area=False))
            if len(sheets[-1]) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise AbsentUploadError(_too_many_rows(), 422)
    except AbsentUploadError:
        raise
    except Exception as exc:  # calamine raises several kinds for a file that is not a workbook
        raise AbsentUploadError(
            _("This file is not a spreadsheet that can be read: upload an Excel (.xlsx) or CSV file."), 400
        ) from exc
    return sheets


def _too_many_rows() -> str:
    return _("The file has too many rows (at most %(n)s): split it into several files.") % {
        "n": number_format(MAX_ROWS, force_grouping=True)
    }


def _csv_rows(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            # Windows-1258 writes tone marks as combining characters: compose them.
            text = unicodedata.normalize("NFC", data.decode(encoding))
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly every byte string
        raise AbsentUploadError(_("The CSV file must be saved as UTF-8."), 400)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise AbsentUploadError(_("The CSV file cannot be read: %(error)s") % {"error": str(exc)}, 400) from exc
    if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise AbsentUploadError(_too_many_rows(), 422)
    return cast(list[list[Any]], rows)


def _find_table(raw: list[list[Any]]) -> Table | None:
    for index, cells in enumerate(raw[:HEADER_SEARCH_ROWS]):
        found = map_headers(list(cells))
        if "full_name" not in found:
            continue
        missing = [c.header for c in COLUMNS if c.required and c.key not in found]
        if missing:
            raise AbsentUploadError(
                ngettext(
                    "A required column is missing: %(columns)s. Use the template's headers.",
                    "Required columns are missing: %(columns)s. Use the template's headers.",
                    len(missing),
                )
                % {"columns": ", ".join(missing)},
                422,
            )
        headers = {key: str(cells[i]).strip() for key, i in found.items()}
        rows: list[tuple[int, tuple[Any, ...]]] = []
        # Each row's cells in CELL_KEYS order, picked at C speed; a column the file lacks reads
        # the None added at the end of the row (index -1).
        positions = [found.get(key, -1) for key in CELL_KEYS]
        pick = operator.itemgetter(*positions)
        written = operator.itemgetter(*(i for i in positions if i >= 0))
        pad = [None] if -1 in positions else []
        last = max(positions)
        for number, row in enumerate(raw[index + 1 :], start=index + 2):
            if len(row) > last:
                picked = pick(row + pad) if pad else pick(row)
                present = written(row)
            else:  # a short row (CSV): the cells it lacks are empty
                picked = present = tuple(row[i] if 0 <= i < len(row) else None for i in positions)
            try:  # a CSV row is all text: one join tells whether it is blank
                blank = not "".join(present).strip()
            except TypeError:
                blank = all(v is None or v == "" or (isinstance(v, str) and not v.strip()) for v in present)
            if blank:
                continue
            rows.append((number, picked))
        if not rows:
            raise AbsentUploadError(_("The file has no rows of data under its header."), 422)
        if len(rows) > MAX_ROWS:
            raise AbsentUploadError(_too_many_rows(), 422)
        return Table(headers, rows)
    return None


# ---------------------------------------------------------------------------------------------
# Validating rows (fast paths that give exactly the results of people/validation.py)
# ---------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if type(value) is str:  # nearly every cell: first, and without isinstance
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


_PHONE_SEP = re.compile(r"[\s.\-()]")
_phone_valid: dict[tuple[str, int], bool] = {}


def fast_phone(raw: str) -> str:
    """normalize_phone(raw), without phonenumbers for the usual Vietnamese forms.

    Vietnamese numbers are valid or not by their first 4 national digits and their length
    (every pattern of the VN metadata ends in \\d{n}; only those beginning with 1 look at
    a 4th digit), so the verdict of phonenumbers is cached per (prefix, length).
    """
    if not raw:
        return ""
    digits = _PHONE_SEP.sub("", raw)
    national = None
    if digits.isdigit():
        if len(digits) == 9 and raw.isdigit() and digits[0] != "0":
            national = digits
        elif digits.startswith("0") and len(digits) in (10, 11) and digits[1] != "0":
            national = digits[1:]
    elif digits.startswith("+84") and digits[3:].isdigit() and len(digits) in (12, 13) and digits[3] != "0":
        national = digits[3:]
    if national is None:
        return normalize_phone(raw)
    # Only numbers beginning with 1 need a 4th digit to decide (1800…, 1210…).
    key = (national[:4] if national[0] == "1" else national[:3], len(national))
    valid = _phone_valid.get(key)
    if valid is None:
        try:
            normalize_phone(raw)
            valid = True
        except ValidationError:
            valid = False
        _phone_valid[key] = valid
    if not valid:
        raise ValidationError(_("Not a valid phone number."), code="phone_invalid")
    return "+84" + national


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def fast_birth(value: Any, today: datetime.date) -> tuple[datetime.date | None, int | None]:
    """parse_birth(value) with the usual cases (Excel dates, dd/mm/yyyy, a year) done quickly."""
    date: datetime.date | None = None
    if isinstance(value, datetime.datetime):
        date = value.date()
    elif isinstance(value, datetime.date):
        date = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        year = int(value)
        if 1900 <= year <= today.year:
            return None, year
    elif isinstance(value, str):
        text = value.strip()
        match = _DMY.match(text)
        if match:
            try:
                date = datetime.date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                date = None
        elif len(text) == 4 and text.isdigit() and 1900 <= int(text) <= today.year:
            return None, int(text)
    if date is not None and date.year >= 1900 and date <= today:
        return date, date.year
    return parse_birth(_text(value) if isinstance(value, int | float) else value)


def _parse_left_on(value: Any, today: datetime.date) -> datetime.date | None:
    if _is_blank(value):
        return None
    date: datetime.date | None = None
    if isinstance(value, datetime.datetime):
        date = value.date()
    elif isinstance(value, datetime.date):
        date = value
    else:
        text = _text(value)
        match = _DMY.match(text)
        if match:
            try:
                date = datetime.date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                raise ValidationError("", code="left_format") from None
        for fmt in () if date else ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
            try:
                date = datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
                break
            except ValueError:
                continue
    if date is None:
        raise ValidationError("", code="left_format")
    if date > today:
        raise ValidationError("", code="left_future")
    if date.year < 1900:
        raise ValidationError("", code="left_old")
    return date


_SEX = {
    "Nam": Sex.MALE,
    "Nữ": Sex.FEMALE,
    "nam": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "trai": Sex.MALE,
    "nu": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "gai": Sex.FEMALE,
}

_PROVINCE_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp.", "tp ")
_COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ", "dac khu ", "tt. ", "tt ", "p. ", "x. ")
_VILLAGE_PREFIXES = (
    "to dan pho ",
    "thon ",
    "ban ",
    "to ",
    "khoi ",
    "xom ",
    "ap ",
    "doi ",
    "khu pho ",
    "khu ",
    "lang ",
    "tdp ",
)


def _strip_prefix(key: str, prefixes: Sequence[str]) -> str:
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :].strip()
    return key


class _UnitIndex:
    """Units by code, by folded name and by folded name without its kind ("xã", "tỉnh"…)."""

    def __init__(self, units: Iterable[AdminUnit], prefixes: Sequence[str]) -> None:
        self.prefixes = prefixes
        self.by_code: dict[str, AdminUnit] = {}
        self.by_name: dict[str, list[AdminUnit]] = defaultdict(list)
        self.by_short: dict[str, list[AdminUnit]] = defaultdict(list)
        for unit in units:
            self.by_code[unit.code] = unit
            self.by_code[unit.code.split("-")[-1]] = unit
            self.by_name[unit.name_key].append(unit)
            self.by_short[_strip_prefix(unit.name_key, prefixes)].append(unit)

    def find(self, text: str) -> list[AdminUnit]:
        if text.isdigit():
            for candidate in (text, text.zfill(2), text.zfill(3), text.zfill(5)):
                if candidate in self.by_code:
                    return [self.by_code[candidate]]
        key = fold(text)
        if key in self.by_code:
            return [self.by_code[key]]
        exact = self.by_name.get(key)
        if exact:
            return exact
        return self.by_short.get(_strip_prefix(key, self.prefixes), [])


@dataclass(slots=True)
class GoodRow:
    row: int
    full_name: str
    name_key: str
    id_number: str | None
    birth_date: datetime.date | None
    birth_year: int | None
    sex: str
    phone: str
    unit: AdminUnit
    temp_address: str
    temp_province: AdminUnit
    temp_commune: AdminUnit | None
    workplace: str
    left_on: datetime.date | None


class RowValidator:
    """Validates the rows of a file uploaded for ``unit`` (a commune or a village)."""

    def __init__(self, unit: AdminUnit) -> None:
        self.unit = unit
        self.today = timezone.localdate()
        self.provinces = _UnitIndex(
            AdminUnit.objects.filter(version=unit.version, level=Level.PROVINCE), _PROVINCE_PREFIXES
        )
        self._communes: dict[int, _UnitIndex] = {}
        commune_id = unit.pk if unit.level == Level.COMMUNE else unit.commune_id
        self.commune = unit if unit.level == Level.COMMUNE else unit.commune
        self.villages = _UnitIndex(
            AdminUnit.objects.filter(level=Level.VILLAGE, commune_id=commune_id), _VILLAGE_PREFIXES
        )
        # Lists repeat the same provinces, villages and names: each text is looked up once.
        self._province_cache: dict[str, list[AdminUnit]] = {}
        self._commune_cache: dict[tuple[int, str], list[AdminUnit]] = {}
        self._village_cache: dict[str, list[AdminUnit]] = {}
        self._name_cache: dict[str, tuple[str, str] | ValidationError] = {}
        # Dates repeat too (a list of 100,000 rows has a few thousand birth and departure dates).
        self._birth_cache: dict[str, tuple[datetime.date | None, int | None] | str] = {}
        self._left_cache: dict[str, datetime.date | str | None] = {}

    def _name(self, raw: str) -> tuple[str, str]:
        found = self._name_cache.get(raw)
        if found is None:
            try:
                name = normalize_name(raw)
                found = (name, fold(name))
            except ValidationError as exc:
                found = exc
            if len(self._name_cache) < 200_000:
                self._name_cache[raw] = found
        if isinstance(found, ValidationError):
            raise found
        return found

    def _birth(self, raw: Any) -> tuple[datetime.date | None, int | None]:
        """fast_birth, once per text (a cached error is raised anew: only its code is kept)."""
        if type(raw) is not str:
            return fast_birth(raw, self.today)
        found = self._birth_cache.get(raw)
        if found is None:
            try:
                found = fast_birth(raw, self.today)
            except ValidationError as exc:
                found = exc.code or "invalid"
            self._birth_cache[raw] = found
        if isinstance(found, str):
            raise ValidationError("", code=found)
        return found

    def _left_on(self, raw: Any) -> datetime.date | None:
        """_parse_left_on, once per text (as _birth)."""
        if type(raw) is not str:
            return _parse_left_on(raw, self.today)
        if raw in self._left_cache:
            found = self._left_cache[raw]
        else:
            try:
                found = _parse_left_on(raw, self.today)
            except ValidationError as exc:
                found = exc.code or "invalid"
            self._left_cache[raw] = found
        if isinstance(found, str):
            raise ValidationError("", code=found)
        return found

    def _province(self, raw: str) -> list[AdminUnit]:
        found = self._province_cache.get(raw)
        if found is None:
            found = self._province_cache[raw] = self.provinces.find(raw)
        return found

    def _commune(self, province: AdminUnit, raw: str) -> list[AdminUnit]:
        found = self._commune_cache.get((province.id, raw))
        if found is None:
            found = self._commune_cache[(province.id, raw)] = self.communes_of(province).find(raw)
        return found

    def _village(self, raw: str) -> list[AdminUnit]:
        found = self._village_cache.get(raw)
        if found is None:
            found = self._village_cache[raw] = self.villages.find(raw)
        return found

    def communes_of(self, province: AdminUnit) -> _UnitIndex:
        index = self._communes.get(province.pk)
        if index is None:
            index = _UnitIndex(
                AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, province=province),
                _COMMUNE_PREFIXES,
            )
            self._communes[province.pk] = index
        return index

    def validate(
        self, table: Table, on_chunk: Callable[[list[GoodRow]], None] | None = None
    ) -> tuple[list[GoodRow], list[RowError]]:
        """The good rows and the errors of the bad ones. The good rows are also handed to
        ``on_chunk`` chunk by chunk as they are validated (the import loads, plans and writes
        them meanwhile): first ``FIRST_CHUNK`` rows, so that the database starts early, then
        twice as many each time, up to ``LOAD_CHUNK``."""
        good: list[GoodRow] = []
        sent = 0
        size = min(FIRST_CHUNK, LOAD_CHUNK)
        errors: list[RowError] = []
        seen_ids: dict[str, int] = {}
        seen_names: dict[tuple[str, Any], int] = {}
        for number, cells in table.rows:
            row_errors: list[RowError] = []
            result = self._row(number, cells, row_errors)
            if result is not None:
                if result.id_number:
                    first = seen_ids.get(result.id_number)
                    if first is not None:
                        row_errors.append(RowError(number, "id_number", "dup_id", {"row": first}))
                name_key: tuple[str, Any] | None = None
                if result.birth_date is not None:
                    name_key = (result.name_key, result.birth_date)
                elif not result.id_number:
                    name_key = (result.name_key, result.birth_year)
                if name_key is not None and not row_errors:
                    first = seen_names.get(name_key)
                    if first is not None:
                        row_errors.append(RowError(number, "full_name", "dup_name", {"row": first}))
                if not row_errors:
                    if result.id_number:
                        seen_ids[result.id_number] = number
                    if name_key is not None:
                        seen_names[name_key] = number
                    good.append(result)
                    if on_chunk is not None and len(good) - sent >= size:
                        on_chunk(good[sent:])
                        sent = len(good)
                        size = min(2 * size, LOAD_CHUNK)
            errors.extend(row_errors)
        if on_chunk is not None and len(good) > sent:
            on_chunk(good[sent:])
        return good, errors

    def _row(self, number: int, cells: tuple[Any, ...], errors: list[RowError]) -> GoodRow | None:
        def fail(field_name: str, exc: ValidationError | str, params: dict[str, Any] | None = None) -> None:
            code = exc if isinstance(exc, str) else (exc.code or "invalid")
            errors.append(RowError(number, field_name, code, params))

        (
            raw_name,
            raw_id,
            raw_birth,
            raw_sex,
            raw_phone,
            raw_village,
            raw_address,
            raw_province,
            raw_commune,
            raw_workplace,
            raw_left,
        ) = cells
        full_name = name_key = ""
        try:
            full_name, name_key = self._name(_text(raw_name))
        except ValidationError as exc:
            fail("full_name", exc)
        id_number = None
        try:
            id_number = normalize_id_number(_text(raw_id))
        except ValidationError as exc:
            fail("id_number", exc)
        birth_date, birth_year = None, None
        if _is_blank(raw_birth):
            fail("birth", "birth_required")
        else:
            try:
                birth_date, birth_year = self._birth(raw_birth)
            except ValidationError as exc:
                fail("birth", exc)
        sex = Sex.UNKNOWN
        raw_sex = _text(raw_sex)
        if raw_sex:
            found_sex = _SEX.get(raw_sex) or _SEX.get(fold(raw_sex))
            if found_sex is None:
                fail("sex", "sex_invalid")
            else:
                sex = found_sex
        phone = ""
        try:
            phone = fast_phone(_text(raw_phone))
        except ValidationError as exc:
            fail("phone", exc)
        unit = self.unit
        raw_village = _text(raw_village)
        if raw_village:
            if self.unit.level == Level.VILLAGE:
                if self.unit not in self._village(raw_village):
                    fail("village", "village_other", {"unit": self.unit.name})
            else:
                villages = self._village(raw_village)
                if len(villages) == 1:
                    unit = villages[0]
                elif villages:
                    fail("village", "village_ambiguous", {"unit": self.unit.name})
                else:
                    fail("village", "village_unknown", {"unit": self.unit.name})
        texts: dict[str, str] = {}
        for key, raw in (("temp_address", raw_address), ("workplace", raw_workplace)):
            limit = TEXT_LIMITS[key]
            texts[key] = _text(raw)
            if len(texts[key]) > limit:
                fail(key, "too_long", {"n": limit})
        province: AdminUnit | None = None
        raw_province = _text(raw_province)
        if not raw_province:
            fail("temp_province", "province_required")
        else:
            provinces = self._province(raw_province)
            if len(provinces) == 1:
                province = provinces[0]
            else:
                fail("temp_province", "province_unknown")
        commune: AdminUnit | None = None
        raw_commune = _text(raw_commune)
        if raw_commune and province is not None:
            communes = self._commune(province, raw_commune)
            if len(communes) == 1:
                commune = communes[0]
            elif communes:
                fail("temp_commune", "commune_ambiguous")
            else:
                fail("temp_commune", "commune_unknown")
        left_on = None
        try:
            left_on = self._left_on(raw_left)
        except ValidationError as exc:
            fail("left_on", exc)
        if errors or province is None:
            return None
        return GoodRow(
            row=number,
            full_name=full_name,
            name_key=name_key,
            id_number=id_number,
            birth_date=birth_date,
            birth_year=birth_year,
            sex=sex,
            phone=phone,
            unit=unit,
            temp_address=texts["temp_address"],
            temp_province=province,
            temp_commune=commune,
            workplace=texts["workplace"],
            left_on=left_on,
        )


# ---------------------------------------------------------------------------------------------
# Matching and applying in bulk
# ---------------------------------------------------------------------------------------------

_PERSON_LOAD = (
    "id",
    "id_number",
    "full_name",
    "name_key",
    "birth_date",
    "birth_year",
    "sex",
    "phone",
    "workplace",
    "occupation",
    "address",
    "ethnicity",
    "residence_status",
    "province_id",
    "district_id",
    "commune_id",
    "village_id",
    "household_id",
    "household_role",
)


@dataclass(slots=True)
class _Record:
    """The open residence period of a person, as loaded or as about to be written."""

    pk: int | None
    status: str
    details: tuple[str, int | None, int | None, str, str]
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    row: GoodRow | None = None
    person: uuid.UUID | None = None
    fresh: bool = False  # the record of a person this upload created


@dataclass(slots=True, eq=False)
class _Cand:
    """A person as the matching rules see it (duck-typed for matching.score_pair)."""

    pk: uuid.UUID
    id_number: str | None
    full_name: str
    name_key: str
    birth_date: datetime.date | None
    birth_year: int | None
    sex: str
    phone: str
    workplace: str
    occupation: str
    address: str
    ethnicity: str
    residence_status: str
    province_id: int | None
    district_id: int | None
    commune_id: int | None
    village_id: int | None
    household_id: uuid.UUID | None = None
    household_role: str = ""
    conditions: list[str] = field(default_factory=list)
    pregnant: bool = False
    new: bool = False
    open_record: _Record | None = None
    changed: set[str] = field(default_factory=set)
    before: dict[str, Any] | None = None
    status_before: str | None = None
    order: str = ""  # the database's order of persons of one name (by id): pk.hex

    def snapshot(self) -> dict[str, Any]:
        """What core.audit.snapshot(person, actions.PERSON_FIELDS) would say."""
        return {
            "id_number": self.id_number,
            "full_name": self.full_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "birth_year": self.birth_year,
            "sex": self.sex,
            "phone": self.phone,
            "address": self.address,
            "household": str(self.household_id) if self.household_id else None,
            "household_role": self.household_role,
            "ethnicity": self.ethnicity,
            "occupation": self.occupation,
            "workplace": self.workplace,
            "conditions": self.conditions,
            "pregnant": self.pregnant,
            "residence_status": self.residence_status,
            "province": self.province_id,
            "district": self.district_id,
            "commune": self.commune_id,
            "village": self.village_id,
        }


class _Uuid7:
    """UUIDv7s (milliseconds, then random bits): new rows land together in the primary-key
    index instead of at random pages of it, which matters for bulk inserts into a big table.
    The random bits are drawn from the OS in blocks (one system call per 4,096 ids)."""

    BLOCK = 4096

    def __init__(self) -> None:
        self._random = b""
        self._at = 0

    def __call__(self) -> uuid.UUID:
        if self._at >= len(self._random):
            self._random, self._at = os.urandom(10 * self.BLOCK), 0
        bits = int.from_bytes(self._random[self._at : self._at + 10])
        self._at += 10
        millis = time.time_ns() // 1_000_000
        value = (millis & ((1 << 48) - 1)) << 80 | bits
        value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
        value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
        return uuid.UUID(int=value)


_pk_order = operator.attrgetter("order")  # a person's place among those of one name (C speed)


@dataclass
class ImportOutcome:
    upload: AbsentListUpload
    repeated: bool = False
    timings: dict[str, float] = field(default_factory=dict)


# On PostgreSQL a list goes as ONE text parameter split on the server: psycopg's client-side
# quoting of big arrays costs more than the query. The separator (unit separator, 0x1F) is
# never in a name, an ID number, a date or a UUID.
_ARRAY = "string_to_array(%%s, chr(31))::%s[]"


def _joined(values: Iterable[Any]) -> str:
    return "\x1f".join(map(str, values))


def _pair_params(pairs: Sequence[tuple[str, Any]], adapt: Any) -> list[Any]:
    if connection.vendor == "postgresql":
        return [_joined(k for k, _v in pairs), _joined(v for _k, v in pairs)]
    out: list[Any] = []
    for key, value in pairs:
        out += [key, adapt(value)]
    return out


def _from_db(model: type[Any], column: str) -> Any:
    """A function turning a raw database value of ``model``'s ``column`` into its Python value."""
    f: Any = next(f for f in model._meta.concrete_fields if f.column == column)
    if f.is_relation:
        f = f.target_field
    if f.get_internal_type() in ("UUIDField", "DateField"):
        return f.to_python
    return lambda v: v


def _name_candidates(cursor: Any, rows: list[GoodRow]) -> list[tuple[Any, ...]]:
    """Active persons find_match could return for these rows, exactly those of its filters:
    the same name and birth date; for a row with a birth date, also the same name and birth
    year among persons known by their year only (no date); for a row with a year only, the
    same name and birth year.

    One query per kind (an ``OR`` of the three would defeat the indexes): on PostgreSQL each
    is a join with the unnested pairs, served by the (birth_date, name_key) index for the
    first two and by the name_key index for the third.
    """
    by_date = sorted({(r.name_key, r.birth_date) for r in rows if r.birth_date})
    undated = sorted({(r.name_key, r.birth_date.year) for r in rows if r.birth_date})
    by_year = sorted({(r.name_key, r.birth_year) for r in rows if r.birth_date is None and r.birth_year})
    ad = _Adapt()
    kinds: list[tuple[str, Sequence[tuple[str, Any]], str, str, Any]] = [
        ("birth_date", by_date, "date", "", ad.date),
        ("birth_year", undated, "integer", " AND p.birth_date IS NULL", int),
        ("birth_year", by_year, "integer", "", int),
    ]
    qn = connection.ops.quote_name
    table = qn(Person._meta.db_table)
    found: list[tuple[Any, ...]] = []
    for column, pairs, sql_type, extra, adapt in kinds:
        if not pairs:
            continue
        if connection.vendor == "postgresql":
            source = f"unnest({_ARRAY % 'varchar'}, {_ARRAY % sql_type}) AS v(k, x)"
        else:  # SQLite: the columns of VALUES are column1, column2
            values = ", ".join(["(%s, %s)"] * len(pairs))
            source = f"(SELECT column1 AS k, column2 AS x FROM (VALUES {values})) AS v"  # noqa: S608
        on = f"p.{qn('name_key')} = v.k AND p.{qn(column)} = v.x"
        sql = (
            f"SELECT {_person_columns()} FROM {table} p JOIN {source} ON {on} "  # noqa: S608 - quoted model names
            f"WHERE p.{qn('merged_into_id')} IS NULL{extra}"
        )
        cursor.execute(sql, _pair_params(pairs, adapt))
        found += _converted(cursor.fetchall(), _PERSON_LOAD, Person)
    return found


def _person_columns() -> str:
    qn = connection.ops.quote_name
    return ", ".join(f"p.{qn(c)}" for c in _PERSON_LOAD)


def _converted(rows: list[tuple[Any, ...]], columns: Sequence[str], model: type[Any]) -> list[tuple[Any, ...]]:
    """Raw rows as Python values: PostgreSQL gives them already, SQLite gives UUIDs and dates
    as text."""
    if connection.vendor == "postgresql":
        return rows
    converters = [_from_db(model, c) for c in columns]
    return [
        tuple(None if v is None else convert(v) for convert, v in zip(converters, found, strict=True)) for found in rows
    ]


def _by_id_number(cursor: Any, ids: list[str]) -> list[tuple[Any, ...]]:
    """Active persons with these ID numbers (find_match's first query). On PostgreSQL a join
    with the unnested list, so that each number is one probe of the unique index (``= ANY`` of
    thousands of values makes the planner scan the whole table)."""
    if not ids:
        return []
    qn = connection.ops.quote_name
    table, id_number, merged = qn(Person._meta.db_table), qn("id_number"), qn("merged_into_id")
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {_person_columns()} FROM unnest({_ARRAY % 'varchar'}) AS v(x) "  # noqa: S608 - quoted names
            f"JOIN {table} p ON p.{id_number} = v.x WHERE p.{merged} IS NULL"
        )
        params: list[Any] = [_joined(ids)]
    else:
        marks = ", ".join(["%s"] * len(ids))
        sql = f"SELECT {_person_columns()} FROM {table} p WHERE p.{merged} IS NULL AND p.{id_number} IN ({marks})"  # noqa: S608
        params = list(ids)
    cursor.execute(sql, params)
    return _converted(cursor.fetchall(), _PERSON_LOAD, Person)


_RECORD_LOAD = (
    "id",
    "person_id",
    "status",
    "temp_address",
    "temp_province_id",
    "temp_commune_id",
    "workplace",
    "phone",
)


def _open_records(cursor: Any, pks: list[uuid.UUID]) -> list[tuple[Any, ...]]:
    """The open residence records of these persons, oldest first (the last one is current);
    on PostgreSQL a join with the unnested list (index probes, as in _by_id_number)."""
    if not pks:
        return []
    qn = connection.ops.quote_name
    table, person, ended = qn(ResidenceRecord._meta.db_table), qn("person_id"), qn("ended_on")
    columns = ", ".join(f"r.{qn(c)}" for c in _RECORD_LOAD)
    order = f"ORDER BY r.{qn('created_at')}, r.{qn('id')}"
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {columns} FROM unnest({_ARRAY % 'uuid'}) AS v(x) "  # noqa: S608 - quoted model names
            f"JOIN {table} r ON r.{person} = v.x WHERE r.{ended} IS NULL {order}"
        )
        params: list[Any] = [_joined(pks)]
    else:
        marks = ", ".join(["%s"] * len(pks))
        sql = f"SELECT {columns} FROM {table} r WHERE r.{ended} IS NULL AND r.{person} IN ({marks}) {order}"  # noqa: S608
        params = [pk.hex for pk in pks]
    cursor.execute(sql, params)
    return _converted(cursor.fetchall(), _RECORD_LOAD, ResidenceRecord)


LOAD_CHUNK = 10_000  # good rows validated, then loaded, planned and written together
FIRST_CHUNK = 2_500  # the first chunk (then twice as many rows each time, up to LOAD_CHUNK)


@dataclass(eq=False)
class _Batch:
    """A chunk of good rows and, once ``done`` is set, what the database had for them."""

    rows: list[GoodRow]
    done: threading.Event | None = None
    persons: list[tuple[Any, ...]] = field(default_factory=list)  # values of _PERSON_LOAD
    records: list[tuple[Any, ...]] = field(default_factory=list)  # values of _RECORD_LOAD


class _Loader:
    """What find_match's queries would return for a chunk of rows, in bulk: the active persons
    with their ID numbers, for the rows whose ID number is unknown the persons of their name and
    birth date or year (_name_candidates), and the open residence records of all of those.

    On PostgreSQL a DbWorker runs the queries while the next rows are validated and the previous
    ones planned. Every person's records come from one query (a person found again in a later
    chunk is not asked for twice), so "the last open record" keeps its meaning.
    """

    def __init__(self, db: DbWorker) -> None:
        self.db = db
        self._asked: set[uuid.UUID] = set()

    def submit(self, rows: list[GoodRow]) -> _Batch:
        batch = _Batch(rows)
        batch.done = self.db.submit(functools.partial(self._load, batch=batch))
        return batch

    def wait(self, batch: _Batch) -> None:
        assert batch.done is not None
        self.db.wait(batch.done)

    def _load(self, cursor: Any, batch: _Batch) -> None:
        size = _load_chunk()
        for start in range(0, len(batch.rows), size):
            rows = batch.rows[start : start + size]
            found = _by_id_number(cursor, sorted({r.id_number for r in rows if r.id_number}))
            known = {values[1] for values in found}  # _PERSON_LOAD[1] is id_number
            # Rows whose ID number is already known never look at names (find_match stops there).
            found += _name_candidates(cursor, [r for r in rows if not (r.id_number and r.id_number in known)])
            pks = list(dict.fromkeys(values[0] for values in found if values[0] not in self._asked))
            self._asked.update(pks)
            batch.records += _open_records(cursor, pks)
            batch.persons += found


class _Matcher:
    """The rules of matching.find_match, intake_person and set_residence, in memory."""

    def __init__(self) -> None:
        self.by_pk: dict[uuid.UUID, _Cand] = {}
        self.by_id: dict[str, _Cand] = {}
        # Persons by name, by (name, birth date) and by (name, birth year), each list in the
        # database's order (Person.Meta.ordering: name_key, id): what find_match's queries see.
        self.by_name: dict[str, list[_Cand]] = defaultdict(list)
        self.by_date: dict[tuple[str, datetime.date], list[_Cand]] = defaultdict(list)
        self.by_year: dict[tuple[str, int], list[_Cand]] = defaultdict(list)
        self._lineages: dict[int, dict[str, Any]] = {}
        self._new_uuid = _Uuid7()

    def _index(self, cand: _Cand, insort: bool = True) -> None:
        """File ``cand`` under its (name, birth date) and (name, birth year)."""
        buckets = []
        if cand.birth_date is not None:
            buckets.append(self.by_date[(cand.name_key, cand.birth_date)])
        if cand.birth_year is not None:
            buckets.append(self.by_year[(cand.name_key, cand.birth_year)])
        for bucket in buckets:
            if insort and bucket:
                bisect.insort(bucket, cand, key=_pk_order)
            else:  # usually: a new name and date
                bucket.append(cand)

    def _unindex(self, cand: _Cand) -> None:
        if cand.birth_date is not None:
            self.by_date[(cand.name_key, cand.birth_date)].remove(cand)
        if cand.birth_year is not None:
            self.by_year[(cand.name_key, cand.birth_year)].remove(cand)

    def add(self, batch: _Batch) -> None:
        """The persons and records the database had for a chunk of rows. A person already known
        (from an earlier chunk, perhaps changed by its rows since) is kept as it stands."""
        fresh: dict[str, list[_Cand]] = defaultdict(list)
        for values in batch.persons:
            cand = _Cand(*values)
            if cand.pk in self.by_pk:
                continue
            cand.order = cand.pk.hex
            self.by_pk[cand.pk] = cand
            if cand.id_number:
                self.by_id[cand.id_number] = cand
            fresh[cand.name_key].append(cand)
        for pk, person_id, status, address, province_id, commune_id, workplace, phone in batch.records:
            self.by_pk[person_id].open_record = _Record(
                pk, status, (address, province_id, commune_id, workplace, phone)
            )
        # Lists by name in the database's order (Person.Meta.ordering: name_key, id).
        for name_key, cands in fresh.items():
            named = self.by_name[name_key]
            if named:  # the name is known from an earlier chunk or row
                for cand in cands:
                    bisect.insort(named, cand, key=_pk_order)
                    self._index(cand)
            else:
                cands.sort(key=_pk_order)
                named.extend(cands)
                for cand in cands:
                    self._index(cand, insort=False)

    def _lineage(self, unit: AdminUnit) -> dict[str, Any]:
        cols = self._lineages.get(unit.id)
        if cols is None:
            cols = self._lineages[unit.id] = lineage_columns(unit)
        return cols

    def find(self, row: GoodRow) -> tuple[_Cand | None, list[tuple[_Cand, int, list[str]]]]:
        """matching.find_match for this row, against the persons as they stand now."""
        if row.id_number:
            same = self.by_id.get(row.id_number)
            if same is not None and same.id_number == row.id_number:
                return same, []
        key = row.name_key
        chosen: Sequence[_Cand]
        if row.birth_date:
            # The same birth date, or no date and the same year (two disjoint lists).
            date = row.birth_date
            dated = self.by_date.get((key, date), [])
            undated = [c for c in self.by_year.get((key, date.year), []) if c.birth_date is None]
            chosen = list(heapq.merge(dated, undated, key=_pk_order)) if dated and undated else dated or undated
        elif row.birth_year:
            chosen = self.by_year.get((key, row.birth_year), [])
        elif row.phone:
            chosen = [c for c in self.by_name.get(key, []) if c.phone == row.phone]
        else:
            return None, []
        if not chosen:  # most new persons: nobody to score
            return None, []
        identity = Identity(
            full_name=row.full_name,
            id_number=row.id_number,
            birth_date=row.birth_date,
            birth_year=row.birth_year or (row.birth_date.year if row.birth_date else None),
            phone=row.phone,
        )
        scored = []
        for cand in chosen[:50]:
            score, reasons = score_pair(identity, cast(Person, cand))
            if score >= LIKELY:
                scored.append((cand, score, reasons))
        scored.sort(key=lambda t: -t[1])
        if scored and scored[0][1] >= SAME_PERSON:
            return scored[0][0], []
        return None, scored

    def create(self, row: GoodRow) -> _Cand:
        cand = _Cand(
            pk=self._new_uuid(),
            id_number=row.id_number,
            full_name=row.full_name,
            name_key=row.name_key,
            birth_date=row.birth_date,
            birth_year=row.birth_year or (row.birth_date.year if row.birth_date else None),
            sex=row.sex,
            phone=row.phone,
            workplace=row.workplace,
            occupation="",
            address="",
            ethnicity="",
            residence_status=ResidenceStatus.PERMANENT,
            new=True,
            **self._lineage(row.unit),
        )
        # A new record sorts into its name's lists as the database would order it.
        cand.order = cand.pk.hex
        self.by_pk[cand.pk] = cand
        if cand.id_number:
            self.by_id[cand.id_number] = cand
        named = self.by_name[cand.name_key]
        if named:
            bisect.insort(named, cand, key=_pk_order)
        else:
            named.append(cand)
        self._index(cand)
        return cand

    def fill(self, cand: _Cand, row: GoodRow) -> None:
        """actions._fill_missing."""
        data = {
            "id_number": row.id_number,
            "birth_date": row.birth_date,
            "phone": row.phone,
            "workplace": row.workplace,
        }  # occupation, address and ethnicity: a list has none
        changes: dict[str, Any] = {name: value for name, value in data.items() if value and not getattr(cand, name)}
        if cand.birth_year is None and (row.birth_year or row.birth_date):
            changes["birth_year"] = row.birth_year or (row.birth_date.year if row.birth_date else None)
        if cand.sex == Sex.UNKNOWN and row.sex != Sex.UNKNOWN:
            changes["sex"] = row.sex
        if cand.commune_id is None:
            changes.update(self._lineage(row.unit))
        if not changes:
            return
        if cand.before is None and not cand.new:
            cand.before = cand.snapshot()
        birth_changes = "birth_date" in changes or "birth_year" in changes
        if birth_changes:
            self._unindex(cand)
        for name, value in changes.items():
            setattr(cand, name, value)
        if birth_changes:
            self._index(cand)
        if "id_number" in changes:
            self.by_id[changes["id_number"]] = cand
        cand.changed.update(changes)


@dataclass
class _Plan:
    new_persons: list[_Cand] = field(default_factory=list)
    # Residence records of persons known before the upload (those of new persons are written
    # chunk by chunk, see _Pipeline).
    new_records: list[_Record] = field(default_factory=list)
    closed: list[_Record] = field(default_factory=list)
    duplicates: dict[tuple[uuid.UUID, uuid.UUID], tuple[int, list[str]]] = field(default_factory=dict)
    created: int = 0
    matched: int = 0
    unchanged: int = 0


Created = Callable[[list[_Cand], list[_Record]], None]


class _Pipeline:
    """The good rows, chunk by chunk as the validation hands them over (``push``): each chunk's
    candidates are loaded while the next chunk is validated; then its rows are planned, in file
    order (each row sees the earlier ones), and the persons they created, with their residence
    records, go to ``created`` so that the database writes them while the next chunks are
    validated and planned.

    The new persons of a chunk are final by then: no later row can be the same person as one an
    earlier row created, since the same ID number or the same name + birth date twice in a file
    is a rejected row (the later one), and without either a score stays below SAME_PERSON
    (name 40 + birth year 15 + phone 25).
    """

    def __init__(self, loader: _Loader, matcher: _Matcher, today: datetime.date, created: Created) -> None:
        self.loader = loader
        self.matcher = matcher
        self.today = today
        self.created = created
        self.plan = _Plan()
        self._loading: list[_Batch] = []

    def push(self, rows: list[GoodRow]) -> None:
        self._loading.append(self.loader.submit(rows))
        while len(self._loading) > 1:  # one chunk loads while the one before it is planned
            self._plan_next()

    def finish(self) -> _Plan:
        while self._loading:
            self._plan_next()
        return self.plan

    def _plan_next(self) -> None:
        batch = self._loading.pop(0)
        self.loader.wait(batch)
        self.matcher.add(batch)
        plan = self.plan
        first_new = len(plan.new_persons)
        fresh_records: list[_Record] = []
        for row in batch.rows:
            record = _plan_row(plan, self.matcher, row, self.today)
            if record is not None:
                (fresh_records if record.fresh else plan.new_records).append(record)
        self.created(plan.new_persons[first_new:], fresh_records)


def _plan_row(plan: _Plan, matcher: _Matcher, row: GoodRow, today: datetime.date) -> _Record | None:
    """intake_person + set_residence for one row; the new residence record, if any."""
    person, candidates = matcher.find(row)
    if person is not None:
        if person.new:  # see _plan: the rejected duplicates make this impossible
            raise AssertionError("a row matched a person created by an earlier row of the same file")
        matcher.fill(person, row)
        fresh = False
    else:
        person = matcher.create(row)
        plan.new_persons.append(person)
        for other, score, reasons in candidates:
            a, b = sorted([person.pk, other.pk], key=str)
            plan.duplicates.setdefault((a, b), (score, reasons))
        fresh = True
    details = (
        row.temp_address,
        row.temp_province.id,  # .id: the plain attribute (.pk is a property)
        row.temp_commune.id if row.temp_commune else None,
        row.workplace,
        row.phone,
    )
    current = person.open_record
    if current is not None and current.status == ABSENT and current.details == details:
        plan.unchanged += 1
        return None
    started_on = row.left_on or today
    if current is not None:
        current.ended_on = started_on
        if current.pk is not None:
            plan.closed.append(current)
    record = _Record(None, ABSENT, details, started_on=started_on, row=row, person=person.pk, fresh=fresh)
    person.open_record = record
    if person.residence_status != ABSENT:
        if person.status_before is None and not person.new:
            person.status_before = person.residence_status
        person.residence_status = ABSENT
        if not person.new:
            person.changed.add("residence_status")
    if fresh:
        plan.created += 1
    else:
        plan.matched += 1
    return record


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


_COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = ("\\", "\t", "\n", "\r")


def _copy_column(values: tuple[Any, ...]) -> list[str] | None:
    """One column's values as COPY text (None: a kind of value this does not know)."""
    sample = next((v for v in values if v is not None), None)
    null = _COPY_NULL
    if sample is None:
        return [null] * len(values)
    if len(values) > 1 and values.count(sample) == len(values):  # the same in every row (the upload…)
        one = _copy_column((sample,))
        return None if one is None else one * len(values)
    kind = type(sample)
    if isinstance(sample, str):  # TextChoices members too: join takes their text
        nulls = None in values
        present = [v for v in values if v is not None] if nulls else values
        joined = "".join(present)
        if any(special in joined for special in _COPY_SPECIAL):  # rare: escape the column
            return [null if v is None else v.translate(_COPY_ESCAPES) for v in values]
        return [null if v is None else v for v in values] if nulls else list(values)
    if kind is bool:
        return [null if v is None else ("t" if v else "f") for v in values]
    if kind is int or kind is uuid.UUID:
        return [null if v is None else str(v) for v in values]
    if kind is datetime.date or kind is datetime.datetime:
        return [null if v is None else v.isoformat() for v in values]
    return None


def _copy_text(rows: Sequence[Sequence[Any]]) -> bytes | None:
    """``rows`` in COPY's text format, built column by column so that the joins run at C speed.
    None if a value is of a kind this does not know: the caller lets psycopg format the rows."""
    try:
        columns = []
        for values in zip(*rows, strict=True):
            text = _copy_column(values)
            if text is None:
                return None
            columns.append(text)
        return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode()
    except (TypeError, AttributeError):  # a value of another kind than its column's first one
        return None


@dataclass(eq=False)
class _Rows:
    """Rows to insert, with their COPY text made ahead (PostgreSQL), in the main thread, so that
    the database thread only sends them."""

    rows: list[Sequence[Any]]
    text: bytes | None = None

    @classmethod
    def of(cls, rows: Iterable[Sequence[Any]]) -> _Rows:
        prepared = cls(list(rows))
        if connection.vendor == "postgresql" and prepared.rows:
            prepared.text = _copy_text(prepared.rows)
        return prepared


def _copy(cursor: Any, sql: str, rows: _Rows) -> None:
    with cursor.copy(sql) as copy:
        if rows.text is not None:
            copy.write(rows.text)
        else:
            for row in rows.rows:
                copy.write_row(row)


def _insert(cursor: Any, table: str, columns: Sequence[str], rows: _Rows) -> None:
    """Many rows into ``table``: COPY on PostgreSQL (``cursor`` is then a psycopg cursor, see
    absent_worker), executemany elsewhere."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        _copy(cursor, f"COPY {name} ({quoted}) FROM STDIN", rows)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # noqa: S608 - names are quoted model columns
    for start in range(0, len(rows.rows), CHUNK):
        cursor.executemany(sql, rows.rows[start : start + CHUNK])


def _update(
    cursor: Any,
    model: type[Any],
    columns: Sequence[str],
    rows: _Rows,
    constants: dict[str, Any] | None = None,
) -> None:
    """Set ``columns`` of many rows of ``model``, each row being (pk, *values), set-based.

    PostgreSQL: the rows are COPYed into a temporary table, then one ``UPDATE … FROM`` joins
    it on the primary key. Elsewhere: one ``UPDATE … WHERE pk = ?`` per row (executemany).
    ``constants`` are columns set to the same value in every row.
    """
    if not rows.rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    by_column = {f.column: f for f in meta.concrete_fields}
    fields = [by_column[c] for c in columns]
    pk = meta.pk
    assert pk is not None
    table = qn(meta.db_table)
    fixed = constants or {}
    const_fields = [meta.get_field(name) for name in fixed]
    const_sql = [f"{qn(f.column)} = %s" for f in const_fields]
    const_params = [f.get_db_prep_save(v, connection) for f, v in zip(const_fields, fixed.values(), strict=True)]
    if connection.vendor == "postgresql":
        temp = "absent_import_update"
        types = ", ".join(f"c{i} {f.db_type(connection)}" for i, f in enumerate(fields))
        key_type = pk.db_type(connection)
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} (pk {key_type} PRIMARY KEY, {types}) ON COMMIT DROP")
        _copy(cursor, f"COPY {temp} FROM STDIN", rows)
        sets = [f"{qn(f.column)} = u.c{i}" for i, f in enumerate(fields)] + const_sql
        cursor.execute(
            f"UPDATE {table} AS t SET {', '.join(sets)} FROM {temp} AS u WHERE t.{qn(pk.column)} = u.pk",  # noqa: S608
            const_params,
        )
        cursor.execute(f"DROP TABLE {temp}")
        return
    sets = [f"{qn(f.column)} = %s" for f in fields] + const_sql
    sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {qn(pk.column)} = %s"  # noqa: S608 - quoted model names
    prepared = [
        [
            *(f.get_db_prep_save(v, connection) for f, v in zip(fields, row[1:], strict=True)),
            *const_params,
            pk.get_db_prep_save(row[0], connection),
        ]
        for row in rows.rows
    ]
    for start in range(0, len(prepared), CHUNK):
        cursor.executemany(sql, prepared[start : start + CHUNK])


# json.dumps(value, ensure_ascii=False) builds a new encoder on every call; one is enough.
_dump_json = json.JSONEncoder(ensure_ascii=False).encode


class _Adapt:
    """Python values as the database wants them in raw SQL / COPY."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"

    def uuid(self, value: uuid.UUID | None) -> Any:
        if value is None:
            return None
        return value if self.pg else value.hex

    def date(self, value: datetime.date | None) -> Any:
        if value is None:
            return None
        return value if self.pg else value.isoformat()

    def when(self, value: datetime.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def json(self, value: Any) -> Any:
        return None if value is None else _dump_json(value)

    def flag(self, value: bool) -> Any:
        return value if self.pg else int(value)


def _model_columns(model: type[Any], given: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The columns to insert: those we give, plus any other column with its default value.

    Columns added to the model later are filled with their (constant) default, so that the
    bulk insert keeps working; a column without a default must be added here.
    """
    columns: list[str] = []
    extra: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.column in given or f.get_internal_type() in ("AutoField", "BigAutoField"):
            continue
        columns.append(f.column)
        value = f.get_default()
        extra.append(f.get_db_prep_save(value, connection) if not (f.null and value is None) else None)
    return columns, extra


# The columns _Writer gives for a new person and a new residence record, in its rows' order.
_PERSON_COLUMNS = (
    "id",
    "client_uuid",
    "id_number",
    "full_name",
    "name_key",
    "birth_date",
    "birth_year",
    "sex",
    "phone",
    "address",
    "household_id",
    "household_role",
    "ethnicity",
    "occupation",
    "workplace",
    "conditions",
    "pregnant",
    "residence_status",
    "source",
    "merged_into_id",
    "created_at",
    "updated_at",
    "province_id",
    "district_id",
    "commune_id",
    "village_id",
)
_RECORD_COLUMNS = (
    "person_id",
    "status",
    "started_on",
    "ended_on",
    "temp_address",
    "temp_province_id",
    "temp_commune_id",
    "workplace",
    "phone",
    "source",
    "upload_id",
    "row_number",
    "created_by_id",
    "created_at",
)
_AUDIT_COLUMNS = ("actor_id", "at", "action", "object_type", "object_id", "before", "after")


class _Writer:
    """The plan as rows of the tables, handed to a DbWorker batch by batch.

    The rows are built here, in the main thread; the worker only sends them. On PostgreSQL the
    foreign keys (deferred to the commit by Django) are checked at the end of each statement
    instead, so that those checks too run while the main thread works: ``begin`` and ``end``.
    """

    def __init__(self, actor: User | None, upload: AbsentListUpload, db: DbWorker) -> None:
        self.db = db
        self.now = timezone.now()
        self.ad = _Adapt()
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.created_at = self.ad.when(self.now)
        self.upload_pk = self.ad.uuid(upload.pk)
        self.label = Person._meta.label
        extra_cols, self.person_extra = _model_columns(Person, _PERSON_COLUMNS)
        self.person_columns = [*_PERSON_COLUMNS, *extra_cols]
        rec_extra_cols, self.record_extra = _model_columns(ResidenceRecord, _RECORD_COLUMNS)
        self.record_columns = [*_RECORD_COLUMNS, *rec_extra_cols]

    def begin(self) -> None:
        if self.ad.pg:
            self.db.submit(lambda cursor: cursor.execute("SET CONSTRAINTS ALL IMMEDIATE"))

    def end(self) -> None:
        if self.ad.pg:  # back to Django's default for the rest of the transaction
            self.db.submit(lambda cursor: cursor.execute("SET CONSTRAINTS ALL DEFERRED"))

    def created(self, persons: list[_Cand], records: list[_Record]) -> None:
        """New persons (already "temporarily absent") and their records (audited by the upload's row)."""
        person_rows = _Rows.of(self._person_rows(persons))
        record_rows = _Rows.of(self._record_rows(records))

        def job(cursor: Any) -> None:
            _insert(cursor, Person._meta.db_table, self.person_columns, person_rows)
            _insert(cursor, ResidenceRecord._meta.db_table, self.record_columns, record_rows)

        if persons or records:
            self.db.submit(job)

    def existing(self, plan: _Plan, matcher: _Matcher) -> None:
        """Persons known before: filled-in fields and the new status (one statement per set of
        changed columns: only the columns a row changed are written), closed and new records,
        person.fill and person.residence rows."""
        groups: dict[tuple[str, ...], list[_Cand]] = defaultdict(list)
        for cand in matcher.by_pk.values():
            if not cand.new and cand.changed:
                groups[tuple(sorted(cand.changed))].append(cand)
        for fields in sorted(groups):
            rows = [(cand.pk, *(getattr(cand, name) for name in fields)) for cand in groups[fields]]
            self.db.submit(self._update_job(fields, rows))
        closed = _Rows.of((record.pk, record.ended_on) for record in plan.closed if record.pk is not None)
        self.db.submit(lambda cursor: _update(cursor, ResidenceRecord, ("ended_on",), closed))
        record_rows = _Rows.of(self._record_rows(plan.new_records))
        if record_rows.rows:
            self.db.submit(
                lambda cursor: _insert(cursor, ResidenceRecord._meta.db_table, self.record_columns, record_rows)
            )
        audit_rows = _Rows.of(self._change_audit_rows(matcher))
        if audit_rows.rows:
            self.db.submit(lambda cursor: _insert(cursor, AuditLog._meta.db_table, _AUDIT_COLUMNS, audit_rows))

    def _update_job(self, fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Callable[[Any], None]:
        now, prepared = self.now, _Rows.of(rows)
        return lambda cursor: _update(cursor, Person, fields, prepared, constants={"updated_at": now})

    def _person_rows(self, persons: list[_Cand]) -> list[tuple[Any, ...]]:
        ad, at, extra = self.ad, self.created_at, self.person_extra
        empty_list, no = ad.json([]), ad.flag(False)
        return [
            (
                ad.uuid(p.pk),
                None,
                p.id_number,
                p.full_name,
                p.name_key,
                ad.date(p.birth_date),
                p.birth_year,
                p.sex,
                p.phone,
                p.address,
                None,
                "",
                p.ethnicity,
                p.occupation,
                p.workplace,
                empty_list,
                no,
                p.residence_status,
                Source.ABSENT_LIST,
                None,
                at,
                at,
                p.province_id,
                p.district_id,
                p.commune_id,
                p.village_id,
                *extra,
            )
            for p in persons
        ]

    def _record_rows(self, records: list[_Record]) -> list[tuple[Any, ...]]:
        ad, at, extra = self.ad, self.created_at, self.record_extra
        out = []
        for record in records:
            row = record.row
            assert row is not None
            address, province_id, commune_id, workplace, phone = record.details
            out.append(
                (
                    ad.uuid(record.person),
                    record.status,
                    ad.date(record.started_on),
                    ad.date(record.ended_on),
                    address,
                    province_id,
                    commune_id,
                    workplace,
                    phone,
                    Source.ABSENT_LIST,
                    self.upload_pk,
                    row.row,
                    self.actor_id,
                    at,
                    *extra,
                )
            )
        return out

    def _change_audit_rows(self, matcher: _Matcher) -> Iterator[tuple[Any, ...]]:
        ad, actor_id, at, label = self.ad, self.actor_id, self.created_at, self.label
        for cand in matcher.by_pk.values():
            if cand.new:
                continue
            if cand.before is not None:
                after = cand.snapshot()
                after["residence_status"] = cand.status_before or cand.residence_status
                keys = [k for k in after if after[k] != cand.before.get(k)]
                if keys:
                    yield (
                        actor_id,
                        at,
                        "person.fill",
                        label,
                        str(cand.pk),
                        ad.json({k: cand.before.get(k) for k in keys}),
                        ad.json({k: after[k] for k in keys}),
                    )
            if cand.status_before is not None:
                yield (
                    actor_id,
                    at,
                    "person.residence",
                    label,
                    str(cand.pk),
                    ad.json({"residence_status": cand.status_before}),
                    ad.json({"residence_status": cand.residence_status}),
                )


# ---------------------------------------------------------------------------------------------
# The action
# ---------------------------------------------------------------------------------------------


def import_absent_list(actor: User, unit: AdminUnit, filename: str, data: bytes) -> AbsentListUpload:
    """Import an absent-citizen list for ``unit`` (see the module docstring)."""
    return run_import(actor, unit, filename, data).upload


def check_unit(actor: User, unit: AdminUnit) -> None:
    require(actor, Perm.ABSENT_UPLOAD)
    if not unit_in_scope(actor, unit):
        raise Http404(_("Not found."))
    if unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise AbsentUploadError(_("A list is uploaded by a commune or a village: choose one."), 422)


def run_import(actor: User, unit: AdminUnit, filename: str, data: bytes) -> ImportOutcome:
    check_unit(actor, unit)
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise AbsentUploadError(too_large_message(), 413)
    with _no_cyclic_gc():
        return _run_import(actor, unit, filename, data)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector off for the import.

    A list of 100,000 rows makes about a million long-lived objects (cells, rows, candidates,
    row tuples); each time enough of them have been allocated the collector walks all of them
    again and finds nothing to free: a third of the import's Python time. The import makes no
    reference cycles that matter (reference counting frees its garbage), and whatever cycles
    there are get collected once the collector is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_import(actor: User, unit: AdminUnit, filename: str, data: bytes) -> ImportOutcome:
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    sha = hashlib.sha256(data).hexdigest()
    existing = AbsentListUpload.objects.filter(unit=unit, sha256=sha).first()
    if existing is not None:
        return ImportOutcome(existing, repeated=True)
    table = read_table(filename, data)
    timings["read"] = time.perf_counter() - clock
    # The candidates are read on a connection of their own (a second server process, working
    # while the first one writes), which sees only committed rows: not when the caller has a
    # transaction open (a test's), whose rows it would miss.
    separate_reads = not connection.in_atomic_block
    for attempt in range(2):
        try:
            with transaction.atomic():
                outcome = _apply(actor, unit, filename, sha, table, separate_reads, timings, clock)
            timings["commit"] = timings["total"] = time.perf_counter() - clock
            return outcome
        except IntegrityError:
            # Another upload of the same file, or a person with one of these ID numbers created
            # meanwhile: the first case returns that upload, the second tries once more (and
            # loads the candidates again: what changed meanwhile must be seen).
            existing = AbsentListUpload.objects.filter(unit=unit, sha256=sha).first()
            if existing is not None:
                return ImportOutcome(existing, repeated=True)
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def too_large_message() -> str:
    limit = settings.MAX_UPLOAD_BYTES / (1024 * 1024)
    return _("The file is too large: at most %(size)s MB.") % {"size": f"{limit:g}"}


def _apply(
    actor: User,
    unit: AdminUnit,
    filename: str,
    sha: str,
    table: Table,
    separate_reads: bool,
    timings: dict[str, float],
    clock: float,
) -> ImportOutcome:
    # Created first (the new residence records point to it); its status and counts at the end.
    upload = AbsentListUpload.objects.create(
        unit=unit,
        filename=filename[:255],
        sha256=sha,
        status=AbsentListUpload.Status.REJECTED,
        row_count=len(table.rows),
        uploaded_by=actor,
        **lineage_columns(unit),
    )
    matcher = _Matcher()
    with DbWorker(own_connection=separate_reads) as reads, DbWorker() as db:
        writer = _Writer(actor, upload, db)
        writer.begin()
        pipeline = _Pipeline(_Loader(reads), matcher, timezone.localdate(), writer.created)
        good, errors = RowValidator(unit).validate(table, pipeline.push)
        plan = pipeline.finish()
        timings["match"] = time.perf_counter() - clock
        writer.existing(plan, matcher)
        writer.end()
        timings["existing"] = time.perf_counter() - clock
    timings["write"] = time.perf_counter() - clock
    if plan.duplicates:
        DuplicateCandidate.objects.bulk_create(
            [
                DuplicateCandidate(person_a_id=a, person_b_id=b, score=score, reasons=reasons)
                for (a, b), (score, reasons) in plan.duplicates.items()
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
    bad_rows = len({e.row for e in errors})
    if not good:
        upload.status = AbsentListUpload.Status.REJECTED
    elif bad_rows:
        upload.status = AbsentListUpload.Status.PARTIAL
    else:
        upload.status = AbsentListUpload.Status.ACCEPTED
    upload.error_count = bad_rows
    upload.errors = [e.as_json(table.headers) for e in errors]
    upload.created_count, upload.matched_count, upload.unchanged_count = plan.created, plan.matched, plan.unchanged
    upload.save(update_fields=["status", "error_count", "errors", "created_count", "matched_count", "unchanged_count"])
    record_change(
        actor,
        "absent_upload.import",
        upload,
        None,
        {
            "unit": unit.pk,
            "filename": upload.filename,
            "status": upload.status,
            "rows": upload.row_count,
            "created": plan.created,
            "matched": plan.matched,
            "unchanged": plan.unchanged,
            "rejected": bad_rows,
        },
    )
    if plan.created:
        transaction.on_commit(_merge_name_index_later, robust=True)
    timings["finish"] = time.perf_counter() - clock
    return ImportOutcome(upload, repeated=False, timings=timings)


def _merge_name_index_later() -> None:
    """The last new names are still in the name index's pending list: have the worker merge them
    now that they are committed, so that searches do not read them there."""
    from phongdich.people.tasks import merge_name_index

    merge_name_index.enqueue()
