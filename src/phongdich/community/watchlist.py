"""A team's watch list and what is overdue on it.

The items of a set of villages on a day are the union of

- the registry's providers (``community.watch``: home quarantine, home-care F0… registered by
  the quarantine and treatment apps),
- recent arrivals (``community.arrivals``),
- the commune's own entries (``WatchEntry``: elderly living alone, a household under
  cross-monitoring…),

one item per person and kind (the earliest start wins). Each item gets its last visit and the
date the next visit is due: the start day when nobody has visited since it started, else the
last visit plus ``visit_every_days``. A visit of the person's household counts for the person;
a "not at home" visit does not count (the person was not seen). An item is *overdue* when its
next visit was due before the day asked about.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongdich.community import arrivals, watch
from phongdich.community.models import CommunityMember, CommunityTeam, Finding, HouseholdAssignment, Visit, WatchEntry
from phongdich.people.models import Person

if TYPE_CHECKING:
    from phongdich.geo.models import AdminUnit

MANUAL_KIND = "manual"
KIND_LABELS = {
    "home_quarantine": gettext_lazy("Home quarantine"),
    "home_care": gettext_lazy("F0 cared for at home"),
    arrivals.KIND: gettext_lazy("Recent arrival"),
    MANUAL_KIND: gettext_lazy("Added by the commune"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass
class WatchRow:
    item: watch.WatchItem
    person_name: str
    household_id: uuid.UUID | None
    team_id: uuid.UUID | None  # the team whose member watches the household (None: not assigned)
    member: CommunityMember | None
    last_visit: datetime.datetime | None
    next_due: datetime.date
    on: datetime.date
    form_uuid: uuid.UUID | None = None  # a page's one-tap form: the client UUID of the visit it sends

    @property
    def overdue(self) -> bool:
        return self.next_due < self.on

    @property
    def due(self) -> bool:
        return self.next_due <= self.on

    @property
    def days_overdue(self) -> int:
        return max(0, (self.on - self.next_due).days)

    @property
    def kind_label(self) -> str:
        return kind_label(self.item.kind)


def manual_items(villages: Sequence[AdminUnit], on: datetime.date) -> list[watch.WatchItem]:
    day_after = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))
    entries = (
        WatchEntry.objects.filter(
            person__village__in=villages, starts_on__lte=on, ends_on__gte=on, person__merged_into__isnull=True
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=day_after))
        .select_related("person")
    )
    items = []
    for e in entries:
        label = e.get_reason_display()
        if e.note:
            label = f"{label}: {e.note}"
        items.append(
            watch.WatchItem(
                person_id=e.person.pk,
                village_id=e.person.village_id,
                kind=MANUAL_KIND,
                label=str(label),
                since=e.starts_on,
                until=e.ends_on,
                visit_every_days=e.visit_every_days,
            )
        )
    return items


def watch_items(villages: Sequence[AdminUnit], on: datetime.date) -> list[watch.WatchItem]:
    """Every item of these villages on ``on``, one per person and kind."""
    villages = list(villages)
    if not villages:
        return []
    wanted = {v.pk for v in villages}
    found: dict[tuple[uuid.UUID, str], watch.WatchItem] = {}
    for item in [*watch.items_for(villages, on), *arrivals.arrival_items(villages, on), *manual_items(villages, on)]:
        if item.village_id not in wanted or item.since > on or (item.until is not None and item.until < on):
            continue
        key = (item.person_id, item.kind)
        if key not in found or item.since < found[key].since:
            found[key] = item
    return list(found.values())


def _local_date(at: datetime.datetime) -> datetime.date:
    return timezone.localtime(at).date()


def rows_for(villages: Sequence[AdminUnit], on: datetime.date | None = None) -> list[WatchRow]:
    """The watch rows of these villages, most overdue first."""
    on = on or timezone.localdate()
    items = watch_items(villages, on)
    if not items:
        return []
    ids = {i.person_id for i in items}
    people = {
        p["id"]: p
        for p in Person.objects.filter(pk__in=ids, merged_into__isnull=True).values("id", "full_name", "household_id")
    }
    households = {p["household_id"] for p in people.values() if p["household_id"]}
    day_after = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))
    counted = Visit.objects.exclude(finding=Finding.NOT_HOME).filter(visited_at__lt=day_after)
    by_person = dict(
        counted.filter(person_id__in=ids)
        .values("person_id")
        .annotate(last=Max("visited_at"))
        .values_list("person_id", "last")
    )
    by_household = dict(
        counted.filter(household_id__in=households)
        .values("household_id")
        .annotate(last=Max("visited_at"))
        .values_list("household_id", "last")
    )
    assignments = {
        a.household_id: a
        for a in HouseholdAssignment.objects.filter(
            household_id__in=households, team__active=True, member__active=True
        ).select_related("member")
    }
    rows = []
    for item in items:
        p = people.get(item.person_id)
        if p is None:
            continue
        hid = p["household_id"]
        lasts = [t for t in (by_person.get(item.person_id), by_household.get(hid) if hid else None) if t is not None]
        last = max(lasts) if lasts else None
        if last is not None and _local_date(last) >= item.since:
            next_due = _local_date(last) + datetime.timedelta(days=max(1, item.visit_every_days))
        else:
            next_due = item.since
        a = assignments.get(hid) if hid else None
        rows.append(
            WatchRow(
                item=item,
                person_name=p["full_name"],
                household_id=hid,
                team_id=a.team_id if a else None,
                member=a.member if a else None,
                last_visit=last,
                next_due=next_due,
                on=on,
            )
        )
    rows.sort(key=lambda r: (r.next_due, r.person_name))
    return rows


def rows_for_team(team: CommunityTeam, on: datetime.date | None = None) -> list[WatchRow]:
    """The team's rows: its village's items, except households another team of the village watches."""
    if team.village is None:
        return []
    return [r for r in rows_for([team.village], on) if r.team_id in (None, team.pk)]


@dataclass
class TeamOverdue:
    team: CommunityTeam
    watched: int
    due_today: int
    overdue: int


def overdue_by_team(
    teams: Sequence[CommunityTeam], on: datetime.date | None = None
) -> tuple[list[TeamOverdue], list[WatchRow]]:
    """For these teams: counts per team, and every overdue row (in one computation for all villages)."""
    on = on or timezone.localdate()
    teams = [t for t in teams if t.active and t.village is not None]
    villages = list({t.village_id: t.village for t in teams}.values())
    rows = rows_for(villages, on)  # type: ignore[arg-type]
    counts = {t.pk: TeamOverdue(t, 0, 0, 0) for t in teams}
    by_village: dict[int | None, list[CommunityTeam]] = defaultdict(list)
    for t in teams:
        by_village[t.village_id].append(t)
    overdue_rows = []
    for row in rows:
        seen_by = [t for t in by_village.get(row.item.village_id, []) if row.team_id in (None, t.pk)]
        for t in seen_by:
            c = counts[t.pk]
            c.watched += 1
            c.due_today += int(row.due and not row.overdue)
            c.overdue += int(row.overdue)
        if row.overdue and seen_by:
            overdue_rows.append(row)
    overdue_rows.sort(key=lambda r: (r.next_due, r.person_name))
    return list(counts.values()), overdue_rows
