"""Investigations: task lists, team assignment, task updates, overdue work — API and pages, every role."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from phongdich.cases import actions
from phongdich.core.models import AuditLog
from phongdich.core.roles import Perm, Role, role_has
from phongdich.tracing import investigations as inv
from phongdich.tracing import teams
from phongdich.tracing.models import Agency, Investigation, TracingTask
from tests.cases import conftest as cases_fixtures
from tests.cases.conftest import API, EXPOSED, confirm, link, patch, post, state, token_client
from tests.conftest import PERSONA_UNITS, client_for

# The case tests' fixtures, shared here.
chain = cases_fixtures.chain
make_person = cases_fixtures.make_person
far_district = cases_fixtures.far_district

SEES_TO1 = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}


def expected(role: Role, perm: Perm, ok: int = 200) -> int:
    if not role_has(role, perm):
        return 403
    return ok if role in SEES_TO1 else 404


@pytest.fixture
def case(chain):
    return confirm(chain.an)


@pytest.fixture
def team(tree):
    t = teams.create_team(None, name="Tổ truy vết Noong Bua", unit=tree.noong_bua)
    teams.add_member(None, t, full_name="Lò Văn Công An", agency=Agency.POLICE, phone="0912000111")
    teams.add_member(None, t, full_name="Quàng Thị Y Tế", agency=Agency.HEALTH)
    return t


def make_overdue(case) -> None:
    TracingTask.objects.filter(investigation__case=case).update(due_at=timezone.now() - datetime.timedelta(hours=3))


# Detail and list ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_detail_and_list_by_role(role, personas, case):
    client = token_client(personas[role])
    r = client.get(f"{API}/investigations/{case.investigation.pk}")
    assert r.status_code == expected(role, Perm.CASE_VIEW)
    if r.status_code == 200:
        body = r.json()
        assert body["case"]["code"] == case.code and body["status"] == "open"
        assert {t["person"]["full_name"]: t["level"] for t in body["tasks"]} == {
            "Quàng Thị Bình": 1,
            "Lường Văn Chi": 2,
        }
        assert body["counts"] == {"total": 2, "open": 2, "overdue": 0}
    r = client.get(f"{API}/investigations")
    assert r.status_code == (200 if role_has(role, Perm.CASE_VIEW) else 403)
    if r.status_code == 200:
        assert len(r.json()) == (1 if role in SEES_TO1 else 0)
    r = client_for(personas[role]).get("/tracing/investigations/")
    assert r.status_code == (200 if role_has(role, Perm.CASE_VIEW) else 403)


def test_outside_is_404(outsider, far_district, case):
    assert token_client(far_district).get(f"{API}/investigations/{case.investigation.pk}").status_code == 404
    assert token_client(outsider).get(f"{API}/investigations/{case.investigation.pk}").status_code == 404


# Teams on an investigation ------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_assign_teams_by_role(role, personas, case, team):
    client = token_client(personas[role])
    before = state()
    r = post(client, f"/investigations/{case.investigation.pk}/teams", {"team_ids": [str(team.pk)]})
    want = expected(role, Perm.INVESTIGATION_MANAGE)
    assert r.status_code == want, r.content
    if want != 200:
        assert state() == before
        return
    assert [t["name"] for t in r.json()["teams"]] == [team.name]
    assert AuditLog.objects.filter(action="investigation.teams").exists()


def test_assign_teams_web(personas, case, team):
    client = client_for(personas[Role.DISTRICT])
    r = client.post(f"/tracing/investigations/{case.investigation.pk}/teams/", {"team_ids": [str(team.pk)]})
    assert r.status_code == 302 and list(case.investigation.teams.all()) == [team]
    before = state()
    r = client.post(f"/tracing/investigations/{case.investigation.pk}/teams/", {"team_ids": ["nope"]})
    assert r.status_code == 302 and state() == before
    r = client_for(personas[Role.COMMUNE]).post(
        f"/tracing/investigations/{case.investigation.pk}/teams/", {"team_ids": []}
    )
    assert r.status_code == 403 and state() == before


def test_teams_outside_or_inactive_are_refused(personas, case, team, tree):
    far_team = teams.create_team(None, name="Tổ Sín Thầu", unit=tree.sin_thau)
    province_team = teams.create_team(None, name="Tổ CDC tỉnh", unit=tree.province)
    sleeping = teams.create_team(None, name="Tổ nghỉ", unit=tree.noong_bua, active=False)
    client = token_client(personas[Role.DISTRICT])
    url = f"/investigations/{case.investigation.pk}/teams"
    before = state()
    assert post(client, url, {"team_ids": [str(far_team.pk)]}).status_code == 422
    assert post(client, url, {"team_ids": [str(sleeping.pk)]}).status_code == 422
    assert post(client, url, {"team_ids": ["x"]}).status_code == 422
    assert post(client, url, {}).status_code == 422
    assert state() == before
    # A team of the level above may be asked to help.
    r = post(client, url, {"team_ids": [str(province_team.pk), str(team.pk)]})
    assert r.status_code == 200 and len(r.json()["teams"]) == 2


# Tasks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_update_task_by_role(role, personas, case, team):
    inv.assign_teams(None, case.investigation, [team])
    task = TracingTask.objects.get(investigation=case.investigation, level=1)
    client = token_client(personas[role])
    before = state()
    url = f"/investigations/{case.investigation.pk}/tasks/{task.pk}"
    r = patch(client, url, {"status": "found", "note": "Đã cách ly tập trung"})
    want = expected(role, Perm.TRACE_EDIT)
    assert r.status_code == want
    if want != 200:
        assert state() == before
        return
    assert r.json()["status"] == "found" and r.json()["note"] == "Đã cách ly tập trung"
    task.refresh_from_db()
    assert task.done_at is not None
    r = patch(client, url, {"team_id": str(team.pk)})
    assert r.status_code == (200 if role_has(role, Perm.INVESTIGATION_MANAGE) else 403)
    task.refresh_from_db()
    assert (task.team_id == team.pk) == role_has(role, Perm.INVESTIGATION_MANAGE)


def test_task_refusals(personas, case, team, tree):
    task = TracingTask.objects.get(investigation=case.investigation, level=1)
    client = token_client(personas[Role.HEALTH])
    url = f"/investigations/{case.investigation.pk}/tasks/{task.pk}"
    before = state()
    assert patch(client, url, {"status": "lost"}).status_code == 422
    assert patch(client, url, {"team_id": str(team.pk)}).status_code == 422  # not assigned to it
    assert patch(client, url, {"note": "x" * 300}).status_code == 422
    assert state() == before
    other = confirm(case.person.__class__.objects.get(full_name="Cà Thị Dung"), confirmed_on=case.confirmed_on)
    before = state()
    # A task asked for under another investigation's id is not found.
    assert (
        patch(client, f"/investigations/{other.investigation.pk}/tasks/{task.pk}", {"status": "found"}).status_code
        == 404
    )
    assert state() == before
    inv.close_investigation(None, case.investigation)
    closed = state()
    r = patch(client, url, {"status": "found"})
    assert r.status_code == 409 and r.json()["detail"] == "Cuộc điều tra đã đóng: hãy mở lại để cập nhật nhiệm vụ."
    assert state() == closed


def test_task_update_web_htmx_and_plain(personas, case, team):
    inv.assign_teams(None, case.investigation, [team])
    task = TracingTask.objects.get(investigation=case.investigation, level=1)
    client = client_for(personas[Role.HEALTH_STATION])
    r = client.post(f"/tracing/tasks/{task.pk}/", {"status": "unreachable", "note": "Thuê bao"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Không liên lạc được" in r.content.decode()
    task.refresh_from_db()
    assert task.status == "unreachable" and task.done_at is None
    before = state()
    r = client.post(f"/tracing/tasks/{task.pk}/", {"status": "found", "team_id": str(team.pk)}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and state() == before  # a health station may not assign teams
    r = client_for(personas[Role.DISTRICT]).post(
        f"/tracing/tasks/{task.pk}/", {"status": "found", "team_id": str(team.pk), "note": ""}
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.team_id, task.note) == ("found", team.pk, "")
    assert (
        client_for(personas[Role.STEERING]).post(f"/tracing/tasks/{task.pk}/", {"status": "to_find"}).status_code == 403
    )
    assert (
        client_for(personas[Role.CHECKPOINT]).post(f"/tracing/tasks/{task.pk}/", {"status": "to_find"}).status_code
        == 403
    )


def test_a_contact_living_elsewhere_is_visible_to_their_commune(personas, outsider, case, make_person, tree, chain):
    far = make_person("Giàng A Páo", unit=tree.ban_sin_thau)
    link(chain.an, far, EXPOSED)
    inv.sync_for_persons([chain.an.pk, far.pk])
    task = TracingTask.objects.get(person=far)
    make_overdue(case)
    # The Sín Thầu commune officer does not see the case, but sees and updates the task to find Páo.
    r = token_client(outsider).get(f"{API}/investigations/overdue")
    assert r.status_code == 200
    assert [t["person"]["full_name"] for t in r.json()["tasks"]] == ["Giàng A Páo"]
    r = patch(token_client(outsider), f"/investigations/{case.investigation.pk}/tasks/{task.pk}", {"status": "found"})
    assert r.status_code == 200
    assert token_client(outsider).get(f"{API}/investigations/{case.investigation.pk}").status_code == 404
    html = client_for(outsider).get("/tracing/overdue/").content.decode()
    assert "Giàng A Páo" not in html  # found now
    # The commune of the case does not see Páo's task through the person, but through the investigation.
    r = token_client(personas[Role.COMMUNE]).get(f"{API}/investigations/{case.investigation.pk}")
    assert "Giàng A Páo" in [t["person"]["full_name"] for t in r.json()["tasks"]]


# Overdue ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_overdue_by_role(role, personas, case):
    make_overdue(case)
    r = token_client(personas[role]).get(f"{API}/investigations/overdue")
    page = client_for(personas[role]).get("/tracing/overdue/")
    if not role_has(role, Perm.CASE_VIEW):
        assert r.status_code == page.status_code == 403
        return
    assert r.status_code == page.status_code == 200
    if role in SEES_TO1:
        body = r.json()
        assert body["total"] == 2
        assert body["by_unit"] == [
            {
                "district_id": case.district_id,
                "district": "Thành phố Điện Biên Phủ",
                "commune_id": case.commune_id,
                "commune": "Phường Noong Bua",
                "count": 2,
            }
        ]
        assert all(t["overdue"] for t in body["tasks"])
        assert "Quàng Thị Bình" in page.content.decode()
    else:
        assert r.json()["total"] == 0


def test_overdue_counts_only_open_work_in_open_investigations(personas, case, chain):
    make_overdue(case)
    client = token_client(personas[Role.HEALTH])
    task = TracingTask.objects.get(person=chain.binh)
    inv.update_task(None, task, status=TracingTask.Status.ALREADY_ISOLATED)
    assert client.get(f"{API}/investigations/overdue").json()["total"] == 1
    inv.update_task(None, TracingTask.objects.get(person=chain.chi), status=TracingTask.Status.UNREACHABLE)
    assert client.get(f"{API}/investigations/overdue").json()["total"] == 1  # still to find
    inv.close_investigation(None, case.investigation)
    assert client.get(f"{API}/investigations/overdue").json()["total"] == 0
    html = client_for(personas[Role.HEALTH]).get("/tracing/overdue/", {"unit": "abc"}).content.decode()
    assert "Không có việc quá hạn." in html


def test_overdue_page_filters_by_unit(personas, case, make_person, tree, chain):
    far = make_person("Giàng A Páo", unit=tree.ban_sin_thau)
    link(chain.an, far, EXPOSED)
    inv.sync_for_persons([far.pk])
    make_overdue(case)
    client = client_for(personas[Role.HEALTH])
    html = client.get("/tracing/overdue/").content.decode()
    assert "Huyện Mường Nhé" in html and "Phường Noong Bua" in html
    html = client.get("/tracing/overdue/", {"unit": tree.muong_nhe.pk}).content.decode()
    assert "Giàng A Páo" in html and "Quàng Thị Bình" not in html


# Sync, close, reopen ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_sync_close_reopen_by_role(role, personas, case, chain, make_person):
    late = make_person("Hoàng Văn Muộn")
    link(chain.an, late, EXPOSED)
    # Recording the contact already put them on the list (contacts.add_contact syncs); drop the
    # task to make the list stale, as after a change that did not sync.
    assert TracingTask.objects.filter(investigation=case.investigation, person=late).delete()[0] == 1
    client = token_client(personas[role])
    before = state()
    r = post(client, f"/investigations/{case.investigation.pk}/sync", {})
    assert r.status_code == expected(role, Perm.TRACE_EDIT)
    if r.status_code == 200:
        assert r.json()["added"] == 1
    else:
        assert state() == before
    before = state()
    r = post(client, f"/investigations/{case.investigation.pk}/close", {"note": "Đã hoàn thành"})
    assert r.status_code == expected(role, Perm.INVESTIGATION_MANAGE)
    if r.status_code != 200:
        assert state() == before
        return
    assert r.json()["status"] == "closed"
    assert post(client, f"/investigations/{case.investigation.pk}/close", {}).status_code == 409
    r = post(client, f"/investigations/{case.investigation.pk}/reopen", {})
    assert r.status_code == 200 and r.json()["status"] == "open"


def test_web_sync_and_close(personas, case, chain, make_person):
    late = make_person("Hoàng Văn Muộn")
    link(chain.an, late, EXPOSED)
    client = client_for(personas[Role.COMMUNE])
    assert client.post(f"/tracing/investigations/{case.investigation.pk}/sync/").status_code == 302
    assert TracingTask.objects.filter(person=late).exists()
    assert client.post(f"/tracing/investigations/{case.investigation.pk}/close/").status_code == 403
    manager = client_for(personas[Role.POLICE])
    assert manager.post(f"/tracing/investigations/{case.investigation.pk}/close/").status_code == 302
    assert Investigation.objects.get(pk=case.investigation.pk).status == "closed"
    assert manager.post(f"/tracing/investigations/{case.investigation.pk}/close/", {"reopen": "1"}).status_code == 302
    assert Investigation.objects.get(pk=case.investigation.pk).status == "open"


def test_a_ruled_out_case_investigation_cannot_be_reopened(personas, case):
    actions.rule_out_case(None, case, "âm tính")
    r = post(token_client(personas[Role.HEALTH]), f"/investigations/{case.investigation.pk}/reopen", {})
    assert r.status_code == 409


def test_deadlines_and_level_change_shorten_them(case, chain):
    f2 = TracingTask.objects.get(person=chain.chi)
    assert f2.level == 2
    # Chi becomes a direct contact of An: F1 now, with the F1 deadline.
    link(chain.an, chain.chi, EXPOSED)
    inv.sync_for_persons([chain.chi.pk])
    f2.refresh_from_db()
    assert f2.level == 1
    assert f2.due_at <= timezone.now() + datetime.timedelta(hours=24, seconds=5)
