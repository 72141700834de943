"""API of the testing app, mounted by api/main.py at /api/v1/testing.

Samples and pools (SAMPLE_COLLECT; the persons must be in your area):
- ``POST /samples`` one person's tube (``client_uuid``: a resend answers 200 with the first);
  ``POST /samples/bulk`` many at once (each item answered on its own); ``GET /samples``,
  ``GET /samples/{id}`` (TEST_VIEW); ``POST /pools`` one tube for 2–10 persons, ``GET /pools/{id}``.
Laboratories: ``GET /labs`` (TEST_VIEW), ``POST /labs``, ``PATCH /labs/{id}`` (LAB_MANAGE),
``GET /labs/{id}`` with backlog and turnaround by day, ``POST /labs/{id}/receive`` (RESULT_ENTER).
Results (RESULT_ENTER, for a laboratory of your area): ``POST /results`` one result by barcode,
``POST /results/bulk`` many (a per-row report), ``POST /results/import`` a lab's Excel/CSV file,
``GET /imports/{id}``. Case proposals: ``GET /proposals`` (CASE_VIEW),
``POST /proposals/{id}/confirm`` and ``/reject`` (CASE_EDIT). Campaigns: ``GET/POST /campaigns``,
``GET/PATCH /campaigns/{id}`` (viewing TEST_VIEW, changes LAB_MANAGE).
A record outside your area answers 404; a role without the permission 403.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.people.queries import active_people
from phongdich.policy.models import TestKind
from phongdich.testing import actions, imports, queries, results, rules
from phongdich.testing.models import (
    Campaign,
    CampaignKind,
    CampaignPlace,
    CaseProposal,
    Laboratory,
    Outcome,
    PlaceKind,
    Pool,
    ResultImport,
    ResultSource,
    Sample,
    SampleType,
)

router = Router(tags=["testing"])
MAX_BULK = 5000
MAX_UPLOAD = 20 * 1024 * 1024


def invalid(field: str, message: str, where: str = "body") -> NinjaValidationError:
    return NinjaValidationError([{"loc": (where, "payload", field), "type": "value_error", "ctx": {"error": message}}])


def raise_error(exc: actions.TestingError) -> None:
    if exc.status == 422:
        raise invalid(exc.field or "", exc.message) from exc
    raise HttpError(exc.status, exc.message) from exc


# Schemas -------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class SampleIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="Made by the client; a resend returns the first sample.")
    person_id: uuid.UUID
    barcode: str = Field(..., max_length=32)
    test_kind: TestKind = TestKind.RT_PCR
    sample_type: SampleType = SampleType.NASOPHARYNGEAL
    place_kind: PlaceKind
    place_name: str = Field("", max_length=200)
    campaign_id: uuid.UUID | None = None
    lab_id: uuid.UUID | None = None
    taken_at: datetime.datetime | None = Field(None, description="Now when omitted.")


class PoolIn(Schema):
    client_uuid: uuid.UUID | None = None
    person_ids: list[uuid.UUID] = Field(..., min_length=1, max_length=20)
    barcode: str = Field(..., max_length=32)
    test_kind: TestKind = TestKind.RT_PCR
    sample_type: SampleType = SampleType.NASOPHARYNGEAL
    place_kind: PlaceKind
    place_name: str = Field("", max_length=200)
    campaign_id: uuid.UUID | None = None
    lab_id: uuid.UUID | None = None
    taken_at: datetime.datetime | None = None


class SampleOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    barcode: str | None
    pool_id: uuid.UUID | None
    queued_from_id: uuid.UUID | None
    test_kind: str
    sample_type: str
    place_kind: str
    place_name: str
    campaign_id: uuid.UUID | None
    lab_id: uuid.UUID | None
    taken_at: datetime.datetime | None
    received_at: datetime.datetime | None
    status: str
    outcome: str
    ct: Decimal | None
    resulted_at: datetime.datetime | None
    commune_id: int | None


class PoolOut(Schema):
    id: uuid.UUID
    barcode: str | None
    size: int
    test_kind: str
    place_kind: str
    place_name: str
    campaign_id: uuid.UUID | None
    lab_id: uuid.UUID | None
    taken_at: datetime.datetime | None
    status: str
    outcome: str
    ct: Decimal | None
    resulted_at: datetime.datetime | None
    member_ids: list[uuid.UUID] = Field(default_factory=list, description="The members' samples.")


class SampleList(Schema):
    count: int
    items: list[SampleOut]


class BulkItemOut(Schema):
    index: int
    status: int
    sample: SampleOut | None = None
    detail: str | None = None
    field: str | None = None


class LabIn(Schema):
    client_uuid: uuid.UUID | None = None
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    unit_id: int | None = Field(None, description="Where the lab is (a unit of your area); yours when omitted.")
    daily_capacity: int = Field(0, ge=0, le=1_000_000)
    rt_pcr: bool = True


class LabPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    daily_capacity: int | None = Field(None, ge=0, le=1_000_000)
    rt_pcr: bool | None = None
    active: bool | None = None


class LabDayOut(Schema):
    day: datetime.date
    received: int
    resulted: int
    tat_hours_median: float | None
    tat_hours_p90: float | None


class LabOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    daily_capacity: int
    rt_pcr: bool
    active: bool
    province_id: int | None
    district_id: int | None
    commune_id: int | None
    backlog: int | None = None
    days: list[LabDayOut] | None = None


class ReceiveIn(Schema):
    barcodes: list[str] = Field(..., min_length=1, max_length=MAX_BULK)


class ReceiveOut(Schema):
    received: int
    not_found: list[str]


class ResultIn(Schema):
    lab_id: uuid.UUID
    barcode: str = Field(..., max_length=40)
    outcome: Outcome
    ct: Decimal | None = Field(None, description="RT-PCR only; 1–45.")
    resulted_at: datetime.datetime | None = Field(None, description="Now when omitted.")


class ResultOut(Schema):
    status: str = Field(..., description="written | unchanged")
    kind: str = Field(..., description="sample | pool")
    tube_id: uuid.UUID
    proposal_id: uuid.UUID | None
    queued: int


class BulkResultRow(Schema):
    barcode: str = Field(..., max_length=40)
    outcome: str = Field(..., max_length=40)
    ct: Decimal | None = None
    resulted_at: datetime.datetime | None = None


class BulkResultsIn(Schema):
    lab_id: uuid.UUID
    rows: list[BulkResultRow] = Field(..., min_length=1, max_length=100_000)


class RowProblemOut(Schema):
    row: int
    column: str
    field: str
    code: str
    message: str


class BulkResultsOut(Schema):
    written: int
    unchanged: int
    rejected: int
    positives: int
    proposals: int
    queued: int
    errors: list[RowProblemOut]


class TestingImportOut(BulkResultsOut):
    id: uuid.UUID
    lab_id: uuid.UUID
    filename: str
    rows_total: int
    uploaded_at: datetime.datetime


class ProposalOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    sample_id: uuid.UUID
    status: str
    test_kind: str
    sample_date: datetime.date
    detected_by: str
    confirmation_advised: bool
    rule_set_code: str | None
    case_id: uuid.UUID | None
    reject_reason: str
    commune_id: int | None
    created_at: datetime.datetime


class TestingConfirmIn(Schema):
    confirmed_on: datetime.date | None = Field(None, description="The result's day when omitted.")


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=255)


class CampaignIn(Schema):
    client_uuid: uuid.UUID | None = None
    name: str = Field(..., min_length=1, max_length=200)
    unit_id: int = Field(..., description="A commune or village of your area.")
    kind: CampaignKind = CampaignKind.MASS
    place_kind: CampaignPlace = CampaignPlace.AREA
    place_name: str = Field("", max_length=200)
    test_kind: TestKind = TestKind.RT_PCR
    target_population: int | None = Field(None, ge=0, description="The unit's population when omitted.")
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    sites: list[str] = Field(default_factory=list, max_length=50)


class CampaignPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    target_population: int | None = Field(None, ge=0)
    ends_on: datetime.date | None = None
    status: Campaign.Status | None = None
    sites: list[str] | None = None


class CampaignOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    place_kind: str
    place_name: str
    test_kind: str
    target_population: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    status: str
    sites: list[str]
    commune_id: int | None
    village_id: int | None
    sampled: int | None = None
    coverage_percent: float | None = None
    positives: int | None = None
    pending: int | None = None


# Output --------------------------------------------------------------------------------


def sample_out(s: Sample) -> SampleOut:
    return SampleOut(
        id=s.pk,
        person_id=s.person_id,
        barcode=s.barcode,
        pool_id=s.pool_id,
        queued_from_id=s.queued_from_id,
        test_kind=s.test_kind,
        sample_type=s.sample_type,
        place_kind=s.place_kind,
        place_name=s.place_name,
        campaign_id=s.campaign_id,
        lab_id=s.lab_id,
        taken_at=s.taken_at,
        received_at=s.received_at,
        status=s.status,
        outcome=s.outcome,
        ct=s.ct,
        resulted_at=s.resulted_at,
        commune_id=s.commune_id,
    )


def pool_out(p: Pool) -> PoolOut:
    return PoolOut(
        id=p.pk,
        barcode=p.barcode,
        size=p.size,
        test_kind=p.test_kind,
        place_kind=p.place_kind,
        place_name=p.place_name,
        campaign_id=p.campaign_id,
        lab_id=p.lab_id,
        taken_at=p.taken_at,
        status=p.status,
        outcome=p.outcome,
        ct=p.ct,
        resulted_at=p.resulted_at,
        member_ids=list(Sample.objects.filter(pool=p).order_by("pk").values_list("pk", flat=True)),
    )


def lab_out(lab: Laboratory, detail: bool = False) -> LabOut:
    out = LabOut(
        id=lab.pk,
        code=lab.code,
        name=lab.name,
        daily_capacity=lab.daily_capacity,
        rt_pcr=lab.rt_pcr,
        active=lab.active,
        province_id=lab.province_id,
        district_id=lab.district_id,
        commune_id=lab.commune_id,
    )
    if detail:
        figures = queries.lab_figures(lab)
        out.backlog = figures.backlog
        out.days = [LabDayOut(**d.__dict__) for d in figures.days]
    return out


def proposal_out(p: CaseProposal) -> ProposalOut:
    return ProposalOut(
        id=p.pk,
        person_id=p.person_id,
        sample_id=p.sample_id,
        status=p.status,
        test_kind=p.test_kind,
        sample_date=p.sample_date,
        detected_by=p.detected_by,
        confirmation_advised=p.confirmation_advised,
        rule_set_code=p.rule_set.code if p.rule_set else None,
        case_id=p.case_id,
        reject_reason=p.reject_reason,
        commune_id=p.commune_id,
        created_at=p.created_at,
    )


def campaign_out(c: Campaign, detail: bool = False) -> CampaignOut:
    out = CampaignOut(
        id=c.pk,
        name=c.name,
        kind=c.kind,
        place_kind=c.place_kind,
        place_name=c.place_name,
        test_kind=c.test_kind,
        target_population=c.target_population,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        status=c.status,
        sites=list(c.sites or []),
        commune_id=c.commune_id,
        village_id=c.village_id,
    )
    if detail:
        progress = queries.campaign_progress(c)
        out.sampled = progress.sampled
        out.coverage_percent = progress.coverage
        out.positives = progress.positives
        out.pending = progress.pending
    return out


def problems_out(problems: list[results.Problem]) -> list[RowProblemOut]:
    return [
        RowProblemOut(
            row=p.row,
            column=str(imports.FIELD_LABELS.get(p.field, p.field)),
            field=p.field,
            code=p.code,
            message=rules.row_message(p.code, p.params),
        )
        for p in problems
    ]


# Lookups -------------------------------------------------------------------------------


def _lab(request: HttpRequest, lab_id: uuid.UUID | None, perm: Perm, field: str = "lab_id") -> Laboratory | None:
    if lab_id is None:
        return None
    user = current_user(request)
    access.require(user, perm)
    # The province's laboratories serve its districts and communes: labs_in_scope is the whole
    # province, not the user's unit (scoping it again would hide the provincial lab from a district).
    lab = queries.labs_in_scope(user).filter(pk=lab_id).first()
    if lab is None:
        raise Http404(_("Not found."))
    return lab


def _campaign(request: HttpRequest, campaign_id: uuid.UUID | None, perm: Perm) -> Campaign | None:
    if campaign_id is None:
        return None
    user = current_user(request)
    return access.get_for_user(user, queries.campaigns_in_scope(user), perm, pk=campaign_id)


def _first_by_client_uuid[M: Sample | Pool](qs: QuerySet[M], model: type[M], key: uuid.UUID | None) -> M | None:
    if key is None:
        return None
    first = qs.filter(client_uuid=key).first()
    if first is None and model.objects.filter(client_uuid=key).exists():
        raise HttpError(409, _("This client_uuid was already used for a record outside your area."))
    return first


def _take(request: HttpRequest, payload: SampleIn) -> tuple[int, Sample]:
    user = current_user(request)
    access.require(user, Perm.SAMPLE_COLLECT)
    first = _first_by_client_uuid(queries.samples_in_scope(user), Sample, payload.client_uuid)
    if first is not None:
        return 200, first
    person = access.get_for_user(user, active_people(user), Perm.SAMPLE_COLLECT, pk=payload.person_id)
    taking = actions.Taking(
        barcode=payload.barcode,
        place_kind=payload.place_kind,
        place_name=payload.place_name,
        test_kind=payload.test_kind,
        sample_type=payload.sample_type,
        taken_at=payload.taken_at,
        campaign=_campaign(request, payload.campaign_id, Perm.SAMPLE_COLLECT),
        lab=_lab(request, payload.lab_id, Perm.SAMPLE_COLLECT),
    )
    sample, created = actions.take_sample(user, person, taking, payload.client_uuid)
    return (201 if created else 200), sample


# Samples and pools ---------------------------------------------------------------------


@router.post("/samples", response={200: SampleOut, 201: SampleOut, 409: ErrorOut}, summary="Take a sample")
def create_sample(request: HttpRequest, payload: SampleIn) -> tuple[int, Any]:
    try:
        status, sample = _take(request, payload)
    except actions.TestingError as exc:
        raise_error(exc)
        raise
    return status, sample_out(sample)


@router.post("/samples/bulk", response=list[BulkItemOut], summary="Take many samples (each item answered on its own)")
def create_samples_bulk(request: HttpRequest, payload: list[SampleIn]) -> Any:
    access.require(current_user(request), Perm.SAMPLE_COLLECT)
    if len(payload) > MAX_BULK:
        raise invalid("", _("At most %(n)s items per request.") % {"n": MAX_BULK})
    out: list[BulkItemOut] = []
    for i, item in enumerate(payload):
        try:
            status, sample = _take(request, item)
            out.append(BulkItemOut(index=i, status=status, sample=sample_out(sample)))
        except actions.TestingError as exc:
            out.append(BulkItemOut(index=i, status=exc.status, detail=exc.message, field=exc.field))
        except Http404:
            out.append(BulkItemOut(index=i, status=404, detail=_("Not found.")))
        except HttpError as exc:
            out.append(BulkItemOut(index=i, status=exc.status_code, detail=str(exc)))
    return out


@router.get("/samples", response=SampleList, summary="Samples of your area, newest first")
def list_samples(
    request: HttpRequest,
    person_id: uuid.UUID | None = None,
    status: str | None = Query(None, max_length=16),
    outcome: Outcome | None = None,
    barcode: str | None = Query(None, max_length=40),
    campaign_id: uuid.UUID | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.TEST_VIEW)
    qs = queries.samples_in_scope(user)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if barcode:
        qs = qs.filter(barcode=rules.clean_barcode(barcode))
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    qs = qs.order_by("-created_at", "pk")
    return SampleList(count=qs.count(), items=[sample_out(s) for s in qs[offset : offset + limit]])


@router.get("/samples/{sample_id}", response=SampleOut, summary="A sample (access is logged)")
def get_sample(request: HttpRequest, sample_id: uuid.UUID) -> Any:
    user = current_user(request)
    sample = access.get_for_user(user, queries.samples_in_scope(user), Perm.TEST_VIEW, pk=sample_id)
    record_access(user, sample, "api")
    return sample_out(sample)


@router.post("/pools", response={200: PoolOut, 201: PoolOut, 409: ErrorOut}, summary="Pool 2–10 persons in one tube")
def create_pool(request: HttpRequest, payload: PoolIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.SAMPLE_COLLECT)
    first = _first_by_client_uuid(queries.pools_in_scope(user), Pool, payload.client_uuid)
    if first is not None:
        return 200, pool_out(first)
    people = active_people(user)
    persons = [access.get_for_user(user, people, Perm.SAMPLE_COLLECT, pk=pid) for pid in payload.person_ids]
    campaign = _campaign(request, payload.campaign_id, Perm.SAMPLE_COLLECT)
    unit = user.unit
    if campaign is not None:
        unit = campaign.village or campaign.commune
    taking = actions.Taking(
        barcode=payload.barcode,
        place_kind=payload.place_kind,
        place_name=payload.place_name,
        test_kind=payload.test_kind,
        sample_type=payload.sample_type,
        taken_at=payload.taken_at,
        campaign=campaign,
        lab=_lab(request, payload.lab_id, Perm.SAMPLE_COLLECT),
    )
    try:
        pool, created = actions.take_pool(user, persons, taking, unit, payload.client_uuid)
    except actions.TestingError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), pool_out(pool)


@router.get("/pools/{pool_id}", response=PoolOut, summary="A pooled sample and its members")
def get_pool(request: HttpRequest, pool_id: uuid.UUID) -> Any:
    user = current_user(request)
    return pool_out(access.get_for_user(user, queries.pools_in_scope(user), Perm.TEST_VIEW, pk=pool_id))


# Laboratories --------------------------------------------------------------------------


@router.get("/labs", response=list[LabOut], summary="Laboratories of your province")
def list_labs(request: HttpRequest) -> Any:
    user = current_user(request)
    access.require(user, Perm.TEST_VIEW)
    return [lab_out(lab) for lab in queries.labs_in_scope(user)]


@router.post("/labs", response={200: LabOut, 201: LabOut, 409: ErrorOut}, summary="Add a laboratory")
def create_lab(request: HttpRequest, payload: LabIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.LAB_MANAGE)
    if payload.client_uuid is not None:
        first = queries.labs_in_scope(user).filter(client_uuid=payload.client_uuid).first()
        if first is not None:
            return 200, lab_out(first)
    unit = user.unit
    if payload.unit_id is not None:
        unit = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, pk=payload.unit_id).first()
        if unit is None:
            raise invalid("unit_id", _("Unknown administrative unit."))
        if not access.unit_in_scope(user, unit):
            raise PermissionDenied(_("This unit is outside your area."))
    if unit is None:
        raise invalid("unit_id", _("Give the laboratory's place: unit_id."))
    try:
        lab, created = actions.create_lab(
            user,
            code=payload.code,
            name=payload.name,
            unit=unit,
            daily_capacity=payload.daily_capacity,
            rt_pcr=payload.rt_pcr,
            client_uuid=payload.client_uuid,
        )
    except actions.TestingError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), lab_out(lab, detail=True)


@router.get("/labs/{lab_id}", response=LabOut, summary="A laboratory with its backlog and turnaround by day")
def get_lab(request: HttpRequest, lab_id: uuid.UUID) -> Any:
    lab = _lab(request, lab_id, Perm.TEST_VIEW)
    assert lab is not None
    return lab_out(lab, detail=True)


@router.patch("/labs/{lab_id}", response=LabOut, summary="Change a laboratory (capacity, active)")
def update_lab(request: HttpRequest, lab_id: uuid.UUID, payload: LabPatch) -> Any:
    lab = _lab(request, lab_id, Perm.LAB_MANAGE)
    assert lab is not None
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    try:
        actions.update_lab(current_user(request), lab, changes)
    except actions.TestingError as exc:
        raise_error(exc)
    return lab_out(lab, detail=True)


@router.post("/labs/{lab_id}/receive", response=ReceiveOut, summary="Tubes received by the laboratory")
def receive(request: HttpRequest, lab_id: uuid.UUID, payload: ReceiveIn) -> Any:
    lab = _lab(request, lab_id, Perm.RESULT_ENTER)
    assert lab is not None
    done, missing = actions.receive_tubes(current_user(request), lab, payload.barcodes)
    return ReceiveOut(received=done, not_found=missing)


# Results -------------------------------------------------------------------------------


@router.post("/results", response={200: ResultOut, 409: ErrorOut}, summary="Enter one result by tube barcode")
def enter_result(request: HttpRequest, payload: ResultIn) -> Any:
    user = current_user(request)
    access.require(user, Perm.RESULT_ENTER)
    lab = _lab(request, payload.lab_id, Perm.RESULT_ENTER)
    assert lab is not None
    try:
        entered = results.enter_result(
            user, lab, payload.barcode, payload.outcome, payload.ct, payload.resulted_at, ResultSource.API
        )
    except actions.TestingError as exc:
        raise_error(exc)
        raise
    return ResultOut(
        status=entered.status,
        kind=entered.kind,
        tube_id=entered.tube_id,
        proposal_id=entered.proposal.pk if entered.proposal else None,
        queued=entered.queued,
    )


@router.post("/results/bulk", response=BulkResultsOut, summary="Submit many results; a per-row report")
def submit_results(request: HttpRequest, payload: BulkResultsIn) -> Any:
    user = current_user(request)
    access.require(user, Perm.RESULT_ENTER)
    lab = _lab(request, payload.lab_id, Perm.RESULT_ENTER)
    assert lab is not None
    rows = [
        results.ResultRow(rules.clean_barcode(r.barcode), rules.parse_outcome(r.outcome) or "?", r.ct, r.resulted_at, i)
        for i, r in enumerate(payload.rows, start=1)
    ]
    applied = results.apply_rows(user, lab, rows, ResultSource.API)
    return BulkResultsOut(
        written=applied.written,
        unchanged=applied.unchanged,
        rejected=len(applied.problems),
        positives=applied.positives,
        proposals=applied.proposals,
        queued=applied.queued,
        errors=problems_out(applied.problems),
    )


def import_out(record: ResultImport) -> TestingImportOut:
    return TestingImportOut(
        id=record.pk,
        lab_id=record.lab_id,
        filename=record.filename,
        rows_total=record.rows_total,
        uploaded_at=record.uploaded_at,
        written=record.rows_written,
        unchanged=record.rows_unchanged,
        rejected=record.rows_rejected,
        positives=record.positives,
        proposals=record.proposals,
        queued=record.queued,
        errors=[RowProblemOut(**r) for r in imports.report_rows(record)],
    )


@router.post(
    "/results/import", response={201: TestingImportOut, 422: ErrorOut}, summary="Import a lab's Excel/CSV file"
)
def import_file(request: HttpRequest, lab_id: Form[uuid.UUID], file: File[UploadedFile]) -> Any:
    user = current_user(request)
    access.require(user, Perm.RESULT_ENTER)
    lab = _lab(request, lab_id, Perm.RESULT_ENTER)
    assert lab is not None
    if file.size is not None and file.size > MAX_UPLOAD:
        raise HttpError(422, _("The file is too large (at most 20 MB)."))
    try:
        record = imports.import_results(user, lab, file.name or "upload", file.read())
    except imports.FileProblem as exc:
        raise HttpError(422, exc.message) from exc
    return 201, import_out(record)


@router.get("/imports/{import_id}", response=TestingImportOut, summary="A results import and its report")
def get_import(request: HttpRequest, import_id: uuid.UUID) -> Any:
    user = current_user(request)
    access.require(user, Perm.RESULT_ENTER)
    record = ResultImport.objects.filter(lab__in=queries.labs_in_scope(user), pk=import_id).first()
    if record is None:
        raise Http404(_("Not found."))
    return import_out(record)


# Case proposals ------------------------------------------------------------------------


@router.get("/proposals", response=list[ProposalOut], summary="Case proposals of your area")
def list_proposals(
    request: HttpRequest,
    status: CaseProposal.Status | None = CaseProposal.Status.PENDING,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    qs = queries.proposals_in_scope(user).select_related("rule_set")
    if status:
        qs = qs.filter(status=status)
    return [proposal_out(p) for p in qs.order_by("-created_at", "pk")[offset : offset + limit]]


def _proposal(request: HttpRequest, proposal_id: uuid.UUID) -> CaseProposal:
    user = current_user(request)
    return access.get_for_user(user, queries.proposals_in_scope(user), Perm.CASE_EDIT, pk=proposal_id)


@router.post("/proposals/{proposal_id}/confirm", response={200: ProposalOut, 409: ErrorOut}, summary="Confirm a case")
def confirm(request: HttpRequest, proposal_id: uuid.UUID, payload: TestingConfirmIn) -> Any:
    proposal = _proposal(request, proposal_id)
    try:
        done = actions.confirm_proposal(current_user(request), proposal, payload.confirmed_on)
    except actions.TestingError as exc:
        raise_error(exc)
        raise
    return proposal_out(done)


@router.post("/proposals/{proposal_id}/reject", response={200: ProposalOut, 409: ErrorOut}, summary="Reject")
def reject(request: HttpRequest, proposal_id: uuid.UUID, payload: RejectIn) -> Any:
    proposal = _proposal(request, proposal_id)
    try:
        done = actions.reject_proposal(current_user(request), proposal, payload.reason)
    except actions.TestingError as exc:
        raise_error(exc)
        raise
    return proposal_out(done)


# Campaigns -----------------------------------------------------------------------------


@router.get("/campaigns", response=list[CampaignOut], summary="Testing campaigns of your area")
def list_campaigns(request: HttpRequest) -> Any:
    user = current_user(request)
    access.require(user, Perm.TEST_VIEW)
    return [campaign_out(c) for c in queries.campaigns_in_scope(user)]


@router.post("/campaigns", response={200: CampaignOut, 201: CampaignOut, 409: ErrorOut}, summary="Plan a campaign")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.LAB_MANAGE)
    if payload.client_uuid is not None:
        first = queries.campaigns_in_scope(user).filter(client_uuid=payload.client_uuid).first()
        if first is not None:
            return 200, campaign_out(first, detail=True)
        if Campaign.objects.filter(client_uuid=payload.client_uuid).exists():
            raise HttpError(409, _("This client_uuid was already used for a record outside your area."))
    unit = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, pk=payload.unit_id).first()
    if unit is None:
        raise invalid("unit_id", _("Unknown administrative unit."))
    if not access.unit_in_scope(user, unit):
        raise PermissionDenied(_("This unit is outside your area."))
    try:
        campaign, created = actions.create_campaign(
            user,
            name=payload.name,
            unit=unit,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            kind=payload.kind,
            place_kind=payload.place_kind,
            place_name=payload.place_name,
            test_kind=payload.test_kind,
            target_population=payload.target_population,
            sites=payload.sites,
            client_uuid=payload.client_uuid,
        )
    except actions.TestingError as exc:
        if exc.field == "unit":
            exc.field = "unit_id"
        raise_error(exc)
        raise
    return (201 if created else 200), campaign_out(campaign, detail=True)


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="A campaign with its progress and coverage")
def get_campaign(request: HttpRequest, campaign_id: uuid.UUID) -> Any:
    campaign = _campaign(request, campaign_id, Perm.TEST_VIEW)
    assert campaign is not None
    return campaign_out(campaign, detail=True)


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, summary="Change a campaign")
def update_campaign(request: HttpRequest, campaign_id: uuid.UUID, payload: CampaignPatch) -> Any:
    campaign = _campaign(request, campaign_id, Perm.LAB_MANAGE)
    assert campaign is not None
    sent = payload.model_dump(exclude_unset=True)
    try:
        actions.update_campaign(current_user(request), campaign, sent)
    except actions.TestingError as exc:
        raise_error(exc)
    return campaign_out(campaign, detail=True)
