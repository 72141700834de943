"""What the treatment app adds elsewhere: the person page's section and timeline, the overview
figures, and the community teams' watch list (F0 cared for at home in their villages)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.community.watch import WatchItem
from phongdich.core.overview import Figure
from phongdich.core.roles import Perm
from phongdich.people.panels import Panel
from phongdich.people.timeline import TimelineEvent
from phongdich.treatment import queries
from phongdich.treatment.models import HomeCare, HomeCareStatus

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit
    from phongdich.people.models import Person


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def person_treatment(person: Person, user: User) -> Panel | None:
    if not user.can(Perm.TREATMENT_VIEW):
        return None
    stays, homes = queries.history_of_person(user, person.pk)
    current = next((s for s in stays if s.is_open), None)
    home = next((h for h in homes if h.status == HomeCareStatus.ACTIVE), None)
    awaiting = None
    if current is None and home is None:
        awaiting = queries.cases_awaiting_care(user).filter(person=person).first()
    if not stays and not homes and awaiting is None:
        return None
    context = {
        "stays": list(reversed(stays)),
        "homes": list(reversed(homes)),
        "current": current,
        "home": home,
        "awaiting": awaiting,
        "can_edit": user.can(Perm.TREATMENT_EDIT),
    }
    return Panel("treatment/_person_treatment.html", context, order=15)


def treatment_events(person: Person, user: User) -> Iterator[TimelineEvent]:
    if not user.can(Perm.TREATMENT_VIEW):
        return
    stays, homes = queries.history_of_person(user, person.pk)
    for s in stays:
        url = reverse("treatment:admission", args=[s.pk])
        if s.previous_id is not None:
            title = _("Transferred to %(facility)s (tier %(tier)s)") % {"facility": s.facility.name, "tier": s.tier}
        else:
            title = _("Admitted to %(facility)s (tier %(tier)s)") % {"facility": s.facility.name, "tier": s.tier}
        yield TimelineEvent(
            at=_at(s.admitted_on), kind="treatment", title=title, detail=s.get_bed_kind_display(), url=url
        )
        if s.ended_on and s.ended_by != "transferred":
            title = _("Discharged from %(facility)s: %(how)s") % {
                "facility": s.facility.name,
                "how": s.get_ended_by_display(),
            }
            yield TimelineEvent(at=_at(s.ended_on), kind="treatment", title=title, url=url)
    for h in homes:
        url = reverse("treatment:home_care", args=[h.pk])
        yield TimelineEvent(at=_at(h.started_on), kind="treatment", title=_("Home care started"), url=url)
        if h.ended_on:
            title = _("Home care ended: %(how)s") % {"how": h.get_status_display()}
            yield TimelineEvent(at=_at(h.ended_on), kind="treatment", title=title, url=url)


def overview_figures(user: User) -> Iterator[Figure]:
    """Free oxygen and ICU beds (province facilities) and F0 awaiting care (the user's area)."""
    if not user.can(Perm.TREATMENT_VIEW):
        return
    board = queries.bed_board(queries.visible_facilities(user))
    url = reverse("treatment:beds")
    oxygen = board.totals["oxygen"].free
    icu = board.totals["icu"].free + board.totals["ventilator"].free
    yield Figure(oxygen, _("free oxygen beds"), url, warn=oxygen == 0)
    yield Figure(icu, _("free ICU beds"), url, warn=icu == 0)
    waiting = queries.cases_awaiting_care(user).count()
    yield Figure(waiting, _("F0 awaiting a bed or home care"), reverse("treatment:awaiting"), warn=waiting > 0)


def home_care_watch(villages: Sequence[AdminUnit], on: datetime.date) -> Iterable[WatchItem]:
    """F0 cared for at home in these villages on ``on`` (visit daily)."""
    ids = [v.pk for v in villages]
    if not ids:
        return []
    rows = HomeCare.objects.filter(village_id__in=ids, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )
    return [
        WatchItem(
            person_id=h.person_id,
            village_id=h.village_id,
            kind="home_care",
            label=_("F0 cared for at home since %(date)s") % {"date": h.started_on.strftime("%d/%m/%Y")},
            since=h.started_on,
            url=reverse("treatment:home_care", args=[h.pk]),
            visit_every_days=1,
        )
        for h in rows.order_by("started_on")
    ]
