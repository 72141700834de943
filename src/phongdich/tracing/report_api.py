"""API of the reports over cases and contacts (mounted at /api/v1/reports): line lists as JSON
(paginated, filtered), their streaming exports, transmission-chain graphs and the steering
figures.

Everything needs the CASE_VIEW permission (403 otherwise) and answers only the caller's
jurisdiction: a unit, cluster or person outside it → 404. A filter that cannot be used → 422
``{detail, errors: [{field, message}]}``, in the language of Accept-Language.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from phongdich.cases.models import CaseStatus, DetectedBy, Outcome
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.people.models import Person
from phongdich.policy.models import Handling
from phongdich.tracing import exports, graph, linelists, stats
from phongdich.tracing.linelists import FilterError

router = Router(tags=["reports"])


class ErrorItem(Schema):
    field: str
    message: str


class ReportErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] | None = None


def _invalid(exc: FilterError) -> tuple[int, dict[str, Any]]:
    return 422, {"detail": _("The data sent is not valid."), "errors": [{"field": exc.field, "message": exc.message}]}


_ERRORS: dict[int, Any] = {403: ReportErrorOut, 404: ReportErrorOut, 422: ReportErrorOut}


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


class Paging(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(linelists.PAGE_SIZE, ge=1, le=linelists.MAX_PAGE_SIZE, description="Rows per page.")


class CaseQuery(Schema):
    unit: int | None = Field(None, description="A district or commune (id) inside your area.")
    date_from: datetime.date | None = Field(None, description="Confirmed on or after (YYYY-MM-DD).")
    date_to: datetime.date | None = Field(None, description="Confirmed on or before (YYYY-MM-DD).")
    status: CaseStatus | None = None
    cluster: uuid.UUID | None = None
    detected_by: DetectedBy | None = Field(None, description="How the case was found.")
    source: Literal["known", "unknown"] | None = Field(None, description="Source of infection known or not.")
    outcome: Outcome | None = None


class ContactQuery(Schema):
    unit: int | None = Field(None, description="A district or commune (id) inside your area (where the person lives).")
    date_from: datetime.date | None = Field(None, description="Exposed on or after (YYYY-MM-DD).")
    date_to: datetime.date | None = Field(None, description="Exposed on or before (YYYY-MM-DD).")
    level: int | None = Field(None, ge=1, le=3, description="F level: 1, 2 or 3.")
    cluster: uuid.UUID | None = None
    handling: Handling | None = None
    management: Literal["active", "ended"] | None = Field(
        None, description="`active`: handling still running (until today or later); `ended`: over."
    )


class ExportFormat(Schema):
    format: Literal["xlsx", "csv"] = Field("xlsx", description="Excel (.xlsx) or CSV (UTF-8 with BOM).")


def _case_filters(request: HttpRequest, q: CaseQuery) -> linelists.CaseFilters:
    return linelists.case_filters(
        current_user(request),
        unit=q.unit,
        date_from=q.date_from,
        date_to=q.date_to,
        status=q.status or "",
        cluster=q.cluster,
        detected_by=q.detected_by or "",
        source=q.source or "",
        outcome=q.outcome or "",
    )


def _contact_filters(request: HttpRequest, q: ContactQuery) -> linelists.ContactFilters:
    return linelists.contact_filters(
        current_user(request),
        unit=q.unit,
        date_from=q.date_from,
        date_to=q.date_to,
        level=q.level,
        cluster=q.cluster,
        handling=q.handling or "",
        management=q.management or "",
    )


# ---------------------------------------------------------------------------------------------
# Line lists
# ---------------------------------------------------------------------------------------------


class CaseRowOut(Schema):
    id: uuid.UUID
    code: str
    national_code: str
    status: str
    person_id: uuid.UUID
    full_name: str
    birth_year: int | None
    sex: str
    district: str | None
    commune: str | None
    onset_date: datetime.date | None
    sample_date: datetime.date | None
    confirmed_on: datetime.date
    detected_by: str
    source_known: bool
    source_note: str
    clinical_status: str
    outcome: str
    outcome_date: datetime.date | None
    cluster_id: uuid.UUID | None
    cluster: str | None


class CaseListOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[CaseRowOut]


class ContactRowOut(Schema):
    person_id: uuid.UUID
    full_name: str
    birth_year: int | None
    sex: str
    level: int
    case_id: uuid.UUID
    case_code: str
    via_person_id: uuid.UUID | None
    via_name: str = Field(description="Who the level came through; initials when outside your area.")
    exposed_on: datetime.date
    handling: str
    handling_until: datetime.date | None
    district: str | None
    commune: str | None
    cluster_id: uuid.UUID | None


class ContactListOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[ContactRowOut]


def _page(qs: Any, paging: Paging) -> tuple[int, int, list[Any]]:
    count = qs.count()
    pages = max(1, -(-count // paging.page_size))
    start = (paging.page - 1) * paging.page_size
    return count, pages, list(qs[start : start + paging.page_size])


@router.get(
    "/cases",
    response={200: CaseListOut, **_ERRORS},
    summary="Case line list",
    description="Confirmed and ruled-out cases of your area, newest confirmation first, filtered and paginated.",
)
def case_list(
    request: HttpRequest, filters: Query[CaseQuery], paging: Query[Paging]
) -> tuple[int, dict[str, Any]] | dict[str, Any]:
    user = current_user(request)
    try:
        f = _case_filters(request, filters)
    except FilterError as exc:
        return _invalid(exc)
    count, pages, rows = _page(linelists.case_listing(linelists.cases(user, f)), paging)
    if rows:
        linelists.log_view(user, f.unit, "api", "case line list", len(rows))
    return {
        "count": count,
        "page": paging.page,
        "pages": pages,
        "page_size": paging.page_size,
        "results": [
            {
                "id": c.pk,
                "code": c.code,
                "national_code": c.national_code,
                "status": c.status,
                "person_id": c.person_id,
                "full_name": c.person.full_name,
                "birth_year": c.person.birth_year or (c.person.birth_date.year if c.person.birth_date else None),
                "sex": c.person.sex,
                "district": c.district.name if c.district else None,
                "commune": c.commune.name if c.commune else None,
                "onset_date": c.onset_date,
                "sample_date": c.sample_date,
                "confirmed_on": c.confirmed_on,
                "detected_by": c.detected_by,
                "source_known": c.source_known,
                "source_note": c.source_note,
                "clinical_status": c.clinical_status,
                "outcome": c.outcome,
                "outcome_date": c.outcome_date,
                "cluster_id": c.cluster_id,
                "cluster": c.cluster.name if c.cluster else None,
            }
            for c in rows
        ],
    }


@router.get(
    "/contacts",
    response={200: ContactListOut, **_ERRORS},
    summary="F1, F2, F3 line list",
    description="The derived F levels of persons living in your area, F1 first, filtered and paginated.",
)
def contact_list(
    request: HttpRequest, filters: Query[ContactQuery], paging: Query[Paging]
) -> tuple[int, dict[str, Any]] | dict[str, Any]:
    user = current_user(request)
    try:
        f = _contact_filters(request, filters)
    except FilterError as exc:
        return _invalid(exc)
    count, pages, rows = _page(linelists.contact_listing(linelists.contacts(user, f)), paging)
    if rows:
        linelists.log_view(user, f.unit, "api", "F-person line list", len(rows))
    results = []
    for pl in rows:
        person = pl.person
        via = pl.via_person
        results.append(
            {
                "person_id": pl.person_id,
                "full_name": person.full_name,
                "birth_year": person.birth_year or (person.birth_date.year if person.birth_date else None),
                "sex": person.sex,
                "level": pl.level,
                "case_id": pl.case_id,
                "case_code": pl.case.code,
                "via_person_id": pl.via_person_id,
                "via_name": (
                    linelists.name_for(
                        user,
                        via.full_name,
                        {
                            "province": via.province_id,
                            "district": via.district_id,
                            "commune": via.commune_id,
                            "village": via.village_id,
                        },
                    )
                    if via is not None
                    else pl.case.code
                ),
                "exposed_on": pl.exposed_on,
                "handling": pl.handling,
                "handling_until": pl.handling_until,
                "district": person.district.name if person.district else None,
                "commune": person.commune.name if person.commune else None,
                "cluster_id": pl.case.cluster_id,
            }
        )
    return {"count": count, "page": paging.page, "pages": pages, "page_size": paging.page_size, "results": results}


@router.get(
    "/cases/export",
    response={200: None, **_ERRORS},
    summary="Export the case line list (Excel or CSV, streamed)",
    description=(
        "The filtered case line list as a file with Vietnamese headers and dd/mm/yyyy dates, "
        "streamed in constant memory (a million rows are fine; Excel sheets continue on a "
        "new sheet after 1,048,575 rows)."
    ),
)
def case_export(
    request: HttpRequest, filters: Query[CaseQuery], fmt: Query[ExportFormat]
) -> tuple[int, dict[str, Any]] | HttpResponseBase:
    user = current_user(request)
    try:
        f = _case_filters(request, filters)
    except FilterError as exc:
        return _invalid(exc)
    return exports.export_cases(user, linelists.cases(user, f), f.unit or linelists.root_unit(user), fmt.format)


@router.get(
    "/contacts/export",
    response={200: None, **_ERRORS},
    summary="Export the F1, F2, F3 line list (Excel or CSV, streamed)",
    description="As the case export, for the F-person line list.",
)
def contact_export(
    request: HttpRequest, filters: Query[ContactQuery], fmt: Query[ExportFormat]
) -> tuple[int, dict[str, Any]] | HttpResponseBase:
    user = current_user(request)
    try:
        f = _contact_filters(request, filters)
    except FilterError as exc:
        return _invalid(exc)
    return exports.export_contacts(user, linelists.contacts(user, f), f.unit or linelists.root_unit(user), fmt.format)


# ---------------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------------


class NodeOut(Schema):
    id: str = Field(description="The person's id.")
    level: int = Field(description="0 = F0, 1–3 = F1–F3.")
    label: str = Field(description="Case code and name for F0; the name (initials outside your area) otherwise.")
    url: str = Field(description="The person's (or case's) page; empty outside your area.")
    code: str
    in_scope: bool
    focus: bool
    x: float
    y: float


class EdgeOut(Schema):
    source: str
    target: str
    kind: str = Field(description="`level`: the level came through source; `contact`: a contact between two F0.")


class GraphOut(Schema):
    title: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    counts: dict[str, int]
    truncated: bool


@router.get(
    "/clusters/{cluster_id}/graph",
    response={200: GraphOut, 403: ReportErrorOut, 404: ReportErrorOut, 422: ReportErrorOut},
    summary="Transmission graph of a cluster",
    description="Its F0 and their F1–F3 with a computed layout (x, y), ready to draw.",
)
def cluster_graph(request: HttpRequest, cluster_id: uuid.UUID) -> dict[str, Any]:
    from phongdich.cases.models import Cluster

    user = current_user(request)
    cluster = access.get_for_user(user, Cluster.objects.all(), Perm.CASE_VIEW, pk=cluster_id)
    data = graph.cluster_graph(user, cluster)
    linelists.log_view(user, None, "api", f"cluster graph {cluster.code}", len(data["nodes"]))
    return data


@router.get(
    "/people/{person_id}/chain",
    response={200: GraphOut, 403: ReportErrorOut, 404: ReportErrorOut, 422: ReportErrorOut},
    summary="A person's own transmission chain",
    description="For an F0 their case's tree; for an F1–F3 the path to the root case and everyone after them.",
)
def person_chain(request: HttpRequest, person_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    person = access.get_for_user(user, Person.objects.all(), Perm.CASE_VIEW, pk=person_id)
    data = graph.person_graph(user, person)
    record_access(user, person, "api", detail=f"chain graph: {len(data['nodes'])}")
    return data


# ---------------------------------------------------------------------------------------------
# Steering figures
# ---------------------------------------------------------------------------------------------


class StatsQuery(Schema):
    unit: int | None = Field(None, description="A unit inside your area (default: your unit).")
    date_from: datetime.date | None = Field(None, description=f"Default: {stats.DEFAULT_DAYS} days ago.")
    date_to: datetime.date | None = Field(None, description="Default: today. At most 366 days in all.")


class StatsRowOut(Schema):
    unit_id: int | None
    unit_name: str | None
    new_cases: int
    community: int
    quarantine: int
    other: int
    unknown_source: int
    unknown_share: float | None = Field(description="Percent of new F0 with an unknown source.")
    f1: int
    f2: int
    f3: int
    weekly: list[int] = Field(description="New F0 per week, in the order of `weeks`.")


class DayOut(Schema):
    date: datetime.date
    count: int


class StatsOut(Schema):
    unit_id: int | None
    unit_name: str | None
    date_from: datetime.date
    date_to: datetime.date
    today: datetime.date
    total: StatsRowOut
    rows: list[StatsRowOut]
    days: list[DayOut]
    weeks: list[DayOut] = Field(description="New F0 per week; `date` is the Monday.")
    by_detection: dict[str, int]


def _row_out(row: stats.UnitRow) -> dict[str, Any]:
    return {
        "unit_id": row.unit.pk if row.unit else None,
        "unit_name": row.unit.name if row.unit else None,
        "new_cases": row.new_cases,
        "community": row.community,
        "quarantine": row.quarantine,
        "other": row.other,
        "unknown_source": row.unknown_source,
        "unknown_share": round(row.unknown_share, 2) if row.unknown_share is not None else None,
        "f1": row.f1,
        "f2": row.f2,
        "f3": row.f3,
        "weekly": row.weekly,
    }


@router.get(
    "/stats",
    response={200: StatsOut, **_ERRORS},
    summary="Figures for the steering committee",
    description=(
        "New F0 per day and per week (Monday weeks) by unit one level below the chosen one, "
        "community vs in quarantine, the unknown-source share, and F1/F2/F3 under management "
        "today (handling until today or later)."
    ),
)
def steering_stats(request: HttpRequest, q: Query[StatsQuery]) -> tuple[int, dict[str, Any]] | dict[str, Any]:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    unit = linelists.unit_for(user, q.unit) or linelists.root_unit(user)
    default_from, default_to = stats.default_range()
    try:
        figures = stats.compute(user, unit, q.date_from or default_from, q.date_to or default_to)
    except FilterError as exc:
        return _invalid(exc)
    return {
        "unit_id": unit.pk if unit else None,
        "unit_name": unit.name if unit else None,
        "date_from": figures.date_from,
        "date_to": figures.date_to,
        "today": figures.today,
        "total": _row_out(figures.total),
        "rows": [_row_out(r) for r in figures.rows],
        "days": [{"date": d, "count": n} for d, n in figures.days],
        "weeks": [{"date": d, "count": n} for d, n in figures.weeks],
        "by_detection": figures.by_detection,
    }
