"""Pages: the member's phone page (one-tap visit), the commune's page, team management, findings, groups,
the person-page panel and timeline, the overview figure."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from phongdich.community import actions
from phongdich.community.models import CommunityMember, CommunityTeam, Finding, HouseholdGroup, Visit, WatchEntry
from phongdich.core.overview import figures_for
from phongdich.core.roles import Perm, Role, role_has
from tests.community.conftest import days_ago, quarantine_item, state
from tests.conftest import PERSONA_UNITS, client_for

SEES_TO1 = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}


@pytest.mark.parametrize("role", list(Role))
def test_pages_by_role(role, personas, village, provider):
    provider.append(quarantine_item(village.an))
    client = client_for(personas[role])
    urls = [
        f"/community/team/{village.team.pk}/",
        f"/community/team/{village.team.pk}/today/",
    ]
    want = 403 if not role_has(role, Perm.COMMUNITY_VIEW) else (200 if role in SEES_TO1 else 404)
    for url in urls:
        assert client.get(url).status_code == want, url
    for url in ("/community/alerts/", "/community/watch/", "/community/groups/"):
        assert client.get(url).status_code == (403 if want == 403 else 200), url
    index = client.get("/community/")
    if want == 403:
        assert index.status_code == 403
    elif role == Role.COMMUNITY:
        assert index.status_code == 302 and index["Location"].endswith(f"/community/team/{village.team.pk}/today/")
    else:
        assert index.status_code == 200


def test_member_taps_a_visit_once(personas, village, provider):
    provider.append(quarantine_item(village.an, since_days_ago=1))
    client = client_for(personas[Role.COMMUNITY])
    page = client.get(f"/community/team/{village.team.pk}/today/").content.decode()
    assert "Lò Văn An" in page and f'value="{village.an.pk}"' in page
    cid = str(uuid.uuid4())
    data = {"person": str(village.an.pk), "finding": "symptoms", "temperature": "38,2", "client_uuid": cid}
    r = client.post(f"/community/team/{village.team.pk}/visit/", data)
    assert r.status_code == 302
    r = client.post(f"/community/team/{village.team.pk}/visit/", data)  # a double tap
    assert r.status_code == 302
    visit = Visit.objects.get()
    assert visit.member == village.un and visit.finding == Finding.SYMPTOMS and str(visit.temperature) == "38.2"
    assert visit.needs_action
    # The commune sees the finding and marks it handled.
    commune = client_for(personas[Role.COMMUNE])
    assert "Lò Văn An" in commune.get("/community/alerts/").content.decode()
    assert commune.post(f"/community/alerts/{visit.pk}/handle/", {"note": "Đã lấy mẫu"}).status_code == 302
    visit.refresh_from_db()
    assert visit.handled_at is not None and visit.handled_note == "Đã lấy mẫu"


@pytest.mark.parametrize(
    "data",
    [
        {"finding": "nothing"},
        {"finding": "all_well", "temperature": "55"},
        {"finding": "all_well", "temperature": "hot"},
        {"finding": "all_well", "person": "outside"},
        {"finding": "all_well", "person": "not-a-uuid"},
    ],
)
def test_bad_taps_are_refused(data, personas, village):
    data = dict(data)
    data.setdefault("person", str(village.an.pk))
    if data["person"] == "outside":
        data["person"] = str(village.other.pk)
    before = state()
    r = client_for(personas[Role.COMMUNE]).post(f"/community/team/{village.team.pk}/visit/", data)
    assert r.status_code in (409, 422)
    assert state() == before


def test_visit_refused_for_roles_without_the_permission(personas, village):
    before = state()
    data = {"person": str(village.an.pk), "finding": "all_well"}
    assert client_for(personas[Role.POLICE]).post(f"/community/team/{village.team.pk}/visit/", data).status_code == 403
    assert (
        client_for(personas[Role.CHECKPOINT]).post(f"/community/team/{village.team.pk}/visit/", data).status_code == 403
    )
    assert state() == before


def test_commune_page_shows_counts_and_overdue(personas, village, provider):
    provider.append(quarantine_item(village.an, since_days_ago=3))
    provider.append(quarantine_item(village.chi, since_days_ago=0))
    page = client_for(personas[Role.COMMUNE]).get("/community/").content.decode()
    assert "Tổ COVID TDP 1" in page and "Lò Văn An" in page
    overdue = [f for f in figures_for(personas[Role.COMMUNE]) if f.url == "/community/"]
    assert overdue and overdue[0].value == 1 and overdue[0].warn
    assert not [f for f in figures_for(personas[Role.CHECKPOINT]) if f.url == "/community/"]


def test_team_management_pages(personas, village, tree):
    client = client_for(personas[Role.COMMUNE])
    r = client.post(
        "/community/teams/new/", {"name": "Tổ COVID TDP 2", "village": tree.to2.pk, "client_uuid": str(uuid.uuid4())}
    )
    assert r.status_code == 302
    team = CommunityTeam.objects.get(name="Tổ COVID TDP 2")
    r = client.post(
        f"/community/team/{team.pk}/members/", {"full_name": "Lò Thị Mai", "position": "youth", "phone": "0987654321"}
    )
    assert r.status_code == 302
    mai = CommunityMember.objects.get(full_name="Lò Thị Mai")
    assert mai.phone == "+84987654321"
    r = client.post(
        f"/community/team/{team.pk}/assign/", {"member": mai.pk, "households": [village.other_household.pk]}
    )
    assert r.status_code == 302 and mai.assignments.count() == 1
    # A household of another village cannot be assigned.
    before = state()
    client.post(f"/community/team/{team.pk}/assign/", {"member": mai.pk, "households": [village.h1.pk]})
    assert state() == before
    page = client.get(f"/community/team/{team.pk}/").content.decode()
    assert "Lò Thị Mai" in page and "HK-101" in page and "0987 654 321" in page
    client.post(f"/community/team/{team.pk}/unassign/{village.other_household.pk}/")
    client.post(f"/community/team/{team.pk}/members/{mai.pk}/remove/")
    mai.refresh_from_db()
    assert not mai.active and mai.assignments.count() == 0
    # Creating a team is refused for a member, and outside the area.
    before = state()
    assert (
        client_for(personas[Role.COMMUNITY])
        .post("/community/teams/new/", {"name": "x", "village": tree.to1.pk})
        .status_code
        == 403
    )
    r = client.post("/community/teams/new/", {"name": "x", "village": tree.ban_sin_thau.pk})
    assert r.status_code == 422
    assert state() == before


def test_watch_entry_pages(personas, village):
    client = client_for(personas[Role.COMMUNE])
    url = f"/community/watch/add/{village.binh.pk}/"
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    data = {
        "reason": "elderly_alone",
        "starts_on": today.isoformat(),
        "ends_on": (today - datetime.timedelta(days=1)).isoformat(),
        "visit_every_days": 2,
        "client_uuid": str(uuid.uuid4()),
    }
    before = state()
    assert client.post(url, data).status_code == 422
    assert state() == before
    data["ends_on"] = (today + datetime.timedelta(days=20)).isoformat()
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # resent: the same entry
    entry = WatchEntry.objects.get()
    assert "Quàng Thị Bình" in client.get("/community/watch/").content.decode()
    assert client_for(personas[Role.COMMUNITY]).get(url).status_code == 403
    client.post(f"/community/watch/{entry.pk}/end/")
    entry.refresh_from_db()
    assert entry.ended_at is not None


def test_household_group_pages(personas, village, tree):
    client = client_for(personas[Role.COMMUNE])
    r = client.post(
        "/community/groups/", {"name": "Tổ liên gia số 1", "village": tree.to1.pk, "client_uuid": str(uuid.uuid4())}
    )
    assert r.status_code == 302
    group = HouseholdGroup.objects.get()
    client.post(f"/community/groups/{group.pk}/add/", {"households": [village.h1.pk, village.h2.pk]})
    assert group.memberships.count() == 2
    group.refresh_from_db()
    assert group.leader_id == village.h1.pk
    before = state()
    client.post(f"/community/groups/{group.pk}/add/", {"households": [village.other_household.pk]})  # Tổ dân phố 2
    assert state() == before
    page = client.get(f"/community/groups/{group.pk}/").content.decode()
    assert "HK-001" in page and "HK-002" in page
    assert "Tổ liên gia số 1" in client_for(personas[Role.COMMUNITY]).get("/community/groups/").content.decode()
    assert (
        client_for(personas[Role.COMMUNITY])
        .post(f"/community/groups/{group.pk}/add/", {"households": [village.h1.pk]})
        .status_code
        == 403
    )
    client.post(f"/community/groups/{group.pk}/remove/{village.h1.pk}/")
    group.refresh_from_db()
    assert group.memberships.count() == 1 and group.leader_id is None


def test_person_page_panel_and_timeline(personas, village, provider):
    provider.append(quarantine_item(village.an))
    actions.record_visit(
        None,
        village.team,
        visited_at=days_ago(1),
        finding=Finding.ALL_WELL,
        person=village.an,
        member=village.un,
        temperature=36.6,
    )
    page = client_for(personas[Role.COMMUNE]).get(f"/people/{village.an.pk}/").content.decode()
    assert "Tổ COVID TDP 1" in page and "Lò Văn Ún" in page and "0912 345 678" in page
    assert "36.6" in page or "36,6" in page
    lab = client_for(personas[Role.LAB]).get(f"/people/{village.an.pk}/")  # sees people, not the community app
    assert lab.status_code == 200 and "Tổ COVID TDP 1" not in lab.content.decode()


def test_the_health_station_handles_a_finding_on_the_page(personas, village):
    visit, _c = actions.record_visit(
        None, village.team, visited_at=days_ago(0), finding=Finding.SYMPTOMS, person=village.an
    )
    station = client_for(personas[Role.HEALTH_STATION])
    page = station.get("/community/alerts/").content.decode()
    assert f"/community/alerts/{visit.pk}/handle/" in page
    assert station.post(f"/community/alerts/{visit.pk}/handle/", {"note": "Đã lấy mẫu"}).status_code == 302
    visit.refresh_from_db()
    assert visit.handled_at is not None and visit.handled_by == personas[Role.HEALTH_STATION]
    member = client_for(personas[Role.COMMUNITY])
    other, _c = actions.record_visit(
        None, village.team, visited_at=days_ago(0), finding=Finding.SYMPTOMS, person=village.an
    )
    assert f"/community/alerts/{other.pk}/handle/" not in member.get("/community/alerts/").content.decode()
    assert member.post(f"/community/alerts/{other.pk}/handle/", {}).status_code in (403, 404)
