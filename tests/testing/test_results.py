"""Samples, pools and results through the real actions: pool deconvolution, proposals, the seams."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from phongdich.cases.actions import create_case
from phongdich.cases.models import Case, DetectedBy
from phongdich.policy.models import TestKind as Kind
from phongdich.testing import actions, queries
from phongdich.testing.actions import TestingError
from phongdich.testing.models import CaseProposal, Outcome, PlaceKind, Sample, TubeStatus
from phongdich.testing.results import enter_result
from phongdich.tracing.models import Investigation
from tests.testing.conftest import RESULTED, TAKEN, pool_of, take, taking


def test_negative_pool_makes_each_member_negative(make_person, lab, tree):
    people = [make_person() for _ in range(5)]
    pool = pool_of(people, "P-0001", tree.noong_bua)
    assert pool.size == 5 and Sample.objects.filter(pool=pool).count() == 5
    entered = enter_result(None, lab, "p-0001", Outcome.NEGATIVE, resulted_at=RESULTED)
    assert entered.status == "written" and entered.queued == 0
    members = Sample.objects.filter(pool=pool)
    assert {(m.status, m.outcome, m.result_source) for m in members} == {(TubeStatus.RESULTED, "negative", "pool")}
    facts = queries.results_for([p.pk for p in people], datetime.date(2021, 8, 1))
    assert len(facts) == 5 and all(f[0].outcome == "negative" for f in facts.values())
    assert not CaseProposal.objects.exists()


def test_positive_pool_queues_an_individual_test_for_each_member(make_person, lab, tree):
    people = [make_person() for _ in range(4)]
    pool = pool_of(people, "P-0002", tree.noong_bua, place_kind=PlaceKind.CHECKPOINT)
    entered = enter_result(None, lab, "P-0002", Outcome.POSITIVE, Decimal("25.0"), RESULTED)
    assert entered.queued == 4 and entered.proposal is None
    assert set(Sample.objects.filter(pool=pool).values_list("status", flat=True)) == {TubeStatus.POOL_POSITIVE}
    queued = Sample.objects.filter(queued_from=pool)
    assert sorted(q.person_id for q in queued) == sorted(p.pk for p in people)
    assert {q.status for q in queued} == {TubeStatus.QUEUED} and all(q.taken_at is None for q in queued)
    # No final result from the pool for its members, no proposal yet.
    assert queries.results_for([p.pk for p in people], datetime.date(2021, 8, 1)) == {}
    assert not CaseProposal.objects.exists()
    # Taking the individual sample fills the queued test; its positive proposes a case.
    sample = take(people[0], "S-1001", place_kind=PlaceKind.CHECKPOINT)
    assert sample.queued_from_id == pool.pk and sample.status == TubeStatus.TAKEN
    assert Sample.objects.filter(queued_from=pool, status=TubeStatus.QUEUED).count() == 3
    entered = enter_result(None, lab, "S-1001", Outcome.POSITIVE, Decimal("22.4"), RESULTED)
    proposal = entered.proposal
    assert proposal is not None and proposal.detected_by == DetectedBy.CHECKPOINT
    assert proposal.commune_id == tree.noong_bua.pk and not proposal.confirmation_advised


def test_invalid_pool_queues_a_retest(make_person, lab, tree):
    people = [make_person() for _ in range(3)]
    pool = pool_of(people, "P-0003", tree.noong_bua)
    entered = enter_result(None, lab, "P-0003", Outcome.INVALID, resulted_at=RESULTED)
    assert entered.queued == 3
    assert set(Sample.objects.filter(pool=pool).values_list("status", flat=True)) == {TubeStatus.POOL_INVALID}
    assert Sample.objects.filter(queued_from=pool, status=TubeStatus.QUEUED).count() == 3


def test_invalid_single_queues_a_retest(make_person, lab):
    person = make_person()
    take(person, "S-2001")
    entered = enter_result(None, lab, "S-2001", Outcome.INVALID, resulted_at=RESULTED)
    assert entered.queued == 1 and Sample.objects.filter(person=person, status=TubeStatus.QUEUED).count() == 1


@pytest.mark.parametrize("size", [1, 11])
def test_pool_size_is_2_to_10(make_person, tree, size):
    people = [make_person() for _ in range(size)]
    with pytest.raises(TestingError):
        actions.take_pool(None, people, taking("P-SIZE"), tree.noong_bua)
    assert not Sample.objects.exists()


def test_pool_refuses_a_person_twice_and_a_used_barcode(make_person, tree):
    a, b = make_person(), make_person()
    with pytest.raises(TestingError):
        actions.take_pool(None, [a, a, b], taking("P-DUP"), tree.noong_bua)
    take(a, "S-USED")
    with pytest.raises(TestingError) as exc:
        actions.take_pool(None, [a, b], taking("S-USED"), tree.noong_bua)
    assert exc.value.status == 409
    assert Sample.objects.count() == 1


def test_same_result_again_changes_nothing_and_another_is_refused(make_person, lab):
    person = make_person()
    take(person, "S-3001")
    enter_result(None, lab, "S-3001", Outcome.POSITIVE, Decimal("30.1"), RESULTED)
    assert CaseProposal.objects.count() == 1
    again = enter_result(None, lab, "S-3001", Outcome.POSITIVE, Decimal("30.1"), RESULTED)
    assert again.status == "unchanged" and CaseProposal.objects.count() == 1
    with pytest.raises(TestingError) as exc:
        enter_result(None, lab, "S-3001", Outcome.NEGATIVE)
    assert exc.value.status == 409
    assert Sample.objects.get(barcode="S-3001").outcome == "positive"


@pytest.mark.parametrize(
    ("kind", "ct", "field"),
    [(Kind.ANTIGEN, Decimal("20"), "ct"), (Kind.RT_PCR, Decimal("50"), "ct"), (Kind.RT_PCR, Decimal("0"), "ct")],
)
def test_ct_rules(make_person, lab, kind, ct, field):
    take(make_person(), "S-4001", test_kind=kind)
    with pytest.raises(TestingError) as exc:
        enter_result(None, lab, "S-4001", Outcome.POSITIVE, ct, RESULTED)
    assert exc.value.field == field
    assert Sample.objects.get(barcode="S-4001").status == TubeStatus.TAKEN


def test_result_before_the_sample_or_in_the_future_is_refused(make_person, lab):
    take(make_person(), "S-5001")
    with pytest.raises(TestingError):
        enter_result(None, lab, "S-5001", Outcome.NEGATIVE, resulted_at=TAKEN - datetime.timedelta(hours=1))
    with pytest.raises(TestingError):
        enter_result(
            None, lab, "S-5001", Outcome.NEGATIVE, resulted_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
        )
    with pytest.raises(TestingError):
        enter_result(None, lab, "NOPE-1", Outcome.NEGATIVE)
    assert Sample.objects.get(barcode="S-5001").status == TubeStatus.TAKEN


def test_other_lab_is_refused(make_person, lab, tree):
    other, _ = actions.create_lab(None, code="bvdk", name="Bệnh viện Đa khoa tỉnh", unit=tree.city)
    take(make_person(), "S-6001", lab=other)
    with pytest.raises(TestingError):
        enter_result(None, lab, "S-6001", Outcome.NEGATIVE, resulted_at=RESULTED)


def test_confirm_creates_the_case_and_its_investigation(make_person, lab, personas):
    from phongdich.core.roles import Role

    person = make_person()
    take(person, "S-7001", place_kind=PlaceKind.QUARANTINE)
    proposal = enter_result(None, lab, "S-7001", Outcome.POSITIVE, Decimal("18"), RESULTED).proposal
    assert proposal is not None
    done = actions.confirm_proposal(personas[Role.HEALTH], proposal)
    assert done.status == CaseProposal.Status.CONFIRMED and done.case is not None
    case = Case.objects.get(person=person)
    assert case.detected_by == DetectedBy.QUARANTINE and case.sample_date == TAKEN.date()
    assert case.confirmed_on == datetime.date(2021, 8, 10)  # the result's local (UTC+7) day
    assert Investigation.objects.filter(case=case).exists()
    with pytest.raises(TestingError) as exc:
        actions.confirm_proposal(personas[Role.HEALTH], proposal)
    assert exc.value.status == 409


def test_reject_needs_a_reason(make_person, lab):
    take(make_person(), "S-7002")
    proposal = enter_result(None, lab, "S-7002", Outcome.POSITIVE, None, RESULTED).proposal
    assert proposal is not None
    with pytest.raises(TestingError):
        actions.reject_proposal(None, proposal, "  ")
    done = actions.reject_proposal(None, proposal, "Mẫu nhiễm bẩn")
    assert done.status == CaseProposal.Status.REJECTED and not Case.objects.exists()


def test_no_proposal_for_an_active_case_or_a_pending_one(make_person, lab):
    sick, twice = make_person(), make_person()
    create_case(None, sick, confirmed_on=datetime.date(2021, 8, 5))
    take(sick, "S-8001")
    assert enter_result(None, lab, "S-8001", Outcome.POSITIVE, None, RESULTED).proposal is None
    take(twice, "S-8002")
    take(twice, "S-8003")
    assert enter_result(None, lab, "S-8002", Outcome.POSITIVE, None, RESULTED).proposal is not None
    assert enter_result(None, lab, "S-8003", Outcome.POSITIVE, None, RESULTED).proposal is None
    assert CaseProposal.objects.count() == 1


@pytest.mark.parametrize(
    ("taken", "advised"),
    [
        (datetime.datetime(2021, 8, 9, 8, 0, tzinfo=datetime.UTC), True),  # 5599/BYT-MT: RT-PCR confirms
        (datetime.datetime(2022, 5, 9, 8, 0, tzinfo=datetime.UTC), False),  # 1909/BYT-DP: antigen suffices
    ],
)
def test_antigen_positive_advises_rt_pcr_before_1909(make_person, lab, taken, advised):
    take(make_person(), "S-9001", test_kind=Kind.ANTIGEN, taken_at=taken)
    proposal = enter_result(None, lab, "S-9001", Outcome.POSITIVE, None, taken + datetime.timedelta(hours=1)).proposal
    assert proposal is not None and proposal.confirmation_advised is advised
    assert proposal.rule_set is not None
    assert proposal.rule_set.code == ("cv-5599-2021" if advised else "cv-1909-2022")


def test_sample_dates_seam(make_person, tree):
    a, b, c = make_person(), make_person(), make_person()
    take(a, "S-A1", taken_at=datetime.datetime(2021, 8, 2, 3, tzinfo=datetime.UTC))
    take(a, "S-A2", taken_at=datetime.datetime(2021, 8, 6, 3, tzinfo=datetime.UTC))
    pool_of([a, b], "P-AB", tree.noong_bua, taken_at=datetime.datetime(2021, 8, 4, 20, tzinfo=datetime.UTC))
    dates = queries.sample_dates([a.pk, b.pk, c.pk], datetime.date(2021, 8, 3))
    # 20:00 UTC on the 4th is the 5th in Vietnam.
    assert dates == {a.pk: [datetime.date(2021, 8, 5), datetime.date(2021, 8, 6)], b.pk: [datetime.date(2021, 8, 5)]}


def test_idempotent_take(make_person):
    import uuid

    person = make_person()
    key = uuid.uuid4()
    first, created = actions.take_sample(None, person, taking("S-IDEM"), client_uuid=key)
    again, created_again = actions.take_sample(None, person, taking("S-OTHER"), client_uuid=key)
    assert created and not created_again and again.pk == first.pk
    assert Sample.objects.count() == 1
