"""Line lists of cases (F0) and of F-persons (F1–F3), with their filters, always scoped.

One set of filters serves the pages, the exports and the API: the page parses its GET
parameters with :func:`parse_case_filters` / :func:`parse_contact_filters`, the API lets
ninja type the values and calls :func:`case_filters` / :func:`contact_filters` with them.
Either way a value that cannot be used raises :class:`FilterError` (the page answers 400 with
the message, the API 422) and a unit or cluster outside the user's jurisdiction answers 404.

Scoping (core.access.scope, Perm.CASE_VIEW):
- a case belongs to the unit columns stored on the case (the person's unit when confirmed);
- an F-person (a PersonLevel row) belongs to the person's own unit columns.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases.models import Case, CaseStatus, Cluster, DetectedBy, Outcome
from phongdich.core.access import require, scope, unit_in_scope
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.policy.models import Handling
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.core.models import User

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
LEVELS = (1, 2, 3)


class FilterError(Exception):
    """A filter value that cannot be used; ``message`` is translated, ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class SourceFilter:
    KNOWN = "known"
    UNKNOWN = "unknown"
    VALUES = (KNOWN, UNKNOWN)


class ManagementFilter:
    """Whether an F-person's handling is still running (``until`` today or later) or over."""

    ACTIVE = "active"
    ENDED = "ended"
    VALUES = (ACTIVE, ENDED)


@dataclass(frozen=True)
class CaseFilters:
    unit: AdminUnit | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    status: str = ""
    cluster: Cluster | None = None
    detected_by: str = ""
    source: str = ""
    outcome: str = ""

    def query(self) -> str:
        """The filters as a query string (ids and codes only, never personal data)."""
        return _query(
            unit=self.unit.pk if self.unit else None,
            date_from=self.date_from,
            date_to=self.date_to,
            status=self.status,
            cluster=self.cluster.pk if self.cluster else None,
            detected_by=self.detected_by,
            source=self.source,
            outcome=self.outcome,
        )


@dataclass(frozen=True)
class ContactFilters:
    unit: AdminUnit | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    level: int | None = None
    cluster: Cluster | None = None
    handling: str = ""
    management: str = ""

    def query(self) -> str:
        return _query(
            unit=self.unit.pk if self.unit else None,
            date_from=self.date_from,
            date_to=self.date_to,
            level=self.level,
            cluster=self.cluster.pk if self.cluster else None,
            handling=self.handling,
            management=self.management,
        )


def _query(**params: Any) -> str:
    from urllib.parse import urlencode

    clean = {}
    for key, value in params.items():
        if value in (None, ""):
            continue
        clean[key] = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return urlencode(clean)


# ---------------------------------------------------------------------------------------------
# Units and clusters the user may choose
# ---------------------------------------------------------------------------------------------


def root_unit(user: User) -> AdminUnit | None:
    """Where the user's view starts: their unit, or the deployment's province for a superuser."""
    if user.unit is not None:
        return user.unit
    return AdminUnit.objects.filter(
        version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE, code=settings.PHONGDICH_PROVINCE_CODE
    ).first()


def unit_choices(user: User) -> list[AdminUnit]:
    """The user's unit and the districts and communes below it, for the unit filter."""
    root = root_unit(user)
    if root is None:
        return []
    if root.level in (Level.COMMUNE, Level.VILLAGE):
        return [root]
    below = AdminUnit.objects.filter(
        version=root.version, level__in=[Level.DISTRICT, Level.COMMUNE], **root.scope_filter()
    ).exclude(pk=root.pk)
    return [root, *below.order_by("district__code", "level", "code")]


def clusters_for(user: User) -> QuerySet[Cluster]:
    return scope(user, Cluster.objects.all())


def unit_for(user: User, unit_id: int | None) -> AdminUnit | None:
    if unit_id is None:
        return None
    unit = AdminUnit.objects.filter(pk=unit_id).first()
    if unit is None or not unit_in_scope(user, unit):
        raise Http404(_("Not found."))
    return unit


def cluster_for(user: User, cluster_id: uuid.UUID | None) -> Cluster | None:
    if cluster_id is None:
        return None
    cluster = clusters_for(user).filter(pk=cluster_id).first()
    if cluster is None:
        raise Http404(_("Not found."))
    return cluster


# ---------------------------------------------------------------------------------------------
# Building the filters
# ---------------------------------------------------------------------------------------------


def _check_range(date_from: datetime.date | None, date_to: datetime.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise FilterError("date_to", _("The end date is before the start date."))


def _check_choice(field: str, value: str, allowed: Any) -> str:
    value = (value or "").strip()
    if value and value not in allowed:
        raise FilterError(field, _("Must be one of: %(values)s.") % {"values": ", ".join(allowed)})
    return value


def case_filters(
    user: User,
    *,
    unit: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    status: str = "",
    cluster: uuid.UUID | None = None,
    detected_by: str = "",
    source: str = "",
    outcome: str = "",
) -> CaseFilters:
    require(user, Perm.CASE_VIEW)
    _check_range(date_from, date_to)
    return CaseFilters(
        unit=unit_for(user, unit),
        date_from=date_from,
        date_to=date_to,
        status=_check_choice("status", status, CaseStatus.values),
        cluster=cluster_for(user, cluster),
        detected_by=_check_choice("detected_by", detected_by, DetectedBy.values),
        source=_check_choice("source", source, SourceFilter.VALUES),
        outcome=_check_choice("outcome", outcome, Outcome.values),
    )


def contact_filters(
    user: User,
    *,
    unit: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    level: int | None = None,
    cluster: uuid.UUID | None = None,
    handling: str = "",
    management: str = "",
) -> ContactFilters:
    require(user, Perm.CASE_VIEW)
    _check_range(date_from, date_to)
    if level is not None and level not in LEVELS:
        raise FilterError("level", _("Must be one of: %(values)s.") % {"values": "1, 2, 3"})
    return ContactFilters(
        unit=unit_for(user, unit),
        date_from=date_from,
        date_to=date_to,
        level=level,
        cluster=cluster_for(user, cluster),
        handling=_check_choice("handling", handling, Handling.values),
        management=_check_choice("management", management, ManagementFilter.VALUES),
    )


def parse_date(field: str, value: str | None) -> datetime.date | None:
    """YYYY-MM-DD (what a date input sends) or dd/mm/yyyy (what people type)."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    raise FilterError(field, _("Not a valid date (use dd/mm/yyyy)."))


def parse_int(field: str, value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise FilterError(field, _("Not a whole number.")) from exc


def _parse_uuid(field: str, value: str | None) -> uuid.UUID | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise FilterError(field, _("Not a valid UUID.")) from exc


def parse_case_filters(user: User, params: Mapping[str, str]) -> CaseFilters:
    return case_filters(
        user,
        unit=parse_int("unit", params.get("unit")),
        date_from=parse_date("date_from", params.get("date_from")),
        date_to=parse_date("date_to", params.get("date_to")),
        status=params.get("status", ""),
        cluster=_parse_uuid("cluster", params.get("cluster")),
        detected_by=params.get("detected_by", ""),
        source=params.get("source", ""),
        outcome=params.get("outcome", ""),
    )


def parse_contact_filters(user: User, params: Mapping[str, str]) -> ContactFilters:
    return contact_filters(
        user,
        unit=parse_int("unit", params.get("unit")),
        date_from=parse_date("date_from", params.get("date_from")),
        date_to=parse_date("date_to", params.get("date_to")),
        level=parse_int("level", params.get("level")),
        cluster=_parse_uuid("cluster", params.get("cluster")),
        handling=params.get("handling", ""),
        management=params.get("management", ""),
    )


# ---------------------------------------------------------------------------------------------
# The lists
# ---------------------------------------------------------------------------------------------


def cases(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The user's cases, filtered (confirmation date for the date range), newest first."""
    qs = scope(user, Case.objects.all())
    f = filters or CaseFilters()
    if f.unit is not None:
        qs = qs.filter(**f.unit.scope_filter())
    if f.date_from:
        qs = qs.filter(confirmed_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(confirmed_on__lte=f.date_to)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.cluster is not None:
        qs = qs.filter(cluster=f.cluster)
    if f.detected_by:
        qs = qs.filter(detected_by=f.detected_by)
    if f.source:
        qs = qs.filter(source_known=f.source == SourceFilter.KNOWN)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    return qs.order_by("-confirmed_on", "-code")


def case_listing(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("person", "district", "commune", "cluster")


def contacts(user: User, filters: ContactFilters | None = None) -> QuerySet[PersonLevel]:
    """The user's F-persons (current derived levels), filtered (exposure date for the range)."""
    qs = scope(user, PersonLevel.objects.all(), prefix="person__")
    f = filters or ContactFilters()
    if f.unit is not None:
        qs = qs.filter(**f.unit.scope_filter("person__"))
    if f.date_from:
        qs = qs.filter(exposed_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(exposed_on__lte=f.date_to)
    if f.level is not None:
        qs = qs.filter(level=f.level)
    if f.cluster is not None:
        qs = qs.filter(case__cluster=f.cluster)
    if f.handling:
        qs = qs.filter(handling=f.handling)
    if f.management == ManagementFilter.ACTIVE:
        qs = qs.filter(handling_until__gte=timezone.localdate())
    elif f.management == ManagementFilter.ENDED:
        qs = qs.filter(handling_until__lt=timezone.localdate())
    return qs.order_by("level", "-exposed_on", "person__name_key", "person_id")


def contact_listing(qs: QuerySet[PersonLevel]) -> QuerySet[PersonLevel]:
    return qs.select_related("person", "person__commune", "person__district", "case", "via_person")


# ---------------------------------------------------------------------------------------------
# Display helpers shared by the pages, the API and the exports
# ---------------------------------------------------------------------------------------------


def initials(name: str) -> str:
    """ "Lò Văn Anh" → "L. V. A." (how a person outside the user's unit is shown)."""
    return " ".join(part[0].upper() + "." for part in name.split() if part)


def person_in_scope(user: User, unit_ids: Mapping[str, int | None]) -> bool:
    """Whether a person with these jurisdiction ids (keys province/district/commune/village)
    is inside the user's unit, without another query."""
    if user.unit_id is None:
        return bool(user.is_superuser)
    assert user.unit is not None
    return unit_ids.get(user.unit.level) == user.unit_id


def name_for(user: User, name: str, unit_ids: Mapping[str, int | None]) -> str:
    return name if person_in_scope(user, unit_ids) else initials(name)


def log_view(user: User, unit: AdminUnit | None, channel: str, what: str, count: int) -> None:
    """One access-log row per page, export or graph view (not one per person shown)."""
    record_access(user, unit if unit is not None else user, channel, detail=f"{what}: {count}")
