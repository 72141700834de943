"""API of cases (F0) and clusters: ``router`` at /api/v1/cases, ``clusters_router`` at /api/v1/clusters.

Cases
- ``POST /cases``: confirm a person as an F0 (the same action as the web page and, later, the
  laboratory results). Send a ``client_uuid``: sending it again answers 200 with the first
  case instead of 201. A person who already has an active case answers 409. Creating the case
  derives the F levels of its contacts and opens the investigation with its task list.
- ``GET /cases``: filters ``status`` (confirmed, ruled_out, active = under treatment, recovered,
  died), ``detected_by``, ``unit_id`` (any unit in your area), ``cluster_id``, ``person_id``,
  ``date_from``/``date_to`` (confirmation date), ``q`` (case code or BN number); ``limit``/``offset``.
- ``GET /cases/{id}`` (access-logged), ``PATCH /cases/{id}``, ``POST /cases/{id}/rule-out``,
  ``POST /cases/{id}/outcome``.

Clusters: ``GET/POST /clusters``, ``GET/PATCH/DELETE /clusters/{id}`` (a cluster with cases
cannot be deleted: 409).

Rights: reading needs CASE_VIEW, changes CASE_EDIT; a record outside your area answers 404.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import field_validator

from phongdich.cases import actions, queries
from phongdich.cases.models import Case, ClinicalStatus, Cluster, DetectedBy, Outcome
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.people.queries import active_people
from phongdich.tracing.models import Investigation

router = Router(tags=["cases"])
clusters_router = Router(tags=["clusters"])


# Helpers -------------------------------------------------------------------------------


def invalid(field: str, message: str) -> NinjaValidationError:
    """A 422 naming the field, as the API's validation handler renders it."""
    return NinjaValidationError([{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}])


def raise_case_error(exc: actions.CaseError) -> None:
    if exc.status == 422:
        raise invalid(exc.field or "", exc.message) from exc
    raise HttpError(exc.status, exc.message) from exc


def resolve_unit(user: Any, field: str, unit_id: int | None, unit_code: str | None) -> AdminUnit | None:
    """A unit of any level given by id or official code; it must be in the caller's area (else 403)."""
    if unit_id is None and not unit_code:
        return None
    units = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY)
    unit = units.filter(pk=unit_id).first() if unit_id is not None else units.filter(code=unit_code).first()
    if unit is None:
        raise invalid(field, _("Unknown administrative unit."))
    if not access.unit_in_scope(user, unit):
        raise PermissionDenied(_("This unit is outside your area."))
    return unit


# Schemas -------------------------------------------------------------------------------


class CaseUnitRef(Schema):
    id: int
    code: str
    name: str
    level: str


class PersonRef(Schema):
    id: uuid.UUID
    full_name: str


class ClusterRef(Schema):
    id: uuid.UUID
    code: str
    name: str


class RuleSetRef(Schema):
    id: int
    code: str
    name: str


class LevelCounts(Schema):
    f1: int
    f2: int
    f3: int


class ErrorOut(Schema):
    detail: str


def _symptoms(v: list[str] | None) -> list[str] | None:
    if v is None:
        return None
    try:
        return actions.clean_symptoms(v)
    except actions.CaseError as exc:
        raise ValueError(exc.message) from exc


class CaseIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="Made by the client; a resend returns the first case.")
    person_id: uuid.UUID = Field(..., description="The person (see /api/v1/persons).")
    confirmed_on: datetime.date = Field(..., description="YYYY-MM-DD; not in the future.")
    onset_date: datetime.date | None = Field(None, description="Symptom onset, if any.")
    sample_date: datetime.date | None = Field(None, description="Sample taken; not after the confirmation.")
    detected_by: DetectedBy = DetectedBy.COMMUNITY
    source_known: bool = False
    source_note: str = Field("", max_length=255)
    symptoms: list[str] = Field(default_factory=list, description="Known keys (fever, cough…) or free text.")
    clinical_status: ClinicalStatus = ClinicalStatus.ASYMPTOMATIC
    national_code: str = Field("", max_length=32, description="National number (BN) when known.")
    cluster_id: uuid.UUID | None = None

    @field_validator("symptoms")
    @classmethod
    def _symptoms(cls, v: list[str]) -> list[str]:
        return _symptoms(v) or []


class CasePatch(Schema):
    confirmed_on: datetime.date | None = None
    onset_date: datetime.date | None = None
    sample_date: datetime.date | None = None
    detected_by: DetectedBy | None = None
    source_known: bool | None = None
    source_note: str | None = Field(None, max_length=255)
    symptoms: list[str] | None = None
    clinical_status: ClinicalStatus | None = None
    national_code: str | None = Field(None, max_length=32)
    cluster_id: uuid.UUID | None = Field(None, description="null to take the case out of its cluster.")

    @field_validator("symptoms")
    @classmethod
    def _symptoms(cls, v: list[str] | None) -> list[str] | None:
        return _symptoms(v)


class RuleOutIn(Schema):
    reason: str = Field(..., min_length=1, max_length=255)


class OutcomeIn(Schema):
    outcome: Outcome
    date: datetime.date | None = Field(None, description="Required for recovered and died; none otherwise.")


class CaseOut(Schema):
    id: uuid.UUID
    code: str
    national_code: str
    status: str
    person: PersonRef
    confirmed_on: datetime.date
    onset_date: datetime.date | None
    sample_date: datetime.date | None
    detected_by: str
    source_known: bool
    source_note: str
    symptoms: list[str]
    clinical_status: str
    outcome: str
    outcome_date: datetime.date | None
    ruled_out_on: datetime.date | None
    ruled_out_reason: str
    cluster: ClusterRef | None
    rule_set: RuleSetRef | None
    province: CaseUnitRef | None
    district: CaseUnitRef | None
    commune: CaseUnitRef | None
    village: CaseUnitRef | None
    investigation_id: uuid.UUID | None
    levels: LevelCounts | None = Field(None, description="F1–F3 derived from this case (detail only).")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CaseList(Schema):
    count: int
    items: list[CaseOut]


class ClusterIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="A resend returns the first cluster.")
    name: str = Field(..., min_length=1, max_length=200)
    unit_id: int | None = Field(None, description="The cluster's area (any unit in yours); yours when omitted.")
    unit_code: str | None = Field(None, max_length=16)
    place: str = Field("", max_length=255)
    first_date: datetime.date | None = None
    status: Cluster.Status = Cluster.Status.ACTIVE
    description: str = Field("", max_length=5000)


class ClusterPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    unit_id: int | None = None
    unit_code: str | None = Field(None, max_length=16)
    place: str | None = Field(None, max_length=255)
    first_date: datetime.date | None = None
    status: Cluster.Status | None = None
    description: str | None = Field(None, max_length=5000)


class ClusterCounts(Schema):
    total: int
    active: int
    recovered: int
    died: int
    ruled_out: int
    unknown_source: int
    f1: int
    f2: int
    f3: int


class ClusterOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    place: str
    first_date: datetime.date | None
    status: str
    description: str
    province: CaseUnitRef | None
    district: CaseUnitRef | None
    commune: CaseUnitRef | None
    village: CaseUnitRef | None
    counts: ClusterCounts | None = Field(None, description="Detail only.")
    created_at: datetime.datetime


# Output --------------------------------------------------------------------------------


def unit_ref(unit: AdminUnit | None) -> CaseUnitRef | None:
    if unit is None:
        return None
    return CaseUnitRef(id=unit.pk, code=unit.code, name=unit.name, level=unit.level)


def case_out(case: Case, *, detail: bool = False) -> CaseOut:
    inv_id = Investigation.objects.filter(case=case).values_list("pk", flat=True).first()
    levels = None
    if detail:
        c = queries.level_counts(case)
        levels = LevelCounts(f1=c[1], f2=c[2], f3=c[3])
    return CaseOut(
        id=case.pk,
        code=case.code,
        national_code=case.national_code,
        status=case.status,
        person=PersonRef(id=case.person.pk, full_name=case.person.full_name),
        confirmed_on=case.confirmed_on,
        onset_date=case.onset_date,
        sample_date=case.sample_date,
        detected_by=case.detected_by,
        source_known=case.source_known,
        source_note=case.source_note,
        symptoms=list(case.symptoms or []),
        clinical_status=case.clinical_status,
        outcome=case.outcome,
        outcome_date=case.outcome_date,
        ruled_out_on=case.ruled_out_on,
        ruled_out_reason=case.ruled_out_reason,
        cluster=ClusterRef(id=case.cluster.pk, code=case.cluster.code, name=case.cluster.name)
        if case.cluster
        else None,
        rule_set=RuleSetRef(id=case.rule_set.pk, code=case.rule_set.code, name=case.rule_set.name)
        if case.rule_set
        else None,
        province=unit_ref(case.province),
        district=unit_ref(case.district),
        commune=unit_ref(case.commune),
        village=unit_ref(case.village),
        investigation_id=inv_id,
        levels=levels,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def cluster_out(user: Any, cluster: Cluster, *, detail: bool = False) -> ClusterOut:
    return ClusterOut(
        id=cluster.pk,
        code=cluster.code,
        name=cluster.name,
        place=cluster.place,
        first_date=cluster.first_date,
        status=cluster.status,
        description=cluster.description,
        province=unit_ref(cluster.province),
        district=unit_ref(cluster.district),
        commune=unit_ref(cluster.commune),
        village=unit_ref(cluster.village),
        counts=ClusterCounts(**queries.cluster_counts(user, cluster)) if detail else None,
        created_at=cluster.created_at,
    )


# Lookups -------------------------------------------------------------------------------


def _cases(request: HttpRequest) -> QuerySet[Case]:
    return queries.cases_in_scope(current_user(request)).select_related(*queries.CASE_RELATED)


def _get_case(request: HttpRequest, case_id: uuid.UUID, perm: Perm) -> Case:
    return access.get_for_user(current_user(request), _cases(request), perm, pk=case_id)


def _get_cluster(request: HttpRequest, cluster_id: uuid.UUID, perm: Perm) -> Cluster:
    qs = queries.clusters_in_scope(current_user(request)).select_related("province", "district", "commune", "village")
    return access.get_for_user(current_user(request), qs, perm, pk=cluster_id)


def _cluster_for_case(request: HttpRequest, cluster_id: uuid.UUID | None) -> Cluster | None:
    if cluster_id is None:
        return None
    cluster = queries.clusters_in_scope(current_user(request)).filter(pk=cluster_id).first()
    if cluster is None:
        raise invalid("cluster_id", _("Unknown cluster."))
    return cluster


# Cases ---------------------------------------------------------------------------------


@router.post(
    "",
    response={200: CaseOut, 201: CaseOut, 409: ErrorOut},
    summary="Confirm a case (F0); idempotent with client_uuid",
)
def create_case(request: HttpRequest, payload: CaseIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.CASE_EDIT)
    if payload.client_uuid is not None:
        first = _cases(request).filter(client_uuid=payload.client_uuid).first()
        if first is not None:
            return 200, case_out(first, detail=True)
        if Case.objects.filter(client_uuid=payload.client_uuid).exists():
            raise HttpError(409, _("This client_uuid was already used for a record outside your area."))
    person = access.get_for_user(user, active_people(user), Perm.CASE_EDIT, pk=payload.person_id)
    cluster = _cluster_for_case(request, payload.cluster_id)
    try:
        case, created = actions.create_case(
            user,
            person,
            confirmed_on=payload.confirmed_on,
            onset_date=payload.onset_date,
            sample_date=payload.sample_date,
            detected_by=payload.detected_by,
            source_known=payload.source_known,
            source_note=payload.source_note,
            symptoms=payload.symptoms,
            clinical_status=payload.clinical_status,
            national_code=payload.national_code,
            cluster=cluster,
            client_uuid=payload.client_uuid,
        )
    except actions.CaseError as exc:
        raise_case_error(exc)
        raise
    case = _cases(request).get(pk=case.pk)
    return (201 if created else 200), case_out(case, detail=True)


@router.get("", response=CaseList, summary="Cases in your area, newest first, with filters")
def list_cases(
    request: HttpRequest,
    status: Literal["confirmed", "ruled_out", "active", "recovered", "died"] | None = None,
    detected_by: DetectedBy | None = None,
    unit_id: int | None = None,
    cluster_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str | None = Query(None, max_length=40),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    unit = None
    if unit_id is not None:
        unit = AdminUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise NinjaValidationError(
                [
                    {
                        "loc": ("query", "unit_id"),
                        "type": "value_error",
                        "ctx": {"error": _("Unknown administrative unit.")},
                    }
                ]
            )
    f = queries.CaseFilter(
        q=q or "",
        status=status or "",
        detected_by=detected_by or "",
        unit=unit,
        cluster_id=cluster_id,
        person_id=person_id,
        date_from=date_from,
        date_to=date_to,
    )
    qs = queries.filter_cases(user, f).select_related(*queries.CASE_RELATED)
    return CaseList(count=qs.count(), items=[case_out(c) for c in qs[offset : offset + limit]])


@router.get("/{case_id}", response=CaseOut, summary="A case, with its F1–F3 counts (access is logged)")
def get_case(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = _get_case(request, case_id, Perm.CASE_VIEW)
    record_access(current_user(request), case, "api")
    return case_out(case, detail=True)


@router.patch("/{case_id}", response={200: CaseOut, 409: ErrorOut}, summary="Update a case")
def update_case(request: HttpRequest, case_id: uuid.UUID, payload: CasePatch) -> Any:
    user = current_user(request)
    case = _get_case(request, case_id, Perm.CASE_EDIT)
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    for key, value in sent.items():
        if key == "cluster_id":
            changes["cluster"] = _cluster_for_case(request, value)
        elif value is None and key in ("confirmed_on", "detected_by", "clinical_status", "source_known"):
            raise invalid(key, _("This field cannot be empty."))
        elif value is None and key in ("source_note", "national_code"):
            changes[key] = ""
        elif value is None and key == "symptoms":
            changes[key] = []
        else:
            changes[key] = value
    try:
        actions.update_case(user, case, changes)
    except actions.CaseError as exc:
        raise_case_error(exc)
    return case_out(_cases(request).get(pk=case.pk), detail=True)


@router.post("/{case_id}/rule-out", response={200: CaseOut, 409: ErrorOut}, summary="Rule a case out")
def rule_out(request: HttpRequest, case_id: uuid.UUID, payload: RuleOutIn) -> Any:
    case = _get_case(request, case_id, Perm.CASE_EDIT)
    try:
        actions.rule_out_case(current_user(request), case, payload.reason)
    except actions.CaseError as exc:
        raise_case_error(exc)
    return case_out(_cases(request).get(pk=case.pk), detail=True)


@router.post("/{case_id}/outcome", response={200: CaseOut, 409: ErrorOut}, summary="Record recovery or death")
def outcome(request: HttpRequest, case_id: uuid.UUID, payload: OutcomeIn) -> Any:
    case = _get_case(request, case_id, Perm.CASE_EDIT)
    try:
        actions.set_outcome(current_user(request), case, payload.outcome, payload.date)
    except actions.CaseError as exc:
        raise_case_error(exc)
    return case_out(_cases(request).get(pk=case.pk), detail=True)


# Clusters ------------------------------------------------------------------------------


@clusters_router.get("", response=list[ClusterOut], summary="Clusters in your area")
def list_clusters(
    request: HttpRequest,
    status: Cluster.Status | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    qs = queries.clusters_in_scope(user).select_related("province", "district", "commune", "village")
    if status:
        qs = qs.filter(status=status)
    return [cluster_out(user, c) for c in qs.order_by("-first_date", "code")[offset : offset + limit]]


@clusters_router.post("", response={200: ClusterOut, 201: ClusterOut}, summary="Create a cluster (ổ dịch)")
def create_cluster(request: HttpRequest, payload: ClusterIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.CASE_EDIT)
    if payload.client_uuid is not None:
        first = queries.clusters_in_scope(user).filter(client_uuid=payload.client_uuid).first()
        if first is not None:
            return 200, cluster_out(user, first, detail=True)
        if Cluster.objects.filter(client_uuid=payload.client_uuid).exists():
            raise HttpError(409, _("This client_uuid was already used for a record outside your area."))
    field = "unit_id" if payload.unit_id is not None else "unit_code"
    unit = resolve_unit(user, field, payload.unit_id, payload.unit_code) or user.unit
    if unit is None:
        raise invalid("unit_id", _("Give the cluster's area: unit_id or unit_code."))
    try:
        cluster = actions.create_cluster(
            user,
            name=payload.name,
            unit=unit,
            place=payload.place,
            first_date=payload.first_date,
            status=payload.status,
            description=payload.description,
            client_uuid=payload.client_uuid,
        )
    except actions.CaseError as exc:
        raise_case_error(exc)
        raise
    return 201, cluster_out(user, cluster, detail=True)


@clusters_router.get("/{cluster_id}", response=ClusterOut, summary="A cluster with its counts")
def get_cluster(request: HttpRequest, cluster_id: uuid.UUID) -> Any:
    cluster = _get_cluster(request, cluster_id, Perm.CASE_VIEW)
    return cluster_out(current_user(request), cluster, detail=True)


@clusters_router.patch("/{cluster_id}", response=ClusterOut, summary="Update a cluster")
def update_cluster(request: HttpRequest, cluster_id: uuid.UUID, payload: ClusterPatch) -> Any:
    user = current_user(request)
    cluster = _get_cluster(request, cluster_id, Perm.CASE_EDIT)
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if sent.get("unit_id") is not None or sent.get("unit_code"):
        field = "unit_id" if sent.get("unit_id") is not None else "unit_code"
        changes["unit"] = resolve_unit(user, field, sent.get("unit_id"), sent.get("unit_code"))
    for key in ("name", "place", "first_date", "status", "description"):
        if key in sent:
            if sent[key] is None and key in ("name", "status"):
                raise invalid(key, _("This field cannot be empty."))
            changes[key] = sent[key] if sent[key] is not None or key == "first_date" else ""
    try:
        actions.update_cluster(user, cluster, changes)
    except actions.CaseError as exc:
        raise_case_error(exc)
    return cluster_out(user, _get_cluster(request, cluster_id, Perm.CASE_VIEW), detail=True)


@clusters_router.delete("/{cluster_id}", response={204: None, 409: ErrorOut}, summary="Delete a cluster without cases")
def delete_cluster(request: HttpRequest, cluster_id: uuid.UUID) -> tuple[int, None]:
    cluster = _get_cluster(request, cluster_id, Perm.CASE_EDIT)
    try:
        actions.delete_cluster(current_user(request), cluster)
    except actions.CaseError as exc:
        raise_case_error(exc)
    return 204, None
