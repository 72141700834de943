"""API of the absent-citizen lists: upload a list, read an upload's report, the consolidated
list (JSON, Excel, CSV) and the template.

Refusals: a role without the permission → 403; a unit or upload outside the user's scope →
404; a bad file → 400 (unreadable, not a spreadsheet), 413 (too large) or 422 (empty, wrong
headers, too many rows); the messages follow Accept-Language (vi by default, en).
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.people import absent_export, absent_queries
from phongdich.people.absent_import import AbsentUploadError, report_errors, run_import, too_large_message
from phongdich.people.models import AbsentListUpload, ResidenceRecord

if TYPE_CHECKING:
    pass

router = Router(tags=["absent-citizen lists"])


class AbsentUnitOut(Schema):
    id: int
    version: str
    level: str
    code: str
    name: str


class AbsentRowErrorOut(Schema):
    row: int | None
    column: str
    field: str
    code: str
    message: str


class UploadOut(Schema):
    id: uuid.UUID
    unit: AbsentUnitOut
    filename: str
    status: str
    status_label: str
    created_at: datetime.datetime
    row_count: int
    created_count: int
    matched_count: int
    unchanged_count: int
    error_count: int
    already_uploaded: bool = False
    errors: list[AbsentRowErrorOut]


class UploadSummaryOut(Schema):
    id: uuid.UUID
    unit: AbsentUnitOut
    filename: str
    status: str
    created_at: datetime.datetime
    row_count: int
    created_count: int
    matched_count: int
    unchanged_count: int
    error_count: int


class ErrorOut(Schema):
    detail: str


class AbsentPersonOut(Schema):
    person_id: uuid.UUID
    full_name: str
    id_number: str | None
    birth_date: datetime.date | None
    birth_year: int | None
    sex: str
    phone: str
    district: str | None
    commune: str | None
    village: str | None
    temp_address: str
    temp_province: AbsentUnitOut | None
    temp_commune: AbsentUnitOut | None
    workplace: str
    since: datetime.date | None


class AbsentListOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[AbsentPersonOut]


class ListFilters(Schema):
    unit: int | None = None
    province: int | None = None


def _unit_out(unit: AdminUnit) -> dict[str, Any]:
    return {"id": unit.pk, "version": unit.version, "level": unit.level, "code": unit.code, "name": unit.name}


def _upload_out(upload: AbsentListUpload, repeated: bool = False) -> dict[str, Any]:
    return {
        "id": upload.pk,
        "unit": _unit_out(upload.unit),
        "filename": upload.filename,
        "status": upload.status,
        "status_label": str(upload.get_status_display()),
        "created_at": upload.created_at,
        "row_count": upload.row_count,
        "created_count": upload.created_count,
        "matched_count": upload.matched_count,
        "unchanged_count": upload.unchanged_count,
        "error_count": upload.error_count,
        "already_uploaded": repeated,
        "errors": report_errors(upload),
    }


def _require_lists(request: HttpRequest) -> None:
    if not absent_queries.can_see_lists(current_user(request)):
        raise PermissionDenied(_("Your role does not allow this."))


def _upload_unit(request: HttpRequest, unit: int | None, version: str | None, code: str | None) -> AdminUnit:
    qs = AdminUnit.objects.select_related("province", "district", "commune")
    found: AdminUnit | None = None
    if unit is not None:
        found = qs.filter(pk=unit).first()
    elif code:
        found = (
            qs.filter(
                version=version or settings.PHONGDICH_HIERARCHY,
                code=code.strip(),
                level__in=[Level.COMMUNE, Level.VILLAGE],
            )
            .order_by("level")
            .first()
        )
    else:
        raise HttpError(422, _("Give the unit: its id, or its hierarchy version and code."))
    if found is None or not access.unit_in_scope(current_user(request), found):
        raise Http404(_("Not found."))
    return found


@router.post(
    "/uploads",
    response={
        200: UploadOut,
        201: UploadOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
    },
    summary="Upload an absent-citizen list",
    description=(
        "Multipart form: `file` (.xlsx or .csv with the template's headers) and the unit: `unit` "
        "(id) or `version` + `code` of a commune or village. Answers the upload's report: 201 "
        "for a new upload, 200 when the same file was already uploaded for this unit (nothing "
        "changed). Bad rows are listed in `errors` and are not imported."
    ),
)
def upload_list(
    request: HttpRequest,
    file: File[UploadedFile],
    unit: Form[int | None] = None,
    version: Form[str | None] = None,
    code: Form[str | None] = None,
) -> tuple[int, dict[str, Any]]:
    access.require(current_user(request), Perm.ABSENT_UPLOAD)
    target = _upload_unit(request, unit, version, code)
    if file.size is not None and file.size > settings.MAX_UPLOAD_BYTES:
        raise HttpError(413, too_large_message())
    try:
        outcome = run_import(current_user(request), target, file.name or "", file.read())
    except AbsentUploadError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return (200 if outcome.repeated else 201), _upload_out(outcome.upload, outcome.repeated)


@router.get("/uploads", response=list[UploadSummaryOut], summary="Recent uploads in your area")
def list_uploads(request: HttpRequest) -> list[dict[str, Any]]:
    _require_lists(request)
    uploads = absent_queries.uploads_for(current_user(request))[:100]
    return [
        {k: v for k, v in _upload_out(u).items() if k not in ("errors", "status_label", "already_uploaded")}
        for u in uploads
    ]


@router.get(
    "/uploads/{upload_id}", response={200: UploadOut, 403: ErrorOut, 404: ErrorOut}, summary="An upload's report"
)
def get_upload(request: HttpRequest, upload_id: str) -> dict[str, Any]:
    _require_lists(request)
    try:
        upload = absent_queries.uploads_for(current_user(request)).get(pk=uuid.UUID(upload_id))
    except (AbsentListUpload.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    return _upload_out(upload)


def _records(request: HttpRequest, filters: ListFilters) -> tuple[Any, AdminUnit | None]:
    user = current_user(request)
    unit = absent_queries.unit_for(user, filters.unit) or absent_queries.root_unit(user)
    province = absent_queries.province_for(filters.province)
    qs = absent_queries.filtered(absent_queries.absent_records(user), unit, province)
    return qs, unit


def _person_out(r: ResidenceRecord) -> dict[str, Any]:
    p = r.person
    return {
        "person_id": p.pk,
        "full_name": p.full_name,
        "id_number": p.id_number,
        "birth_date": p.birth_date,
        "birth_year": p.birth_year,
        "sex": p.sex,
        "phone": r.phone or p.phone,
        "district": p.district.name if p.district else None,
        "commune": p.commune.name if p.commune else None,
        "village": p.village.name if p.village else None,
        "temp_address": r.temp_address,
        "temp_province": _unit_out(r.temp_province) if r.temp_province else None,
        "temp_commune": _unit_out(r.temp_commune) if r.temp_commune else None,
        "workplace": r.workplace,
        "since": r.started_on,
    }


@router.get(
    "/list",
    response={200: AbsentListOut, 403: ErrorOut, 404: ErrorOut},
    summary="The consolidated list of absent citizens",
    description="Filters: `unit` (id, in your area), `province` (id of the province stayed in). "
    "Paginated with `page` and `page_size` (at most 500). To find one person, use the person search.",
)
def absent_list(
    request: HttpRequest, filters: Query[ListFilters], page: int = 1, page_size: int = 100
) -> dict[str, Any]:
    _require_lists(request)
    qs, unit = _records(request, filters)
    page_size = max(1, min(page_size, 500))
    paginator = Paginator(absent_queries.listing(qs), page_size)
    current = paginator.get_page(page)
    results = [_person_out(r) for r in current.object_list]
    if results and unit is not None:
        record_access(current_user(request), unit, "api", detail=f"absent list: {len(results)}")
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "page_size": page_size,
        "results": results,
    }


@router.get("/export.xlsx", summary="Export the consolidated list as Excel", response={200: None, 403: ErrorOut})
def export_xlsx(request: HttpRequest, filters: Query[ListFilters]) -> HttpResponseBase:
    access.require(current_user(request), Perm.ABSENT_EXPORT)
    qs, unit = _records(request, filters)
    return absent_export.export_xlsx(current_user(request), qs, unit)


@router.get("/export.csv", summary="Export the consolidated list as CSV", response={200: None, 403: ErrorOut})
def export_csv(request: HttpRequest, filters: Query[ListFilters]) -> HttpResponseBase:
    access.require(current_user(request), Perm.ABSENT_EXPORT)
    qs, unit = _records(request, filters)
    return absent_export.export_csv(current_user(request), qs, unit)


@router.get("/template.xlsx", summary="The Excel template", response={200: None, 403: ErrorOut})
def template_xlsx(request: HttpRequest) -> HttpResponse:
    _require_lists(request)
    return absent_export.template_response("xlsx")


@router.get("/template.csv", summary="The CSV template", response={200: None, 403: ErrorOut})
def template_csv(request: HttpRequest) -> HttpResponse:
    _require_lists(request)
    return absent_export.template_response("csv")
