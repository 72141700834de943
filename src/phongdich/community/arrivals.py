"""Recent arrivals in a village: people who came to stay or came back, for the team to watch.

An arrival is a residence period (``people.ResidenceRecord``) that started recently and is
still open on the day asked about (or ended after it), either

- as a temporary resident here (``TEMPORARY_RESIDENT``), or
- in any other status right after a period of being temporarily absent (the citizen returned:
  ``set_residence`` closes the absent period on the day the new one starts).

How long an arrival stays on the watch list comes from the rule set in force on the arrival
day (``RuleSet.arrival_days``: 14 under 5599/BYT-MT, 7 under 10696/BYT-DP); a set without an
arrival period (0) falls back to ``DEFAULT_WATCH_DAYS``, the 14 days of community monitoring
the teams kept in 2021.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from phongdich.community.watch import WatchItem
from phongdich.people.models import ResidenceRecord, ResidenceStatus
from phongdich.policy.queries import rule_set_on

if TYPE_CHECKING:
    from phongdich.geo.models import AdminUnit

KIND = "arrival"
DEFAULT_WATCH_DAYS = 14
LONGEST_WATCH_DAYS = 31  # how far back to look (no rule set watches arrivals longer)
VISIT_EVERY_DAYS = 1


def watch_days(day: datetime.date, province_id: int | None) -> int:
    rules = rule_set_on(day, province_id)
    return min(rules.arrival_days or DEFAULT_WATCH_DAYS, LONGEST_WATCH_DAYS)


def arrival_items(villages: Sequence[AdminUnit], on: datetime.date) -> list[WatchItem]:
    if not villages:
        return []
    earliest = on - datetime.timedelta(days=LONGEST_WATCH_DAYS)
    was_absent = ResidenceRecord.objects.filter(
        person=OuterRef("person"), status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on=OuterRef("started_on")
    )
    records = (
        ResidenceRecord.objects.filter(
            person__village__in=villages,
            person__merged_into__isnull=True,
            started_on__gte=earliest,
            started_on__lte=on,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .exclude(status=ResidenceStatus.TEMPORARILY_ABSENT)
        .annotate(returned=Exists(was_absent))
        .filter(Q(status=ResidenceStatus.TEMPORARY_RESIDENT) | Q(returned=True))
        .values_list("person_id", "person__village_id", "person__province_id", "started_on", "returned")
        .order_by("started_on")
    )
    items: dict[object, WatchItem] = {}
    days_cache: dict[tuple[datetime.date, int | None], int] = {}
    for person_id, village_id, province_id, started_on, returned in records:
        if started_on is None:
            continue
        key = (started_on, province_id)
        if key not in days_cache:
            days_cache[key] = watch_days(started_on, province_id)
        until = started_on + datetime.timedelta(days=days_cache[key] - 1)
        if until < on:
            continue
        label = (_("Returned on %(date)s") if returned else _("Came to stay on %(date)s")) % {
            "date": started_on.strftime("%d/%m/%Y")
        }
        items[person_id] = WatchItem(
            person_id=person_id,
            village_id=village_id,
            kind=KIND,
            label=label,
            since=started_on,
            until=until,
            visit_every_days=VISIT_EVERY_DAYS,
        )
    return list(items.values())
