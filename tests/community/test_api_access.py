"""Every endpoint against every role: 403 without the permission, 404 outside the area, nothing written."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from phongdich.community import actions
from phongdich.community.models import CommunityTeam, Finding, Position, Visit
from phongdich.core.models import User
from phongdich.core.roles import Perm, Role, role_has
from tests.community.conftest import API, days_ago, patch, post, state, token_client, visit_payload
from tests.conftest import PERSONA_UNITS

SEES_TO1 = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}


@pytest.fixture
def to2_member(tree, village) -> User:
    """A community team member of Tổ dân phố 2: the same commune, another village."""
    user = User.objects.create_user(username="t_to2", password="pw-test-1234", role=Role.COMMUNITY, unit=tree.to2)
    team, _c = actions.create_team(None, name="Tổ COVID TDP 2", village=tree.to2)
    actions.add_member(None, team, full_name="Lò Thị Mai", position=Position.YOUTH, user=user)
    return user


def _expected(role: Role, perm: Perm) -> int:
    if not role_has(role, perm):
        return 403
    return 200 if role in SEES_TO1 else 404


@pytest.mark.parametrize("role", list(Role))
def test_reads_by_role(role, personas, village):
    v = village
    client = token_client(personas[role])
    want = _expected(role, Perm.COMMUNITY_VIEW)
    assert client.get(f"{API}/teams/{v.team.pk}").status_code == want
    assert client.get(f"{API}/teams/{v.team.pk}/watch").status_code == want
    visit, _c = actions.record_visit(None, v.team, visited_at=days_ago(0), finding=Finding.SYMPTOMS, person=v.an)
    assert client.get(f"{API}/visits/{visit.pk}").status_code == want
    lists = ["/teams", "/overdue", "/visits", "/alerts", "/watch-entries", "/groups"]
    for url in lists:
        r = client.get(API + url)
        if want == 403:
            assert r.status_code == 403, url
        else:
            assert r.status_code == 200, url
    if want == 200:
        assert [t["name"] for t in client.get(f"{API}/teams").json()] == ["Tổ COVID TDP 1"]
        assert [a["id"] for a in client.get(f"{API}/alerts").json()] == [str(visit.pk)]
    elif want == 404:
        assert client.get(f"{API}/teams").json() == []
        assert client.get(f"{API}/alerts").json() == []


@pytest.mark.parametrize("role", list(Role))
def test_visit_by_role(role, personas, village):
    client = token_client(personas[role])
    before = state()
    r = post(client, "/visits", visit_payload(village, client_uuid=str(uuid.uuid4())))
    want = _expected(role, Perm.COMMUNITY_VISIT)
    assert r.status_code == (201 if want == 200 else want), r.content
    if want != 200:
        assert state() == before
    r = post(client, "/visits/bulk", {"visits": [visit_payload(village, client_uuid=str(uuid.uuid4()))]})
    if want == 403:
        assert r.status_code == 403
    else:
        assert r.status_code == 200
        assert r.json()["created"] == (1 if want == 200 else 0)
        assert r.json()["refused"] == (0 if want == 200 else 1)


@pytest.mark.parametrize("role", list(Role))
def test_management_by_role(role, personas, village, tree):
    v = village
    client = token_client(personas[role])
    before = state()
    want = _expected(role, Perm.COMMUNITY_MANAGE)
    calls = [
        lambda: patch(client, f"/teams/{v.team.pk}", {"name": "Tổ mới"}),
        lambda: post(client, f"/teams/{v.team.pk}/members", {"full_name": "Lò Văn Mới", "position": "youth"}),
        lambda: post(
            client, f"/teams/{v.team.pk}/assignments", {"member_id": str(v.un.pk), "household_ids": [str(v.h2.pk)]}
        ),
        lambda: client.delete(f"{API}/teams/{v.team.pk}/assignments/{v.h1.pk}"),
        lambda: client.delete(f"{API}/teams/{v.team.pk}/members/{v.xuan.pk}"),
    ]
    if want != 200:
        for call in calls:
            assert call().status_code == want
        # Creating a team of a village outside the area is refused with 403 (the unit is named).
        r = post(client, "/teams", {"name": "Tổ", "village_id": tree.to1.pk})
        assert r.status_code == 403
        assert state() == before
        return
    codes = [call().status_code for call in calls]
    assert codes == [200, 201, 200, 204, 204]
    r = post(client, "/teams", {"name": "Tổ COVID TDP 2", "village_id": tree.to2.pk})
    assert r.status_code == 201 and r.json()["village"]["code"] == "03124-002"


@pytest.mark.parametrize("role", [Role.COMMUNITY, Role.COMMUNE, Role.HEALTH_STATION])
def test_alert_handling_by_role(role, personas, village):
    visit, _c = actions.record_visit(
        None, village.team, visited_at=days_ago(0), finding=Finding.VIOLATION, person=village.an
    )
    before = state()
    r = post(token_client(personas[role]), f"/alerts/{visit.pk}/handle", {"note": "Đã nhắc nhở"})
    if role in (Role.COMMUNE, Role.HEALTH_STATION):  # COMMUNITY_FINDING_HANDLE
        assert role_has(role, Perm.COMMUNITY_FINDING_HANDLE)
        assert r.status_code == 200 and r.json()["handled_at"]
    else:
        assert r.status_code == 403
        assert state() == before


def test_a_member_of_another_village_sees_nothing(to2_member, village):
    v = village
    client = token_client(to2_member)
    visit, _c = actions.record_visit(None, v.team, visited_at=days_ago(0), finding=Finding.SYMPTOMS, person=v.an)
    before = state()
    assert client.get(f"{API}/teams/{v.team.pk}").status_code == 404
    assert client.get(f"{API}/teams/{v.team.pk}/watch").status_code == 404
    assert client.get(f"{API}/visits/{visit.pk}").status_code == 404
    assert [t["name"] for t in client.get(f"{API}/teams").json()] == ["Tổ COVID TDP 2"]
    assert client.get(f"{API}/alerts").json() == []
    assert client.get(f"{API}/visits").json() == []
    assert post(client, "/visits", visit_payload(v, client_uuid=str(uuid.uuid4()))).status_code == 404
    # The person of Tổ dân phố 1 is unknown to them, even for their own team.
    own = CommunityTeam.objects.get(name="Tổ COVID TDP 2")
    r = post(client, "/visits", visit_payload(v, team_id=str(own.pk)))
    assert r.status_code == 422
    assert state() == before


def test_outsider_gets_404_everywhere(outsider, village):
    v = village
    client = token_client(outsider)
    visit, _c = actions.record_visit(None, v.team, visited_at=days_ago(0), finding=Finding.SYMPTOMS, person=v.an)
    before = state()
    assert client.get(f"{API}/teams/{v.team.pk}").status_code == 404
    assert patch(client, f"/teams/{v.team.pk}", {"active": False}).status_code == 404
    assert post(client, f"/alerts/{visit.pk}/handle", {}).status_code == 404
    assert post(client, "/visits", visit_payload(v)).status_code == 404
    assert client.get(f"{API}/overdue").json()["teams"] == []
    entry, _c = actions.add_watch_entry(
        None, v.chi, reason="elderly_alone", ends_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    group, _c = actions.create_group(None, name="Tổ liên gia 1", village=v.team.village, households=[v.h1])
    before = state()
    assert post(client, f"/watch-entries/{entry.pk}/end", {}).status_code == 404
    assert client.get(f"{API}/groups/{group.pk}").status_code == 404
    assert post(client, f"/groups/{group.pk}/households", {"household_ids": [str(v.h2.pk)]}).status_code == 404
    r = post(client, "/watch-entries", {"person_id": str(v.an.pk), "reason": "suspected", "ends_on": "2030-01-01"})
    assert r.status_code == 422  # the person is unknown to them
    assert client.get(f"{API}/watch-entries").json() == []
    assert state() == before


def test_anonymous_is_refused(client, village):
    assert client.get(f"{API}/teams").status_code == 401
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("role", list(Role))
def test_watch_entries_and_groups_by_role(role, personas, village, tree):
    v = village
    entry, _c = actions.add_watch_entry(
        None, v.chi, reason="elderly_alone", ends_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    group, _c = actions.create_group(None, name="Tổ liên gia 1", village=tree.to1, households=[v.h1])
    client = token_client(personas[role])
    before = state()
    want = _expected(role, Perm.COMMUNITY_MANAGE)
    ends_on = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    calls = [
        lambda: post(client, "/watch-entries", {"person_id": str(v.an.pk), "reason": "suspected", "ends_on": ends_on}),
        lambda: post(client, f"/watch-entries/{entry.pk}/end", {}),
        lambda: post(client, "/groups", {"name": "Tổ liên gia 2", "village_id": tree.to1.pk}),
        lambda: post(client, f"/groups/{group.pk}/households", {"household_ids": [str(v.h2.pk)]}),
        lambda: client.delete(f"{API}/groups/{group.pk}/households/{v.h1.pk}"),
    ]
    codes = [call().status_code for call in calls]
    if want == 200:
        assert codes == [201, 200, 201, 200, 204]
    else:
        # Creating a group names its village: outside the area that is a 403 (not a hidden record).
        assert codes == [want if want == 403 else 422, want, 403, want, want]
        assert state() == before
    read = client.get(f"{API}/groups/{group.pk}").status_code
    assert read == _expected(role, Perm.COMMUNITY_VIEW)
