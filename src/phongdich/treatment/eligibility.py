"""Home-care eligibility of an F0, from the rule set in force on the day of the check.

Each rule of the set is checked and explained (passed or failed, with what was found):
home care allowed at all (``home_care_allowed``), severity asymptomatic or mild, age between
``home_care_min_age_months`` and ``home_care_max_age_years`` (inclusive), no underlying condition
(``home_care_excludes_conditions``, ``Person.conditions``), not pregnant
(``home_care_excludes_pregnancy``, recorded at the check). An unknown age fails the age rules.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from phongdich.cases.models import ClinicalStatus
from phongdich.people.models import Person
from phongdich.policy.models import RuleSet

HOME_SEVERITIES = frozenset({ClinicalStatus.ASYMPTOMATIC, ClinicalStatus.MILD})


@dataclass(frozen=True)
class RuleResult:
    code: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "passed": self.passed, "detail": self.detail}


def age_in_months(person: Person, on: datetime.date) -> int | None:
    """Whole months of age on ``on``; from the birth year alone, as if born on 1 July."""
    born = person.birth_date
    if born is None and person.birth_year:
        born = datetime.date(person.birth_year, 7, 1)
    if born is None or born > on:
        return None
    months = (on.year - born.year) * 12 + (on.month - born.month)
    if on.day < born.day:
        months -= 1
    return max(months, 0)


def evaluate(
    person: Person, severity: str, pregnant: bool, rule_set: RuleSet, on: datetime.date
) -> tuple[bool, int | None, list[RuleResult]]:
    """(eligible, age in months, every rule's result)."""
    months = age_in_months(person, on)
    results: list[RuleResult] = [
        RuleResult(
            "allowed",
            rule_set.home_care_allowed,
            _("%(rules)s allows home care of F0.") % {"rules": rule_set.name}
            if rule_set.home_care_allowed
            else _("%(rules)s does not allow home care of F0.") % {"rules": rule_set.name},
        ),
        RuleResult(
            "severity",
            severity in HOME_SEVERITIES,
            _("Severity: %(s)s (home care: asymptomatic or mild only).") % {"s": ClinicalStatus(severity).label},
        ),
    ]
    min_m, max_y = rule_set.home_care_min_age_months, rule_set.home_care_max_age_years
    if months is None:
        results.append(RuleResult("min_age", False, _("Age unknown: record the date or year of birth.")))
        results.append(RuleResult("max_age", False, _("Age unknown: record the date or year of birth.")))
    else:
        results.append(
            RuleResult(
                "min_age",
                months >= min_m,
                _("Age %(age)s months; at least %(min)s months.") % {"age": months, "min": min_m},
            )
        )
        results.append(
            RuleResult(
                "max_age",
                months // 12 <= max_y,
                _("Age %(age)s years; at most %(max)s years.") % {"age": months // 12, "max": max_y},
            )
        )
    if rule_set.home_care_excludes_conditions:
        conditions = [str(c) for c in (person.conditions or []) if str(c).strip()]
        results.append(
            RuleResult(
                "conditions",
                not conditions,
                _("Underlying conditions: %(c)s.") % {"c": ", ".join(conditions)}
                if conditions
                else _("No underlying condition recorded."),
            )
        )
    if rule_set.home_care_excludes_pregnancy:
        results.append(RuleResult("pregnancy", not pregnant, _("Pregnant.") if pregnant else _("Not pregnant.")))
    return all(r.passed for r in results), months, results
