"""API of inter-province notices (mounted at /api/v1/notices). Needs ``notice_manage``.

The notice JSON (``payload``) has this schema, version 1::

    {
      "schema": "phongdich.notice", "version": 1,
      "number": "12/TB-CDC", "issued_on": "2021-05-10",
      "from": {"province_code": "11", "province_name": "Tỉnh Điện Biên"},
      "to":   {"province_code": "12", "province_name": "Tỉnh Lai Châu"},
      "case": {"code": "ĐB-0001", "national_code": "BN3001" | null,
               "confirmed_on": "2021-05-08", "onset_date": "2021-05-06" | null},
      "people": [{"full_name": "…", "birth_date": "1990-02-01" | null, "birth_year": 1990 | null,
                  "sex": "M" | "F" | "U", "id_number": "…" | null, "phone": "+84…",
                  "address": "…", "province_code": "12", "commune_code": "03386" (optional),
                  "level": "F1" | "F2", "first_contact_on": "…" | null,
                  "last_contact_on": "2021-05-07", "setting": "household" | … (optional)}]
    }

Dates are ISO (dd/mm/yyyy is accepted on import). ``POST /notices/import`` takes this JSON
(a notice received from another province): the good rows are imported, the bad ones reported
(row, column, message in the request's language) with nothing written for them; sending the
same notice (from province + number) again adds nothing.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from phongdich.cases.models import Case
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Person
from phongdich.tracing import notice_files, notices
from phongdich.tracing.models import Notice

router = Router(tags=["inter-province notices"])


class ErrorOut(Schema):
    detail: str


class NoticeRowErrorOut(Schema):
    row: int | None
    column: str
    field: str
    code: str
    message: str


class NoticeOut(Schema):
    id: uuid.UUID
    number: str
    direction: str
    status: str
    from_province_code: str
    to_province_code: str
    case_id: uuid.UUID | None
    created_at: datetime.datetime
    sent_at: datetime.datetime | None
    people_count: int
    payload: dict[str, Any] = Field(description="The notice JSON (schema phongdich.notice, version 1).")
    errors: list[NoticeRowErrorOut] = Field(description="Rows of the last import that were not imported.")


class BuildIn(Schema):
    case_id: uuid.UUID
    to_province_code: str = Field(min_length=1, max_length=4, description="E.g. '12' (Lai Châu).")
    person_ids: list[uuid.UUID] | None = Field(
        None, description="The contacts to list; all the case's contacts living in that province when omitted."
    )
    client_uuid: uuid.UUID | None = None


class NoticeCandidateOut(Schema):
    person_id: uuid.UUID
    full_name: str
    level: int
    last_contact_on: datetime.date | None
    address: str


class ProvinceGroupOut(Schema):
    province_code: str
    province_name: str
    people: list[NoticeCandidateOut]


class ImportIn(Schema):
    schema_: str | None = Field(None, alias="schema")
    version: int = 1
    number: str
    issued_on: str | None = None
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any] | None = None
    case: dict[str, Any]
    people: list[dict[str, Any]]


class ImportOut(Schema):
    notice: NoticeOut
    already_imported: bool
    rows: int
    created: int
    matched: int
    contacts_added: int
    errors: list[NoticeRowErrorOut]


class NoticeListFilters(Schema):
    direction: str | None = Field(None, description="outgoing or incoming")


def _out(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "number": notice.number,
        "direction": notice.direction,
        "status": notice.status,
        "from_province_code": notice.from_province.code,
        "to_province_code": notice.to_province.code,
        "case_id": notice.case_id,
        "created_at": notice.created_at,
        "sent_at": notice.sent_at,
        "people_count": notice.people.count(),
        "payload": {k: v for k, v in (notice.payload or {}).items() if k != "import"},
        "errors": notices.report_errors(notice),
    }


def _raise(exc: notices.NoticeError) -> None:
    raise HttpError(exc.status, exc.message) from exc


@router.get("", response=list[NoticeOut], summary="Notices sent and received")
def notice_list(request: HttpRequest, filters: Query[NoticeListFilters]) -> list[dict[str, Any]]:
    user = current_user(request)
    access.require(user, Perm.NOTICE_MANAGE)
    qs = notices.notices_in_scope(user)
    if filters.direction in Notice.Direction.values:
        qs = qs.filter(direction=filters.direction)
    return [_out(n) for n in qs[:500]]


@router.get(
    "/candidates/{case_id}",
    response=list[ProvinceGroupOut],
    summary="A case's contacts living in another province, by province",
)
def candidates(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    user = current_user(request)
    case = access.get_for_user(user, Case.objects.all(), Perm.NOTICE_MANAGE, pk=case_id)
    return [
        {
            "province_code": province.code,
            "province_name": province.name,
            "people": [
                {
                    "person_id": e.person.pk,
                    "full_name": e.person.full_name,
                    "level": e.level,
                    "last_contact_on": e.last_date,
                    "address": e.address,
                }
                for e in entries
            ],
        }
        for province, entries in notices.other_province_contacts(case).items()
    ]


@router.post(
    "",
    response={200: NoticeOut, 201: NoticeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Make a notice to another province from a case (a retry with the same client_uuid returns it)",
)
def build(request: HttpRequest, body: BuildIn) -> tuple[int, dict[str, Any]]:
    user = current_user(request)
    case = access.get_for_user(user, Case.objects.select_related("person"), Perm.NOTICE_MANAGE, pk=body.case_id)
    ours = notices.our_province()
    province = AdminUnit.objects.filter(
        version=ours.version, level=Level.PROVINCE, code=body.to_province_code.strip().zfill(2)
    ).first()
    if province is None:
        raise HttpError(422, _("No province has this code."))
    people = None
    if body.person_ids is not None:
        people = list(Person.objects.filter(pk__in=body.person_ids))
        if len(people) != len(set(body.person_ids)):
            raise HttpError(422, _("Some of the people are not known."))
    existed = body.client_uuid is not None and Notice.objects.filter(client_uuid=body.client_uuid).exists()
    try:
        notice = notices.build_notice(user, case, province, people, client_uuid=body.client_uuid)
    except notices.NoticeError as exc:
        _raise(exc)
        raise
    return (200 if existed else 201), _out(notice)


@router.post(
    "/import",
    response={200: ImportOut, 201: ImportOut, 403: ErrorOut, 422: ErrorOut},
    summary="Import a notice received from another province (JSON, schema version 1)",
)
def import_(request: HttpRequest, body: ImportIn) -> tuple[int, dict[str, Any]]:
    user = current_user(request)
    payload = body.dict(by_alias=True)
    payload.pop("schema", None)
    try:
        outcome = notices.import_notice(user, payload, filename="api")
    except notices.NoticeError as exc:
        _raise(exc)
        raise
    return (200 if outcome.repeated else 201), {
        "notice": _out(outcome.notice),
        "already_imported": outcome.repeated and not (outcome.created or outcome.contacts_added),
        "rows": outcome.rows,
        "created": outcome.created,
        "matched": outcome.matched,
        "contacts_added": outcome.contacts_added,
        "errors": notices.report_errors(outcome.notice),
    }


@router.get("/{notice_id}", response=NoticeOut, summary="One notice with its JSON")
def detail(request: HttpRequest, notice_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    notice = notices.get_notice(user, notice_id)
    record_access(user, notice, "api")
    return _out(notice)


@router.post("/{notice_id}/sent", response={200: NoticeOut, 409: ErrorOut}, summary="Mark a notice as sent")
def sent(request: HttpRequest, notice_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    notice = notices.get_notice(user, notice_id)
    try:
        notices.mark_sent(user, notice)
    except notices.NoticeError as exc:
        _raise(exc)
    return _out(notice)


@router.get("/{notice_id}/export.{fmt}", summary="The notice as Excel (xlsx) or PDF (official style)")
def export(request: HttpRequest, notice_id: uuid.UUID, fmt: str) -> HttpResponse:
    user = current_user(request)
    notice = notices.get_notice(user, notice_id)
    record_access(user, notice, "api", detail=fmt)
    if fmt == "xlsx":
        content = notice_files.notice_xlsx(notice)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        content = notice_files.notice_pdf(notice)
        kind = "application/pdf"
    else:
        raise HttpError(404, _("Not found."))
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="thong-bao-{notice.number.replace("/", "-")}.{fmt}"'
    return response
