"""Pages of inter-province notices: list (sent / received), build from a case, detail with
downloads (Excel, PDF, JSON), mark as sent, and the import of a received notice."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.cases.models import Case
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.tracing import notice_files, notices
from phongdich.tracing.models import Notice


def get_case(request: HttpRequest, pk: Any) -> Case:
    user = current_user(request)
    return access.get_for_user(user, Case.objects.select_related("person"), Perm.NOTICE_MANAGE, pk=pk)


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.NOTICE_MANAGE)
    direction = request.GET.get("direction", Notice.Direction.OUTGOING)
    if direction not in Notice.Direction.values:
        direction = Notice.Direction.OUTGOING
    qs = notices.notices_in_scope(user).filter(direction=direction).order_by("-created_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "tracing/notice_list.html", {"page": page, "direction": direction})


@login_required
@require_http_methods(["GET", "POST"])
def notice_build(request: HttpRequest, case_pk: Any) -> HttpResponse:
    user = current_user(request)
    case = get_case(request, case_pk)
    groups = notices.other_province_contacts(case)
    error = None
    if request.method == "POST":
        province_id = request.POST.get("to_province", "")
        province = next((p for p in groups if str(p.pk) == province_id), None)
        ids = set(request.POST.getlist("person"))
        entries = groups.get(province, []) if province is not None else []
        chosen = [e.person for e in entries if str(e.person.pk) in ids]
        client = request.POST.get("client_uuid", "")
        try:
            client_uuid = uuid.UUID(client) if client else None
        except ValueError:
            client_uuid = None
        if province is None:
            error = _("Choose a province.")
        elif not chosen:
            error = _("Tick at least one person.")
        else:
            try:
                notice = notices.build_notice(user, case, province, chosen, client_uuid=client_uuid)
            except notices.NoticeError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("Notice %(number)s was made. Download it, send it, then mark it as sent.")
                    % {"number": notice.number},
                )
                return redirect("notices:detail", pk=notice.pk)
    sent = Notice.objects.filter(case=case, direction=Notice.Direction.OUTGOING).select_related("to_province")
    return render(
        request,
        "tracing/notice_build.html",
        {"case": case, "groups": groups, "error": error, "sent": sent, "client_uuid": uuid.uuid4()},
        status=400 if error else 200,
    )


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    notice = notices.get_notice(user, pk)
    record_access(user, notice, "web")
    people: list[Any] = []
    hidden = 0
    if notice.direction == Notice.Direction.INCOMING:
        visible = set(access.scope(user, notice.people.all()).values_list("pk", flat=True))
        for item in notices.incoming_people(notice):
            if item.person.pk in visible:
                people.append(item)
            else:
                hidden += 1
    payload = notice.payload or {}
    return render(
        request,
        "tracing/notice_detail.html",
        {
            "notice": notice,
            "outgoing": notice.direction == Notice.Direction.OUTGOING,
            "rows": notice_files.document(notice)["rows"] if notice.direction == Notice.Direction.OUTGOING else [],
            "people": people,
            "hidden": hidden,
            "case_info": payload.get("case", {}),
            "errors": notices.report_errors(notice),
            "imported": payload.get("import", {}),
        },
    )


@login_required
@require_GET
def notice_download(request: HttpRequest, pk: Any, fmt: str) -> HttpResponse:
    user = current_user(request)
    notice = notices.get_notice(user, pk)
    record_access(user, notice, "export", detail=fmt)
    name = f"thong-bao-{notice.number.replace('/', '-')}"
    if fmt == "xlsx":
        response = HttpResponse(
            notice_files.notice_xlsx(notice),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        response = HttpResponse(notice_files.notice_pdf(notice), content_type="application/pdf")
    elif fmt == "json":
        body = {k: v for k, v in (notice.payload or {}).items() if k != "import"}
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
    else:
        raise Http404(_("Not found."))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def notice_sent(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    notice = notices.get_notice(user, pk)
    try:
        notices.mark_sent(user, notice)
    except notices.NoticeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The notice is marked as sent."))
    return redirect("notices:detail", pk=notice.pk)


def _provinces() -> Any:
    ours = notices.our_province()
    return AdminUnit.objects.filter(version=ours.version, level=Level.PROVINCE).exclude(pk=ours.pk).order_by("code")


@login_required
@require_http_methods(["GET", "POST"])
def notice_import(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        notices.require_province_officer(user)
    except notices.NoticeError as exc:
        raise PermissionDenied(exc.message) from exc
    context: dict[str, Any] = {"provinces": _provinces(), "error": None, "values": {}}
    if request.method == "POST":
        values = {
            "from_province_code": request.POST.get("from_province_code", "").strip()[:4],
            "number": request.POST.get("number", "").strip()[:40],
            "case_code": request.POST.get("case_code", "").strip()[:32],
            "case_confirmed_on": request.POST.get("case_confirmed_on", "").strip()[:10],
        }
        context["values"] = values
        upload = request.FILES.get("file")
        status = 400
        if upload is None:
            context["error"] = _("Choose a file to upload.")
        elif upload.size is not None and upload.size > int(settings.MAX_UPLOAD_BYTES):
            context["error"] = _("The file is too large.")
            status = 413
        else:
            try:
                parsed = notice_files.parse_notice_file(upload.name or "", upload.read(), values)
                outcome = notices.import_notice(
                    user,
                    parsed.payload,
                    row_numbers=parsed.row_numbers,
                    columns=parsed.columns,
                    filename=upload.name or "",
                )
            except notices.NoticeError as exc:
                context["error"] = exc.message
                status = exc.status
            else:
                if outcome.repeated and not (outcome.created or outcome.contacts_added):
                    messages.info(request, _("This notice was already imported: nothing new."))
                else:
                    messages.success(
                        request,
                        _("Notice imported: %(created)s new people, %(matched)s matched, %(contacts)s contacts added.")
                        % {"created": outcome.created, "matched": outcome.matched, "contacts": outcome.contacts_added},
                    )
                if outcome.errors:
                    messages.warning(request, _("Some rows were not imported: see the report below."))
                return redirect("notices:detail", pk=outcome.notice.pk)
        return render(request, "tracing/notice_import.html", context, status=status)
    return render(request, "tracing/notice_import.html", context)
