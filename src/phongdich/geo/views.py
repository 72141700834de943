"""Admin-unit browser and the village / population import pages. Thin: logic is in actions/queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from phongdich.core.access import current_user, require, unit_in_scope
from phongdich.core.roles import Perm
from phongdich.geo import actions, queries
from phongdich.geo.models import AdminUnit, Hierarchy, Level
from phongdich.geo.spreadsheets import population_template, villages_template
from phongdich.geo.tabular import FileProblem

if TYPE_CHECKING:
    pass

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CHILD_HEADINGS = {
    Level.DISTRICT: gettext_lazy("Districts"),
    Level.COMMUNE: gettext_lazy("Communes"),
    Level.VILLAGE: gettext_lazy("Villages and residential groups"),
}


def _unit_page(request: HttpRequest, unit: AdminUnit) -> HttpResponse:
    user = current_user(request)
    kids = list(queries.children(unit).annotate(n_children=Count("children")))
    counts = queries.person_counts(unit, kids)
    for kid in kids:
        kid.persons = counts.get(kid.pk, 0)  # type: ignore[attr-defined]
    breadcrumb = [(u, unit_in_scope(user, u)) for u in unit.lineage()[:-1]]
    neighbours: list[AdminUnit] = []
    if unit.level == Level.PROVINCE:
        neighbours = queries.neighbours(unit)[1]
    level = queries.child_level(unit)
    context: dict[str, Any] = {
        "unit": unit,
        "breadcrumb": breadcrumb,
        "children": kids,
        "child_level": level,
        "child_heading": CHILD_HEADINGS.get(level) if level else None,
        "persons": queries.persons_in(unit),
        "neighbours": neighbours,
        "countries": unit.countries,
        "crosswalk": queries.crosswalk(unit) if unit.level == Level.COMMUNE else [],
        "is_old": unit.version == Hierarchy.PRE2025,
        "can_edit": user.can(Perm.UNIT_EDIT),
    }
    return render(request, "geo/unit.html", context)


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    """The unit browser's start: the user's own unit (administrators: the deployment province)."""
    unit = queries.home_unit(current_user(request))
    if unit is None:
        return render(request, "geo/no_unit.html", {"loaded": AdminUnit.objects.exists()})
    unit = queries.get_unit_for_user(current_user(request), unit.version, unit.code)
    return _unit_page(request, unit)


@login_required
def unit_detail(request: HttpRequest, version: str, code: str) -> HttpResponse:
    return _unit_page(request, queries.get_unit_for_user(current_user(request), version, code))


@login_required
def crosswalk(request: HttpRequest, version: str, code: str) -> HttpResponse:
    unit = queries.get_unit_for_user(current_user(request), version, code)
    rows = queries.crosswalk(unit)
    return render(
        request,
        "geo/crosswalk.html",
        {"unit": unit, "rows": rows, "is_old": unit.version == Hierarchy.PRE2025},
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    home = queries.home_unit(current_user(request))
    version = home.version if home else queries.deployment_version()
    results = list(queries.search(current_user(request), q, version)[:100]) if q else []
    return render(request, "geo/search.html", {"q": q, "results": results})


def _import_page(request: HttpRequest, kind: str) -> HttpResponse:
    user = current_user(request)
    require(user, Perm.UNIT_EDIT)
    scope_unit = queries.home_unit(user)
    context: dict[str, Any] = {"kind": kind, "scope_unit": scope_unit, "report": None, "problem": None}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        limit = settings.MAX_UPLOAD_BYTES
        if upload is None:
            context["problem"], status = _("Choose a file to upload."), 400
        elif upload.size is not None and upload.size > limit:
            mb = limit // (1024 * 1024) or 1
            context["problem"], status = _("The file is too large: at most %(mb)s MB.") % {"mb": mb}, 413
        else:
            importer = actions.import_villages if kind == "villages" else actions.import_population
            try:
                report = importer(user, scope_unit, upload.name or "upload", upload.read())
            except FileProblem as problem:
                context["problem"], status = problem.message, 400
            else:
                context["report"] = report
                if report.errors:
                    messages.warning(request, _("Some rows have errors: they were not written. The others were."))
                else:
                    messages.success(request, _("The file was imported."))
    return render(request, "geo/import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_villages(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "villages")


@login_required
@require_http_methods(["GET", "POST"])
def import_population(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "population")


@login_required
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    user = current_user(request)
    require(user, Perm.UNIT_EDIT)
    unit = queries.home_unit(user)
    content = villages_template(unit) if kind == "villages" else population_template(unit)
    response = HttpResponse(content, content_type=XLSX)
    filename = "mau-thon-ban.xlsx" if kind == "villages" else "mau-dan-so.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
