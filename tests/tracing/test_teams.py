"""Tracing teams: API and pages for every role, visibility up the hierarchy, members, bad input."""

from __future__ import annotations

import uuid

import pytest

from phongdich.core.roles import Perm, Role, role_has
from phongdich.tracing import teams
from phongdich.tracing.models import Agency, TeamMember, TracingTeam
from tests.cases import conftest as cases_fixtures
from tests.cases.conftest import API, patch, post, state, token_client
from tests.conftest import PERSONA_UNITS, client_for

far_district = cases_fixtures.far_district  # a fixture of the case tests

SEES_NB = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua")}


@pytest.fixture
def team(tree):
    t = teams.create_team(None, name="Tổ truy vết Noong Bua", unit=tree.noong_bua)
    teams.add_member(None, t, full_name="Lò Văn Công An", agency=Agency.POLICE, phone="+84912000111")
    return t


@pytest.mark.parametrize("role", list(Role))
def test_create_and_edit_by_role(role, personas, tree):
    client = token_client(personas[role])
    before = state()
    r = post(client, "/teams", {"name": "Tổ 1", "unit_id": tree.noong_bua.pk})
    if not role_has(role, Perm.INVESTIGATION_MANAGE):
        assert r.status_code == 403
        assert state() == before
        return
    if PERSONA_UNITS[role] not in ("province", "city"):
        assert r.status_code == 403  # Noong Bua is outside the unit
        return
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert r.json()["unit"]["code"] == "03124"
    r = post(
        client,
        f"/teams/{tid}/members",
        {"full_name": "Quàng Văn Biên", "agency": "border_guard", "phone": "0912 345 678"},
    )
    assert r.status_code == 201 and r.json()["phone"] == "+84912345678"
    r = patch(client, f"/teams/{tid}", {"active": False, "name": "Tổ 1 (nghỉ)"})
    assert r.status_code == 200 and r.json()["active"] is False
    mid = TeamMember.objects.get().pk
    assert client.delete(f"{API}/teams/{tid}/members/{mid}").status_code == 204
    assert not TeamMember.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_read_by_role(role, personas, team):
    r = token_client(personas[role]).get(f"{API}/teams/{team.pk}")
    page = client_for(personas[role]).get(f"/tracing/teams/{team.pk}/")
    if not role_has(role, Perm.CASE_VIEW):
        assert r.status_code == page.status_code == 403
        return
    want = 200 if role in SEES_NB else 404
    assert r.status_code == page.status_code == want
    if want == 200:
        assert r.json()["members"][0]["agency"] == "police"
        assert "Lò Văn Công An" in page.content.decode()


def test_teams_above_are_visible_but_not_editable(personas, tree):
    province_team = teams.create_team(None, name="Đội CDC tỉnh", unit=tree.province)
    city_team = teams.create_team(None, name="Tổ thành phố", unit=tree.city)
    far_team = teams.create_team(None, name="Tổ Mường Nhé", unit=tree.muong_nhe)
    district = token_client(personas[Role.DISTRICT])
    names = {t["name"] for t in district.get(f"{API}/teams").json()}
    assert names == {"Đội CDC tỉnh", "Tổ thành phố"}
    commune = token_client(personas[Role.COMMUNE])
    assert {t["name"] for t in commune.get(f"{API}/teams").json()} == {"Đội CDC tỉnh", "Tổ thành phố"}
    before = state()
    assert patch(district, f"/teams/{province_team.pk}", {"name": "x"}).status_code == 404
    assert post(district, f"/teams/{province_team.pk}/members", {"full_name": "A", "agency": "cdc"}).status_code == 404
    assert district.get(f"{API}/teams/{far_team.pk}").status_code == 404
    assert state() == before
    assert patch(district, f"/teams/{city_team.pk}", {"name": "Tổ TP Điện Biên Phủ"}).status_code == 200


def test_bad_input_and_idempotent_create(personas, tree, far_district, team):
    client = token_client(personas[Role.HEALTH])
    key = str(uuid.uuid4())
    a = post(client, "/teams", {"client_uuid": key, "name": "Tổ A"})
    b = post(client, "/teams", {"client_uuid": key, "name": "Tổ A"})
    assert (a.status_code, b.status_code) == (201, 200) and a.json()["id"] == b.json()["id"]
    before = state()
    assert post(client, "/teams", {"name": ""}).status_code == 422
    assert post(client, "/teams", {"name": "X", "unit_code": "99999"}).status_code == 422
    assert post(client, f"/teams/{team.pk}/members", {"full_name": "A", "agency": "navy"}).status_code == 422
    r = post(
        client,
        f"/teams/{team.pk}/members",
        {"full_name": "A", "agency": "cdc", "phone": "12"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "phone"
    district = token_client(personas[Role.DISTRICT])  # far_district works in Mường Nhé, outside the city
    r = post(district, f"/teams/{team.pk}/members", {"full_name": "A", "agency": "cdc", "user_id": far_district.pk})
    assert r.status_code == 422
    assert patch(client, f"/teams/{team.pk}", {"name": None}).status_code == 422
    assert client.delete(f"{API}/teams/{team.pk}/members/999999").status_code == 404
    assert state() == before
    r = post(
        client,
        f"/teams/{team.pk}/members",
        {"full_name": "Bác sĩ Lan", "agency": "health", "user_id": personas[Role.HEALTH_STATION].pk},
    )
    assert r.status_code == 201
    again = post(
        client,
        f"/teams/{team.pk}/members",
        {"full_name": "Bác sĩ Lan", "agency": "health", "user_id": personas[Role.HEALTH_STATION].pk},
    )
    assert again.status_code == 409


@pytest.mark.parametrize("role", list(Role))
def test_team_pages_by_role(role, personas, tree, team):
    client = client_for(personas[role])
    assert client.get("/tracing/teams/").status_code == (200 if role_has(role, Perm.CASE_VIEW) else 403)
    manage = role_has(role, Perm.INVESTIGATION_MANAGE)
    assert client.get("/tracing/teams/new/").status_code == (200 if manage else 403)
    before = state()
    r = client.post("/tracing/teams/new/", {"name": "Tổ mới", "unit": tree.noong_bua.pk, "active": "on"})
    r2 = client.post(f"/tracing/teams/{team.pk}/members/", {"full_name": "Cà Văn Quân", "agency": "military"})
    if not manage:
        assert (r.status_code, r2.status_code) == (403, 403)
        assert state() == before
        return
    in_area = PERSONA_UNITS[role] in ("province", "city")
    if in_area:
        assert r.status_code == 302 and TracingTeam.objects.filter(name="Tổ mới").exists()
        assert r2.status_code == 302 and team.members.filter(full_name="Cà Văn Quân").exists()
        member = team.members.get(full_name="Cà Văn Quân")
        assert client.post(f"/tracing/teams/{team.pk}/members/{member.pk}/remove/").status_code == 302
        r = client.post(f"/tracing/teams/{team.pk}/edit/", {"name": "Tổ NB", "unit": tree.noong_bua.pk})
        assert r.status_code == 302
        team.refresh_from_db()
        assert team.name == "Tổ NB" and team.active is False
    else:
        assert r.status_code == 200  # the unit is not among the choices: the form shows the error
        assert r2.status_code == 404
        assert state() == before


def test_member_form_errors(personas, team):
    client = client_for(personas[Role.HEALTH])
    before = state()
    r = client.post(f"/tracing/teams/{team.pk}/members/", {"full_name": "", "agency": "cdc", "phone": "abc"})
    assert r.status_code == 422 and state() == before
