"""Quarantine dates from the rule set in force, and which tests are due or overdue.

- An F1 or F2 takes its derived level's dates (``tracing.models.PersonLevel``: day 1 = the
  exposure date, ``handling_until``, ``test_dates``, ``rule_set``), so the quarantine order and
  the contact list never disagree.
- An arrival takes the rule set in force on the arrival date for the person's province:
  ``arrival_days`` (0 = arrivals are not quarantined) and ``arrival_test_days`` (day 1 = arrival).
  The end date follows the level engine's convention: day 1 + days, the day of release.

A due test counts as done when the person had a sample taken on or after the due day; each
sample counts for one due test only (the earliest due test it can answer), so that a single
sample on day 14 does not tick off the tests of days 1, 7 and 14 at once.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from phongdich.policy.models import Handling, RuleSet
from phongdich.quarantine.models import RiskGroup
from phongdich.tracing.models import PersonLevel

LEVEL_GROUPS = {1: RiskGroup.F1, 2: RiskGroup.F2}
QUARANTINE_HANDLINGS = (Handling.CENTRALISED, Handling.HOME)


@dataclass(frozen=True)
class Schedule:
    risk_group: str
    day_one: datetime.date
    end_date: datetime.date
    test_dates: tuple[datetime.date, ...]
    rule_set: RuleSet
    handling: str  # Handling: centralised or home


def from_level(level: PersonLevel) -> Schedule | None:
    """The schedule of an F1/F2 whose level calls for quarantine (None otherwise)."""
    group = LEVEL_GROUPS.get(level.level)
    if group is None or level.handling not in QUARANTINE_HANDLINGS or level.handling_until is None:
        return None
    tests = tuple(sorted(datetime.date.fromisoformat(d) for d in level.test_dates or []))
    return Schedule(group, level.exposed_on, level.handling_until, tests, level.rule_set, level.handling)


def for_arrival(rule_set: RuleSet, arrived_on: datetime.date, risk_group: str) -> Schedule | None:
    """The schedule of an arrival under ``rule_set`` (None when that rule set quarantines no arrival)."""
    if not rule_set.arrival_days:
        return None
    tests = tuple(
        sorted(
            arrived_on + datetime.timedelta(days=int(d) - 1)
            for d in rule_set.arrival_test_days or []
            if isinstance(d, int | float) and d >= 1
        )
    )
    end = arrived_on + datetime.timedelta(days=rule_set.arrival_days)
    handling = rule_set.arrival_handling if rule_set.arrival_handling in QUARANTINE_HANDLINGS else Handling.CENTRALISED
    return Schedule(risk_group, arrived_on, end, tests, rule_set, handling)


@dataclass(frozen=True)
class TestDue:
    due_on: datetime.date
    done_on: datetime.date | None

    @property
    def done(self) -> bool:
        return self.done_on is not None


def match_tests(due: Iterable[datetime.date], samples: Iterable[datetime.date]) -> list[TestDue]:
    """Each due test with the sample that answers it (the first unused sample on or after the due day)."""
    left = sorted(samples)
    out = []
    for day in sorted(due):
        found = next((s for s in left if s >= day), None)
        if found is not None:
            left.remove(found)
        out.append(TestDue(day, found))
    return out


def overdue(due: Iterable[datetime.date], samples: Iterable[datetime.date], today: datetime.date) -> list[TestDue]:
    """The tests due before today that no sample answered (today's test is due, not yet overdue)."""
    return [t for t in match_tests(due, samples) if not t.done and t.due_on < today]


def samples_of(person_ids: Iterable[uuid.UUID], since: datetime.date) -> dict[uuid.UUID, list[datetime.date]]:
    """The testing app's sample dates (its seam ``sample_dates``), looked up when called (tests patch it)."""
    from phongdich.testing import queries as testing_queries

    return testing_queries.sample_dates(list(person_ids), since)
