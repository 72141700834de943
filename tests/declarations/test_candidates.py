"""Check-ins within ±1 hour of an F0 at the same venue become contact candidates when the case is confirmed."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from phongdich.cases.actions import create_case
from phongdich.cases.exposure import SiteData, create_site, publish_site
from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.declarations.actions import CheckInData, VenueData, check_in, create_venue, link_site_venue
from phongdich.declarations.candidates import CHECKIN_WINDOW
from phongdich.declarations.models import Venue
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person
from phongdich.tracing.models import ContactCandidate, ContactSource
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def person(tree: Tree, name: str, phone: str) -> Person:
    return intake_person(None, PersonData(full_name=name, phone=phone, unit=tree.to1)).person


def at(days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def visit(venue: Venue, who: Person, when: datetime.datetime) -> None:
    check_in(venue, CheckInData(phone=who.phone, checked_in_at=when), client_uuid=uuid.uuid4())


def test_checkins_within_one_hour_become_candidates(tree: Tree) -> None:
    market, _ = create_venue(None, VenueData(name="Chợ Noong Bua", unit=tree.noong_bua))
    shop, _ = create_venue(None, VenueData(name="Tạp hoá", unit=tree.noong_bua))
    f0 = person(tree, "Lò Văn Một", "+84912000001")
    inside = person(tree, "Lò Văn Hai", "+84912000002")
    edge = person(tree, "Lò Văn Ba", "+84912000003")
    outside = person(tree, "Lò Văn Bốn", "+84912000004")
    elsewhere = person(tree, "Lò Văn Năm", "+84912000005")
    visit(market, f0, at(1, 10))
    visit(market, inside, at(1, 10, 45))
    visit(market, edge, at(1, 10) - CHECKIN_WINDOW)
    visit(market, outside, at(1, 11, 30))
    visit(shop, elsewhere, at(1, 10, 5))
    visit(market, outside, at(10, 10))  # before the infectious window
    create_case(None, f0, confirmed_on=timezone.localdate())
    found = ContactCandidate.objects.filter(person=f0, reason=ContactSource.CHECKIN)
    assert {c.other_id for c in found} == {inside.pk, edge.pk}
    evidence = found.get(other=inside).evidence
    assert evidence["venue"] == market.code and "Hai" not in str(evidence)
    assert found.get(other=inside).exposure_date == at(1, 10).date()


def test_no_checkins_no_candidates_and_rerun_adds_nothing(tree: Tree) -> None:
    from phongdich.declarations.candidates import checkin_candidates

    market, _ = create_venue(None, VenueData(name="Chợ", unit=tree.noong_bua))
    f0 = person(tree, "Lò Văn Một", "+84912000001")
    other = person(tree, "Lò Văn Hai", "+84912000002")
    visit(market, other, at(1, 10))
    case, _ = create_case(None, f0, confirmed_on=timezone.localdate())
    assert not ContactCandidate.objects.filter(reason=ContactSource.CHECKIN).exists()
    visit(market, f0, at(1, 10, 30))
    assert len(checkin_candidates([case])) == 1
    assert checkin_candidates([case]) == []
    assert ContactCandidate.objects.filter(reason=ContactSource.CHECKIN).count() == 1


def test_exposure_site_linked_to_a_venue(tree: Tree) -> None:
    officer = User.objects.create_user(username="hs", password="pw-test-1234", role=Role.HEALTH, unit=tree.province)
    market, _ = create_venue(None, VenueData(name="Chợ", unit=tree.noong_bua))
    f0 = person(tree, "Lò Văn Một", "+84912000001")
    there = person(tree, "Lò Văn Hai", "+84912000002")
    before = person(tree, "Lò Văn Ba", "+84912000003")
    case, _ = create_case(None, f0, confirmed_on=timezone.localdate())
    visit(market, there, at(2, 9))
    visit(market, before, at(5, 9))
    site, _ = create_site(
        officer, SiteData(name="Chợ", unit=tree.noong_bua, starts_at=at(3, 0), ends_at=at(1, 0), case=case)
    )
    publish_site(officer, site)
    _link, n = link_site_venue(officer, site, market)
    assert n == 1
    assert ContactCandidate.objects.get(reason=ContactSource.EXPOSURE_SITE).other_id == there.pk
    assert link_site_venue(officer, site, market)[1] == 0


def test_infectious_window_comes_from_the_rule_set(tree: Tree) -> None:
    """An F0 check-in 4 days before confirmation counts only under a rule set looking 5 days back."""
    from phongdich.policy.actions import copy_rule_set
    from phongdich.policy.models import RuleSet
    from phongdich.policy.queries import rule_set_on

    market, _ = create_venue(None, VenueData(name="Chợ", unit=tree.noong_bua))
    first = person(tree, "Lò Văn Một", "+84912000001")
    first_other = person(tree, "Lò Văn Hai", "+84912000002")
    visit(market, first, at(4, 9))
    visit(market, first_other, at(4, 9, 30))
    national = rule_set_on(timezone.localdate(), tree.province)
    assert national.infectious_days_before < 4
    create_case(None, first, confirmed_on=timezone.localdate())
    assert not ContactCandidate.objects.filter(reason=ContactSource.CHECKIN).exists()

    own = copy_rule_set(None, national, province=tree.province, effective_from=timezone.localdate())
    RuleSet.objects.filter(pk=own.pk).update(infectious_days_before=5)
    second = person(tree, "Lò Văn Ba", "+84912000003")
    second_other = person(tree, "Lò Văn Bốn", "+84912000004")
    visit(market, second, at(4, 15))
    visit(market, second_other, at(4, 15, 30))
    case, _ = create_case(None, second, confirmed_on=timezone.localdate())
    assert case.rule_set_id == own.pk
    found = ContactCandidate.objects.filter(reason=ContactSource.CHECKIN)
    assert {c.other_id for c in found} == {second_other.pk}
