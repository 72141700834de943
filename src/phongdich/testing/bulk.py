"""Set-based writes for the result import: COPY on PostgreSQL, executemany elsewhere.

``insert`` writes model rows given as {attname: value} (missing columns take their default);
``update`` sets some columns of many rows by primary key (PostgreSQL: COPY into a temporary
table, then one ``UPDATE … FROM``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

CHUNK = 2000
_counter = itertools.count()


class RawJson(str):
    """A JSON document already encoded: written as it is (no second json.dumps)."""

    __slots__ = ()


def _prep(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return str(value) if isinstance(value, RawJson) else json.dumps(value, ensure_ascii=False)
    return field.get_db_prep_save(value, connection)


def _preparer(fields: Sequence[models.Field[Any, Any]]) -> Any:
    """A function turning a row of Python values into what the database takes.

    PostgreSQL's COPY adapts str, int, bool, Decimal, UUID and aware datetimes itself, so only
    JSON is dumped there (Django's per-value preparation was half the import's time).
    """
    if connection.vendor == "postgresql":
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        if not json_at:
            return list

        def prep_pg(values: Sequence[Any]) -> list[Any]:
            out = list(values)
            for i in json_at:
                value = out[i]
                if value is not None:
                    out[i] = str(value) if isinstance(value, RawJson) else json.dumps(value, ensure_ascii=False)
            return out

        return prep_pg

    def prep(values: Sequence[Any]) -> list[Any]:
        return [_prep(f, v) for f, v in zip(fields, values, strict=True)]

    return prep


def _concrete(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.get_internal_type() not in ("AutoField", "BigAutoField")]


def insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` ({attname: value}) into ``model``'s table; returns how many."""
    fields = _concrete(model)
    defaults = {f.attname: f.get_default() for f in fields}
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(f.column)) for f in fields)
    table = qn(model._meta.db_table)
    n = 0

    prep = _preparer(fields)
    names = [f.attname for f in fields]

    def prepared() -> Iterable[list[Any]]:
        nonlocal n
        for row in rows:
            n += 1
            yield prep([row[a] if a in row else defaults[a] for a in names])

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for values in prepared():
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - quoted model names
            batch: list[list[Any]] = []
            for values in prepared():
                batch.append(values)
                if len(batch) >= CHUNK:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    return n


def update(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Set ``attnames`` of the rows (pk, *values) of ``model``; returns how many rows were given."""
    if not rows:
        return 0
    meta = model._meta
    by_name = {f.attname: f for f in meta.concrete_fields}
    fields = [by_name[a] for a in attnames]
    pk = meta.pk
    assert pk is not None
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = f"testing_update_{next(_counter)}"
            types = ", ".join(f"c{i} {f.db_type(connection)}" for i, f in enumerate(fields))
            key = pk.db_type(connection)
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} (pk {key} PRIMARY KEY, {types}) ON COMMIT DROP")
            prep = _preparer([pk, *fields])
            with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(prep(row))
            sets = ", ".join(f"{qn(str(f.column))} = u.c{i}" for i, f in enumerate(fields))
            cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {temp} AS u WHERE t.{qn(str(pk.column))} = u.pk")  # noqa: S608
            cursor.execute(f"DROP TABLE {temp}")
        else:
            sets = ", ".join(f"{qn(str(f.column))} = %s" for f in fields)
            sql = f"UPDATE {table} SET {sets} WHERE {qn(str(pk.column))} = %s"  # noqa: S608 - quoted model names
            prepared = [
                [*(_prep(f, v) for f, v in zip(fields, row[1:], strict=True)), _prep(pk, row[0])] for row in rows
            ]
            for start in range(0, len(prepared), CHUNK):
                cursor.executemany(sql, prepared[start : start + CHUNK])
    return len(rows)
