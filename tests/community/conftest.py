"""Fixtures of the community tests: a team of Tổ dân phố 1 with people and households, and a fake provider."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from phongdich.community import actions, watch
from phongdich.community.models import (
    CommunityMember,
    CommunityTeam,
    HouseholdAssignment,
    HouseholdGroup,
    HouseholdGroupMember,
    Position,
    Visit,
    WatchEntry,
)
from phongdich.core.models import AccessLog, ApiToken, AuditLog, User
from phongdich.core.roles import Role
from phongdich.geo.models import AdminUnit
from phongdich.people.actions import PersonData, ensure_household, intake_person
from phongdich.people.models import Household, Person
from tests.conftest import Tree

API = "/api/v1/community"


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.datetime:
    """Now, n days ago (a minute earlier, so that n=0 is never in the future)."""
    return timezone.localtime() - datetime.timedelta(days=n, minutes=1)


def make_person(name: str, unit: AdminUnit, household: Household | None = None, **kw: Any) -> Person:
    intake = intake_person(None, PersonData(full_name=name, unit=unit, household=household, **kw))
    assert intake.created, name
    return intake.person


@dataclass
class Village:
    """Tổ dân phố 1 (to1): a team with two members (Ún signs in as the community persona), two households."""

    team: CommunityTeam
    un: CommunityMember
    xuan: CommunityMember
    h1: Household
    h2: Household
    an: Person  # in h1
    binh: Person  # in h1
    chi: Person  # in h2
    other: Person  # lives in Tổ dân phố 2
    other_household: Household


@pytest.fixture
def village(tree: Tree, personas: dict[Role, User]) -> Village:
    team, _c = actions.create_team(None, name="Tổ COVID TDP 1", village=tree.to1)
    un, _c = actions.add_member(
        None,
        team,
        full_name="Lò Văn Ún",
        position=Position.VILLAGE_HEAD,
        phone="0912 345 678",
        user=personas[Role.COMMUNITY],
    )
    xuan, _c = actions.add_member(None, team, full_name="Cà Thị Xuân", position=Position.HEALTH_WORKER)
    h1 = ensure_household(None, "HK-001", tree.to1, "Số 1")
    h2 = ensure_household(None, "HK-002", tree.to1, "Số 2")
    h3 = ensure_household(None, "HK-101", tree.to2, "Số 101")
    assert h1 and h2 and h3
    an = make_person("Lò Văn An", tree.to1, h1, birth_date=datetime.date(1990, 1, 1))
    binh = make_person("Quàng Thị Bình", tree.to1, h1, birth_date=datetime.date(1992, 2, 2))
    chi = make_person("Lường Văn Chi", tree.to1, h2, birth_date=datetime.date(1980, 3, 3))
    other = make_person("Tòng Văn Đức", tree.to2, h3, birth_date=datetime.date(1985, 5, 5))
    actions.assign_households(None, un, [h1])
    actions.assign_households(None, xuan, [h2])
    return Village(team, un, xuan, h1, h2, an, binh, chi, other, h3)


@pytest.fixture
def provider() -> Iterator[list[watch.WatchItem]]:
    """A fake registry provider: append WatchItems to the list the test gets; unregistered afterwards."""
    items: list[watch.WatchItem] = []

    def fake(villages: Any, on: datetime.date) -> list[watch.WatchItem]:
        ids = {v.pk for v in villages}
        return [i for i in items if i.village_id in ids]

    watch.register(fake)
    yield items
    watch._providers.remove(fake)


def quarantine_item(person: Person, since_days_ago: int = 3, every: int = 1, until_in: int = 10) -> watch.WatchItem:
    return watch.WatchItem(
        person_id=person.pk,
        village_id=person.village_id,
        kind="home_quarantine",
        label="Cách ly tại nhà",
        since=today() - datetime.timedelta(days=since_days_ago),
        until=today() + datetime.timedelta(days=until_in),
        visit_every_days=every,
    )


def token_client(user: User) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, url: str, data: object) -> Any:
    return client.post(API + url, json.dumps(data, default=str), content_type="application/json")


def patch(client: Client, url: str, data: object) -> Any:
    return client.patch(API + url, json.dumps(data, default=str), content_type="application/json")


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        list(CommunityTeam.objects.values_list("pk", "name", "active").order_by("pk")),
        list(CommunityMember.objects.values_list("pk", "active").order_by("pk")),
        list(HouseholdAssignment.objects.values_list("team_id", "household_id", "member_id").order_by("pk")),
        list(WatchEntry.objects.values_list("pk", "ends_on", "ended_at").order_by("pk")),
        list(Visit.objects.values_list("pk", "handled_at").order_by("pk")),
        list(HouseholdGroup.objects.values_list("pk", "name").order_by("pk")),
        list(HouseholdGroupMember.objects.values_list("group_id", "household_id").order_by("pk")),
        AuditLog.objects.count(),
    )


def access_rows() -> int:
    return AccessLog.objects.count()


def visit_payload(v: Village, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "team_id": str(v.team.pk),
        "person_id": str(v.an.pk),
        "visited_at": days_ago(0).isoformat(),
        "finding": "all_well",
    }
    data.update(kw)
    return data
