"""status_for: every module's facts about a person, and the arrival test rule of the rule set in force."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from phongdich.cases import actions as case_actions
from phongdich.checkpoints import status as status_module
from phongdich.checkpoints.status import find_person, status_for
from phongdich.people.models import ResidenceRecord, ResidenceStatus
from phongdich.policy.models import RuleSet
from phongdich.testing.queries import ResultFact
from phongdich.tracing.contacts import add_contact
from phongdich.tracing.models import ContactSource, Proximity

AUG = datetime.datetime(2021, 8, 15, 9, 0, tzinfo=timezone.get_current_timezone())


def fake_results(monkeypatch, person, *facts: tuple[str, str, float]):
    """Results of ``person``: (kind, outcome, hours before AUG of the result)."""
    rows = [
        ResultFact(
            (AUG - datetime.timedelta(hours=h + 6)).date(),
            AUG - datetime.timedelta(hours=h),
            kind,
            outcome,
            Decimal("0"),
        )
        for kind, outcome, h in facts
    ]
    monkeypatch.setattr(status_module, "results_for", lambda ids, since: {person.pk: rows})


def test_the_august_2021_rule_takes_a_pcr_of_60_hours_not_80(make_person, tree, monkeypatch):
    p = make_person("Lò Văn Về")
    fake_results(monkeypatch, p, ("rt_pcr", "negative", 60))
    s = status_for(p, AUG, province=tree.province)
    assert s.requirement is not None and s.requirement.pcr_hours == 72
    assert s.requirement.rule_set_code == "cv-5599-2021"
    assert s.meets_requirement is True and s.meeting_result is not None and s.meeting_result.hours == 60

    fake_results(monkeypatch, p, ("rt_pcr", "negative", 80))
    s = status_for(p, AUG, province=tree.province)
    assert s.meets_requirement is False and s.alert


def test_a_positive_or_antigen_result_does_not_meet_a_pcr_only_rule(make_person, tree, monkeypatch):
    p = make_person("Lò Văn Về")
    fake_results(monkeypatch, p, ("rt_pcr", "positive", 10), ("antigen", "negative", 5))
    s = status_for(p, AUG, province=tree.province)
    assert s.requirement.antigen_hours == 0
    assert s.meets_requirement is False
    assert [r.kind for r in s.results] == ["antigen", "rt_pcr"]  # newest first


def test_antigen_counts_only_when_the_rule_set_says_so(make_person, tree, monkeypatch):
    p = make_person("Lò Văn Về")
    fake_results(monkeypatch, p, ("antigen", "negative", 20))
    base = RuleSet.objects.get(code="cv-5599-2021")
    assert status_for(p, AUG, rule_set=base).meets_requirement is False
    base.arrival_antigen_hours = 24
    assert status_for(p, AUG, rule_set=base).meets_requirement is True
    base.arrival_antigen_hours = 12
    assert status_for(p, AUG, rule_set=base).meets_requirement is False


def test_no_requirement_when_the_rule_set_asks_for_no_test(make_person, tree, monkeypatch):
    p = make_person("Lò Văn Về")
    fake_results(monkeypatch, p)
    base = RuleSet.objects.get(code="cv-5599-2021")
    base.arrival_pcr_hours = 0
    s = status_for(p, AUG, rule_set=base)
    assert s.meets_requirement is None and not s.alert


def test_absent_f_levels_and_quarantine_request_are_shown(make_person, tree):
    from phongdich.quarantine.actions import request_placement
    from phongdich.quarantine.models import RiskGroup

    away = make_person("Quàng Văn Xa")
    ResidenceRecord.objects.create(
        person=away, status=ResidenceStatus.TEMPORARILY_ABSENT, started_on=datetime.date(2021, 5, 1)
    )
    s = status_for(away)
    assert s.absent and s.absent_since == datetime.date(2021, 5, 1) and s.level is None
    assert s.vaccination is None

    f0 = make_person("Lò Văn Không")
    f1 = make_person("Lò Thị Một")
    day = timezone.localdate() - datetime.timedelta(days=2)
    add_contact(
        None,
        f0,
        f1,
        first_date=day,
        last_date=day,
        setting="household",
        proximity=Proximity.DIRECT,
        source=ContactSource.INTERVIEW,
    )
    case, _ = case_actions.create_case(None, f0, confirmed_on=timezone.localdate())
    assert status_for(f0).level == 0 and status_for(f0).case_code == case.code
    s1 = status_for(f1)
    assert s1.level == 1 and s1.level_label == "F1" and s1.alert

    other = make_person("Cà Văn Về")
    request_placement(None, other, RiskGroup.ARRIVAL, day_one=timezone.localdate())
    assert status_for(other).quarantine_requested


@pytest.mark.parametrize("typed", ["110000009998", " 1100 0000 9998 ", "110-000-009-998"])
def test_find_person_by_id_number(make_person, typed):
    p = make_person("Lò Văn Số", id_number="110000009998")
    assert find_person(typed) == p


def test_find_person_refuses_bad_numbers(make_person):
    make_person("Lò Văn Số", id_number="110000009998")
    assert find_person("12345") is None and find_person("") is None and find_person("999999999999") is None
