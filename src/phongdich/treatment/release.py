"""When an F0 may be released, and whether their results allow it (the rule set of the case).

The rule set is the one recorded on the case (in force on its confirmation date; else the one in
force then). The release day is ``RuleSet.f0_release_day`` (day 1 = the confirmation date); when
it is 0 the duration of the F0 level rule (``LevelRule`` level 0, ``days``) is used, and when that
is 0 too the doctors decide (no day). From that day the latest result of the rule's test
kind (``f0_release_test``; any kind when empty) allows release when it is negative, or positive with a
Ct of at least ``f0_release_ct_min`` (when the set gives one). Results come from
``phongdich.testing.queries.results_for``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from phongdich.cases.models import Case
from phongdich.policy.models import LevelRule, RuleSet, TestKind
from phongdich.testing import queries as testing_queries
from phongdich.testing.queries import ResultFact


@dataclass
class ReleaseStatus:
    rule_set: RuleSet | None
    day: int = 0  # the release day number (0: the doctors decide)
    from_date: datetime.date | None = None
    test_kind: str = ""
    ct_min: Decimal | None = None
    results: list[ResultFact] = field(default_factory=list)
    passing: ResultFact | None = None
    explanation: list[str] = field(default_factory=list)

    @property
    def results_allow(self) -> bool:
        return self.passing is not None

    def may_release(self, on: datetime.date) -> bool:
        return self.from_date is not None and on >= self.from_date and self.results_allow


def case_rule_set(case: Case) -> RuleSet | None:
    if case.rule_set_id is not None:
        return case.rule_set
    from phongdich.policy.queries import rule_set_on

    try:
        return rule_set_on(case.confirmed_on, case.province_id)
    except (ObjectDoesNotExist, LookupError):
        return None


def passes(result: ResultFact, test_kind: str, ct_min: Decimal | None) -> bool:
    if test_kind and result.test_kind != test_kind:
        return False
    if result.outcome == "negative":
        return True
    return result.outcome == "positive" and ct_min is not None and result.ct is not None and result.ct >= ct_min


def release_status(case: Case, results: dict | None = None) -> ReleaseStatus:
    """The release rule for ``case``; ``results`` (person id → facts) may be given for many cases."""
    rules = case_rule_set(case)
    if rules is None:
        return ReleaseStatus(None, explanation=[_("No rule set is loaded.")])
    day = int(rules.f0_release_day or 0)
    source = _("%(rules)s: release from day %(day)s.")
    if day == 0:
        level = LevelRule.objects.filter(rule_set=rules, level=0).first()
        day = int(level.days) if level is not None else 0
        source = _("%(rules)s: F0 isolated for %(day)s days.")
    status = ReleaseStatus(rules, day=day, test_kind=rules.f0_release_test, ct_min=rules.f0_release_ct_min)
    if day == 0:
        status.explanation.append(_("%(rules)s sets no release day: the doctors decide.") % {"rules": rules.name})
        return status
    status.from_date = case.confirmed_on + datetime.timedelta(days=day - 1)
    status.explanation.append(source % {"rules": rules.name, "day": day})
    kind = TestKind(rules.f0_release_test).label if rules.f0_release_test else _("any test")
    if status.ct_min is not None:
        status.explanation.append(
            _("Needs a negative %(kind)s, or a positive one with Ct ≥ %(ct)s, on or after %(date)s.")
            % {"kind": kind, "ct": status.ct_min, "date": status.from_date.strftime("%d/%m/%Y")}
        )
    else:
        status.explanation.append(
            _("Needs a negative %(kind)s on or after %(date)s.")
            % {"kind": kind, "date": status.from_date.strftime("%d/%m/%Y")}
        )
    if results is None:
        results = testing_queries.results_for([case.person_id], status.from_date)
    facts = [
        r
        for r in results.get(case.person_id, [])
        if r.sample_taken_on >= status.from_date
        and r.outcome != "invalid"
        and (not status.test_kind or r.test_kind == status.test_kind)
    ]
    facts.sort(key=lambda r: (r.sample_taken_on, r.resulted_at))
    status.results = facts
    # The latest valid result of the rule's kind decides (a later positive undoes an earlier negative).
    if facts and passes(facts[-1], status.test_kind, status.ct_min):
        status.passing = facts[-1]
    if status.passing is not None:
        status.explanation.append(
            _("Result of %(date)s allows release.") % {"date": status.passing.sample_taken_on.strftime("%d/%m/%Y")}
        )
    elif facts:
        status.explanation.append(_("No result since that day allows release yet."))
    else:
        status.explanation.append(_("No result since that day yet."))
    return status
