"""The import builds COPY's text format itself, column by column (absent_import._copy_text): what it
sends must be stored exactly as psycopg's own formatting would store it, for every kind of value it
takes, and any other kind makes it step aside (psycopg then formats the rows)."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from django.db import connection

from phongdich.people.absent_import import _copy, _copy_text, _Rows
from phongdich.people.models import Source
from tests.cases.test_case_actions import needs_postgresql

AT = datetime.datetime(2021, 8, 31, 7, 30, 15, 123456, tzinfo=datetime.UTC)
TRICKY = ["tab\there", "line\nbreak", "back\\slash", "\\N", "cr\rhere", "", "Lò Văn Mình", "a\\tb"]


def rows() -> list[tuple]:
    out = []
    for n, text in enumerate(TRICKY):
        out.append(
            (
                uuid.UUID(int=n + 1),
                text,
                None if n % 3 == 0 else f"x{n}",
                Source.ABSENT_LIST,
                n,
                n % 2 == 0,
                datetime.date(1990, 1, n + 1) if n % 2 else None,
                AT,
                '{"a": [1, "b\\\\c"]}',
            )
        )
    return out


def test_the_text_format_escapes_and_writes_nulls():
    text = _copy_text(rows())
    assert text is not None
    lines = text.decode().split("\n")
    assert lines[-1] == "" and len(lines) == len(TRICKY) + 1
    first = lines[0].split("\t")
    assert first[1] == "tab\\there" and first[2] == "\\N" and first[3] == "absent_list" and first[5] == "t"
    assert first[6] == "\\N" and first[7] == AT.isoformat()
    assert lines[3].split("\t")[1] == "\\\\N"  # the text "\N" is not a NULL


def test_values_of_other_kinds_let_psycopg_format_the_rows():
    assert _copy_text([(decimal.Decimal("1.5"), "a"), (decimal.Decimal("2"), "b")]) is None
    assert _copy_text([("a", 1), (2, 3)]) is None  # a column of mixed kinds


@needs_postgresql
@pytest.mark.django_db
def test_postgresql_stores_the_same_as_with_psycopgs_own_formatting():
    columns = "k uuid, t text, n varchar(10), s varchar(20), i integer, b boolean, d date, w timestamptz, j jsonb"
    data = rows()
    prepared = _Rows.of(data)
    assert prepared.text is not None
    with connection.cursor() as cursor:
        raw = cursor.cursor
        stored = []
        for name, how in (("ours", prepared), ("psycopg", _Rows(data))):
            raw.execute(f"CREATE TEMPORARY TABLE copy_{name} ({columns})")
            _copy(raw, f"COPY copy_{name} FROM STDIN", how)
            raw.execute(f"SELECT * FROM copy_{name} ORDER BY k")  # noqa: S608 - our two names
            stored.append(raw.fetchall())
    assert stored[0] == stored[1]
    assert [row[1] for row in stored[0]] == TRICKY
    assert stored[0][0][2] is None and stored[0][0][7] == AT
