"""High-risk areas declared by the province: the list, its changes and the one question asked of it.

``risk_level_of(unit, on)`` answers for a unit of any level: an area listed for the unit itself or
for any unit above it counts (a listed district covers its communes). Where several apply, the
highest level wins. Adding and ending areas are audited actions; an area is never deleted, it is
ended (``effective_to``), so that past flags can still be explained.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.audit import record_change, snapshot
from phongdich.geo.models import AdminUnit, Level
from phongdich.policy.models import RiskArea, RiskLevel

if TYPE_CHECKING:
    from phongdich.core.models import User

FIELDS = ["unit", "level", "effective_from", "effective_to", "basis"]
_RANK = {RiskLevel.HIGH: 1, RiskLevel.VERY_HIGH: 2}


def lineage_ids(unit: AdminUnit) -> list[int]:
    """The unit and the units above it."""
    return [pk for pk in (unit.pk, unit.province_id, unit.district_id, unit.commune_id) if pk is not None]


def in_force(on: datetime.date) -> QuerySet[RiskArea]:
    return RiskArea.objects.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def risk_level_of(unit: AdminUnit | None, on: datetime.date) -> str | None:
    if unit is None:
        return None
    return highest(in_force(on).filter(unit_id__in=lineage_ids(unit)).values_list("level", flat=True))


def highest(levels: Iterable[str]) -> str | None:
    """The highest of risk levels (where several areas apply), None for none."""
    return max(levels, key=lambda level: _RANK.get(RiskLevel(level), 0), default=None)


class RiskIndex:
    """The areas in force at some time between two dates, in memory: ``level_of`` answers like
    ``risk_level_of`` for any date in that span without a query (for a batch of declarations)."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self.by_unit: dict[int, list[tuple[datetime.date, datetime.date | None, str]]] = {}
        rows = RiskArea.objects.filter(effective_from__lte=last).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=first)
        )
        for unit_id, start, end, level in rows.values_list("unit_id", "effective_from", "effective_to", "level"):
            self.by_unit.setdefault(unit_id, []).append((start, end, level))

    def level_of(self, unit: AdminUnit | None, on: datetime.date) -> str | None:
        if unit is None or not self.by_unit:
            return None
        return highest(
            level
            for pk in lineage_ids(unit)
            for start, end, level in self.by_unit.get(pk, ())
            if start <= on and (end is None or end >= on)
        )


def _check(unit: AdminUnit | None, level: str, start: datetime.date | None, end: datetime.date | None) -> None:
    errors: dict[str, str] = {}
    if unit is None:
        errors["unit"] = _("Choose the area.")
    elif unit.level == Level.VILLAGE:
        errors["unit"] = _("List a province, district or commune.")
    if level not in RiskLevel.values:
        errors["level"] = _("Unknown risk level.")
    if start is None:
        errors["effective_from"] = _("Give the date from which the area is high-risk.")
    elif end is not None and end < start:
        errors["effective_to"] = _("The end date cannot be before the start date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def declare_risk_area(
    actor: User | None,
    unit: AdminUnit | None,
    *,
    level: str = RiskLevel.HIGH,
    effective_from: datetime.date | None = None,
    effective_to: datetime.date | None = None,
    basis: str = "",
) -> RiskArea:
    """List an area as high-risk from a date (today by default)."""
    start = effective_from or timezone.localdate()
    _check(unit, level, start, effective_to)
    assert unit is not None
    overlapping = RiskArea.objects.filter(unit=unit, effective_from__lte=effective_to or datetime.date.max).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=start)
    )
    if overlapping.exists():
        raise ValidationError({"unit": _("This area is already listed for these dates: end that listing first.")})
    area = RiskArea.objects.create(
        unit=unit,
        level=level,
        effective_from=start,
        effective_to=effective_to,
        basis=basis.strip()[:200],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_change(actor, "risk_area.declare", area, None, snapshot(area, FIELDS))
    return area


@transaction.atomic
def end_risk_area(actor: User | None, area: RiskArea, on: datetime.date | None = None) -> RiskArea:
    """The area is no longer high-risk after ``on`` (today by default)."""
    area = RiskArea.objects.select_for_update().get(pk=area.pk)
    day = on or timezone.localdate()
    if area.effective_to is not None and area.effective_to <= day:
        raise ValidationError({"effective_to": _("This listing has already ended.")})
    if day < area.effective_from:
        raise ValidationError({"effective_to": _("The end date cannot be before the start date.")})
    before = snapshot(area, FIELDS)
    area.effective_to = day
    area.save(update_fields=["effective_to"])
    record_change(actor, "risk_area.end", area, before, snapshot(area, FIELDS))
    return area
