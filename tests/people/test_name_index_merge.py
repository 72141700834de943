"""The trigram index of names after an absent-list import: what the import leaves pending, the worker merges.

The index keeps PostgreSQL's default pending list (migration 0009); the commit of an import that
created persons enqueues people.tasks.merge_name_index, which merges what is still pending, so that
searches do not read it. Searches find the new names before and after the merge.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from phongdich.core.roles import Role
from phongdich.people.absent_import import run_import
from phongdich.people.queries import search_people
from phongdich.people.tasks import NAME_INDEX, merge_name_index, merge_pending_names
from tests.cases.test_case_actions import needs_postgresql
from tests.people.absent_helpers import csv_file, row

pytestmark = pytest.mark.django_db
SURNAMES = ["Lò", "Lường", "Quàng", "Cà", "Tòng", "Vì"]
MIDDLE = ["Văn", "Thị", "Minh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hoa", "Lan", "Mai", "Nam", "Sơn", "Xuân"]
FREE_SPACE = [
    "person_birth_name",
    "person_name_key",
    "person_phone",
    "person_unique_active_id_number",
    "people_residencerecord_person_id_6496f289",
]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_an_import_that_creates_people_enqueues_the_merge(tree, personas, django_capture_on_commit_callbacks):
    officer = personas[Role.COMMUNE]
    with override_settings(TASKS=DB_TASKS), django_capture_on_commit_callbacks(execute=True):
        run_import(officer, tree.noong_bua, "ds.csv", csv_file(row(village="Tổ dân phố 1", left_on="01/02/2021")))
    assert DBTaskResult.objects.filter(task_path="phongdich.people.tasks.merge_name_index").count() == 1
    # The same file again creates nobody: no merge to do.
    with override_settings(TASKS=DB_TASKS), django_capture_on_commit_callbacks(execute=True):
        run_import(officer, tree.noong_bua, "ds.csv", csv_file(row(village="Tổ dân phố 1", left_on="01/02/2021")))
    assert DBTaskResult.objects.count() == 1


def test_the_merge_does_nothing_off_postgresql_or_finds_the_index():
    merged = merge_name_index.call()
    assert merged >= 0
    if connection.vendor != "postgresql":
        assert merged == 0


@needs_postgresql
def test_the_index_keeps_new_names_pending_and_the_merge_empties_the_list(tree, personas):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [NAME_INDEX])
        assert cursor.fetchone()[0] is None  # PostgreSQL's default pending list (migration 0009)
        # Migration 0008: room for the random-order inserts of a list in these B-trees.
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [FREE_SPACE])
        assert {name: options for name, options in cursor.fetchall()} == {key: ["fillfactor=70"] for key in FREE_SPACE}
    officer = personas[Role.COMMUNE]
    names = [f"{a} {b} {c}" for a in SURNAMES for b in MIDDLE for c in GIVEN]
    people = [
        row(name=name, id_number=f"0110900{n:05d}", phone="", village="Tổ dân phố 1", left_on="01/02/2021")
        for n, name in enumerate(names)
    ]
    outcome = run_import(officer, tree.noong_bua, "ds.csv", csv_file(*people))
    assert outcome.upload.created_count == len(names)
    wanted = names.index("Quàng Thị Xuân")
    expected = [f"0110900{wanted:05d}"]
    assert [p.id_number for p in search_people(officer, "Quàng Thị Xuân")] == expected
    assert merge_pending_names() >= 1
    assert [p.id_number for p in search_people(officer, "Quàng Thị Xuân")] == expected
    assert merge_pending_names() == 0
