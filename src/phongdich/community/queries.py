"""Scoped reads of the community app (everything through core.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from phongdich.community.models import (
    CommunityMember,
    CommunityTeam,
    HouseholdGroup,
    Visit,
    WatchEntry,
)
from phongdich.core import access

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person

TEAM_RELATED = ("village", "commune", "district")


def teams_in_scope(user: User) -> QuerySet[CommunityTeam]:
    return access.scope(user, CommunityTeam.objects.select_related(*TEAM_RELATED))


def members_in_scope(user: User) -> QuerySet[CommunityMember]:
    return access.scope(user, CommunityMember.objects.select_related("team", "team__village"), "team__")


def visits_in_scope(user: User) -> QuerySet[Visit]:
    return access.scope(user, Visit.objects.all())


def open_alerts(user: User) -> QuerySet[Visit]:
    """Findings the commune must act on and has not yet handled, oldest first."""
    return (
        visits_in_scope(user)
        .filter(needs_action=True, handled_at__isnull=True)
        .select_related("team", "member", "person", "household", "village")
        .order_by("visited_at")
    )


def entries_in_scope(user: User) -> QuerySet[WatchEntry]:
    return access.scope(user, WatchEntry.objects.select_related("person", "village"))


def groups_in_scope(user: User) -> QuerySet[HouseholdGroup]:
    return access.scope(user, HouseholdGroup.objects.select_related("village", "leader"))


def my_teams(user: User) -> QuerySet[CommunityTeam]:
    """The active teams the user is an active member of (within their area)."""
    return teams_in_scope(user).filter(members__user=user, members__active=True, active=True).distinct()


def visits_of_person(user: User, person: Person) -> QuerySet[Visit]:
    """Visits of the person or of their household, in the user's area, newest first."""
    from django.db.models import Q

    cond = Q(person=person)
    if person.household_id:
        cond |= Q(household_id=person.household_id)
    return visits_in_scope(user).filter(cond).select_related("team", "member").order_by("-visited_at")
