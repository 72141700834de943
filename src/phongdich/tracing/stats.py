"""Counts for the steering committee (BCĐ): new F0 by day and week and by unit, how they were
found, the share with an unknown source, and F1/F2/F3 under management.

Every figure is one grouped query (no query per unit or per day):
- new F0: confirmed cases by (confirmation date, child unit, how found, source known) — the
  daily series, the weekly series, the per-unit table, community vs in quarantine and the
  unknown-source share are all sums over that one result;
- under management: F-persons by (child unit, level) whose handling still runs
  (``handling_until`` today or later, handling other than "no measure").

"By unit" means the units one level below the chosen one (districts of a province, communes
of a district, villages of a commune); cases not placed in such a unit are counted apart.
Weeks start on Monday (ISO weeks, as Vietnamese reports count them).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases.models import Case, CaseStatus, DetectedBy
from phongdich.core.access import scope
from phongdich.geo.models import AdminUnit, Level
from phongdich.policy.models import Handling
from phongdich.tracing.linelists import FilterError
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.core.models import User

MAX_DAYS = 366
DEFAULT_DAYS = 28
CHILD_LEVEL = {
    Level.PROVINCE: Level.DISTRICT,
    Level.DISTRICT: Level.COMMUNE,
    Level.COMMUNE: Level.VILLAGE,
}


@dataclass
class UnitRow:
    unit: AdminUnit | None  # None: not placed in a unit below the chosen one
    new_cases: int = 0
    community: int = 0
    quarantine: int = 0
    other: int = 0
    unknown_source: int = 0
    f1: int = 0
    f2: int = 0
    f3: int = 0
    weekly: list[int] = field(default_factory=list)

    @property
    def unknown_share(self) -> float | None:
        return 100.0 * self.unknown_source / self.new_cases if self.new_cases else None

    @property
    def under_management(self) -> int:
        return self.f1 + self.f2 + self.f3


@dataclass
class Stats:
    unit: AdminUnit | None
    date_from: datetime.date
    date_to: datetime.date
    today: datetime.date
    total: UnitRow
    rows: list[UnitRow]
    days: list[tuple[datetime.date, int]]
    weeks: list[tuple[datetime.date, int]]  # (Monday, count)
    by_detection: dict[str, int]

    @property
    def max_day(self) -> int:
        return max((n for _, n in self.days), default=0)


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_DAYS - 1), today


def check_range(date_from: datetime.date, date_to: datetime.date) -> None:
    if date_from > date_to:
        raise FilterError("date_to", _("The end date is before the start date."))
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise FilterError("date_from", _("Choose a range of at most %(n)s days.") % {"n": MAX_DAYS})


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def compute(
    user: User,
    unit: AdminUnit | None,
    date_from: datetime.date,
    date_to: datetime.date,
    today: datetime.date | None = None,
) -> Stats:
    """The steering figures for ``unit`` (None: everything the user sees) over the range."""
    check_range(date_from, date_to)
    today = today or timezone.localdate()
    child = CHILD_LEVEL.get(Level(unit.level)) if unit is not None else Level.PROVINCE
    children: list[AdminUnit] = []
    if unit is not None and child is not None:
        children = list(AdminUnit.objects.filter(parent=unit, level=child).order_by("code"))
    column = f"{child}_id" if child is not None else None

    # Figure 1: new F0 — one grouped query.
    cases = scope(user, Case.objects.filter(status=CaseStatus.CONFIRMED))
    if unit is not None:
        cases = cases.filter(**unit.scope_filter())
    cases = cases.filter(confirmed_on__gte=date_from, confirmed_on__lte=date_to)
    case_keys = ["confirmed_on", "detected_by", "source_known"] + ([column] if column else [])
    case_counts = cases.values(*case_keys).annotate(n=Count("pk")).order_by()

    # Figure 2: F1/F2/F3 under management — one grouped query.
    levels = scope(user, PersonLevel.objects.all(), prefix="person__")
    if unit is not None:
        levels = levels.filter(**unit.scope_filter("person__"))
    levels = levels.filter(handling_until__gte=today).exclude(handling=Handling.NONE)
    level_keys = ["level"] + ([f"person__{column}"] if column else [])
    level_counts = levels.values(*level_keys).annotate(n=Count("pk")).order_by()

    known_children = {u.pk: UnitRow(u) for u in children}
    stray_ids: set[int] = set()
    extra: dict[int | None, UnitRow] = {}

    def row_for(unit_id: int | None) -> UnitRow:
        if unit_id in known_children:
            return known_children[unit_id]
        if unit is None and unit_id is not None:  # no chosen unit: one row per province
            stray_ids.add(unit_id)
        return extra.setdefault(unit_id if unit is None else None, UnitRow(None))

    monday_from = _monday(date_from)
    week_starts = []
    week = monday_from
    while week <= date_to:
        week_starts.append(week)
        week += datetime.timedelta(days=7)
    week_index = {w: i for i, w in enumerate(week_starts)}
    for child_row in known_children.values():
        child_row.weekly = [0] * len(week_starts)
    total = UnitRow(unit, weekly=[0] * len(week_starts))
    per_day: dict[datetime.date, int] = defaultdict(int)
    by_detection: dict[str, int] = {value: 0 for value in DetectedBy.values}
    for item in case_counts:
        n = item["n"]
        row = row_for(item[column] if column else None)
        if not row.weekly:
            row.weekly = [0] * len(week_starts)
        for target in (row, total):
            target.new_cases += n
            if item["detected_by"] == DetectedBy.COMMUNITY:
                target.community += n
            elif item["detected_by"] == DetectedBy.QUARANTINE:
                target.quarantine += n
            else:
                target.other += n
            if not item["source_known"]:
                target.unknown_source += n
            target.weekly[week_index[_monday(item["confirmed_on"])]] += n
        per_day[item["confirmed_on"]] += n
        by_detection[item["detected_by"]] = by_detection.get(item["detected_by"], 0) + n
    for item in level_counts:
        row = row_for(item[f"person__{column}"] if column else None)
        if not row.weekly:
            row.weekly = [0] * len(week_starts)
        for target in (row, total):
            level = item["level"]
            if level == 1:
                target.f1 += item["n"]
            elif level == 2:
                target.f2 += item["n"]
            elif level == 3:
                target.f3 += item["n"]

    if stray_ids:  # no chosen unit (a superuser): name the provinces in one query
        names = AdminUnit.objects.in_bulk(stray_ids)
        for unit_id, row in extra.items():
            row.unit = names.get(unit_id) if unit_id is not None else None
    rows = (
        []
        if column is None
        else [*known_children.values(), *sorted(extra.values(), key=lambda r: (r.unit is None, str(r.unit or "")))]
    )
    days = []
    day = date_from
    while day <= date_to:
        days.append((day, per_day.get(day, 0)))
        day += datetime.timedelta(days=1)
    return Stats(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        today=today,
        total=total,
        rows=rows,
        days=days,
        weeks=list(zip(week_starts, total.weekly, strict=True)),
        by_detection=by_detection,
    )


def bars(stats: Stats, width: int = 720, height: int = 160) -> list[dict[str, float | int | str]]:
    """Geometry of the per-day bar chart drawn as server-side SVG (no chart script needed)."""
    count = len(stats.days) or 1
    step = width / count
    top = stats.max_day or 1
    out: list[dict[str, float | int | str]] = []
    for index, (day, n) in enumerate(stats.days):
        h = round(height * n / top, 1)
        out.append(
            {
                "x": round(index * step + step * 0.1, 1),
                "y": round(height - h, 1),
                "w": round(step * 0.8, 1),
                "h": h,
                "n": n,
                "day": day.strftime("%d/%m/%Y"),
                "tick": day.strftime("%d/%m") if (index % max(1, count // 8) == 0) else "",
                "tx": round(index * step + step / 2, 1),
            }
        )
    return out
