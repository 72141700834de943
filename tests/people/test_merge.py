"""Merging two records of a person re-points every link and can be undone exactly."""

from __future__ import annotations

import datetime
import re

import pytest

from phongdich.core.models import AuditLog
from phongdich.people.actions import PersonData, intake_person, set_residence
from phongdich.people.merging import MergeError, merge_candidate, merge_people, person_links, undo_merge
from phongdich.people.models import (
    AbsentListUpload,
    DuplicateCandidate,
    Household,
    Person,
    PersonMerge,
    ResidenceRecord,
    ResidenceStatus,
    Source,
)
from phongdich.people.validation import normalize_name
from tests.people.conftest import vi

DOB = datetime.date(1990, 5, 17)


def _likely(tree, unit=None, **kw):
    data = PersonData(
        full_name=normalize_name("lo van duc"), birth_date=DOB, birth_year=1990, unit=unit or tree.to2, **kw
    )
    intake = intake_person(None, data)
    assert intake.created
    return intake.person


def _snapshot(person: Person) -> dict:
    person.refresh_from_db()
    return {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields if f.attname != "updated_at"}


def test_links_are_discovered_generically():
    keys = {f"{f.model._meta.label}.{f.name}" for f in person_links()}
    assert "people.ResidenceRecord.person" in keys
    assert not any(k.startswith(("people.DuplicateCandidate", "people.PersonMerge")) for k in keys)
    assert "people.Person.merged_into" not in keys


def test_merge_moves_links_fills_gaps_and_closes_the_pair(duc, tree, personas):
    reviewer = personas["commune"]
    dup = _likely(
        tree, occupation="Giáo viên", household=Household.objects.create(code="HK-7", **{"commune": tree.noong_bua})
    )
    upload = AbsentListUpload.objects.create(
        unit=tree.noong_bua, commune=tree.noong_bua, filename="ds.xlsx", sha256="x" * 64, status="accepted"
    )
    away = set_residence(
        None,
        dup,
        ResidenceStatus.TEMPORARILY_ABSENT,
        temp_province=tree.lai_chau,
        temp_commune=tree.quyet_thang,
        workplace="Công ty A",
        source=Source.ABSENT_LIST,
        upload_id=upload.pk,
        row_number=3,
    )
    own = set_residence(None, duc, ResidenceStatus.PERMANENT)
    pair = DuplicateCandidate.objects.get()
    before_duc = _snapshot(duc)
    before_dup = _snapshot(dup)

    merge = merge_candidate(reviewer, pair, duc)

    assert merge.survivor_id == duc.pk and merge.merged_id == dup.pk
    away.refresh_from_db()
    assert away.person_id == duc.pk and away.upload_id == upload.pk
    assert merge.moved == {"people.ResidenceRecord.person": [away.pk]}
    duc.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into_id == duc.pk
    assert duc.occupation == "Giáo viên"  # filled from the merged record
    assert duc.household.code == "HK-7"
    assert duc.id_number == "011099001234"  # kept
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.MERGED and pair.reviewed_by == reviewer
    assert AuditLog.objects.filter(action="person.merge", object_id=str(duc.pk)).exists()
    assert AuditLog.objects.filter(action="person.merge", object_id=str(dup.pk)).exists()
    assert own.person_id == duc.pk

    undo_merge(reviewer, merge)

    assert _snapshot(duc) == before_duc
    assert _snapshot(dup) == before_dup
    away.refresh_from_db()
    assert away.person_id == dup.pk
    assert ResidenceRecord.objects.get(pk=own.pk).person_id == duc.pk
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.PENDING and pair.reviewed_by is None
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == reviewer
    assert AuditLog.objects.filter(action="person.merge_undo").count() == 2


def test_id_number_moves_to_the_survivor_and_back(tree, make_person):
    keep = make_person("Quàng Văn Nam", unit=tree.to1)
    other = make_person("Quàng Văn Nam", unit=tree.to2, id_number="011088000111")
    merge = merge_people(None, keep, other)
    keep.refresh_from_db()
    assert keep.id_number == "011088000111"
    assert Person.objects.filter(id_number="011088000111", merged_into__isnull=True).get().pk == keep.pk
    undo_merge(None, merge)
    keep.refresh_from_db()
    other.refresh_from_db()
    assert keep.id_number is None
    assert other.id_number == "011088000111" and other.merged_into_id is None


def test_other_pending_pairs_of_the_merged_record_move_to_the_survivor(duc, tree):
    dup1 = _likely(tree)
    dup2 = _likely(tree, unit=tree.him_lam)  # pairs with duc and dup1
    assert DuplicateCandidate.objects.count() == 3
    merge = merge_people(None, duc, dup1)
    pending = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.PENDING)
    assert {frozenset((p.person_a_id, p.person_b_id)) for p in pending} == {frozenset((duc.pk, dup2.pk))}
    undo_merge(None, merge)
    pending = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.PENDING)
    assert pending.count() == 3
    assert {frozenset((p.person_a_id, p.person_b_id)) for p in pending} == {
        frozenset((duc.pk, dup1.pk)),
        frozenset((duc.pk, dup2.pk)),
        frozenset((dup1.pk, dup2.pk)),
    }


def test_undo_is_refused_while_a_later_merge_depends_on_it(duc, tree, make_person):
    dup1 = _likely(tree)
    third = make_person("Lò Văn Đức", unit=tree.him_lam, birth_date=datetime.date(1970, 1, 1))
    first = merge_people(None, duc, dup1)
    second = merge_people(None, third, duc)  # the survivor of the first merge is merged in turn
    with pytest.raises(MergeError, match=re.escape(vi("A later merge involves these records: undo that one first."))):
        undo_merge(None, first)
    undo_merge(None, second)
    undo_merge(None, first)
    assert Person.objects.filter(merged_into__isnull=True).count() == 3


def test_refusals(duc, tree):
    dup = _likely(tree)
    with pytest.raises(MergeError):
        merge_people(None, duc, duc)
    merge = merge_people(None, duc, dup)
    with pytest.raises(MergeError):
        merge_people(None, duc, dup)
    undo_merge(None, merge)
    with pytest.raises(MergeError):
        undo_merge(None, merge)
    assert PersonMerge.objects.count() == 1


def test_survivor_edited_after_merge_keeps_the_edit_on_undo(duc, tree):
    dup = _likely(tree, occupation="Nông dân")
    merge = merge_people(None, duc, dup)
    Person.objects.filter(pk=duc.pk).update(occupation="Kỹ sư")
    undo_merge(None, merge)
    duc.refresh_from_db()
    assert duc.occupation == "Kỹ sư"
