"""The community part of the demo outbreak: teams in every bản of Mường Phăng, visits, the demo user linked."""

from __future__ import annotations

from django.core.management import call_command

from phongdich.community import watchlist
from phongdich.community.demo import LAST_DAY
from phongdich.community.models import CommunityMember, CommunityTeam, HouseholdAssignment, Visit
from phongdich.core.models import User
from phongdich.demo.generate import build_demo
from phongdich.demo.users import ensure_demo_users
from phongdich.geo.models import AdminUnit
from tests.conftest import client_for
from tests.demo.conftest import units  # noqa: F401 - the real units of Điện Biên


def test_demo_teams_visits_and_idempotence(units: AdminUnit) -> None:  # noqa: F811
    build_demo(people=30_000, seed=7)
    ensure_demo_users("pw-demo-1234")
    call_command("demo_outbreak")
    teams = CommunityTeam.objects.filter(commune__code="03325")
    assert teams.count() >= 3
    assert not teams.exclude(village__parent__code="03325").exists()
    assert set(CommunityMember.objects.values_list("position", flat=True)) >= {
        "village_head",
        "police",
        "health_worker",
    }
    member = CommunityMember.objects.get(user__username="toCOVID_muongphang")
    assert member.team.village_id == member.user.unit_id  # type: ignore[union-attr]
    assert HouseholdAssignment.objects.exists()
    visits = Visit.objects.all()
    assert visits.filter(finding="symptoms").count() >= 1
    assert {v.visited_at.date().month for v in visits} == {8}
    _counts, overdue = watchlist.overdue_by_team(list(teams), LAST_DAY)
    assert overdue, "some visits are overdue on 31/08/2021"
    # The demo users see it (as of the demo's last day).
    member_client = client_for(member.user)
    r = member_client.get("/community/")
    assert r.status_code == 302
    page = member_client.get(r["Location"] + "?on=2021-08-31")
    assert page.status_code == 200 and member.team.name in page.content.decode()
    commune = client_for(User.objects.get(username="xa_muongphang"))
    page = commune.get("/community/?on=2021-08-31").content.decode()
    assert all(t.name in page for t in teams)
    assert commune.get("/community/alerts/").status_code == 200
    before = (teams.count(), CommunityMember.objects.count(), visits.count())
    call_command("demo_outbreak")
    assert (teams.count(), CommunityMember.objects.count(), visits.count()) == before
