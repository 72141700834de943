"""Pages of the absent-citizen lists: the consolidated list by unit, the upload and its report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.people import absent_export, absent_queries
from phongdich.people.absent_import import AbsentUploadError, report_errors, run_import, too_large_message
from phongdich.people.models import AbsentListUpload

if TYPE_CHECKING:
    pass

SESSION_TEXT = "absent_list_text"


def _require_lists(request: HttpRequest) -> None:
    if not absent_queries.can_see_lists(current_user(request)):
        raise PermissionDenied(_("Your role does not allow this."))


@login_required
@require_http_methods(["GET", "POST"])
def absent_lists(request: HttpRequest) -> HttpResponse:
    """The consolidated list: counts by child unit, filters, the table, the uploads."""
    _require_lists(request)
    user = current_user(request)
    if request.method == "POST":
        # The text filter may be a name or an ID number: it is kept in the session, never in a URL.
        request.session[SESSION_TEXT] = request.POST.get("text", "").strip()[:100]
        return redirect(_list_url(request))
    unit = absent_queries.unit_for(user, request.GET.get("unit")) or absent_queries.root_unit(user)
    temp_province = absent_queries.province_for(request.GET.get("province"))
    text = request.session.get(SESSION_TEXT, "")
    total, rollup = absent_queries.rollup(user, unit)
    qs = absent_queries.filtered(absent_queries.absent_records(user), unit, temp_province, text)
    page = Paginator(absent_queries.listing(qs), 50).get_page(request.GET.get("page"))
    if page.object_list and unit is not None:
        record_access(user, unit, "web", detail=f"absent list: {len(page.object_list)}")
    uploads = absent_queries.uploads_for(user)
    if unit is not None:
        uploads = uploads.filter(**unit.scope_filter())
    lineage = unit.lineage() if unit is not None else []
    return render(
        request,
        "people/absent_lists.html",
        {
            "unit": unit,
            "lineage": [u for u in lineage if access.unit_in_scope(user, u)],
            "total": total,
            "rollup": rollup,
            "page": page,
            "text": text,
            "temp_province": temp_province,
            "provinces": absent_queries.provinces_in_lists(user),
            "uploads": uploads[:20],
            "can_export": user.can(Perm.ABSENT_EXPORT),
            "can_upload": user.can(Perm.ABSENT_UPLOAD),
            "export_query": _export_query(unit, temp_province),
        },
    )


def _list_url(request: HttpRequest) -> str:
    from django.urls import reverse

    url = reverse("people:absent-lists")
    params = [f"{k}={request.POST[k]}" for k in ("unit", "province") if request.POST.get(k, "").isdigit()]
    return url + ("?" + "&".join(params) if params else "")


def _export_query(unit: AdminUnit | None, temp_province: AdminUnit | None) -> str:
    params = []
    if unit is not None:
        params.append(f"unit={unit.pk}")
    if temp_province is not None:
        params.append(f"province={temp_province.pk}")
    return "&".join(params)


@login_required
def absent_export_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    access.require(current_user(request), Perm.ABSENT_EXPORT)
    if fmt not in ("xlsx", "csv"):
        raise Http404(_("Not found."))
    user = current_user(request)
    unit = absent_queries.unit_for(user, request.GET.get("unit")) or absent_queries.root_unit(user)
    temp_province = absent_queries.province_for(request.GET.get("province"))
    qs = absent_queries.filtered(absent_queries.absent_records(user), unit, temp_province)
    if fmt == "csv":
        return absent_export.export_csv(user, qs, unit)
    return absent_export.export_xlsx(user, qs, unit)


@login_required
def absent_template(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_lists(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404(_("Not found."))
    return absent_export.template_response(fmt)


@login_required
@require_http_methods(["GET", "POST"])
def absent_upload(request: HttpRequest) -> HttpResponse:
    access.require(current_user(request), Perm.ABSENT_UPLOAD)
    user = current_user(request)
    units = absent_queries.upload_units(user)
    context: dict[str, Any] = {"units": units, "selected": None, "error": None, "max_mb": _max_mb()}
    if request.method == "POST":
        unit = absent_queries.unit_for(user, request.POST.get("unit"))
        context["selected"] = unit.pk if unit is not None else None
        upload = request.FILES.get("file")
        status = 400
        if unit is None:
            context["error"] = _("Choose the commune or village the list belongs to.")
        elif upload is None:
            context["error"] = _("Choose a file to upload.")
        elif upload.size is not None and upload.size > _max_bytes():
            context["error"] = too_large_message()
            status = 413
        else:
            try:
                outcome = run_import(user, unit, upload.name or "", upload.read())
            except AbsentUploadError as exc:
                context["error"] = exc.message
                status = exc.status
            else:
                if outcome.repeated:
                    messages.info(
                        request,
                        _("This file was already uploaded for %(unit)s: nothing changed. Here is its report.")
                        % {"unit": unit.name},
                    )
                else:
                    messages.success(request, _("The list was uploaded. Here is its report."))
                return redirect("people:absent-upload-detail", pk=outcome.upload.pk)
        return render(request, "people/absent_upload.html", context, status=status)
    if len(units) == 1:
        context["selected"] = units[0].pk
    elif any(u.pk == user.unit_id for u in units):
        context["selected"] = user.unit_id  # a commune's own list is the usual case
    return render(request, "people/absent_upload.html", context)


def _max_bytes() -> int:
    from django.conf import settings

    return int(settings.MAX_UPLOAD_BYTES)


def _max_mb() -> str:
    return f"{_max_bytes() / (1024 * 1024):g}"


@login_required
def absent_upload_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _require_lists(request)
    try:
        upload = absent_queries.uploads_for(current_user(request)).get(pk=pk)
    except (AbsentListUpload.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    errors = report_errors(upload)
    page = Paginator(errors, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "people/absent_upload_detail.html",
        {"upload": upload, "page": page, "unit_lineage": _lineage_names(upload.unit)},
    )


def _lineage_names(unit: AdminUnit) -> str:
    return ", ".join(u.name for u in reversed(unit.lineage()) if u.level != Level.PROVINCE)
