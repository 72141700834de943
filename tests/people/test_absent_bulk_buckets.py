"""The bulk import's in-memory candidate lists (by name and birth date, by name and birth
year) follow the persons as earlier rows of the same file fill in or create them, exactly as
intake_person + set_residence would see them one row at a time."""

from __future__ import annotations

from django.db import transaction

from phongdich.core.roles import Role
from phongdich.people.absent_import import RowValidator, read_table, run_import
from phongdich.people.actions import PersonData, intake_person
from tests.people.absent_helpers import intake_one_by_one, row, state, xlsx


def _existing() -> None:
    # Known by the year of birth only: a later row fills in the date (moving the person from
    # the "no date" list of 1990 to the list of its date).
    intake_person(None, PersonData(full_name="Giàng A Páo", id_number="011090000111", birth_year=1990))
    # Known by ID alone (no birth date or year): a row fills both in, and a later row with
    # that year must then see the person.
    intake_person(None, PersonData(full_name="Thào A Chá", id_number="011088000444"))
    # Known by the year only, never by ID: a row with a date sees it (no date, same year).
    intake_person(None, PersonData(full_name="Lầu Thị Mỷ", birth_year=1995, phone="+84988000333"))


def _rows() -> bytes:
    return xlsx(
        row(name="Giàng A Páo", id_number="011090000111", birth="05/05/1990", phone="0912000222"),
        row(name="Giàng A Páo", id_number="", birth="1990", phone="0912000222"),  # year: the filled-in one
        row(name="Vừ A Dình", id_number="", birth="02/02/1985", phone="0987000111"),  # new
        row(name="Vừ A Dình", id_number="", birth="1985", phone="0987000111"),  # year: the row above's
        row(name="Lầu Thị Mỷ", id_number="", birth="07/07/1995", phone="0988000333"),  # date vs year only
        row(name="Lầu Thị Mỷ", id_number="", birth="1995", phone=""),  # year: both of them
        row(name="Thào A Chá", id_number="011088000444", birth="03/03/1988", phone="0911000444"),
        row(name="Thào A Chá", id_number="", birth="1988", phone="0911000444"),  # year: the filled-in one
        row(name="giang a pao", id_number="", birth="05/05/1990", phone="0912000222", workplace="Y"),
    )


def test_bulk_candidates_follow_earlier_rows(tree, personas):
    officer = personas[Role.COMMUNE]
    _existing()
    data = _rows()
    with transaction.atomic():
        good, errors = RowValidator(tree.noong_bua).validate(read_table("x.xlsx", data))
        assert [e.code for e in errors] == ["dup_name"]  # the last row: same name and date as the first
        intake_one_by_one(officer, good)
        one_by_one = state()
        transaction.set_rollback(True)

    upload = run_import(officer, tree.noong_bua, "x.xlsx", data).upload
    bulk = state()
    assert bulk == one_by_one
    assert len(bulk[2]) >= 4  # likely duplicates through the year lists
    assert upload.error_count == 1
