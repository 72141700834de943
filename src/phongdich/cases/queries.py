"""Read-side queries of cases and clusters, all scoped to the user's area."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from phongdich.cases.models import Case, CaseStatus, Cluster, Outcome
from phongdich.core import access
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit
    from phongdich.people.models import Person

CASE_RELATED = ("person", "province", "district", "commune", "village", "cluster", "rule_set")


def cases_in_scope(user: User) -> QuerySet[Case]:
    return access.scope(user, Case.objects.all())


def clusters_in_scope(user: User) -> QuerySet[Cluster]:
    return access.scope(user, Cluster.objects.all())


@dataclass
class CaseFilter:
    q: str = ""
    status: str = ""  # confirmed | ruled_out | active | recovered | died
    detected_by: str = ""
    unit: AdminUnit | None = None
    cluster_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def filter_cases(user: User, f: CaseFilter) -> QuerySet[Case]:
    qs = cases_in_scope(user)
    if f.q:
        text = f.q.strip()
        qs = qs.filter(Q(code__iexact=text) | Q(national_code__iexact=text) | Q(code__icontains=text))
    if f.status == "active":
        qs = qs.filter(status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
    elif f.status in CaseStatus.values:
        qs = qs.filter(status=f.status)
    elif f.status in (Outcome.RECOVERED, Outcome.DIED):
        qs = qs.filter(status=CaseStatus.CONFIRMED, outcome=f.status)
    if f.detected_by:
        qs = qs.filter(detected_by=f.detected_by)
    if f.unit is not None:
        qs = qs.filter(**f.unit.scope_filter())
    if f.cluster_id is not None:
        qs = qs.filter(cluster_id=f.cluster_id)
    if f.person_id is not None:
        qs = qs.filter(person_id=f.person_id)
    if f.date_from is not None:
        qs = qs.filter(confirmed_on__gte=f.date_from)
    if f.date_to is not None:
        qs = qs.filter(confirmed_on__lte=f.date_to)
    return qs.order_by("-confirmed_on", "-created_at")


def level_counts(cases: Any) -> dict[int, int]:
    """{1: F1s, 2: F2s, 3: F3s} whose level comes from ``cases`` (a case, or a queryset of cases)."""
    qs = (
        PersonLevel.objects.filter(case=cases)
        if isinstance(cases, Case)
        else PersonLevel.objects.filter(case__in=cases)
    )
    counts = {1: 0, 2: 0, 3: 0}
    for row in qs.values("level").annotate(n=Count("pk")):
        counts[int(row["level"])] = int(row["n"])
    return counts


def cases_of_person(user: User, person: Person) -> QuerySet[Case]:
    return cases_in_scope(user).filter(person=person).order_by("-confirmed_on")


def cluster_counts(user: User, cluster: Cluster) -> dict[str, int]:
    cases = cases_in_scope(user).filter(cluster=cluster)
    agg = cases.aggregate(
        total=Count("pk", filter=Q(status=CaseStatus.CONFIRMED)),
        active=Count("pk", filter=Q(status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)),
        recovered=Count("pk", filter=Q(status=CaseStatus.CONFIRMED, outcome=Outcome.RECOVERED)),
        died=Count("pk", filter=Q(status=CaseStatus.CONFIRMED, outcome=Outcome.DIED)),
        ruled_out=Count("pk", filter=Q(status=CaseStatus.RULED_OUT)),
        unknown_source=Count("pk", filter=Q(status=CaseStatus.CONFIRMED, source_known=False)),
    )
    out = {k: int(v or 0) for k, v in agg.items()}
    levels = level_counts(cases.filter(status=CaseStatus.CONFIRMED))
    out.update({"f1": levels[1], "f2": levels[2], "f3": levels[3]})
    return out


def cluster_contacts(user: User, cluster: Cluster) -> QuerySet[PersonLevel]:
    """The contacts (F1–F3) of the cluster's cases, among the persons the user may see."""
    cases = cases_in_scope(user).filter(cluster=cluster, status=CaseStatus.CONFIRMED)
    return access.scope(user, PersonLevel.objects.filter(case__in=cases), "person__").select_related(
        "person", "person__commune", "case", "via_person"
    )


def clusters_with_counts(user: User) -> QuerySet[Cluster]:
    return clusters_in_scope(user).annotate(
        n_cases=Count("cases", filter=Q(cases__status=CaseStatus.CONFIRMED)),
        n_active=Count("cases", filter=Q(cases__status=CaseStatus.CONFIRMED, cases__outcome=Outcome.UNDER_TREATMENT)),
    )
