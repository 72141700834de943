"""Copying and adjusting rule sets (Perm.RULESET_EDIT): atomic, audited, validated.

A provincial administrator copies a rule set (national or their own) into their province,
adjusts its fields and level rules, and gives it dates. Two sets of one province (or two
national sets) may not be in force on the same day. After a change, the F levels of people
exposed in the dates concerned are derived again (their handling may have changed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from phongdich.core.audit import record_change, snapshot
from phongdich.policy.models import ContactSetting, Handling, LevelRule, RuleSet, TestKind
from phongdich.policy.queries import province_id_of

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit

MAX_DEPTH = 5
# Treatment and arrival rules (issue 4), adjustable like the rest of a province's copy.
CARE_FIELDS = [
    "home_care_allowed",
    "home_care_min_age_months",
    "home_care_max_age_years",
    "home_care_excludes_conditions",
    "home_care_excludes_pregnancy",
    "f0_release_day",
    "f0_release_test",
    "f0_release_ct_min",
    "arrival_pcr_hours",
    "arrival_antigen_hours",
    "arrival_handling",
    "arrival_days",
    "arrival_test_days",
    "care_rules_confirmed",
]
RULE_SET_FIELDS = [
    "code",
    "name",
    "basis",
    "effective_from",
    "effective_to",
    "confirmed",
    "province",
    "copied_from",
    "contact_distance_m",
    "contact_minutes",
    "contact_unmasked_any_duration",
    "contact_settings",
    "contact_definition",
    "tracing_depth",
    "infectious_days_before",
    "infectious_days_after",
    *CARE_FIELDS,
    "notes",
]
RULE_FIELDS = ["level", "handling", "days", "test_days", "monitor_days", "note"]
EDITABLE = [
    f for f in RULE_SET_FIELDS if f not in ("code", "province", "copied_from", "confirmed", "care_rules_confirmed")
]


@dataclass
class LevelRuleData:
    level: int
    handling: str
    days: int = 0
    test_days: list[int] = field(default_factory=list)
    monitor_days: int = 0
    note: str = ""


def _fmt(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


def overlapping(
    province_id: int | None, start: datetime.date, end: datetime.date | None, exclude: int | None = None
) -> RuleSet | None:
    """A set of the same province (or national) in force on a day of [start, end]."""
    qs = RuleSet.objects.filter(province_id=province_id) if province_id else RuleSet.objects.filter(province=None)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if end is not None:
        qs = qs.filter(effective_from__lte=end)
    return qs.exclude(effective_to__lt=start).order_by("effective_from").first()


def validate_rule_set(values: dict[str, Any], province_id: int | None, exclude: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    start, end = values.get("effective_from"), values.get("effective_to")
    if not values.get("name", "").strip():
        errors["name"] = _("Give the rule set a name.")
    if start is None:
        errors["effective_from"] = _("Give the date the rule set comes into force.")
    elif end is not None and end < start:
        errors["effective_to"] = _("The end date cannot be before the start date.")
    else:
        other = overlapping(province_id, start, end, exclude)
        if other is not None:
            errors["effective_from"] = _(
                "These dates overlap the rule set “%(name)s” (%(start)s – %(end)s) of the same province."
            ) % {"name": other.name, "start": _fmt(other.effective_from), "end": _fmt(other.effective_to)}
    depth = values.get("tracing_depth")
    if depth is not None and not 1 <= int(depth) <= MAX_DEPTH:
        errors["tracing_depth"] = _("Tracing depth goes from 1 (F1 only) to %(max)s.") % {"max": MAX_DEPTH}
    for name in ("infectious_days_before", "infectious_days_after"):
        value = values.get(name)
        if value is not None and not 0 <= int(value) <= 30:
            errors[name] = _("Between 0 and 30 days.")
    distance = values.get("contact_distance_m")
    if distance is not None and not Decimal(0) < Decimal(str(distance)) <= Decimal(10):
        errors["contact_distance_m"] = _("The distance must be more than 0 and at most 10 m.")
    minutes = values.get("contact_minutes")
    if minutes is not None and not 0 <= int(minutes) <= 24 * 60:
        errors["contact_minutes"] = _("Between 0 and 1440 minutes.")
    settings_ = values.get("contact_settings")
    if settings_ is not None and any(s not in ContactSetting.values for s in settings_):
        errors["contact_settings"] = _("Unknown setting.")
    return errors | validate_care_rules(values)


def validate_care_rules(values: dict[str, Any]) -> dict[str, str]:
    """The treatment and arrival rules of a rule set (fields absent from ``values`` are not checked)."""
    errors: dict[str, str] = {}
    low, high = values.get("home_care_min_age_months"), values.get("home_care_max_age_years")
    if low is not None and not 0 <= int(low) <= 240:
        errors["home_care_min_age_months"] = _("Between 0 and 240 months.")
    if high is not None and not 1 <= int(high) <= 120:
        errors["home_care_max_age_years"] = _("Between 1 and 120 years.")
    elif low is not None and high is not None and int(low) > int(high) * 12:
        errors["home_care_max_age_years"] = _("The maximum age cannot be below the minimum age.")
    for name in ("f0_release_day", "arrival_days"):
        value = values.get(name)
        if value is not None and not 0 <= int(value) <= 60:
            errors[name] = _("Between 0 and 60 days.")
    for name in ("arrival_pcr_hours", "arrival_antigen_hours"):
        value = values.get(name)
        if value is not None and not 0 <= int(value) <= 240:
            errors[name] = _("Between 0 and 240 hours.")
    test = values.get("f0_release_test")
    if test and test not in TestKind.values:
        errors["f0_release_test"] = _("Unknown kind of test.")
    ct = values.get("f0_release_ct_min")
    if ct is not None and not Decimal(10) <= Decimal(str(ct)) <= Decimal(45):
        errors["f0_release_ct_min"] = _("A Ct threshold goes from 10 to 45.")
    handling = values.get("arrival_handling")
    if handling is not None and handling not in Handling.values:
        errors["arrival_handling"] = _("Unknown handling.")
    days, tests = values.get("arrival_days"), values.get("arrival_test_days")
    if tests is not None:
        if not isinstance(tests, list) or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in tests):
            errors["arrival_test_days"] = _("Test days are day numbers from 1.")
        elif days is not None and tests and max(tests) > max(int(days), 1):
            errors["arrival_test_days"] = _("A test day falls after the end of the quarantine.")
    return errors


def validate_level_rules(rules: list[LevelRuleData]) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for rule in rules:
        key = f"level_{rule.level}"
        if not 0 <= rule.level <= MAX_DEPTH:
            errors[key] = _("Unknown level.")
            continue
        if rule.level in seen:
            errors[key] = _("Each level has one rule.")
        seen.add(rule.level)
        if rule.handling not in Handling.values:
            errors[key] = _("Unknown handling.")
        elif not (0 <= rule.days <= 60 and 0 <= rule.monitor_days <= 60):
            errors[key] = _("Durations go from 0 to 60 days.")
        elif any(not isinstance(d, int) or d < 1 or d > max(rule.days + rule.monitor_days, 1) for d in rule.test_days):
            errors[key] = _("Test days are day numbers from 1 to the end of the measure (quarantine + monitoring).")
    return errors


def _unique_code(base: str) -> str:
    base = slugify(base)[:34] or "rule-set"
    code, n = base, 1
    while RuleSet.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _recompute(ranges: list[tuple[datetime.date, datetime.date | None]]) -> None:
    from phongdich.tracing import levels
    from phongdich.tracing.models import PersonLevel

    people: set[Any] = set()
    for start, end in ranges:
        qs = PersonLevel.objects.filter(exposed_on__gte=start)
        if end is not None:
            qs = qs.filter(exposed_on__lte=end)
        people |= set(qs.values_list("person_id", flat=True))
    if people:
        levels.recompute_people(people)


def copy_rule_set(
    actor: User | None,
    source: RuleSet,
    *,
    province: AdminUnit | None = None,
    effective_from: datetime.date | None = None,
    effective_to: datetime.date | None = None,
    name: str | None = None,
) -> RuleSet:
    """A province's own copy of ``source`` (with its level rules), dated as given (else as the source)."""
    pid = province_id_of(province)
    if pid is None and actor is not None and actor.is_authenticated and actor.unit is not None:
        pid = province_id_of(actor.unit)
    start = effective_from or source.effective_from
    end = effective_to if effective_from is not None else source.effective_to
    values = {f: getattr(source, f) for f in EDITABLE if f not in ("effective_from", "effective_to", "name")} | {
        "effective_from": start,
        "effective_to": end,
        "name": name or _("%(name)s (province copy)") % {"name": source.name},
    }
    errors = validate_rule_set(values, pid, None)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        from phongdich.geo.models import AdminUnit as Unit

        unit = Unit.objects.get(pk=pid) if pid is not None else None
        copy = RuleSet.objects.create(
            code=_unique_code(f"{source.code}-{unit.code if unit else 'copy'}"),
            province_id=pid,
            copied_from=source,
            confirmed=source.confirmed,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            **values,
        )
        LevelRule.objects.bulk_create(
            LevelRule(
                rule_set=copy,
                level=r.level,
                handling=r.handling,
                days=r.days,
                test_days=list(r.test_days),
                monitor_days=r.monitor_days,
                note=r.note,
                confirmed=r.confirmed,
            )
            for r in source.level_rules.all()
        )
        record_change(actor, "ruleset.copy", copy, None, snapshot(copy, RULE_SET_FIELDS))
        _recompute([(start, end)])
    return copy


def update_rule_set(
    actor: User | None,
    rule_set: RuleSet,
    changes: dict[str, Any],
    level_rules: list[LevelRuleData] | None = None,
) -> RuleSet:
    """Adjust a province's own rule set (a national one cannot be changed: copy it)."""
    if rule_set.province_id is None:
        raise ValidationError({"__all__": _("A national rule set cannot be changed; copy it for your province.")})
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({k: _("This field cannot be changed.") for k in unknown})
    values = {f: getattr(rule_set, f) for f in EDITABLE} | changes
    if isinstance(values.get("name"), str):
        values["name"] = values["name"].strip()
    errors = validate_rule_set(values, rule_set.province_id, rule_set.pk)
    if level_rules is not None:
        errors |= validate_level_rules(level_rules)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        before = snapshot(rule_set, RULE_SET_FIELDS)
        old_range = (rule_set.effective_from, rule_set.effective_to)
        before_rules = [snapshot(r, RULE_FIELDS) for r in rule_set.level_rules.all()]
        for name, value in changes.items():
            setattr(rule_set, name, value)
        rule_set.save()
        after = snapshot(rule_set, RULE_SET_FIELDS)
        if level_rules is not None:
            keep = {r.level for r in level_rules}
            rule_set.level_rules.exclude(level__in=keep).delete()
            for r in level_rules:
                LevelRule.objects.update_or_create(
                    rule_set=rule_set,
                    level=r.level,
                    defaults={
                        "handling": r.handling,
                        "days": r.days,
                        "test_days": sorted(set(r.test_days)),
                        "monitor_days": r.monitor_days,
                        "note": r.note[:255],
                    },
                )
            before["level_rules"] = before_rules
            after["level_rules"] = [snapshot(r, RULE_FIELDS) for r in rule_set.level_rules.all()]
        record_change(actor, "ruleset.update", rule_set, before, after)
        _recompute([old_range, (rule_set.effective_from, rule_set.effective_to)])
    return rule_set
