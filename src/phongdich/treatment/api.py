"""API of the treatment app (three-tier treatment of F0), mounted at /api/v1/treatment/.

Facilities (FACILITY_MANAGE to change, for a facility inside your unit; TREATMENT_VIEW to read
the facilities of your province):
- ``GET/POST /facilities``, ``GET/PATCH /facilities/{id}``, ``PUT /facilities/{id}/beds``,
  ``POST /facilities/{id}/activate`` and ``/stand-down`` (field hospitals, collection facilities).
- ``GET /beds``: the bed board — per facility and per tier and kind: total, taken, free.

Patients (TREATMENT_EDIT to change; an admission is visible to the patient's area and to the
facility's area, a home care to the patient's area):
- ``GET/POST /admissions``, ``GET /admissions/{id}``, ``POST /admissions/{id}/reassess``,
  ``/transfer``, ``/discharge``. Admitting below the tier the severity calls for answers 422
  unless ``override_reason`` is given; no free bed of the kind answers 409.
- ``GET /awaiting``: F0 under treatment with neither an admission nor home care.
- ``GET /cases/{case_id}/release``: the release rule of the case's rule set and the results.
- ``POST /eligibility``: check (and record) home-care eligibility, rule by rule.
- ``GET/POST /home-care``, ``GET /home-care/{id}``, ``POST /home-care/{id}/monitoring``,
  ``/escalate``, ``/end``.

Creates take a ``client_uuid``: the same one again answers 200 with the first record.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.cases.models import Case, ClinicalStatus, Outcome
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.treatment import actions, queries, release
from phongdich.treatment.models import (
    Admission,
    BedKind,
    EligibilityCheck,
    Facility,
    FacilityKind,
    HomeCare,
    HomeCareStatus,
    MonitoringEntry,
    Reassessment,
    WarningSign,
    tier_for,
)

router = Router(tags=["treatment"])


# Helpers -------------------------------------------------------------------------------


def invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}])


def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an action; its refusals become a 422 naming the field, or the action's status."""
    try:
        return fn(*args, **kwargs)
    except actions.TreatmentError as exc:
        if exc.status == 422:
            raise invalid(exc.field or "", exc.message) from exc
        raise HttpError(exc.status, exc.message) from exc


def _replay[M: Model](visible: QuerySet[M], model: type[M], client_uuid: uuid.UUID | None) -> M | None:
    """The first record of this client UUID (200), or 409 when it belongs to a record you cannot see."""
    if client_uuid is None:
        return None
    first = visible.filter(client_uuid=client_uuid).first()
    if first is not None:
        return first
    if model._default_manager.filter(client_uuid=client_uuid).exists():
        raise HttpError(409, _("This client_uuid was already used for a record outside your area."))
    return None


def _facility_for(user: Any, facility_id: uuid.UUID) -> Facility:
    facility = queries.visible_facilities(user).filter(pk=facility_id).first()
    if facility is None:
        raise invalid("facility_id", _("Unknown facility."))
    return facility


def _unit(user: Any, unit_id: int | None) -> AdminUnit:
    if unit_id is None:
        if user.unit is None:
            raise invalid("unit_id", _("Give the facility's unit."))
        return user.unit
    unit = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, pk=unit_id).first()
    if unit is None:
        raise invalid("unit_id", _("Unknown administrative unit."))
    if not access.unit_in_scope(user, unit):
        raise PermissionDenied(_("This unit is outside your area."))
    return unit


# Schemas -------------------------------------------------------------------------------


class Ref(Schema):
    id: uuid.UUID
    name: str


class TreatmentCaseRef(Schema):
    id: uuid.UUID
    code: str
    clinical_status: str
    outcome: str


class FacilityRef(Schema):
    id: uuid.UUID
    name: str
    tier: int


class BedCountOut(Schema):
    total: int
    taken: int
    free: int


class TreatmentFacilityIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="A resend returns the first facility.")
    name: str = Field(..., min_length=1, max_length=200)
    kind: FacilityKind
    tier: int = Field(..., ge=1, le=3, description="The highest tier of care it gives.")
    unit_id: int | None = Field(None, description="Where it is (a unit in your area); yours when omitted.")
    address: str = Field("", max_length=255)
    staff_count: int = Field(0, ge=0, le=actions.MAX_STAFF)
    beds: dict[BedKind, int] = Field(default_factory=dict, description="Beds per kind, e.g. {'oxygen': 20}.")
    active: bool | None = Field(None, description="Field hospitals start stood down unless true.")


class FacilityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    address: str | None = Field(None, max_length=255)
    staff_count: int | None = Field(None, ge=0, le=actions.MAX_STAFF)
    tier: int | None = Field(None, ge=1, le=3)


class BedsIn(Schema):
    beds: dict[BedKind, int] = Field(..., description="Beds per kind; kinds not named stay as they are.")


class DayIn(Schema):
    on: datetime.date | None = Field(None, description="Today when omitted.")


class TreatmentFacilityOut(Schema):
    id: uuid.UUID
    name: str
    kind: str
    tier: int
    address: str
    staff_count: int
    active: bool
    activated_on: datetime.date | None
    stood_down_on: datetime.date | None
    commune: str | None
    district: str | None
    beds: dict[str, BedCountOut]
    patients: int


class TierTotals(Schema):
    tier: int
    beds: dict[str, BedCountOut]


class BedBoardOut(Schema):
    totals: dict[str, BedCountOut]
    by_tier: list[TierTotals]
    facilities: list[TreatmentFacilityOut]


class AdmissionIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="A resend returns the first admission.")
    case_id: uuid.UUID
    facility_id: uuid.UUID
    bed_kind: BedKind
    severity: ClinicalStatus | None = Field(None, description="The case's clinical status when omitted.")
    admitted_on: datetime.date | None = None
    override_reason: str = Field("", max_length=255, description="Required to admit below the tier required.")
    note: str = Field("", max_length=255)


class ReassessIn(Schema):
    client_uuid: uuid.UUID | None = None
    severity: ClinicalStatus
    on: datetime.date | None = None
    spo2: int | None = Field(None, ge=50, le=100)
    note: str = Field("", max_length=255)


class TransferIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="A resend returns the new stay.")
    facility_id: uuid.UUID
    bed_kind: BedKind
    severity: ClinicalStatus | None = None
    on: datetime.date | None = None
    reason: str = Field("", max_length=255)
    override_reason: str = Field("", max_length=255)


class DischargeIn(Schema):
    outcome: Outcome = Field(..., description="recovered or died")
    on: datetime.date
    note: str = Field("", max_length=255)


class ReassessmentOut(Schema):
    id: uuid.UUID
    assessed_on: datetime.date
    severity: str
    required_tier: int
    spo2: int | None
    note: str
    transfer_up_needed: bool


class TreatmentResultOut(Schema):
    sample_taken_on: datetime.date
    test_kind: str
    outcome: str
    ct: Decimal | None


class ReleaseOut(Schema):
    rule_set: str | None
    day: int
    from_date: datetime.date | None
    test_kind: str
    ct_min: Decimal | None
    results_allow: bool
    may_release_today: bool
    results: list[TreatmentResultOut]
    explanation: list[str]


class AdmissionOut(Schema):
    id: uuid.UUID
    case: TreatmentCaseRef
    person: Ref
    facility: FacilityRef
    bed_kind: str
    severity: str
    required_tier: int
    tier: int
    override_reason: str
    admitted_on: datetime.date
    previous_id: uuid.UUID | None
    direction: str
    transfer_reason: str
    ended_on: datetime.date | None
    ended_by: str
    note: str
    reassessments: list[ReassessmentOut] | None = Field(None, description="Detail only.")
    release: ReleaseOut | None = Field(None, description="Detail only.")


class AdmissionList(Schema):
    count: int
    items: list[AdmissionOut]


class TreatmentAwaitingOut(Schema):
    case: TreatmentCaseRef
    person: Ref
    confirmed_on: datetime.date
    commune: str | None
    required_tier: int


class EligibilityIn(Schema):
    case_id: uuid.UUID
    on: datetime.date | None = Field(None, description="The rule set in force on this day is used; today if omitted.")
    pregnant: bool | None = Field(None, description="As recorded at the assessment; the person's record if omitted.")
    severity: ClinicalStatus | None = None


class RuleOut(Schema):
    code: str
    passed: bool
    detail: str


class EligibilityOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    checked_on: datetime.date
    rule_set: str
    eligible: bool
    age_months: int | None
    pregnant: bool
    severity: str
    rules: list[RuleOut]


class HomeCareIn(Schema):
    client_uuid: uuid.UUID | None = None
    case_id: uuid.UUID
    on: datetime.date | None = None
    pregnant: bool | None = None
    override_reason: str = Field("", max_length=255, description="Home care despite a failed rule (not allowed).")


class MonitoringIn(Schema):
    client_uuid: uuid.UUID | None = None
    on: datetime.date
    spo2: int | None = Field(None, ge=50, le=100)
    temperature: Decimal | None = Field(None, ge=34, le=43, max_digits=3, decimal_places=1)
    symptoms: list[str] = Field(default_factory=list, max_length=20)
    warning_signs: list[WarningSign] = Field(default_factory=list)
    note: str = Field("", max_length=255)


class EscalateIn(Schema):
    client_uuid: uuid.UUID | None = None
    facility_id: uuid.UUID
    bed_kind: BedKind
    severity: ClinicalStatus
    on: datetime.date | None = None
    override_reason: str = Field("", max_length=255)


class EndHomeCareIn(Schema):
    outcome: HomeCareStatus = Field(..., description="recovered or died")
    on: datetime.date


class MonitoringOut(Schema):
    id: uuid.UUID
    on: datetime.date
    spo2: int | None
    temperature: Decimal | None
    symptoms: list[str]
    warning_signs: list[str]
    note: str
    needs_escalation: bool


class HomeCareOut(Schema):
    id: uuid.UUID
    case: TreatmentCaseRef
    person: Ref
    started_on: datetime.date
    status: str
    ended_on: datetime.date | None
    override_reason: str
    eligibility: EligibilityOut
    escalated_to_id: uuid.UUID | None
    entries: list[MonitoringOut] | None = Field(None, description="Detail only.")
    release: ReleaseOut | None = Field(None, description="Detail only.")


class HomeCareList(Schema):
    count: int
    items: list[HomeCareOut]


# Output --------------------------------------------------------------------------------


def _counts(beds: dict[str, queries.BedCount]) -> dict[str, BedCountOut]:
    return {k: BedCountOut(total=b.total, taken=b.taken, free=b.free) for k, b in beds.items()}


def facility_out(row: queries.FacilityBeds) -> TreatmentFacilityOut:
    f = row.facility
    return TreatmentFacilityOut(
        id=f.pk,
        name=f.name,
        kind=f.kind,
        tier=f.tier,
        address=f.address,
        staff_count=f.staff_count,
        active=f.active,
        activated_on=f.activated_on,
        stood_down_on=f.stood_down_on,
        commune=f.commune.name if f.commune else None,
        district=f.district.name if f.district else None,
        beds=_counts(row.beds),
        patients=row.patients,
    )


def _one_facility(facility: Facility) -> TreatmentFacilityOut:
    return facility_out(queries.bed_board(Facility.objects.filter(pk=facility.pk)).facilities[0])


def _case_ref(case: Case) -> TreatmentCaseRef:
    return TreatmentCaseRef(id=case.pk, code=case.code, clinical_status=case.clinical_status, outcome=case.outcome)


def release_out(case: Case) -> ReleaseOut:
    s = release.release_status(case)
    return ReleaseOut(
        rule_set=s.rule_set.code if s.rule_set else None,
        day=s.day,
        from_date=s.from_date,
        test_kind=s.test_kind,
        ct_min=s.ct_min,
        results_allow=s.results_allow,
        may_release_today=s.may_release(timezone.localdate()),
        results=[
            TreatmentResultOut(sample_taken_on=r.sample_taken_on, test_kind=r.test_kind, outcome=r.outcome, ct=r.ct)
            for r in s.results
        ],
        explanation=s.explanation,
    )


def reassessment_out(r: Reassessment, stay: Admission) -> ReassessmentOut:
    return ReassessmentOut(
        id=r.pk,
        assessed_on=r.assessed_on,
        severity=r.severity,
        required_tier=r.required_tier,
        spo2=r.spo2,
        note=r.note,
        transfer_up_needed=stay.is_open and stay.tier < r.required_tier,
    )


def admission_out(stay: Admission, *, detail: bool = False) -> AdmissionOut:
    out = AdmissionOut(
        id=stay.pk,
        case=_case_ref(stay.case),
        person=Ref(id=stay.person.pk, name=stay.person.full_name),
        facility=FacilityRef(id=stay.facility.pk, name=stay.facility.name, tier=stay.facility.tier),
        bed_kind=stay.bed_kind,
        severity=stay.severity,
        required_tier=stay.required_tier,
        tier=stay.tier,
        override_reason=stay.override_reason,
        admitted_on=stay.admitted_on,
        previous_id=stay.previous_id,
        direction=stay.direction,
        transfer_reason=stay.transfer_reason,
        ended_on=stay.ended_on,
        ended_by=stay.ended_by,
        note=stay.note,
        reassessments=None,
        release=None,
    )
    if detail:
        out.reassessments = [reassessment_out(r, stay) for r in stay.reassessments.all()]
        out.release = release_out(stay.case)
    return out


def eligibility_out(check: EligibilityCheck) -> EligibilityOut:
    return EligibilityOut(
        id=check.pk,
        case_id=check.case_id,
        checked_on=check.checked_on,
        rule_set=check.rule_set.code,
        eligible=check.eligible,
        age_months=check.age_months,
        pregnant=check.pregnant,
        severity=check.severity,
        rules=[RuleOut(code=str(r["code"]), passed=bool(r["passed"]), detail=str(r["detail"])) for r in check.rules],
    )


def monitoring_out(e: MonitoringEntry) -> MonitoringOut:
    return MonitoringOut(
        id=e.pk,
        on=e.on,
        spo2=e.spo2,
        temperature=e.temperature,
        symptoms=list(e.symptoms or []),
        warning_signs=list(e.warning_signs or []),
        note=e.note,
        needs_escalation=e.needs_escalation,
    )


def home_care_out(home: HomeCare, *, detail: bool = False) -> HomeCareOut:
    out = HomeCareOut(
        id=home.pk,
        case=_case_ref(home.case),
        person=Ref(id=home.person.pk, name=home.person.full_name),
        started_on=home.started_on,
        status=home.status,
        ended_on=home.ended_on,
        override_reason=home.override_reason,
        eligibility=eligibility_out(home.eligibility),
        escalated_to_id=home.escalated_to_id,
        entries=None,
        release=None,
    )
    if detail:
        out.entries = [monitoring_out(e) for e in home.entries.all()]
        out.release = release_out(home.case)
    return out


def _stay(request: HttpRequest, pk: uuid.UUID, perm: Perm = Perm.TREATMENT_VIEW) -> Admission:
    return queries.get_admission(current_user(request), pk, perm)


def _home(request: HttpRequest, pk: uuid.UUID, perm: Perm = Perm.TREATMENT_VIEW) -> HomeCare:
    return queries.get_home_care(current_user(request), pk, perm)


def _fresh_stay(request: HttpRequest, stay: Admission) -> AdmissionOut:
    again = queries.visible_admissions(current_user(request)).select_related(*queries.ADMISSION_RELATED).get(pk=stay.pk)
    return admission_out(again, detail=True)


# Facilities ----------------------------------------------------------------------------


@router.get(
    "/facilities", response=list[TreatmentFacilityOut], summary="Treatment facilities of your province, with beds"
)
def list_facilities(
    request: HttpRequest, tier: int | None = Query(None, ge=1, le=3), mine: bool = False
) -> list[TreatmentFacilityOut]:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    qs = queries.managed_facilities(user) if mine else queries.visible_facilities(user)
    if tier is not None:
        qs = qs.filter(tier=tier)
    return [facility_out(row) for row in queries.bed_board(qs).facilities]


@router.post(
    "/facilities", response={200: TreatmentFacilityOut, 201: TreatmentFacilityOut}, summary="Add a treatment facility"
)
def create_facility(request: HttpRequest, payload: TreatmentFacilityIn) -> tuple[int, TreatmentFacilityOut]:
    user = current_user(request)
    access.require(user, Perm.FACILITY_MANAGE)
    first = _replay(queries.managed_facilities(user), Facility, payload.client_uuid)
    if first is not None:
        return 200, _one_facility(first)
    unit = _unit(user, payload.unit_id)
    facility, created = run(
        actions.create_facility,
        user,
        name=payload.name,
        kind=payload.kind,
        tier=payload.tier,
        unit=unit,
        address=payload.address,
        staff_count=payload.staff_count,
        beds={str(k): v for k, v in payload.beds.items()},
        active=payload.active,
        client_uuid=payload.client_uuid,
    )
    return (201 if created else 200), _one_facility(facility)


@router.get("/facilities/{facility_id}", response=TreatmentFacilityOut, summary="One facility with its beds")
def get_facility(request: HttpRequest, facility_id: uuid.UUID) -> TreatmentFacilityOut:
    return _one_facility(queries.get_facility(current_user(request), facility_id))


@router.patch(
    "/facilities/{facility_id}", response=TreatmentFacilityOut, summary="Change a facility's name, staff, tier"
)
def patch_facility(request: HttpRequest, facility_id: uuid.UUID, payload: FacilityPatch) -> TreatmentFacilityOut:
    user = current_user(request)
    facility = queries.get_facility(user, facility_id, Perm.FACILITY_MANAGE)
    changes = payload.dict(exclude_unset=True)
    if any(v is None for v in changes.values()):
        raise invalid(next(k for k, v in changes.items() if v is None), _("This field cannot be empty."))
    run(actions.update_facility, user, facility, changes)
    return _one_facility(facility)


@router.put("/facilities/{facility_id}/beds", response=TreatmentFacilityOut, summary="Set the number of beds per kind")
def put_beds(request: HttpRequest, facility_id: uuid.UUID, payload: BedsIn) -> TreatmentFacilityOut:
    user = current_user(request)
    facility = queries.get_facility(user, facility_id, Perm.FACILITY_MANAGE)
    run(actions.set_beds, user, facility, {str(k): v for k, v in payload.beds.items()})
    return _one_facility(facility)


@router.post("/facilities/{facility_id}/activate", response=TreatmentFacilityOut, summary="Activate a field hospital")
def activate(request: HttpRequest, facility_id: uuid.UUID, payload: DayIn) -> TreatmentFacilityOut:
    user = current_user(request)
    facility = queries.get_facility(user, facility_id, Perm.FACILITY_MANAGE)
    return _one_facility(run(actions.activate_facility, user, facility, payload.on))


@router.post(
    "/facilities/{facility_id}/stand-down", response=TreatmentFacilityOut, summary="Stand a field hospital down"
)
def stand_down(request: HttpRequest, facility_id: uuid.UUID, payload: DayIn) -> TreatmentFacilityOut:
    user = current_user(request)
    facility = queries.get_facility(user, facility_id, Perm.FACILITY_MANAGE)
    return _one_facility(run(actions.stand_down_facility, user, facility, payload.on))


@router.get("/beds", response=BedBoardOut, summary="Bed board: free beds per facility, tier and kind")
def beds(request: HttpRequest) -> BedBoardOut:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    board = queries.bed_board(queries.visible_facilities(user))
    return BedBoardOut(
        totals=_counts(board.totals),
        by_tier=[TierTotals(tier=t, beds=_counts(b)) for t, b in sorted(board.by_tier.items())],
        facilities=[facility_out(row) for row in board.facilities],
    )


# Admissions ----------------------------------------------------------------------------


@router.get("/admissions", response=AdmissionList, summary="Stays visible to you (patients' or facilities' area)")
def list_admissions(
    request: HttpRequest,
    facility_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    open: bool | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> AdmissionList:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    qs = queries.visible_admissions(user).select_related(*queries.ADMISSION_RELATED)
    if facility_id is not None:
        qs = qs.filter(facility_id=facility_id)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if open is not None:
        qs = qs.filter(ended_on__isnull=open)
    return AdmissionList(count=qs.count(), items=[admission_out(s) for s in qs[offset : offset + limit]])


@router.post("/admissions", response={200: AdmissionOut, 201: AdmissionOut}, summary="Admit an F0 to a facility")
def create_admission(request: HttpRequest, payload: AdmissionIn) -> tuple[int, AdmissionOut]:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_EDIT)
    first = _replay(queries.visible_admissions(user), Admission, payload.client_uuid)
    if first is not None:
        return 200, _fresh_stay(request, first)
    case = queries.get_case(user, payload.case_id, Perm.TREATMENT_EDIT)
    facility = _facility_for(user, payload.facility_id)
    stay, created = run(
        actions.admit,
        user,
        case,
        facility,
        bed_kind=payload.bed_kind,
        severity=payload.severity,
        on=payload.admitted_on,
        override_reason=payload.override_reason,
        note=payload.note,
        client_uuid=payload.client_uuid,
    )
    return (201 if created else 200), _fresh_stay(request, stay)


@router.get("/admissions/{admission_id}", response=AdmissionOut, summary="One stay (access-logged)")
def get_admission(request: HttpRequest, admission_id: uuid.UUID) -> AdmissionOut:
    stay = _stay(request, admission_id)
    record_access(current_user(request), stay.person, channel="api", detail="treatment.admission")
    return admission_out(stay, detail=True)


@router.post(
    "/admissions/{admission_id}/reassess",
    response={200: ReassessmentOut, 201: ReassessmentOut},
    summary="Record a new severity (updates the case)",
)
def reassess(request: HttpRequest, admission_id: uuid.UUID, payload: ReassessIn) -> tuple[int, ReassessmentOut]:
    user = current_user(request)
    stay = _stay(request, admission_id, Perm.TREATMENT_EDIT)
    row, created = run(
        actions.reassess,
        user,
        stay,
        severity=payload.severity,
        on=payload.on,
        spo2=payload.spo2,
        note=payload.note,
        client_uuid=payload.client_uuid,
    )
    if row.admission_id != stay.pk:
        raise HttpError(409, _("This client_uuid was already used for another record."))
    stay.refresh_from_db()
    return (201 if created else 200), reassessment_out(row, stay)


@router.post(
    "/admissions/{admission_id}/transfer",
    response={200: AdmissionOut, 201: AdmissionOut},
    summary="Transfer to another facility (the bed moves)",
)
def transfer(request: HttpRequest, admission_id: uuid.UUID, payload: TransferIn) -> tuple[int, AdmissionOut]:
    user = current_user(request)
    stay = _stay(request, admission_id, Perm.TREATMENT_EDIT)
    first = _replay(queries.visible_admissions(user), Admission, payload.client_uuid)
    if first is not None:
        return 200, _fresh_stay(request, first)
    facility = _facility_for(user, payload.facility_id)
    nxt, created = run(
        actions.transfer,
        user,
        stay,
        facility,
        bed_kind=payload.bed_kind,
        severity=payload.severity,
        on=payload.on,
        reason=payload.reason,
        override_reason=payload.override_reason,
        client_uuid=payload.client_uuid,
    )
    return (201 if created else 200), _fresh_stay(request, nxt)


@router.post("/admissions/{admission_id}/discharge", response=AdmissionOut, summary="Discharge: recovered or died")
def discharge(request: HttpRequest, admission_id: uuid.UUID, payload: DischargeIn) -> AdmissionOut:
    user = current_user(request)
    stay = _stay(request, admission_id, Perm.TREATMENT_EDIT)
    run(actions.discharge, user, stay, outcome=payload.outcome, on=payload.on, note=payload.note)
    return _fresh_stay(request, stay)


# Cases ---------------------------------------------------------------------------------


@router.get(
    "/awaiting", response=list[TreatmentAwaitingOut], summary="F0 under treatment with no admission nor home care"
)
def awaiting(request: HttpRequest, limit: int = Query(200, ge=1, le=1000)) -> list[TreatmentAwaitingOut]:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    rows = queries.cases_awaiting_care(user).select_related("person", "commune")[:limit]
    return [
        TreatmentAwaitingOut(
            case=_case_ref(c),
            person=Ref(id=c.person.pk, name=c.person.full_name),
            confirmed_on=c.confirmed_on,
            commune=c.commune.name if c.commune else None,
            required_tier=tier_for(c.clinical_status),
        )
        for c in rows
    ]


@router.get("/cases/{case_id}/release", response=ReleaseOut, summary="From which day the F0 may be released")
def case_release(request: HttpRequest, case_id: uuid.UUID) -> ReleaseOut:
    user = current_user(request)
    case = queries.get_case(user, case_id)
    return release_out(case)


# Home care -----------------------------------------------------------------------------


@router.post("/eligibility", response={201: EligibilityOut}, summary="Check home-care eligibility, rule by rule")
def eligibility(request: HttpRequest, payload: EligibilityIn) -> tuple[int, EligibilityOut]:
    user = current_user(request)
    case = queries.get_case(user, payload.case_id, Perm.TREATMENT_EDIT)
    check = run(
        actions.check_eligibility, user, case, on=payload.on, pregnant=payload.pregnant, severity=payload.severity
    )
    return 201, eligibility_out(check)


@router.get("/home-care", response=HomeCareList, summary="Home care in your area")
def list_home_care(
    request: HttpRequest,
    status: HomeCareStatus | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> HomeCareList:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    qs = queries.visible_home_care(user).select_related(*queries.HOME_CARE_RELATED)
    if status is not None:
        qs = qs.filter(status=status)
    return HomeCareList(count=qs.count(), items=[home_care_out(h) for h in qs[offset : offset + limit]])


def _fresh_home(request: HttpRequest, home: HomeCare) -> HomeCareOut:
    again = queries.visible_home_care(current_user(request)).select_related(*queries.HOME_CARE_RELATED).get(pk=home.pk)
    return home_care_out(again, detail=True)


@router.post("/home-care", response={200: HomeCareOut, 201: HomeCareOut}, summary="Start home care of an eligible F0")
def create_home_care(request: HttpRequest, payload: HomeCareIn) -> tuple[int, HomeCareOut]:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_EDIT)
    first = _replay(queries.visible_home_care(user), HomeCare, payload.client_uuid)
    if first is not None:
        return 200, _fresh_home(request, first)
    case = queries.get_case(user, payload.case_id, Perm.TREATMENT_EDIT)
    home, created = run(
        actions.start_home_care,
        user,
        case,
        on=payload.on,
        pregnant=payload.pregnant,
        override_reason=payload.override_reason,
        client_uuid=payload.client_uuid,
    )
    return (201 if created else 200), _fresh_home(request, home)


@router.get("/home-care/{home_care_id}", response=HomeCareOut, summary="One home care (access-logged)")
def get_home_care(request: HttpRequest, home_care_id: uuid.UUID) -> HomeCareOut:
    home = _home(request, home_care_id)
    record_access(current_user(request), home.person, channel="api", detail="treatment.home_care")
    return home_care_out(home, detail=True)


@router.post(
    "/home-care/{home_care_id}/monitoring",
    response={200: MonitoringOut, 201: MonitoringOut},
    summary="Record a daily check at home",
)
def monitoring(request: HttpRequest, home_care_id: uuid.UUID, payload: MonitoringIn) -> tuple[int, MonitoringOut]:
    user = current_user(request)
    home = _home(request, home_care_id, Perm.TREATMENT_EDIT)
    entry, created = run(
        actions.record_monitoring,
        user,
        home,
        on=payload.on,
        spo2=payload.spo2,
        temperature=payload.temperature,
        symptoms=payload.symptoms,
        warning_signs=[str(w) for w in payload.warning_signs],
        note=payload.note,
        client_uuid=payload.client_uuid,
    )
    if entry.home_care_id != home.pk:
        raise HttpError(409, _("This client_uuid was already used for another record."))
    return (201 if created else 200), monitoring_out(entry)


@router.post(
    "/home-care/{home_care_id}/escalate",
    response={200: AdmissionOut, 201: AdmissionOut},
    summary="Move a patient at home to a facility of the right tier",
)
def escalate(request: HttpRequest, home_care_id: uuid.UUID, payload: EscalateIn) -> tuple[int, AdmissionOut]:
    user = current_user(request)
    home = _home(request, home_care_id, Perm.TREATMENT_EDIT)
    first = _replay(queries.visible_admissions(user), Admission, payload.client_uuid)
    if first is not None:
        return 200, _fresh_stay(request, first)
    facility = _facility_for(user, payload.facility_id)
    stay, created = run(
        actions.escalate_home_care,
        user,
        home,
        facility,
        bed_kind=payload.bed_kind,
        severity=payload.severity,
        on=payload.on,
        override_reason=payload.override_reason,
        client_uuid=payload.client_uuid,
    )
    return (201 if created else 200), _fresh_stay(request, stay)


@router.post("/home-care/{home_care_id}/end", response=HomeCareOut, summary="End home care: recovered or died")
def end_home_care(request: HttpRequest, home_care_id: uuid.UUID, payload: EndHomeCareIn) -> HomeCareOut:
    user = current_user(request)
    home = _home(request, home_care_id, Perm.TREATMENT_EDIT)
    run(actions.end_home_care, user, home, outcome=payload.outcome, on=payload.on)
    return _fresh_home(request, home)
