"""Pages over cases and contacts: line lists, their exports, chain graphs, steering figures.

All need Perm.CASE_VIEW (403 otherwise) and show only the user's jurisdiction; a unit,
cluster or person outside it answers 404. Each page, export or graph view that shows
personal data writes one access-log row (not one per person).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from phongdich.cases.models import CaseStatus, ClinicalStatus, Cluster, DetectedBy, Outcome
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.people.models import Person
from phongdich.policy.models import Handling
from phongdich.tracing import exports, graph, linelists, stats
from phongdich.tracing.linelists import FilterError, ManagementFilter, SourceFilter
from phongdich.tracing.models import PersonLevel


def _viewer(request: HttpRequest) -> Any:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    return user


def _common(user: Any) -> dict[str, Any]:
    return {
        "units": linelists.unit_choices(user),
        "clusters": linelists.clusters_for(user).only("pk", "code", "name").order_by("-first_date", "code")[:300],
    }


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    context: dict[str, Any] = {
        **_common(user),
        "tab": "cases",
        "statuses": CaseStatus.choices,
        "detections": DetectedBy.choices,
        "outcomes": Outcome.choices,
        "clinical": ClinicalStatus.choices,
        "sources": [(SourceFilter.KNOWN, _("Source known")), (SourceFilter.UNKNOWN, _("Source unknown"))],
        "values": request.GET,
    }
    try:
        filters = linelists.parse_case_filters(user, request.GET)
    except FilterError as exc:
        context.update(error=exc.message, page=None)
        return render(request, "tracing/report_cases.html", context, status=400)
    page = Paginator(linelists.case_listing(linelists.cases(user, filters)), linelists.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if page.object_list:
        linelists.log_view(user, filters.unit, "web", "case line list", len(page.object_list))
    context.update(page=page, filters=filters, query=filters.query())
    return render(request, "tracing/report_cases.html", context)


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    context: dict[str, Any] = {
        **_common(user),
        "tab": "contacts",
        "levels": [(1, "F1"), (2, "F2"), (3, "F3")],
        "handlings": [(v, label) for v, label in Handling.choices if v != Handling.HOSPITAL],
        "managements": [
            (ManagementFilter.ACTIVE, _("Under management")),
            (ManagementFilter.ENDED, _("Handling ended")),
        ],
        "values": request.GET,
    }
    try:
        filters = linelists.parse_contact_filters(user, request.GET)
    except FilterError as exc:
        context.update(error=exc.message, page=None)
        return render(request, "tracing/report_contacts.html", context, status=400)
    page = Paginator(linelists.contact_listing(linelists.contacts(user, filters)), linelists.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "level": pl,
            "via_name": (
                linelists.name_for(user, pl.via_person.full_name, _person_units(pl.via_person))
                if pl.via_person is not None
                else ""
            ),
        }
        for pl in page.object_list
    ]
    if rows:
        linelists.log_view(user, filters.unit, "web", "F-person line list", len(rows))
    context.update(page=page, rows=rows, filters=filters, query=filters.query(), today=timezone.localdate())
    return render(request, "tracing/report_contacts.html", context)


def _person_units(person: Person) -> dict[str, int | None]:
    return {
        "province": person.province_id,
        "district": person.district_id,
        "commune": person.commune_id,
        "village": person.village_id,
    }


def _error_response(exc: FilterError) -> HttpResponse:
    return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def case_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = _viewer(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404(_("Not found."))
    try:
        filters = linelists.parse_case_filters(user, request.GET)
    except FilterError as exc:
        return _error_response(exc)
    unit = filters.unit or linelists.root_unit(user)
    return exports.export_cases(user, linelists.cases(user, filters), unit, fmt)


@login_required
@require_GET
def contact_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    user = _viewer(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404(_("Not found."))
    try:
        filters = linelists.parse_contact_filters(user, request.GET)
    except FilterError as exc:
        return _error_response(exc)
    unit = filters.unit or linelists.root_unit(user)
    return exports.export_contacts(user, linelists.contacts(user, filters), unit, fmt)


# ---------------------------------------------------------------------------------------------
# Chains
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def graphs(request: HttpRequest) -> HttpResponse:
    """The clusters the user sees, to open one's transmission graph."""
    user = _viewer(request)
    clusters = (
        linelists.clusters_for(user)
        .select_related("district", "commune")
        .annotate(case_count=Count("cases", distinct=True))
        .order_by("-first_date", "code")
    )
    page = Paginator(clusters, 50).get_page(request.GET.get("page"))
    ids = [c.pk for c in page.object_list]
    f_counts = {
        row["case__cluster"]: row["n"]
        for row in PersonLevel.objects.filter(case__cluster__in=ids).values("case__cluster").annotate(n=Count("pk"))
    }
    for cluster in page.object_list:
        cluster.f_count = f_counts.get(cluster.pk, 0)  # type: ignore[attr-defined]
    return render(request, "tracing/report_graphs.html", {"tab": "graphs", "page": page})


def _cluster(request: HttpRequest, pk: str) -> Cluster:
    return access.get_for_user(current_user(request), Cluster.objects.all(), Perm.CASE_VIEW, pk=pk)


@login_required
@require_GET
def cluster_graph(request: HttpRequest, pk: str) -> HttpResponse:
    cluster = _cluster(request, pk)
    return render(
        request,
        "tracing/report_graph.html",
        {
            "tab": "graphs",
            "cluster": cluster,
            "title": cluster.name,
            "data_url": _url("reports:cluster-graph-json", cluster.pk),
            "texts": _graph_texts(),
        },
    )


@login_required
@require_GET
def cluster_graph_json(request: HttpRequest, pk: str) -> JsonResponse:
    user = current_user(request)
    cluster = _cluster(request, pk)
    data = graph.cluster_graph(user, cluster)
    linelists.log_view(user, None, "web", f"cluster graph {cluster.code}", len(data["nodes"]))
    return JsonResponse(data)


def _person(request: HttpRequest, pk: str) -> Person:
    return access.get_for_user(current_user(request), Person.objects.all(), Perm.CASE_VIEW, pk=pk)


@login_required
@require_GET
def person_chain(request: HttpRequest, pk: str) -> HttpResponse:
    person = _person(request, pk)
    return render(
        request,
        "tracing/report_graph.html",
        {
            "tab": "graphs",
            "person": person,
            "title": person.full_name,
            "data_url": _url("reports:person-chain-json", person.pk),
            "texts": _graph_texts(),
        },
    )


@login_required
@require_GET
def person_chain_json(request: HttpRequest, pk: str) -> JsonResponse:
    user = current_user(request)
    person = _person(request, pk)
    data = graph.person_graph(user, person)
    record_access(user, person, "web", detail=f"chain graph: {len(data['nodes'])}")
    return JsonResponse(data)


def _graph_texts() -> dict[str, str]:
    return {
        "empty": _("Nobody in this chain yet."),
        "notfound": _("Not found in this graph."),
        "truncated": _("The graph is too large: only part of it is drawn."),
        "failed": _("The graph could not be loaded."),
        "nowebgl": _("This browser cannot draw the graph (WebGL is off)."),
        "shown": _("persons"),
    }


def _url(name: str, pk: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=[pk])


# ---------------------------------------------------------------------------------------------
# Steering figures
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    context: dict[str, Any] = {"tab": "dashboard", "units": linelists.unit_choices(user), "values": request.GET}
    default_from, default_to = stats.default_range()
    try:
        unit_id = linelists.parse_int("unit", request.GET.get("unit"))
        unit = linelists.unit_for(user, unit_id) or linelists.root_unit(user)
        date_from = linelists.parse_date("date_from", request.GET.get("date_from")) or default_from
        date_to = linelists.parse_date("date_to", request.GET.get("date_to")) or default_to
        figures = stats.compute(user, unit, date_from, date_to)
    except FilterError as exc:
        context.update(error=exc.message, date_from=default_from, date_to=default_to)
        return render(request, "tracing/report_dashboard.html", context, status=400)
    context.update(
        stats=figures,
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        bars=stats.bars(figures),
        lineage=[u for u in unit.lineage() if access.unit_in_scope(user, u)] if unit is not None else [],
    )
    return render(request, "tracing/report_dashboard.html", context)
