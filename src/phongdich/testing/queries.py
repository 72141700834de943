"""Scoped reads of the testing app, and what other apps may ask of it.

Seams other apps call (keep their signatures):
- ``sample_dates``: the quarantine app's test schedule (a due test counts as done when a sample
  of the person was taken on or after the due day);
- ``results_for``: the treatment app's release rule (a negative test, or Ct at least N, on or
  after the release day) and the person's recent results.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


def sample_dates(person_ids: Iterable[uuid.UUID], since: datetime.date) -> dict[uuid.UUID, list[datetime.date]]:
    """The dates (local) on which each person had a sample taken, on or after ``since``, ascending.

    Persons without a sample are left out of the result. (Stub until the testing app has samples.)
    """
    return {}


@dataclass(frozen=True)
class ResultFact:
    """One final result of one person (pooled negatives count for each member)."""

    sample_taken_on: datetime.date
    resulted_at: datetime.datetime
    test_kind: str  # policy.models.TestKind value
    outcome: str  # "positive" | "negative" | "invalid"
    ct: Decimal | None = None


def results_for(person_ids: Iterable[uuid.UUID], since: datetime.date) -> dict[uuid.UUID, list[ResultFact]]:
    """Each person's final results for samples taken on or after ``since``, oldest first.

    Persons without a result are left out. (Stub until the testing app has results.)
    """
    return {}
