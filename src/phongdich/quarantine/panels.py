"""What the quarantine app adds elsewhere: the person page's section and timeline, overview figures,
and the community teams' watch list (home quarantine in their villages)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.overview import Figure
from phongdich.core.roles import Perm
from phongdich.people.panels import Panel
from phongdich.people.timeline import TimelineEvent
from phongdich.quarantine import queries, schedule
from phongdich.quarantine.models import FacilityKind, IncidentKind, Placement, PlacementStatus
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.community.watch import WatchItem
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit
    from phongdich.people.models import Person


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def _of_person(person: Person, user: User) -> list[Placement]:
    return list(
        queries.placements_in_scope(user).filter(person=person).select_related("facility", "room", "bed", "rule_set")
    )


def person_quarantine(person: Person, user: User) -> Panel | None:
    if not user.can(Perm.QUARANTINE_VIEW):
        return None
    placements = _of_person(person, user)
    today = timezone.localdate()
    can_place = (
        user.can(Perm.QUARANTINE_EDIT) and person.merged_into_id is None and not any(p.is_active for p in placements)
    )
    due = None
    if can_place:
        level = PersonLevel.objects.filter(person=person).select_related("rule_set").first()
        s = schedule.from_level(level) if level is not None else None
        if s is not None and s.end_date > today:
            due = s
    if not placements and due is None and not can_place:
        return None
    return Panel(
        "quarantine/_person_panel.html",
        {"placements": placements, "today": today, "person": person, "can_place": can_place, "due": due},
        order=30,
    )


def quarantine_events(person: Person, user: User) -> Iterator[TimelineEvent]:
    if not user.can(Perm.QUARANTINE_VIEW):
        return
    for p in _of_person(person, user):
        url = reverse("quarantine:placement", args=[p.pk])
        yield TimelineEvent(
            at=_at(p.entered_on),
            kind="quarantine",
            title=_("Quarantine starts: %(facility)s") % {"facility": p.facility.name},
            detail=_("until %(date)s") % {"date": p.end_date.strftime("%d/%m/%Y")},
            url=url,
        )
        if p.ended_on is not None:
            yield TimelineEvent(at=_at(p.ended_on), kind="quarantine", title=str(p.get_status_display()), url=url)
        for incident in p.incidents.all():
            if incident.kind == IncidentKind.VIOLATION:
                yield TimelineEvent(
                    at=_at(incident.occurred_on), kind="quarantine", title=str(incident.get_kind_display()), url=url
                )


def overview_figures(user: User) -> Iterator[Figure]:
    if not user.can(Perm.QUARANTINE_VIEW):
        return
    active = queries.active_placements(user)
    yield Figure(active.count(), _("people in quarantine"), reverse("quarantine:index"))
    overdue = len(queries.overdue_tests(user))
    yield Figure(overdue, _("quarantine tests overdue"), reverse("quarantine:overdue"), warn=overdue > 0)


def home_quarantine_watch(villages: Sequence[AdminUnit], on: datetime.date) -> Iterable[WatchItem]:
    """People in home quarantine in these villages on this day (for the community teams)."""
    from phongdich.community.watch import WatchItem

    rows = Placement.objects.filter(
        status=PlacementStatus.ACTIVE,
        facility__kind=FacilityKind.HOME,
        village__in=list(villages),
        entered_on__lte=on,
        end_date__gt=on,
    ).order_by("end_date")
    for p in rows:
        yield WatchItem(
            person_id=p.person_id,
            village_id=p.village_id,
            kind="home_quarantine",
            label=_("Home quarantine until %(date)s") % {"date": p.end_date.strftime("%d/%m/%Y")},
            since=p.entered_on,
            until=p.end_date,
            url=reverse("quarantine:placement", args=[p.pk]),
            visit_every_days=1,
        )
