"""The community app on the person page (team watching the person, last visits), timeline and overview."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from phongdich.community import queries, watchlist
from phongdich.community.models import HouseholdAssignment
from phongdich.core.overview import Figure
from phongdich.core.roles import Perm
from phongdich.people.panels import Panel
from phongdich.people.timeline import TimelineEvent

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person

PANEL_VISITS = 5


def person_community(person: Person, user: User) -> Panel | None:
    if not user.can(Perm.COMMUNITY_VIEW) or person.village_id is None:
        return None
    teams = list(queries.teams_in_scope(user).filter(village_id=person.village_id, active=True))
    assignment = None
    if person.household_id:
        assignment = (
            HouseholdAssignment.objects.filter(household_id=person.household_id, team__in=teams, member__active=True)
            .select_related("member", "team")
            .first()
        )
    rows = []
    if teams and person.village is not None:
        rows = [r for r in watchlist.rows_for([person.village]) if r.item.person_id == person.pk]
    visits = list(queries.visits_of_person(user, person)[:PANEL_VISITS])
    if not teams and not visits:
        return None
    return Panel(
        "community/_person_panel.html",
        {
            "teams": teams,
            "assignment": assignment,
            "rows": rows,
            "visits": visits,
            "can_visit": user.can(Perm.COMMUNITY_VISIT) and bool(teams) and person.merged_into_id is None,
            "can_manage": user.can(Perm.COMMUNITY_MANAGE) and person.merged_into_id is None,
            "person": person,
        },
        order=40,
    )


def visit_events(person: Person, user: User) -> Iterator[TimelineEvent]:
    if not user.can(Perm.COMMUNITY_VIEW):
        return
    for visit in queries.visits_of_person(user, person):
        title = _("Community team visit: %(finding)s") % {"finding": visit.get_finding_display()}
        detail = visit.team.name
        if visit.member is not None:
            detail = f"{detail} · {visit.member.full_name}"
        if visit.temperature is not None:
            detail = f"{detail} · {visit.temperature} °C"
        yield TimelineEvent(at=visit.visited_at, kind="community", title=title, detail=detail)


def overview_figures(user: User) -> Iterator[Figure]:
    """Overdue visits of the community teams in the user's area, and findings waiting for action."""
    if not user.can(Perm.COMMUNITY_VIEW):
        return
    teams = list(queries.teams_in_scope(user).filter(active=True))
    if not teams:
        return
    _counts, overdue = watchlist.overdue_by_team(teams)
    url = reverse("community:index")
    yield Figure(len(overdue), _("community visits overdue"), url, warn=bool(overdue))
    alerts = queries.open_alerts(user).count()
    yield Figure(alerts, _("community findings waiting for action"), reverse("community:alerts"), warn=alerts > 0)
