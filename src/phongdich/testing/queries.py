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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from phongdich.core import access
from phongdich.testing.models import (
    Campaign,
    CaseProposal,
    Laboratory,
    Outcome,
    Pool,
    Sample,
    TubeStatus,
)

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person

_CHUNK = 5000


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _ids(person_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(person_ids))


def sample_dates(person_ids: Iterable[uuid.UUID], since: datetime.date) -> dict[uuid.UUID, list[datetime.date]]:
    """The dates (local) on which each person had a sample taken, on or after ``since``, ascending.

    Persons without a sample are left out of the result. Pooled samples count for each member.
    """
    ids = _ids(person_ids)
    out: dict[uuid.UUID, set[datetime.date]] = defaultdict(set)
    for start in range(0, len(ids), _CHUNK):
        rows = Sample.objects.filter(
            person_id__in=ids[start : start + _CHUNK], taken_at__isnull=False, taken_at__gte=_start_of(since)
        ).values_list("person_id", "taken_at")
        for person_id, taken_at in rows:
            out[person_id].add(timezone.localtime(taken_at).date())
    return {pid: sorted(days) for pid, days in out.items()}


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

    Persons without a result are left out. A member of a positive or invalid pool has no final
    result from the pool (their queued individual test gives it).
    """
    ids = _ids(person_ids)
    out: dict[uuid.UUID, list[ResultFact]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        rows = (
            Sample.objects.filter(
                person_id__in=ids[start : start + _CHUNK],
                status=TubeStatus.RESULTED,
                taken_at__gte=_start_of(since),
            )
            .order_by("taken_at", "resulted_at")
            .values_list("person_id", "taken_at", "resulted_at", "test_kind", "outcome", "ct")
        )
        for person_id, taken_at, resulted_at, kind, outcome, ct in rows:
            if resulted_at is not None:
                fact = ResultFact(timezone.localtime(taken_at).date(), resulted_at, kind, outcome, ct)
                out[person_id].append(fact)
    return dict(out)


# Scoped record sets ---------------------------------------------------------------------

SAMPLE_RELATED = ("person", "lab", "pool", "campaign", "commune")


def samples_in_scope(user: User) -> QuerySet[Sample]:
    return access.scope(user, Sample.objects.all())


def pools_in_scope(user: User) -> QuerySet[Pool]:
    """Pools taken in the user's area, or holding a resident of it."""
    own = access.scope(user, Pool.objects.all()).values("pk")
    via_members = samples_in_scope(user).filter(pool__isnull=False).values("pool_id")
    return Pool.objects.filter(Q(pk__in=own) | Q(pk__in=via_members))


def labs_in_scope(user: User) -> QuerySet[Laboratory]:
    """Laboratories of the user's province: a district or commune sends its samples there too."""
    if user.is_authenticated and user.unit is not None:
        province_id = user.unit.pk if user.unit.level == "province" else user.unit.province_id
        return Laboratory.objects.filter(province_id=province_id)
    return access.scope(user, Laboratory.objects.all())


def campaigns_in_scope(user: User) -> QuerySet[Campaign]:
    return access.scope(user, Campaign.objects.all())


def proposals_in_scope(user: User) -> QuerySet[CaseProposal]:
    return access.scope(user, CaseProposal.objects.all())


def samples_of_person(user: User, person: Person, limit: int = 20) -> list[Sample]:
    qs = samples_in_scope(user).filter(person=person).select_related("lab", "pool", "campaign")
    return list(qs.order_by("-created_at")[:limit])


def recent_results(user: User, unit_filter: dict[str, Any] | None = None, days: int = 14) -> QuerySet[Sample]:
    since = timezone.now() - datetime.timedelta(days=days)
    qs = samples_in_scope(user).filter(status=TubeStatus.RESULTED, resulted_at__gte=since)
    if unit_filter:
        qs = qs.filter(**unit_filter)
    return qs.select_related("person", "village", "commune", "lab").order_by("-resulted_at")


def new_positives(user: User, days: int = 1) -> QuerySet[Sample]:
    since = timezone.now() - datetime.timedelta(days=days)
    return samples_in_scope(user).filter(outcome=Outcome.POSITIVE, resulted_at__gte=since)


def queued_tests(user: User) -> QuerySet[Sample]:
    return samples_in_scope(user).filter(status=TubeStatus.QUEUED).select_related("person", "queued_from")


# Laboratory figures ---------------------------------------------------------------------


@dataclass
class LabDay:
    day: datetime.date
    received: int = 0
    resulted: int = 0
    tat_hours_median: float | None = None
    tat_hours_p90: float | None = None


@dataclass
class LabFigures:
    lab: Laboratory
    backlog: int
    today_resulted: int
    days: list[LabDay]

    @property
    def load(self) -> int | None:
        """Backlog as a percentage of the daily capacity."""
        if not self.lab.daily_capacity:
            return None
        return round(100 * self.backlog / self.lab.daily_capacity)


def _tubes(model: type[Sample] | type[Pool]) -> QuerySet[Any]:
    if model is Sample:
        return Sample.objects.filter(pool__isnull=True)  # pool members are counted through their pool's tube
    return Pool.objects.all()


def backlog(lab: Laboratory) -> int:
    """Tubes received by the lab and not yet resulted."""
    return sum(_tubes(m).filter(lab=lab, status=TubeStatus.RECEIVED).count() for m in (Sample, Pool))


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (k - lo), 1)


def lab_figures(lab: Laboratory, days: int = 7, today: datetime.date | None = None) -> LabFigures:
    """Backlog now, and per day (local) the tubes received and resulted and the turnaround (taken → result)."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    since = _start_of(first)
    by_day = {first + datetime.timedelta(days=i): LabDay(first + datetime.timedelta(days=i)) for i in range(days)}
    hours: dict[datetime.date, list[float]] = defaultdict(list)
    for model in (Sample, Pool):
        tubes = _tubes(model).filter(lab=lab)
        for (received_at,) in tubes.filter(received_at__gte=since).values_list("received_at"):
            d = timezone.localtime(received_at).date()
            if d in by_day:
                by_day[d].received += 1
        rows = tubes.filter(resulted_at__gte=since, status__in=[TubeStatus.RESULTED]).values_list(
            "taken_at", "resulted_at"
        )
        for taken_at, resulted_at in rows:
            d = timezone.localtime(resulted_at).date()
            if d in by_day:
                by_day[d].resulted += 1
                if taken_at is not None:
                    hours[d].append((resulted_at - taken_at).total_seconds() / 3600)
    for d, values in hours.items():
        by_day[d].tat_hours_median = _percentile(values, 0.5)
        by_day[d].tat_hours_p90 = _percentile(values, 0.9)
    ordered = [by_day[d] for d in sorted(by_day, reverse=True)]
    return LabFigures(lab, backlog(lab), by_day[today].resulted if today in by_day else 0, ordered)


# Campaign progress ----------------------------------------------------------------------


@dataclass
class CampaignProgress:
    sampled: int
    target: int
    positives: int
    pending: int
    by_day: list[tuple[datetime.date, int]]

    @property
    def coverage(self) -> float | None:
        if not self.target:
            return None
        return round(100 * self.sampled / self.target, 1)


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    samples = Sample.objects.filter(campaign=campaign)
    taken = samples.filter(taken_at__isnull=False)
    sampled = taken.values("person_id").distinct().count()
    positives = samples.filter(outcome=Outcome.POSITIVE).values("person_id").distinct().count()
    pending = taken.filter(status__in=[TubeStatus.TAKEN, TubeStatus.RECEIVED]).count()
    days: dict[datetime.date, set[Any]] = defaultdict(set)
    for person_id, taken_at in taken.values_list("person_id", "taken_at"):
        days[timezone.localtime(taken_at).date()].add(person_id)
    by_day = sorted(((d, len(p)) for d, p in days.items()), reverse=True)
    return CampaignProgress(sampled, campaign.target_population, positives, pending, by_day)


def status_counts(qs: QuerySet[Sample]) -> dict[str, int]:
    return dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
