"""The bulk import works in chunks (each chunk of validated rows has its candidates loaded, is
planned and has its new persons written, on PostgreSQL by database threads): with tiny chunks every
boundary falls between related rows, and the result must still equal the one-by-one reference."""

from __future__ import annotations

import gc

import pytest
from django.db import DatabaseError, transaction

from phongdich.core.models import AuditLog
from phongdich.core.roles import Role
from phongdich.people import absent_import
from phongdich.people.absent_import import AbsentUploadError, RowValidator, read_table, run_import
from phongdich.people.absent_worker import DbWorker
from phongdich.people.models import Person, Source
from tests.people import test_absent_bulk_buckets, test_absent_bulk_equivalence
from tests.people.absent_helpers import intake_one_by_one, state


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(absent_import, "LOAD_CHUNK", 2)
    monkeypatch.setattr(absent_import, "_load_chunk", lambda: 1)


@pytest.mark.parametrize("scenario", [test_absent_bulk_equivalence, test_absent_bulk_buckets])
def test_tiny_chunks_give_the_one_by_one_result(tree, personas, tiny_chunks, scenario):
    officer = personas[Role.COMMUNE]
    if scenario is test_absent_bulk_equivalence:
        scenario._existing(tree)
    else:
        scenario._existing()
    data = scenario._rows()
    with transaction.atomic():
        good, errors = RowValidator(tree.noong_bua).validate(read_table("x.xlsx", data))
        assert [e.code for e in errors] in ([], ["dup_name"])  # the buckets file has one duplicate row
        intake_one_by_one(officer, good)
        one_by_one = state()
        transaction.set_rollback(True)

    upload = run_import(officer, tree.noong_bua, "x.xlsx", data).upload
    assert state() == one_by_one
    created = Person.objects.filter(residence_records__upload=upload, source=Source.ABSENT_LIST).distinct().count()
    assert created == upload.created_count > 0
    assert AuditLog.objects.get(action="absent_upload.import", object_id=str(upload.pk)).after["created"] == created
    assert Person.objects.filter(residence_records__upload=upload).distinct().count() == (
        upload.created_count + upload.matched_count
    )


def test_validation_hands_every_good_row_once_in_chunks(tree, tiny_chunks):
    data = test_absent_bulk_equivalence._rows()
    chunks: list[list[int]] = []
    good, _errors = RowValidator(tree.noong_bua).validate(
        read_table("x.xlsx", data), lambda rows: chunks.append([r.row for r in rows])
    )
    assert [n for chunk in chunks for n in chunk] == [r.row for r in good]
    assert all(len(chunk) == 2 for chunk in chunks[:-1])


def test_a_failing_database_job_is_raised_as_a_django_error_and_stops_the_rest(db):
    ran: list[str] = []
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), DbWorker() as worker:
        worker.submit(lambda cursor: cursor.execute("SELECT * FROM no_such_table_here"))
        worker.submit(lambda cursor: ran.append("after"))
    assert type(caught.value).__module__ == "django.db.utils"
    assert ran == []


def test_the_garbage_collector_is_back_on_after_an_import(tree, personas):
    officer = personas[Role.COMMUNE]
    assert gc.isenabled()
    run_import(officer, tree.noong_bua, "x.xlsx", test_absent_bulk_equivalence._rows())
    assert gc.isenabled()
    with pytest.raises(AbsentUploadError):
        run_import(officer, tree.noong_bua, "x.csv", b"not,a,list\n1,2,3\n")
    assert gc.isenabled()
