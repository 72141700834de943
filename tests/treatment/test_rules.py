"""Tier rules, beds, transfers, outcomes, release and home-care eligibility (the actions)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from phongdich.cases.models import Outcome
from phongdich.policy.models import RuleSet
from phongdich.testing.queries import ResultFact
from phongdich.treatment import actions, release
from phongdich.treatment.actions import TreatmentError
from phongdich.treatment.models import Admission, AdmissionEnd, EligibilityCheck, HomeCareStatus, tier_for
from phongdich.treatment.queries import bed_board, cases_awaiting_care
from tests.treatment.conftest import CONFIRMED, D, confirm, make_person

DAY = D(2021, 8, 11)


@pytest.mark.parametrize(
    ("severity", "tier"),
    [("asymptomatic", 1), ("mild", 1), ("moderate", 2), ("severe", 3), ("critical", 3)],
)
def test_severity_calls_for_its_tier(severity, tier):
    assert tier_for(severity) == tier


def test_admission_below_the_required_tier_is_refused_without_a_reason(facilities, case):
    with pytest.raises(TreatmentError) as exc:
        actions.admit(None, case, facilities.field, bed_kind="ordinary", severity="moderate", on=DAY)
    assert exc.value.field == "override_reason" and exc.value.status == 422
    assert not Admission.objects.exists()
    case.refresh_from_db()
    assert case.clinical_status == "mild"  # nothing changed


def test_admission_below_tier_with_a_reason_is_recorded(facilities, case):
    stay, created = actions.admit(
        None, case, facilities.field, bed_kind="ordinary", severity="moderate", on=DAY, override_reason="Đường sạt lở"
    )
    assert created and stay.required_tier == 2 and stay.tier == 1 and stay.below_tier
    assert stay.override_reason == "Đường sạt lở"
    case.refresh_from_db()
    assert case.clinical_status == "moderate"  # through cases.actions.update_case


def test_admission_at_or_above_the_tier_needs_no_reason(facilities, case):
    stay, _ = actions.admit(None, case, facilities.centre, bed_kind="ordinary", on=DAY, override_reason="ignored")
    assert stay.required_tier == 1 and stay.tier == 2 and stay.override_reason == ""


def test_full_bed_kind_is_refused(tree, facilities):
    a = confirm(make_person(tree, "Quàng Văn Một"), clinical_status="severe")
    b = confirm(make_person(tree, "Quàng Văn Hai"), clinical_status="severe")
    actions.admit(None, a, facilities.icu, bed_kind="icu", on=DAY)
    with pytest.raises(TreatmentError) as exc:
        actions.admit(None, b, facilities.icu, bed_kind="icu", on=DAY)
    assert exc.value.status == 409
    # A kind the facility has none of is full too.
    with pytest.raises(TreatmentError):
        actions.admit(None, b, facilities.icu, bed_kind="oxygen", on=DAY)
    stay, _ = actions.admit(None, b, facilities.icu, bed_kind="ventilator", on=DAY)
    board = bed_board(visible_facilities_all())
    assert board.by_tier[3]["icu"].free == 0 and board.by_tier[3]["ventilator"].free == 0
    actions.discharge(None, stay, outcome="recovered", on=D(2021, 8, 20))
    assert bed_board(visible_facilities_all()).by_tier[3]["ventilator"].free == 1


def visible_facilities_all():
    from phongdich.treatment.models import Facility

    return Facility.objects.all()


def test_a_second_admission_while_one_is_open_is_refused(facilities, case):
    actions.admit(None, case, facilities.centre, bed_kind="ordinary", on=DAY)
    with pytest.raises(TreatmentError) as exc:
        actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    assert exc.value.status == 409


def test_stood_down_facility_takes_no_patient(facilities, case):
    actions.stand_down_facility(None, facilities.field, DAY)
    with pytest.raises(TreatmentError) as exc:
        actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    assert exc.value.status == 409
    actions.activate_facility(None, facilities.field, DAY)
    stay, _ = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    with pytest.raises(TreatmentError):  # still has a patient
        actions.stand_down_facility(None, facilities.field, DAY)
    assert stay.is_open


def test_only_field_facilities_are_activated(facilities):
    with pytest.raises(TreatmentError):
        actions.stand_down_facility(None, facilities.centre)


def test_transfer_up_then_down_moves_the_bed(facilities, case):
    stay, _ = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    r, _ = actions.reassess(None, stay, severity="severe", on=D(2021, 8, 13), spo2=88)
    assert r.required_tier == 3 and actions.needs_transfer_up(stay, "severe")
    case.refresh_from_db()
    assert case.clinical_status == "severe"
    up, _ = actions.transfer(None, stay, facilities.icu, bed_kind="icu", on=D(2021, 8, 13), reason="SpO2 88 %")
    stay.refresh_from_db()
    assert stay.ended_by == AdmissionEnd.TRANSFERRED and stay.ended_on == D(2021, 8, 13)
    assert up.direction == "up" and up.previous_id == stay.pk and up.tier == 3
    board = bed_board(visible_facilities_all())
    assert board.by_tier[1]["ordinary"].taken == 0 and board.by_tier[3]["icu"].taken == 1
    down, _ = actions.transfer(None, up, facilities.centre, bed_kind="oxygen", severity="moderate", on=D(2021, 8, 18))
    assert down.direction == "down" and down.required_tier == 2
    board = bed_board(visible_facilities_all())
    assert board.by_tier[3]["icu"].taken == 0 and board.by_tier[2]["oxygen"].taken == 1
    case.refresh_from_db()
    assert case.clinical_status == "moderate"


def test_transfer_down_below_the_tier_is_refused(facilities, tree):
    c = confirm(make_person(tree, "Lường Thị Ba"), clinical_status="severe")
    stay, _ = actions.admit(None, c, facilities.icu, bed_kind="icu", on=DAY)
    with pytest.raises(TreatmentError) as exc:
        actions.transfer(None, stay, facilities.field, bed_kind="ordinary", on=D(2021, 8, 12))
    assert exc.value.field == "override_reason"
    stay.refresh_from_db()
    assert stay.is_open  # the failed transfer kept the bed


def test_transfer_to_a_full_facility_keeps_the_patient(facilities, tree):
    a = confirm(make_person(tree, "Cà Văn Bốn"), clinical_status="severe")
    b = confirm(make_person(tree, "Cà Văn Năm"), clinical_status="severe")
    actions.admit(None, a, facilities.icu, bed_kind="icu", on=DAY)
    stay, _ = actions.admit(None, b, facilities.centre, bed_kind="oxygen", on=DAY, override_reason="chờ")
    with pytest.raises(TreatmentError) as exc:
        actions.transfer(None, stay, facilities.icu, bed_kind="icu", on=DAY)
    assert exc.value.status == 409
    stay.refresh_from_db()
    assert stay.is_open and Admission.objects.filter(case=b).count() == 1


def test_discharge_sets_the_outcome_on_the_case(facilities, case):
    stay, _ = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    actions.discharge(None, stay, outcome="recovered", on=D(2021, 8, 20))
    case.refresh_from_db()
    assert case.outcome == Outcome.RECOVERED and case.outcome_date == D(2021, 8, 20)
    with pytest.raises(TreatmentError):
        actions.discharge(None, stay, outcome="died", on=D(2021, 8, 21))
    with pytest.raises(TreatmentError):  # recovered: no new admission
        actions.admit(None, case, facilities.field, bed_kind="ordinary", on=D(2021, 8, 21))


def test_death_is_recorded(facilities, tree):
    c = confirm(make_person(tree, "Lò Thị Sáu"), clinical_status="critical")
    stay, _ = actions.admit(None, c, facilities.icu, bed_kind="ventilator", on=DAY)
    actions.discharge(None, stay, outcome="died", on=D(2021, 8, 15))
    c.refresh_from_db()
    assert c.outcome == Outcome.DIED and c.outcome_date == D(2021, 8, 15)


def test_bad_dates_are_refused(facilities, case):
    with pytest.raises(TreatmentError):
        actions.admit(None, case, facilities.field, bed_kind="ordinary", on=D(2021, 8, 1))  # before confirmation
    with pytest.raises(TreatmentError):
        future = timezone.localdate() + datetime.timedelta(days=1)
        actions.admit(None, case, facilities.field, bed_kind="ordinary", on=future)
    stay, _ = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    with pytest.raises(TreatmentError):
        actions.discharge(None, stay, outcome="recovered", on=D(2021, 8, 10))  # before admission
    with pytest.raises(TreatmentError):
        actions.discharge(None, stay, outcome="under_treatment", on=D(2021, 8, 12))
    assert Admission.objects.get().is_open


def test_bed_count_cannot_drop_below_taken(facilities, case):
    actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    with pytest.raises(TreatmentError) as exc:
        actions.set_beds(None, facilities.field, {"ordinary": 0})
    assert exc.value.status == 409
    assert actions.set_beds(None, facilities.field, {"ordinary": 1, "oxygen": 3}) == {"ordinary": 1, "oxygen": 3}


def test_idempotent_admission(facilities, case):
    import uuid

    key = uuid.uuid4()
    first, created = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY, client_uuid=key)
    again, created_again = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY, client_uuid=key)
    assert created and not created_again and first.pk == again.pk and Admission.objects.count() == 1


def test_awaiting_care(facilities, tree, personas, case):
    from phongdich.core.roles import Role

    other = confirm(make_person(tree, "Điêu Thị Bảy", birth_date=D(1988, 6, 6)))
    user = personas[Role.HEALTH]
    assert set(cases_awaiting_care(user)) == {case, other}
    actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    actions.start_home_care(None, other, on=DAY)
    assert not cases_awaiting_care(user).exists()


# Home-care eligibility under two rule sets ---------------------------------------------


def test_home_care_eligible_under_5599(case):
    check = actions.check_eligibility(None, case, on=D(2021, 8, 11))
    assert check.rule_set.code == "cv-5599-2021" and check.eligible
    codes = {r["code"]: r["passed"] for r in check.rules}
    assert codes == {
        "allowed": True,
        "severity": True,
        "min_age": True,
        "max_age": True,
        "conditions": True,
        "pregnancy": True,
    }


def test_home_care_not_allowed_under_5053(tree):
    person = make_person(tree, "Lò Văn Tám", birth_date=D(1990, 1, 1))
    c = confirm(person, confirmed_on=D(2020, 8, 1))
    check = actions.check_eligibility(None, c, on=D(2020, 8, 2))
    assert check.rule_set.code == "qd-5053-2020" and not check.eligible
    assert [r["code"] for r in check.rules if not r["passed"]] == ["allowed"]
    with pytest.raises(TreatmentError):
        actions.start_home_care(None, c, on=D(2020, 8, 2), override_reason="gia đình xin")
    assert EligibilityCheck.objects.count() == 1  # the refused start wrote nothing


@pytest.mark.parametrize(
    ("kw", "failed"),
    [
        ({"birth_date": D(1960, 1, 1)}, {"max_age"}),  # 61 years
        ({"birth_date": D(2021, 1, 1)}, {"min_age"}),  # 7 months
        ({"birth_date": D(1990, 1, 1), "conditions": ["Đái tháo đường"]}, {"conditions"}),
        ({}, {"min_age", "max_age"}),  # age unknown
    ],
)
def test_each_rule_fails_on_its_own(tree, kw, failed):
    c = confirm(make_person(tree, "Hoàng Văn Chín", **kw))
    check = actions.check_eligibility(None, c, on=D(2021, 8, 11))
    assert not check.eligible and {r["code"] for r in check.rules if not r["passed"]} == failed


def test_severity_and_pregnancy(tree):
    c = confirm(make_person(tree, "Lò Thị Mười", birth_date=D(1995, 5, 5)), clinical_status="moderate")
    check = actions.check_eligibility(None, c, on=D(2021, 8, 11), pregnant=True)
    assert {r["code"] for r in check.rules if not r["passed"]} == {"severity", "pregnancy"}


def test_a_province_copy_without_the_pregnancy_rule(tree):
    base = RuleSet.objects.get(code="cv-5599-2021")
    own = RuleSet.objects.create(
        code="db-2021-08",
        name="Điện Biên 08/2021",
        basis="UBND tỉnh",
        effective_from=D(2021, 8, 1),
        effective_to=D(2021, 8, 31),
        province=tree.province,
        copied_from=base,
        home_care_allowed=True,
        home_care_max_age_years=65,
        home_care_excludes_pregnancy=False,
    )
    c = confirm(make_person(tree, "Lò Thị Mười Một", birth_date=D(1960, 1, 1)))
    check = actions.check_eligibility(None, c, on=D(2021, 8, 11), pregnant=True)
    assert check.rule_set == own and check.eligible
    assert "pregnancy" not in {r["code"] for r in check.rules}


def test_ineligible_home_care_needs_a_reason(tree):
    c = confirm(make_person(tree, "Quàng Văn Già", birth_date=D(1955, 1, 1)))
    with pytest.raises(TreatmentError) as exc:
        actions.start_home_care(None, c, on=D(2021, 8, 11))
    assert exc.value.field == "override_reason"
    home, _ = actions.start_home_care(None, c, on=D(2021, 8, 11), override_reason="Bệnh viện hết giường")
    assert home.status == HomeCareStatus.ACTIVE and home.override_reason


def test_monitoring_and_escalation(facilities, case):
    home, _ = actions.start_home_care(None, case, on=DAY)
    ok, _ = actions.record_monitoring(None, home, on=D(2021, 8, 12), spo2=98, temperature=Decimal("37.2"))
    assert not ok.needs_escalation
    bad, _ = actions.record_monitoring(None, home, on=D(2021, 8, 13), spo2=93, warning_signs=["breathless"])
    assert bad.needs_escalation
    with pytest.raises(TreatmentError):
        actions.record_monitoring(None, home, on=D(2021, 8, 13), spo2=30)
    with pytest.raises(TreatmentError):
        actions.record_monitoring(None, home, on=D(2021, 8, 13), warning_signs=["unknown"])
    with pytest.raises(TreatmentError):  # moderate at tier 1 without a reason
        actions.escalate_home_care(
            None, home, facilities.field, bed_kind="ordinary", severity="moderate", on=D(2021, 8, 13)
        )
    stay, _ = actions.escalate_home_care(
        None, home, facilities.centre, bed_kind="oxygen", severity="moderate", on=D(2021, 8, 13)
    )
    home.refresh_from_db()
    assert home.status == HomeCareStatus.ESCALATED and home.escalated_to == stay and stay.from_home_care == home
    case.refresh_from_db()
    assert case.clinical_status == "moderate"
    with pytest.raises(TreatmentError):
        actions.record_monitoring(None, home, on=D(2021, 8, 14), spo2=97)


def test_recovered_at_home(case):
    home, _ = actions.start_home_care(None, case, on=DAY)
    actions.end_home_care(None, home, outcome="recovered", on=D(2021, 8, 20))
    case.refresh_from_db()
    assert case.outcome == Outcome.RECOVERED


# Release rule --------------------------------------------------------------------------


def _fact(day, outcome, ct=None, kind="rt_pcr"):
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    return ResultFact(sample_taken_on=day, resulted_at=at, test_kind=kind, outcome=outcome, ct=ct)


def test_release_day_and_ct_under_5599(case, monkeypatch):
    from phongdich.testing import queries as testing_queries

    facts = {case.person_id: [_fact(D(2021, 8, 14), "positive", Decimal("25"))]}
    seen = {}

    def fake(person_ids, since):
        seen["since"] = since
        return facts

    monkeypatch.setattr(testing_queries, "results_for", fake)
    s = release.release_status(case)
    assert s.rule_set.code == "cv-5599-2021" and s.day == 7
    assert s.from_date == CONFIRMED + datetime.timedelta(days=6) == seen["since"]
    assert not s.results_allow  # before day 7 (and Ct 25)
    facts[case.person_id].append(_fact(D(2021, 8, 16), "positive", Decimal("28.5")))
    assert not release.release_status(case).results_allow  # Ct below 30
    facts[case.person_id].append(_fact(D(2021, 8, 17), "positive", Decimal("31")))
    s = release.release_status(case)
    assert s.results_allow and s.may_release(D(2021, 8, 17))
    facts[case.person_id].append(_fact(D(2021, 8, 18), "positive", Decimal("22")))
    assert not release.release_status(case).results_allow  # the latest result decides
    facts[case.person_id].append(_fact(D(2021, 8, 19), "negative", kind="antigen"))
    assert not release.release_status(case).results_allow  # 5599 asks for RT-PCR
    facts[case.person_id].append(_fact(D(2021, 8, 20), "negative"))
    assert release.release_status(case).results_allow


def test_release_under_5053_uses_the_f0_level_days(tree, monkeypatch):
    from phongdich.testing import queries as testing_queries

    c = confirm(make_person(tree, "Lò Văn Mười Hai"), confirmed_on=D(2020, 8, 1))
    monkeypatch.setattr(
        testing_queries,
        "results_for",
        lambda ids, since: {c.person_id: [_fact(D(2020, 8, 14), "positive", Decimal("35"))]},
    )
    s = release.release_status(c)
    assert s.rule_set.code == "qd-5053-2020" and s.day == 14 and s.from_date == D(2020, 8, 14)
    assert s.ct_min is None and not s.results_allow  # a positive never releases under 5053


def test_ruling_out_the_case_ends_the_stay_and_frees_the_bed(facilities, case):
    from phongdich.cases import actions as case_actions
    from phongdich.treatment.models import AdmissionEnd

    stay, _ = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=DAY)
    case_actions.rule_out_case(None, case, "Dương tính giả")
    stay.refresh_from_db()
    assert stay.ended_by == AdmissionEnd.RULED_OUT and not stay.is_open
    with pytest.raises(TreatmentError):  # the stay has ended: nothing to discharge or transfer
        actions.discharge(None, stay, outcome="recovered", on=D(2021, 8, 12))
    with pytest.raises(TreatmentError):
        actions.transfer(None, stay, facilities.centre, bed_kind="ordinary", on=DAY)
    case.refresh_from_db()
    assert case.status == "ruled_out" and case.outcome == Outcome.UNDER_TREATMENT
    assert bed_board(visible_facilities_all()).by_tier[1]["ordinary"].taken == 0
