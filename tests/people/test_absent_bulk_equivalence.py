"""The bulk import means exactly what intake_person + set_residence mean, row by row."""

from __future__ import annotations

import datetime

from django.db import transaction

from phongdich.core.roles import Role
from phongdich.people.absent_import import RowValidator, read_table, run_import
from phongdich.people.actions import PersonData, intake_person, set_residence
from phongdich.people.models import ResidenceStatus
from tests.people.absent_helpers import intake_one_by_one, row, state, xlsx

ABSENT = ResidenceStatus.TEMPORARILY_ABSENT


def _existing(tree):
    """A registry with every case the matching rules distinguish."""
    intake_person(None, PersonData(full_name="Lò Văn Minh", id_number="011090001234", unit=tree.to2))
    intake_person(
        None, PersonData(full_name="Quàng Văn Hải", birth_date=datetime.date(1988, 1, 2), phone="+84912000111")
    )
    intake_person(None, PersonData(full_name="Vàng A Sùng", birth_date=datetime.date(1992, 7, 7)))
    intake_person(None, PersonData(full_name="Vàng A Sùng", birth_year=1992, phone="+84987654321"))
    intake_person(None, PersonData(full_name="Cà Thị Ly", birth_year=1990))
    already = intake_person(
        None, PersonData(full_name="Tòng Văn Páo", id_number="011080000777", unit=tree.noong_bua)
    ).person
    set_residence(None, already, ABSENT, temp_address="Nhà trọ A", temp_province=tree.lai_chau, workplace="X")
    moved = intake_person(None, PersonData(full_name="Lường Thị Hoa", id_number="011185000888")).person
    set_residence(None, moved, ABSENT, temp_address="Cũ", temp_province=tree.lai_chau)
    other = intake_person(None, PersonData(full_name="Sùng A Dế", id_number="011099000999", unit=tree.sin_thau)).person
    set_residence(None, other, ResidenceStatus.TEMPORARY_RESIDENT)


def _rows():
    return xlsx(
        row(),  # matched by ID number, fills birth date, phone, workplace, sex
        row(name="quàng văn hải", id_number="", birth="02/01/1988", phone="0912000111"),  # name+date+phone
        row(name="Vàng A Sùng", id_number="", birth="07/07/1992", phone="0987654321"),  # 95 with one, 80 other
        row(name="Cà Thị Ly", id_number="011190000123", birth="1990", phone=""),  # year only: likely dup
        row(
            name="Tòng Văn Páo",
            id_number="011080000777",
            address="Nhà trọ A",
            province="Lai Châu",
            workplace="X",
            phone="",
        ),
        row(name="Lường Thị Hoa", id_number="011185000888", address="Mới", province="Lai Châu", left_on="03/03/2021"),
        row(name="Sùng A Dế", id_number="011099000999", birth="1999"),  # another commune's resident
        row(name="Điêu Chính Tới", id_number="011070000321", birth="09/09/1970", village="Tổ dân phố 2"),  # new
        row(name="Điêu Chính Tới", id_number="", birth="1970", phone="0912999888"),  # year only vs the row above
    )


def test_bulk_import_equals_intake_and_set_residence(tree, personas):
    officer = personas[Role.COMMUNE]
    _existing(tree)
    data = _rows()

    # One by one, with the actions every other intake uses; then rolled back.
    with transaction.atomic():
        good, errors = RowValidator(tree.noong_bua).validate(read_table("x.xlsx", data))
        assert not errors
        intake_one_by_one(officer, good)
        one_by_one = state()
        transaction.set_rollback(True)

    upload = run_import(officer, tree.noong_bua, "x.xlsx", data).upload
    bulk = state()
    assert bulk[0] == one_by_one[0]
    assert bulk[1] == one_by_one[1]
    assert bulk[2] == one_by_one[2]
    assert len(bulk[2]) >= 2  # the likely duplicates were queued
    assert (upload.created_count, upload.matched_count, upload.unchanged_count) == (4, 4, 1)
