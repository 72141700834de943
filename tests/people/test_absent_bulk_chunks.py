"""The bulk import works in chunks (each chunk of validated rows has its candidates loaded, is
planned and has its new persons written, on PostgreSQL by database threads): with tiny chunks every
boundary falls between related rows, and the result must still equal the one-by-one reference."""

from __future__ import annotations

import datetime
import gc

import pytest
from django.db import DatabaseError, transaction

from phongdich.core.models import AuditLog
from phongdich.core.roles import Role
from phongdich.people import absent_import
from phongdich.people.absent_import import AbsentUploadError, RowValidator, read_table, run_import
from phongdich.people.absent_worker import DbWorker
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person, Source
from tests.people import test_absent_bulk_buckets, test_absent_bulk_equivalence
from tests.people.absent_helpers import intake_one_by_one, row, state, xlsx


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


def test_a_known_person_matched_again_in_a_later_chunk(tree, personas, tiny_chunks):
    """A later row, in another chunk, may match a known person again (the first row by ID number
    under another spelling, the second by name, birth date and phone): its changes follow, and the
    residence record the first row opened is closed, as one row after the other would do."""
    officer = personas[Role.COMMUNE]
    known = intake_person(
        None,
        PersonData(
            full_name="Lò Thị Hoa", id_number="011190000555", birth_date=datetime.date(1990, 4, 4), phone="+84912555000"
        ),
    ).person
    data = xlsx(
        row(name="Lò Thị Hòa", id_number="011190000555", birth="1990", phone="", address="Nhà trọ 1", workplace=""),
        row(name="Cầm Văn Một", id_number="011080000001", birth="01/01/1980"),
        row(name="Cầm Văn Hai", id_number="011080000002", birth="02/01/1980"),
        row(name="Cầm Văn Ba", id_number="011080000003", birth="03/01/1980"),
        row(
            name="Lò Thị Hoa",
            id_number="",
            birth="04/04/1990",
            phone="0912555000",
            address="Nhà trọ 2",
            left_on="01/06/2021",
        ),
    )
    with transaction.atomic():
        good, errors = RowValidator(tree.noong_bua).validate(read_table("x.xlsx", data))
        assert errors == [] and len(good) == 5
        intake_one_by_one(officer, good)
        one_by_one = state()
        transaction.set_rollback(True)

    upload = run_import(officer, tree.noong_bua, "x.xlsx", data).upload
    assert state() == one_by_one
    assert upload.matched_count == 2 and upload.created_count == 3
    records = list(known.residence_records.order_by("row_number").values_list("temp_address", "ended_on"))
    assert records == [("Nhà trọ 1", datetime.date(2021, 6, 1)), ("Nhà trọ 2", None)]
    known.refresh_from_db()
    assert known.workplace == "Công ty ABC"  # filled in by the second row
