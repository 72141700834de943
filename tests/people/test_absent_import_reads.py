"""On PostgreSQL, outside a caller's transaction, the import reads its candidates on a connection of
its own (a second server process, in autocommit, working while the import's own connection writes).
The tests run without a wrapping transaction, as a view does, so that the second connection sees the
registry: the result must be the one-by-one reference, and a database error on that connection must
write nothing."""

from __future__ import annotations

import hashlib
import threading
import time

import psycopg
import pytest
from django.db import DatabaseError, transaction
from django.db import connection as django_connection
from django.db import connections as django_connections

from phongdich.core.roles import Role
from phongdich.people import absent_import
from phongdich.people.absent_import import RowValidator, read_table, run_import
from phongdich.people.models import AbsentListUpload
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


def test_the_same_file_uploaded_twice_at_once_is_imported_once(tree, personas):
    """The upload row is written first, inside the import's transaction: a second upload of the same
    file meanwhile waits on its unique index, then gets the first upload back (and writes nothing)."""
    officer = personas[Role.COMMUNE]
    data = scenario._rows()
    sha = hashlib.sha256(data).hexdigest()
    template = AbsentListUpload.objects.create(
        unit=tree.noong_bua,
        filename="other.xlsx",
        sha256="0" * 64,
        status=AbsentListUpload.Status.ACCEPTED,
        row_count=0,
    )
    columns = [f.column for f in AbsentListUpload._meta.concrete_fields]
    picked = ["gen_random_uuid()" if c == "id" else "%s" if c == "sha256" else c for c in columns]
    other = psycopg.connect(**django_connection.get_connection_params())  # the "first" upload, uncommitted
    first = other.execute(
        f"INSERT INTO people_absentlistupload ({', '.join(columns)}) "  # noqa: S608 - model columns
        f"SELECT {', '.join(picked)} FROM people_absentlistupload WHERE id = %s RETURNING id",
        [sha, template.pk],
    ).fetchone()[0]
    before = counts()
    outcome: list = []

    def second_upload() -> None:
        try:
            outcome.append(run_import(officer, tree.noong_bua, "x.xlsx", data))
        finally:
            django_connections.close_all()

    thread = threading.Thread(target=second_upload)
    thread.start()
    try:
        waiting = 0
        for _ in range(200):  # until the second upload waits for the first one's lock
            with django_connection.cursor() as cursor:  # in autocommit: a fresh view of the activity
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                waiting = cursor.fetchone()[0]
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1
        other.commit()
    finally:
        other.close()
        thread.join(30)
    assert outcome[0].repeated and outcome[0].upload.pk == first
    assert counts() == before | {"uploads": before["uploads"] + 1}  # the first one only; no person, no record
