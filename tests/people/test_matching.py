"""Matching on intake: same ID number, name + birth date + phone, likely duplicates, client UUIDs."""

from __future__ import annotations

import datetime
import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction

from phongdich.core.models import AuditLog
from phongdich.core.text import fold
from phongdich.people.actions import PersonData, active_record, intake_person
from phongdich.people.matching import Identity, score_pair
from phongdich.people.merging import merge_people
from phongdich.people.models import DuplicateCandidate, Person
from phongdich.people.validation import normalize_name

DOB = datetime.date(1990, 5, 17)


def test_diacritics_do_not_matter_for_the_name_key():
    assert fold("Lò Văn Đức") == "lo van duc"
    assert fold(normalize_name("  lo   VAN duc ")) == "lo van duc"
    assert fold("Lò Văn Đức") == fold(normalize_name("lo van duc"))


def test_same_id_number_is_the_same_person(duc, tree):
    intake = intake_person(None, PersonData(full_name="Nguyễn Văn Khác", id_number="011099001234", unit=tree.him_lam))
    assert not intake.created
    assert intake.person.pk == duc.pk
    assert Person.objects.count() == 1


def test_name_birth_date_and_phone_without_accents_is_the_same_person(duc, tree):
    data = PersonData(full_name=normalize_name("lo van duc"), birth_date=DOB, phone="+84912345678", unit=tree.to1)
    intake = intake_person(None, data)
    assert not intake.created
    assert intake.person.pk == duc.pk


def test_name_and_birth_date_only_is_a_likely_duplicate_sent_to_review(duc, tree):
    data = PersonData(full_name=normalize_name("lo van duc"), birth_date=DOB, birth_year=1990, unit=tree.to2)
    intake = intake_person(None, data)
    assert intake.created
    assert intake.duplicates_queued == 1
    pair = DuplicateCandidate.objects.get()
    assert {pair.person_a_id, pair.person_b_id} == {duc.pk, intake.person.pk}
    assert pair.status == DuplicateCandidate.Status.PENDING
    assert "name" in pair.reasons and "birth_date" in pair.reasons
    assert 50 <= pair.score < 90


def test_a_different_id_number_is_never_a_match(duc):
    score, reasons = score_pair(
        Identity(full_name="Lò Văn Đức", id_number="011099009999", birth_date=DOB, phone="+84912345678"), duc
    )
    assert score == 0
    assert reasons == ["id_number_differs"]


def test_a_different_birth_date_is_not_a_match(duc, tree):
    intake = intake_person(
        None, PersonData(full_name="Lò Văn Đức", birth_date=datetime.date(1991, 5, 17), unit=tree.to1)
    )
    assert intake.created
    assert DuplicateCandidate.objects.count() == 0


def test_same_client_uuid_returns_the_first_result(tree):
    key = uuid.uuid4()
    first = intake_person(None, PersonData(full_name="Quàng Thị Mai", unit=tree.to1), client_uuid=key)
    again = intake_person(None, PersonData(full_name="Quàng Thị Mai Khác", unit=tree.to2), client_uuid=key)
    assert first.created and not again.created
    assert again.person.pk == first.person.pk
    assert Person.objects.count() == 1
    assert AuditLog.objects.filter(action="person.create").count() == 1


def test_client_uuid_of_a_merged_record_resolves_to_the_survivor(duc, tree):
    key = uuid.uuid4()
    other = intake_person(None, PersonData(full_name="Lò Văn Đức", unit=tree.to2), client_uuid=key).person
    merge_people(None, duc, other)
    again = intake_person(None, PersonData(full_name="Lò Văn Đức", unit=tree.to2), client_uuid=key)
    assert not again.created
    assert again.person.pk == duc.pk
    assert active_record(Person.objects.get(pk=other.pk)).pk == duc.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_intakes_with_one_client_uuid_make_one_record(tree):
    """Two requests racing with the same client UUID: one record, both get it (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results: list[uuid.UUID] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                intake = intake_person(None, PersonData(full_name="Sùng A Chứ", unit=tree.to1), client_uuid=key)
                time.sleep(0.2)  # hold the transaction open so that the other one waits on the unique index
            results.append(intake.person.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Person.objects.filter(client_uuid=key).count() == 1
    assert len(results) == 2 and results[0] == results[1]
