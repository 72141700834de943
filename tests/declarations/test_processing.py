"""Public declarations are stored at once and processed by the task worker in batches.

With the database task backend (as in production): the request stores the declaration and
schedules one task; the declaration waits (no person, no flags) until ``drain`` processes it;
whoever reads it first (checkpoint scan, staff) gets it processed; officers' declarations are
processed at once. Batch processing gives each declaration the flags it would get alone.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from phongdich.cases.actions import create_case
from phongdich.core.models import AuditLog, User
from phongdich.core.roles import Role
from phongdich.declarations import processing, tokens
from phongdich.declarations.actions import submit_declaration
from phongdich.declarations.models import Channel, Declaration, DeclarationFlag, FlagKind
from phongdich.declarations.queries import declaration_for_token
from phongdich.people.actions import PersonData, intake_person, set_residence
from phongdich.people.models import Person, ResidenceStatus
from phongdich.policy.risk import declare_risk_area
from tests.cases.test_case_actions import needs_postgresql
from tests.conftest import Tree, client_for
from tests.declarations.conftest import API, MakeData
from tests.declarations.test_api import body

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def deferred() -> Iterator[None]:
    """The production task backend, and a fresh per-process schedule."""
    processing._scheduled_for = None
    with override_settings(TASKS=DB_TASKS):
        yield
    processing._scheduled_for = None


def test_public_submission_waits_for_the_worker_then_is_processed(
    tree: Tree, deferred: None, django_capture_on_commit_callbacks: Any
) -> None:
    person = intake_person(None, PersonData(full_name="Lò Văn Minh", id_number="011090001234", unit=tree.to1)).person
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(None).post(f"{API}/public", body(tree), content_type="application/json")
    assert answer.status_code == 201, answer.content
    d = Declaration.objects.get()
    assert d.pending and d.person_id is None and d.rule_set_id is None
    assert not DeclarationFlag.objects.exists()
    assert not AuditLog.objects.filter(action="declaration.submit").exists()
    assert (
        DBTaskResult.objects.filter(task_path="phongdich.declarations.tasks.process_pending_declarations").count() == 1
    )
    task = DBTaskResult.objects.get()
    assert task.run_after is not None and task.run_after > timezone.now() - datetime.timedelta(seconds=5)

    # A second declaration within the delay does not enqueue a second task: the first one covers it.
    with django_capture_on_commit_callbacks(execute=True):
        again = client_for(None).post(
            f"{API}/public",
            body(tree, full_name="Quàng Thị Hoa", id_number="011190004321", symptoms=[]),
            content_type="application/json",
        )
    assert again.status_code == 201
    assert DBTaskResult.objects.count() == 1

    assert processing.drain() == 2
    d.refresh_from_db()
    assert not d.pending and d.person_id == person.pk and d.rule_set_id is not None
    assert set(d.flags.values_list("kind", flat=True)) == {FlagKind.SYMPTOMS}
    assert AuditLog.objects.filter(action="declaration.submit", object_id=str(d.pk)).count() == 1
    other = Declaration.objects.exclude(pk=d.pk).get()
    assert other.person is not None and other.person.full_name == "Quàng Thị Hoa"
    assert processing.drain() == 0  # nothing processed twice
    assert DeclarationFlag.objects.count() == 1


def test_the_task_drains_what_is_waiting(tree: Tree, deferred: None, make_data: MakeData) -> None:
    from phongdich.declarations.tasks import process_pending_declarations

    for n in range(3):
        submit_declaration(make_data(full_name=f"Người Số {n}", id_number=f"01109000100{n}"), client_uuid=None)
    assert Declaration.objects.filter(processed_at__isnull=True).count() == 3
    assert process_pending_declarations.call() == 3
    assert Person.objects.count() == 3
    assert not Declaration.objects.filter(processed_at__isnull=True).exists()


def test_a_resend_answers_the_waiting_declaration(tree: Tree, deferred: None) -> None:
    payload = body(tree)
    first = client_for(None).post(f"{API}/public", payload, content_type="application/json")
    second = client_for(None).post(f"{API}/public", payload, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["qr_token"] == second.json()["qr_token"]
    assert Declaration.objects.count() == 1


def test_a_checkpoint_scan_processes_a_waiting_declaration(tree: Tree, deferred: None, make_data: MakeData) -> None:
    person = intake_person(None, PersonData(full_name="Lò Văn Minh", id_number="011090001234", unit=tree.to1)).person
    set_residence(None, person, ResidenceStatus.TEMPORARILY_ABSENT, temp_province=tree.lai_chau)
    d, _ = submit_declaration(make_data(), client_uuid=None)
    assert d.pending
    found = declaration_for_token(tokens.make_token(d.reference))
    assert found is not None and not found.pending and found.person_id == person.pk
    assert set(found.flags.values_list("kind", flat=True)) == {FlagKind.ABSENT_RETURNING}
    assert processing.drain() == 0


def test_staff_opening_a_waiting_declaration_processes_it(
    tree: Tree, deferred: None, personas: dict[Role, User], make_data: MakeData
) -> None:
    d, _ = submit_declaration(make_data(symptoms=["cough"]), client_uuid=None)
    commune = client_for(personas[Role.COMMUNE])
    listing = commune.get("/declarations/?state=all")
    assert listing.status_code == 200
    assert listing.context["pending_count"] == 1
    answer = commune.get(f"{API}/{d.pk}")
    assert answer.status_code == 200 and answer.json()["processed"] is True
    assert [f["kind"] for f in answer.json()["flags"]] == [FlagKind.SYMPTOMS]
    assert commune.get("/declarations/?state=all").context["pending_count"] == 0


def test_an_officers_declaration_is_processed_at_once(
    tree: Tree, deferred: None, personas: dict[Role, User], make_data: MakeData
) -> None:
    d, _ = submit_declaration(
        make_data(symptoms=["fever"]), client_uuid=None, channel=Channel.CHECKPOINT, actor=personas[Role.COMMUNE]
    )
    assert not d.pending and d.person_id is not None
    assert d.flags.count() == 1
    assert not DBTaskResult.objects.exists()
    assert AuditLog.objects.get(action="declaration.submit").actor == personas[Role.COMMUNE]


def test_a_batch_gives_each_declaration_its_own_flags(tree: Tree, deferred: None, make_data: MakeData) -> None:
    today = timezone.localdate()
    absent = intake_person(None, PersonData(full_name="Lò Văn An", id_number="011090000001", unit=tree.to1)).person
    set_residence(None, absent, ResidenceStatus.TEMPORARILY_ABSENT, temp_province=tree.lai_chau)
    f0 = intake_person(None, PersonData(full_name="Lò Văn Bình", id_number="011090000002", unit=tree.to1)).person
    create_case(None, f0, confirmed_on=today)
    declare_risk_area(None, tree.lai_chau, effective_from=today - datetime.timedelta(days=5))
    made = {
        "absent": make_data(full_name="Lò Văn An", id_number="011090000001", origin_province=tree.province),
        "f0": make_data(full_name="Lò Văn Bình", id_number="011090000002", origin_province=tree.province),
        "risk": make_data(full_name="Lò Văn Cường", id_number="011090000003"),
        "plain": make_data(full_name="Lò Văn Dũng", id_number="011090000004", origin_province=tree.province),
        "symptoms": make_data(
            full_name="Lò Văn Em", id_number="011090000005", origin_province=tree.province, exposures=["symptomatic"]
        ),
    }
    ids = {name: submit_declaration(data, client_uuid=None)[0].pk for name, data in made.items()}
    assert processing.drain(batch=2) == 5
    got = {
        name: set(DeclarationFlag.objects.filter(declaration_id=pk).values_list("kind", flat=True))
        for name, pk in ids.items()
    }
    assert got == {
        "absent": {FlagKind.ABSENT_RETURNING},
        "f0": {FlagKind.REGISTRY_F0},
        "risk": {FlagKind.HIGH_RISK_AREA},
        "plain": set(),
        "symptoms": {FlagKind.EXPOSURE},
    }
    flag = DeclarationFlag.objects.get(declaration_id=ids["risk"])
    assert flag.commune_id == tree.noong_bua.pk and flag.detail["areas"][0]["unit"] == "12"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@needs_postgresql
def test_a_declaration_locked_by_another_worker_is_skipped(tree: Tree, deferred: None, make_data: MakeData) -> None:
    """Two workers never process the same declaration: a locked row is skipped, not waited for."""
    held, _ = submit_declaration(make_data(), client_uuid=None)
    free, _ = submit_declaration(make_data(full_name="Quàng Thị Hoa", id_number="011190004321"), client_uuid=None)
    locked, release, finished = threading.Event(), threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                Declaration.objects.select_for_update().filter(pk=held.pk).get()
                locked.set()
                release.wait(10)
        finally:
            connection.close()
            finished.set()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        assert processing.drain() == 1
        assert Declaration.objects.get(pk=free.pk).processed_at is not None
        assert Declaration.objects.get(pk=held.pk).processed_at is None
    finally:
        release.set()
        thread.join(10)
    assert processing.drain() == 1
    assert Declaration.objects.filter(processed_at__isnull=True).count() == 0


@pytest.mark.parametrize("field", ["destination_id", "origin_province_id"])
def test_an_unknown_or_huge_unit_id_is_refused(tree: Tree, deferred: None, field: str) -> None:
    for value in (10**20, -1, 987654):
        answer = client_for(None).post(f"{API}/public", body(tree, **{field: value}), content_type="application/json")
        assert answer.status_code == 422, (value, answer.content)
    assert not Declaration.objects.exists()


def test_a_unit_of_the_wrong_level_is_refused_from_the_cache(tree: Tree, deferred: None) -> None:
    ok = client_for(None).post(f"{API}/public", body(tree), content_type="application/json")
    assert ok.status_code == 201  # the commune and the province are now cached
    swapped = body(tree, destination_id=tree.lai_chau.pk, origin_province_id=tree.noong_bua.pk)
    answer = client_for(None).post(f"{API}/public", swapped, content_type="application/json")
    assert answer.status_code == 422
    assert Declaration.objects.count() == 1


def test_waiting_declarations_of_an_id_number_are_processed_on_demand(
    tree: Tree, deferred: None, make_data: MakeData
) -> None:
    d, _ = submit_declaration(make_data(), client_uuid=None)
    other, _ = submit_declaration(make_data(full_name="Quàng Thị Hoa", id_number="011190004321"), client_uuid=None)
    assert processing.ensure_processed_for("011090001234") == 1
    d.refresh_from_db()
    other.refresh_from_db()
    assert not d.pending and d.person is not None and d.person.id_number == "011090001234"
    assert other.pending
    assert processing.ensure_processed_for("011090001234") == 0


def test_a_checkpoint_typing_the_id_of_someone_who_just_declared_finds_them(
    tree: Tree, deferred: None, make_data: MakeData
) -> None:
    from phongdich.checkpoints.queries import lookup

    submit_declaration(make_data(full_name="Vì Văn Mới", id_number="011095007777"), client_uuid=None)
    assert not Person.objects.filter(id_number="011095007777").exists()  # the worker has not run yet
    person, _ = lookup(id_number="0110 9500 7777")
    assert person is not None and person.full_name == "Vì Văn Mới"


def test_a_matching_failure_leaves_the_declaration_unmatched_but_flagged(
    tree: Tree, deferred: None, make_data: MakeData, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    d, _ = submit_declaration(make_data(symptoms=["fever"]), client_uuid=None)
    other, _ = submit_declaration(make_data(full_name="Quàng Thị Hoa", id_number="011190004321"), client_uuid=None)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("registry unavailable")

    monkeypatch.setattr(processing, "intake_person", broken)
    assert processing.drain() == 2
    d.refresh_from_db()
    assert not d.pending and d.person_id is None
    assert list(d.flags.values_list("kind", flat=True)) == [FlagKind.SYMPTOMS]
    assert "matching to a person failed" in caplog.text and "Lò Văn Minh" not in caplog.text
    assert Declaration.objects.get(pk=other.pk).processed_at is not None
