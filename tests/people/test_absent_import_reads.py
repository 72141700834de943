"""On PostgreSQL, outside a caller's transaction, the import reads its candidates on a connection of
its own (a second server process, in autocommit, working while the import's own connection writes).
The tests run without a wrapping transaction, as a view does, so that the second connection sees the
registry: the result must be the one-by-one reference, and a database error on that connection must
write nothing."""

from __future__ import annotations

import psycopg
import pytest
from django.db import DatabaseError, transaction
from django.db import connection as django_connection

from phongdich.core.roles import Role
from phongdich.people import absent_import
from phongdich.people.absent_import import RowValidator, read_table, run_import
from tests.cases.test_case_actions import needs_postgresql
from tests.people import test_absent_bulk_equivalence as scenario
from tests.people.absent_helpers import counts, intake_one_by_one, state

pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def connections(monkeypatch):
    """Every psycopg connection opened, by the import's second worker or by Django."""
    opened: list[psycopg.Connection] = []
    connect = psycopg.connect

    def counting(*args, **kwargs):
        conn = connect(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(psycopg, "connect", counting)
    return opened


@pytest.mark.parametrize("chunk", [2, absent_import.LOAD_CHUNK])
def test_reads_on_a_second_connection_give_the_one_by_one_result(tree, personas, monkeypatch, connections, chunk):
    monkeypatch.setattr(absent_import, "LOAD_CHUNK", chunk)
    officer = personas[Role.COMMUNE]
    scenario._existing(tree)
    data = scenario._rows()
    with transaction.atomic():
        good, _errors = RowValidator(tree.noong_bua).validate(read_table("x.xlsx", data))
        intake_one_by_one(officer, good)
        one_by_one = state()
        transaction.set_rollback(True)

    connections.clear()
    upload = run_import(officer, tree.noong_bua, "x.xlsx", data).upload
    assert state() == one_by_one
    assert upload.created_count > 0 and upload.matched_count > 0
    # A second connection was opened, in autocommit, and closed once the reads were done.
    readers = [conn for conn in connections if conn is not django_connection.connection]
    assert len(readers) == 1
    assert readers[0].autocommit and readers[0].closed


def test_an_error_on_the_reading_connection_writes_nothing(tree, personas, monkeypatch):
    officer = personas[Role.COMMUNE]
    scenario._existing(tree)
    before = counts()

    def broken(cursor, ids):
        cursor.execute("SELECT * FROM no_such_table_here")

    monkeypatch.setattr(absent_import, "_by_id_number", broken)
    with pytest.raises(DatabaseError):
        run_import(officer, tree.noong_bua, "x.xlsx", scenario._rows())
    assert counts() == before
