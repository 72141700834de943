"""Which rule set is in force: ``rule_set_on(date, province)`` and an in-memory ``RuleBook``.

A province's own (adjusted) rule set in force on the date wins over the national one. Among
several in force (which the forms forbid within one province), the one that started last wins.
Before the first rule set (or in a gap) the latest national set that started before the date
applies; before every set, the earliest national one. Only an empty table raises.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from phongdich.policy.models import LevelRule, RuleSet

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit


def province_id_of(unit: AdminUnit | int | None) -> int | None:
    """The province id of a unit of any level (or of an id that already is a province)."""
    if unit is None:
        return None
    if isinstance(unit, int):
        return unit
    if unit.level == "province":
        return unit.pk
    return unit.province_id


def _in_force(rule_set: RuleSet, day: datetime.date) -> bool:
    return rule_set.effective_from <= day and (rule_set.effective_to is None or day <= rule_set.effective_to)


def _pick(sets: list[RuleSet], day: datetime.date, province_id: int | None) -> RuleSet | None:
    own = [r for r in sets if province_id is not None and r.province_id == province_id and _in_force(r, day)]
    if own:
        return max(own, key=lambda r: (r.effective_from, r.pk))
    national = [r for r in sets if r.province_id is None]
    current = [r for r in national if _in_force(r, day)]
    if current:
        return max(current, key=lambda r: (r.effective_from, r.pk))
    before = [r for r in national if r.effective_from <= day]
    if before:
        return max(before, key=lambda r: (r.effective_from, r.pk))
    if national:
        return min(national, key=lambda r: (r.effective_from, r.pk))
    return None


def rule_set_on(day: datetime.date, province: AdminUnit | int | None = None) -> RuleSet:
    """The rule set in force on ``day`` for ``province`` (its own adjusted set wins)."""
    pid = province_id_of(province)
    qs = RuleSet.objects.filter(effective_from__lte=day).exclude(effective_to__lt=day)
    if pid is not None:
        own = qs.filter(province_id=pid).order_by("-effective_from", "-pk").first()
        if own is not None:
            return own
    found = _pick(list(RuleSet.objects.filter(province__isnull=True)), day, None)
    if found is None:
        raise RuleSet.DoesNotExist("No rule set is loaded (run the policy migrations).")
    return found


@dataclass
class RuleBook:
    """All rule sets and level rules in memory, for computations over many dates at once."""

    sets: list[RuleSet]
    rules: dict[tuple[int, int], LevelRule] = field(default_factory=dict)
    _cache: dict[tuple[datetime.date, int | None], RuleSet] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RuleBook:
        sets = list(RuleSet.objects.all())
        book = cls(sets=sets)
        for rule in LevelRule.objects.all():
            book.rules[(rule.rule_set_id, rule.level)] = rule
        return book

    def on(self, day: datetime.date, province_id: int | None = None) -> RuleSet:
        key = (day, province_id)
        found = self._cache.get(key)
        if found is None:
            found = _pick(self.sets, day, province_id)
            if found is None:
                raise RuleSet.DoesNotExist("No rule set is loaded (run the policy migrations).")
            self._cache[key] = found
        return found

    def by_id(self, pk: int) -> RuleSet | None:
        for r in self.sets:
            if r.pk == pk:
                return r
        return None

    def rule(self, rule_set: RuleSet, level: int) -> LevelRule | None:
        return self.rules.get((rule_set.pk, level))


def visible_rule_sets(user: User) -> QuerySet[RuleSet]:
    """National sets plus the user's own province's (a superuser without a unit sees all)."""
    qs = RuleSet.objects.select_related("province", "copied_from")
    if not user.is_authenticated:
        return qs.none()
    if user.unit is None:
        return qs if user.is_superuser else qs.filter(province__isnull=True)
    pid = province_id_of(user.unit)
    return qs.filter(province__isnull=True) | qs.filter(province_id=pid)


def editable_rule_sets(user: User) -> QuerySet[RuleSet]:
    """The sets a user with RULESET_EDIT may change: their province's own copies."""
    qs = RuleSet.objects.all()
    if user.unit is None:
        return qs.filter(province__isnull=False) if user.is_superuser else qs.none()
    return qs.filter(province_id=province_id_of(user.unit))


def in_force_for(user: User, day: datetime.date) -> RuleSet:
    """The set in force on ``day`` for the user's province."""
    return rule_set_on(day, user.unit)


def risk_level(unit: AdminUnit | None, on: datetime.date) -> str | None:
    """The highest risk level declared on ``on`` for ``unit`` or any unit above it, else None.

    Levels are ``policy.models.RiskLevel`` values ("high", "very_high"); the areas are the
    province's list of high-risk areas (``RiskArea``), any province, either hierarchy.
    """
    from phongdich.policy.risk import risk_level_of

    return risk_level_of(unit, on)
