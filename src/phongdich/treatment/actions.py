"""Every change to treatment records goes through these functions: atomic, audited.

Tier rule: the severity calls for a tier (``models.TIER_FOR_SEVERITY``: asymptomatic/mild → 1,
moderate → 2, severe/critical → 3). Admitting (or transferring) into a facility of a lower tier
is refused unless an ``override_reason`` is given; a higher tier is always allowed.

Beds: a facility has a count of beds per kind (``BedStock``); the beds taken are its open
admissions of that kind. Admitting locks the facility's stock row of that kind
(``select_for_update``) before counting, so two concurrent admissions cannot take the last bed
twice. A transfer ends the stay and opens the next one in the same transaction: the bed moves.

Cases change only through the cases app's actions: a reassessment calls ``update_case``
(clinical status), a discharge or the end of home care calls ``set_outcome``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases import actions as case_actions
from phongdich.cases.models import Case, CaseStatus, ClinicalStatus, Outcome
from phongdich.core.audit import record_change, snapshot
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.policy.queries import rule_set_on
from phongdich.treatment import eligibility
from phongdich.treatment.models import (
    ACTIVATABLE,
    Admission,
    AdmissionEnd,
    BedKind,
    BedStock,
    EligibilityCheck,
    Facility,
    FacilityKind,
    HomeCare,
    HomeCareStatus,
    MonitoringEntry,
    Reassessment,
    TransferDirection,
    WarningSign,
    tier_for,
)

if TYPE_CHECKING:
    from phongdich.core.models import User

EARLIEST = datetime.date(2020, 1, 1)
MAX_BEDS = 100_000
MAX_STAFF = 100_000
# SpO2 below this (or any warning sign) at a home check asks for a facility (4156/QĐ-BYT: ≤ 96 %).
SPO2_ESCALATE_BELOW = 96
SPO2_RANGE = (50, 100)
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))

FACILITY_FIELDS = [
    "name",
    "kind",
    "tier",
    "address",
    "staff_count",
    "active",
    "activated_on",
    "stood_down_on",
    "province",
    "district",
    "commune",
    "village",
]
ADMISSION_FIELDS = [
    "case",
    "person",
    "facility",
    "bed_kind",
    "severity",
    "required_tier",
    "tier",
    "override_reason",
    "admitted_on",
    "previous",
    "direction",
    "transfer_reason",
    "ended_on",
    "ended_by",
    "note",
]
HOME_CARE_FIELDS = ["case", "person", "eligibility", "override_reason", "started_on", "status", "ended_on"]


class TreatmentError(Exception):
    """A refused change: a message for the user, the HTTP status, the field at fault (if any)."""

    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _first[M: Model](model: type[M], client_uuid: uuid.UUID | None) -> M | None:
    if client_uuid is None:
        return None
    return model._default_manager.filter(client_uuid=client_uuid).first()


def _check_day(day: datetime.date, field: str, not_before: datetime.date | None = None) -> None:
    if day > timezone.localdate():
        raise TreatmentError(_("The date cannot be in the future."), field=field)
    if day < EARLIEST:
        raise TreatmentError(_("The date is before 2020: check the year."), field=field)
    if not_before is not None and day < not_before:
        raise TreatmentError(
            _("The date cannot be before %(date)s.") % {"date": not_before.strftime("%d/%m/%Y")}, field=field
        )


def _from_case_error(exc: case_actions.CaseError) -> TreatmentError:
    return TreatmentError(exc.message, exc.status, exc.field)


# Facilities ----------------------------------------------------------------------------


def _check_beds(beds: dict[str, int]) -> dict[str, int]:
    clean: dict[str, int] = {}
    for kind, count in beds.items():
        if kind not in BedKind.values:
            raise TreatmentError(_("Unknown bed kind."), field="beds")
        if not isinstance(count, int) or count < 0 or count > MAX_BEDS:
            message = _("A bed count must be a whole number from 0 to %(n)s.") % {"n": MAX_BEDS}
            raise TreatmentError(message, field="beds")
        clean[kind] = count
    return clean


def _check_facility_fields(fields: dict[str, Any]) -> None:
    if "name" in fields and not (fields["name"] or "").strip():
        raise TreatmentError(_("Give the facility a name."), field="name")
    if "kind" in fields and fields["kind"] not in FacilityKind.values:
        raise TreatmentError(_("Unknown kind of facility."), field="kind")
    if "tier" in fields and fields["tier"] not in (1, 2, 3):
        raise TreatmentError(_("The tier is 1, 2 or 3."), field="tier")
    staff = fields.get("staff_count")
    if staff is not None and (staff < 0 or staff > MAX_STAFF):
        raise TreatmentError(_("The staff count is not plausible."), field="staff_count")


def taken_beds(facility: Facility) -> dict[str, int]:
    """Beds of each kind taken now (the facility's open admissions)."""
    taken = {k: 0 for k in BedKind.values}
    for kind in Admission.objects.filter(facility=facility, ended_on__isnull=True).values_list("bed_kind", flat=True):
        taken[kind] += 1
    return taken


@transaction.atomic
def create_facility(
    actor: User | None,
    *,
    name: str,
    kind: str,
    tier: int,
    unit: AdminUnit,
    address: str = "",
    staff_count: int = 0,
    beds: dict[str, int] | None = None,
    active: bool | None = None,
    activated_on: datetime.date | None = None,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Facility, bool]:
    """A new facility with its beds. Field hospitals and collection facilities start stood down
    unless ``active`` is given; the others are active."""
    first = _first(Facility, client_uuid)
    if first is not None:
        return first, False
    _check_facility_fields({"name": name, "kind": kind, "tier": tier, "staff_count": staff_count})
    counts = _check_beds(beds or {})
    if activated_on is not None:
        _check_day(activated_on, "activated_on")
    is_active = active if active is not None else kind not in ACTIVATABLE
    facility = Facility(
        client_uuid=client_uuid,
        name=name.strip()[:200],
        kind=kind,
        tier=tier,
        address=address.strip()[:255],
        staff_count=staff_count,
        active=is_active,
        activated_on=(activated_on or timezone.localdate()) if is_active and kind in ACTIVATABLE else None,
        created_by=_actor(actor),
        **lineage_columns(unit),
    )
    facility.save()
    BedStock.objects.bulk_create([BedStock(facility=facility, kind=k, total=n) for k, n in counts.items()])
    after = snapshot(facility, FACILITY_FIELDS) | {"beds": counts}
    record_change(actor, "treatment.facility_create", facility, None, after)
    return facility, True


@transaction.atomic
def update_facility(actor: User | None, facility: Facility, changes: dict[str, Any]) -> Facility:
    """``changes``: name, address, staff_count, tier, unit."""
    allowed = {"name", "address", "staff_count", "tier", "unit"}
    unknown = set(changes) - allowed
    if unknown:
        raise TreatmentError(_("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    _check_facility_fields(changes)
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    before = snapshot(facility, FACILITY_FIELDS)
    fields: list[str] = []
    for key, value in changes.items():
        if key == "unit":
            for col, v in lineage_columns(value).items():
                setattr(facility, col, v)
            fields += ["province", "district", "commune", "village"]
        elif key in ("name", "address"):
            setattr(facility, key, (value or "").strip()[: 200 if key == "name" else 255])
            fields.append(key)
        else:
            setattr(facility, key, value)
            fields.append(key)
    if fields:
        facility.save(update_fields=fields)
        record_change(actor, "treatment.facility_update", facility, before, snapshot(facility, FACILITY_FIELDS))
    return facility


@transaction.atomic
def set_beds(actor: User | None, facility: Facility, beds: dict[str, int]) -> dict[str, int]:
    """Set the number of beds of the kinds given; a count below the beds taken now is refused."""
    counts = _check_beds(beds)
    stock = {s.kind: s for s in BedStock.objects.select_for_update().filter(facility=facility)}
    taken = taken_beds(facility)
    for kind, n in counts.items():
        if n < taken[kind]:
            raise TreatmentError(
                _("%(kind)s: %(taken)s beds are taken; the count cannot be lower.")
                % {"kind": BedKind(kind).label, "taken": taken[kind]},
                409,
                "beds",
            )
    before = {k: s.total for k, s in stock.items()}
    for kind, n in counts.items():
        if kind in stock:
            if stock[kind].total != n:
                stock[kind].total = n
                stock[kind].save(update_fields=["total"])
        else:
            stock[kind] = BedStock.objects.create(facility=facility, kind=kind, total=n)
    after = {k: s.total for k, s in stock.items()}
    if after != before:
        record_change(actor, "treatment.beds", facility, {"beds": before}, {"beds": after})
    return after


@transaction.atomic
def activate_facility(actor: User | None, facility: Facility, on: datetime.date | None = None) -> Facility:
    """Open a field hospital or collection facility for patients."""
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    if not facility.activatable:
        raise TreatmentError(_("Only field hospitals and collection facilities are activated and stood down."), 409)
    if facility.active:
        raise TreatmentError(_("This facility is already active."), 409)
    on = on or timezone.localdate()
    _check_day(on, "on")
    before = snapshot(facility, FACILITY_FIELDS)
    facility.active, facility.activated_on, facility.stood_down_on = True, on, None
    facility.save(update_fields=["active", "activated_on", "stood_down_on"])
    record_change(actor, "treatment.facility_activate", facility, before, snapshot(facility, FACILITY_FIELDS))
    return facility


@transaction.atomic
def stand_down_facility(actor: User | None, facility: Facility, on: datetime.date | None = None) -> Facility:
    """Close a field hospital or collection facility; refused while it still has patients."""
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    if not facility.activatable:
        raise TreatmentError(_("Only field hospitals and collection facilities are activated and stood down."), 409)
    if not facility.active:
        raise TreatmentError(_("This facility is already stood down."), 409)
    patients = Admission.objects.filter(facility=facility, ended_on__isnull=True).count()
    if patients:
        raise TreatmentError(
            _("This facility still has %(n)s patients: transfer or discharge them first.") % {"n": patients}, 409
        )
    on = on or timezone.localdate()
    _check_day(on, "on", facility.activated_on)
    before = snapshot(facility, FACILITY_FIELDS)
    facility.active, facility.stood_down_on = False, on
    facility.save(update_fields=["active", "stood_down_on"])
    record_change(actor, "treatment.facility_stand_down", facility, before, snapshot(facility, FACILITY_FIELDS))
    return facility


# Admissions ----------------------------------------------------------------------------


def open_admission(case: Case) -> Admission | None:
    return Admission.objects.filter(case=case, ended_on__isnull=True).select_related("facility").first()


def active_home_care(case: Case) -> HomeCare | None:
    return HomeCare.objects.filter(case=case, status=HomeCareStatus.ACTIVE).first()


def _check_case_under_treatment(case: Case) -> Case:
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise TreatmentError(_("Not found."), 404)
    if locked.status != CaseStatus.CONFIRMED or locked.outcome != Outcome.UNDER_TREATMENT:
        raise TreatmentError(_("This case is not under treatment (ruled out, recovered or died)."), 409)
    return locked


def _check_severity(severity: str) -> None:
    if severity not in ClinicalStatus.values:
        raise TreatmentError(_("Unknown severity."), field="severity")


def _check_tier(severity: str, facility: Facility, override_reason: str) -> int:
    required = tier_for(severity)
    if facility.tier < required and not override_reason.strip():
        raise TreatmentError(
            _(
                "A %(severity)s patient needs a tier %(required)s facility; %(facility)s is tier %(tier)s. "
                "Choose another facility or give the reason for admitting here."
            )
            % {
                "severity": ClinicalStatus(severity).label.lower(),
                "required": required,
                "facility": facility.name,
                "tier": facility.tier,
            },
            field="override_reason",
        )
    return required


def _take_bed(facility: Facility, bed_kind: str) -> None:
    """Lock the stock row of this kind and check a bed is free (else 409)."""
    if bed_kind not in BedKind.values:
        raise TreatmentError(_("Unknown bed kind."), field="bed_kind")
    locked = Facility.objects.select_for_update().get(pk=facility.pk)
    if not locked.active:
        raise TreatmentError(_("%(facility)s is stood down: it takes no patients.") % {"facility": locked.name}, 409)
    stock = BedStock.objects.select_for_update().filter(facility=facility, kind=bed_kind).first()
    total = stock.total if stock is not None else 0
    taken = Admission.objects.filter(facility=facility, bed_kind=bed_kind, ended_on__isnull=True).count()
    if taken >= total:
        raise TreatmentError(
            _("%(facility)s has no free %(kind)s (%(taken)s of %(total)s taken).")
            % {"facility": locked.name, "kind": BedKind(bed_kind).label.lower(), "taken": taken, "total": total},
            409,
            "bed_kind",
        )


def _new_stay(
    actor: User | None,
    case: Case,
    facility: Facility,
    *,
    bed_kind: str,
    severity: str,
    on: datetime.date,
    override_reason: str,
    note: str,
    client_uuid: uuid.UUID | None,
    previous: Admission | None = None,
    direction: str = "",
    transfer_reason: str = "",
    from_home_care: HomeCare | None = None,
) -> Admission:
    required = _check_tier(severity, facility, override_reason)
    _take_bed(facility, bed_kind)
    stay = Admission(
        client_uuid=client_uuid,
        case=case,
        person_id=case.person_id,
        facility=facility,
        bed_kind=bed_kind,
        severity=severity,
        required_tier=required,
        tier=facility.tier,
        override_reason=override_reason.strip()[:255] if facility.tier < required else "",
        admitted_on=on,
        previous=previous,
        direction=direction,
        transfer_reason=transfer_reason.strip()[:255],
        from_home_care=from_home_care,
        note=note.strip()[:255],
        created_by=_actor(actor),
        province_id=case.province_id,
        district_id=case.district_id,
        commune_id=case.commune_id,
        village_id=case.village_id,
    )
    stay.save()
    return stay


def _set_clinical_status(actor: User | None, case: Case, severity: str) -> None:
    if case.clinical_status != severity:
        try:
            case_actions.update_case(actor, case, {"clinical_status": severity})
        except case_actions.CaseError as exc:
            raise _from_case_error(exc) from exc


def _idempotent[M: Model](model: type[M], client_uuid: uuid.UUID | None, fn: Any) -> tuple[M, bool]:
    """Run ``fn`` (which creates with ``client_uuid``) unless that UUID was seen: (record, created)."""
    first = _first(model, client_uuid)
    if first is not None:
        return first, False
    try:
        with transaction.atomic():
            return fn(), True
    except IntegrityError:
        again = _first(model, client_uuid)
        if again is not None:
            return again, False
        raise


def admit(
    actor: User | None,
    case: Case,
    facility: Facility,
    *,
    bed_kind: str,
    severity: str | None = None,
    on: datetime.date | None = None,
    override_reason: str = "",
    note: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Admission, bool]:
    """Admit an F0 under treatment to ``facility`` in a bed of ``bed_kind``.

    ``severity`` defaults to the case's clinical status (and updates it when different). A case
    with an open stay must be transferred instead (409); an active home care ends as escalated.
    """

    def run() -> Admission:
        locked = _check_case_under_treatment(case)
        sev = severity or locked.clinical_status
        _check_severity(sev)
        day = on or timezone.localdate()
        _check_day(day, "on", locked.confirmed_on)
        current = open_admission(locked)
        if current is not None:
            raise TreatmentError(
                _("This patient is already admitted to %(facility)s: transfer them instead.")
                % {"facility": current.facility.name},
                409,
            )
        home = HomeCare.objects.select_for_update().filter(case=locked, status=HomeCareStatus.ACTIVE).first()
        stay = _new_stay(
            actor,
            locked,
            facility,
            bed_kind=bed_kind,
            severity=sev,
            on=day,
            override_reason=override_reason,
            note=note,
            client_uuid=client_uuid,
            from_home_care=home,
        )
        record_change(actor, "treatment.admit", stay, None, snapshot(stay, ADMISSION_FIELDS))
        if home is not None:
            _end_home_care(actor, home, HomeCareStatus.ESCALATED, max(day, home.started_on), escalated_to=stay)
        _set_clinical_status(actor, locked, sev)
        return stay

    return _idempotent(Admission, client_uuid, run)


def reassess(
    actor: User | None,
    admission: Admission,
    *,
    severity: str,
    on: datetime.date | None = None,
    spo2: int | None = None,
    note: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Reassessment, bool]:
    """A new severity for an admitted patient; updates the case's clinical status."""

    def run() -> Reassessment:
        stay = Admission.objects.select_for_update().get(pk=admission.pk)
        if not stay.is_open:
            raise TreatmentError(_("This stay has ended."), 409)
        _check_severity(severity)
        day = on or timezone.localdate()
        _check_day(day, "on", stay.admitted_on)
        if spo2 is not None and not SPO2_RANGE[0] <= spo2 <= SPO2_RANGE[1]:
            raise TreatmentError(_("SpO2 must be between 50 and 100 %."), field="spo2")
        row = Reassessment.objects.create(
            client_uuid=client_uuid,
            admission=stay,
            assessed_on=day,
            severity=severity,
            required_tier=tier_for(severity),
            spo2=spo2,
            note=note.strip()[:255],
            created_by=_actor(actor),
        )
        record_change(
            actor,
            "treatment.reassess",
            stay,
            {"severity": stay.case.clinical_status},
            {"severity": severity, "required_tier": row.required_tier, "on": day.isoformat()},
        )
        _set_clinical_status(actor, stay.case, severity)
        return row

    return _idempotent(Reassessment, client_uuid, run)


def needs_transfer_up(admission: Admission, severity: str) -> bool:
    return admission.tier < tier_for(severity)


def transfer(
    actor: User | None,
    admission: Admission,
    facility: Facility,
    *,
    bed_kind: str,
    on: datetime.date | None = None,
    severity: str | None = None,
    reason: str = "",
    override_reason: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Admission, bool]:
    """Move a patient to another facility (up or down a tier, or across): the bed moves with them."""

    def run() -> Admission:
        stay = Admission.objects.select_for_update().select_related("case").get(pk=admission.pk)
        if not stay.is_open:
            raise TreatmentError(_("This stay has ended."), 409)
        if facility.pk == stay.facility_id and bed_kind == stay.bed_kind:
            raise TreatmentError(_("The patient is already in that facility and bed kind."), field="facility_id")
        locked = _check_case_under_treatment(stay.case)
        sev = severity or locked.clinical_status
        _check_severity(sev)
        day = on or timezone.localdate()
        _check_day(day, "on", stay.admitted_on)
        before = snapshot(stay, ADMISSION_FIELDS)
        stay.ended_on, stay.ended_by = day, AdmissionEnd.TRANSFERRED
        stay.save(update_fields=["ended_on", "ended_by"])  # frees the bed before taking the next one
        direction = (
            TransferDirection.UP
            if facility.tier > stay.tier
            else TransferDirection.DOWN
            if facility.tier < stay.tier
            else TransferDirection.SAME
        )
        nxt = _new_stay(
            actor,
            locked,
            facility,
            bed_kind=bed_kind,
            severity=sev,
            on=day,
            override_reason=override_reason,
            note="",
            client_uuid=client_uuid,
            previous=stay,
            direction=direction,
            transfer_reason=reason,
        )
        record_change(actor, "treatment.transfer_out", stay, before, snapshot(stay, ADMISSION_FIELDS))
        record_change(actor, "treatment.transfer_in", nxt, None, snapshot(nxt, ADMISSION_FIELDS))
        _set_clinical_status(actor, locked, sev)
        return nxt

    return _idempotent(Admission, client_uuid, run)


@transaction.atomic
def discharge(
    actor: User | None, admission: Admission, *, outcome: str, on: datetime.date, note: str = ""
) -> Admission:
    """End a stay with the case's outcome (recovered or died, with the date): frees the bed.

    A case ruled out or given its outcome on the cases side closes its stay by itself
    (``close_for_case``); a stay of a case ruled out meanwhile only frees the bed here."""
    stay = Admission.objects.select_for_update().select_related("case").get(pk=admission.pk)
    if not stay.is_open:
        raise TreatmentError(_("This stay has ended."), 409)
    if outcome not in (AdmissionEnd.RECOVERED, AdmissionEnd.DIED):
        raise TreatmentError(_("The outcome is recovered or died."), field="outcome")
    _check_day(on, "on", stay.admitted_on)
    before = snapshot(stay, ADMISSION_FIELDS)
    stay.ended_on, stay.ended_by = on, outcome
    if note.strip():
        stay.note = note.strip()[:255]
    stay.save(update_fields=["ended_on", "ended_by", "note"])
    record_change(actor, "treatment.discharge", stay, before, snapshot(stay, ADMISSION_FIELDS))
    if stay.case.status == CaseStatus.RULED_OUT:  # not a case after all: only the bed is freed
        return stay
    try:
        case_actions.set_outcome(actor, stay.case, outcome, on)
    except case_actions.CaseError as exc:
        raise _from_case_error(exc) from exc
    return stay


# Home care -----------------------------------------------------------------------------


def _rule_set_for(case: Case, on: datetime.date) -> Any:
    return rule_set_on(on, case.province_id)


@transaction.atomic
def check_eligibility(
    actor: User | None,
    case: Case,
    *,
    on: datetime.date | None = None,
    pregnant: bool | None = None,
    severity: str | None = None,
) -> EligibilityCheck:
    """Check home-care eligibility under the rule set in force on ``on``; recorded with that set."""
    day = on or timezone.localdate()
    _check_day(day, "on")
    sev = severity or case.clinical_status
    _check_severity(sev)
    person = case.person
    is_pregnant = person.pregnant if pregnant is None else pregnant
    rules = _rule_set_for(case, day)
    ok, months, results = eligibility.evaluate(person, sev, is_pregnant, rules, day)
    check = EligibilityCheck.objects.create(
        case=case,
        checked_on=day,
        rule_set=rules,
        severity=sev,
        pregnant=is_pregnant,
        age_months=months,
        eligible=ok,
        rules=[r.as_dict() for r in results],
        created_by=_actor(actor),
    )
    record_change(
        actor,
        "treatment.eligibility",
        case,
        None,
        {"eligible": ok, "rule_set": rules.code, "failed": [r.code for r in results if not r.passed]},
    )
    return check


def start_home_care(
    actor: User | None,
    case: Case,
    *,
    on: datetime.date | None = None,
    pregnant: bool | None = None,
    override_reason: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[HomeCare, bool]:
    """Start home care of an eligible F0 (the check is run and recorded now).

    Not eligible: refused (422, the failed rules in the message) unless ``override_reason`` is
    given — except when the rule set does not allow home care at all.
    """

    def run() -> HomeCare:
        locked = _check_case_under_treatment(case)
        day = on or timezone.localdate()
        _check_day(day, "on", locked.confirmed_on)
        if open_admission(locked) is not None:
            raise TreatmentError(_("This patient is admitted to a facility: discharge or transfer them."), 409)
        if active_home_care(locked) is not None:
            raise TreatmentError(_("This patient is already cared for at home."), 409)
        check = check_eligibility(actor, locked, on=day, pregnant=pregnant)
        failed = [r for r in check.rules if not r["passed"]]
        if failed and (not override_reason.strip() or any(r["code"] == "allowed" for r in failed)):
            raise TreatmentError(
                _("Not eligible for home care: %(reasons)s") % {"reasons": " ".join(str(r["detail"]) for r in failed)},
                field="override_reason",
            )
        home = HomeCare.objects.create(
            client_uuid=client_uuid,
            case=locked,
            person_id=locked.person_id,
            eligibility=check,
            override_reason=override_reason.strip()[:255] if failed else "",
            started_on=day,
            created_by=_actor(actor),
            province_id=locked.province_id,
            district_id=locked.district_id,
            commune_id=locked.commune_id,
            village_id=locked.village_id,
        )
        record_change(actor, "treatment.home_care_start", home, None, snapshot(home, HOME_CARE_FIELDS))
        return home

    return _idempotent(HomeCare, client_uuid, run)


def _clean_list(values: Iterable[str], allowed: Iterable[str] | None, field: str) -> list[str]:
    items = list(dict.fromkeys(str(v).strip()[:80] for v in values if v is not None and str(v).strip()))
    if len(items) > 20:
        raise TreatmentError(_("At most 20 items."), field=field)
    if allowed is not None:
        known = set(allowed)
        if any(i not in known for i in items):
            raise TreatmentError(_("Unknown warning sign."), field=field)
    return items


def record_monitoring(
    actor: User | None,
    home_care: HomeCare,
    *,
    on: datetime.date,
    spo2: int | None = None,
    temperature: Decimal | None = None,
    symptoms: Iterable[str] = (),
    warning_signs: Iterable[str] = (),
    note: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[MonitoringEntry, bool]:
    """One daily check at home. SpO2 below 96 % or a warning sign marks it as needing a facility."""

    def run() -> MonitoringEntry:
        home = HomeCare.objects.select_for_update().get(pk=home_care.pk)
        if home.status != HomeCareStatus.ACTIVE:
            raise TreatmentError(_("This home care has ended."), 409)
        _check_day(on, "on", home.started_on)
        if spo2 is not None and not SPO2_RANGE[0] <= spo2 <= SPO2_RANGE[1]:
            raise TreatmentError(_("SpO2 must be between 50 and 100 %."), field="spo2")
        if temperature is not None and not TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]:
            raise TreatmentError(_("The temperature must be between 34 and 43 °C."), field="temperature")
        signs = _clean_list(warning_signs, WarningSign.values, "warning_signs")
        entry = MonitoringEntry.objects.create(
            client_uuid=client_uuid,
            home_care=home,
            on=on,
            spo2=spo2,
            temperature=temperature,
            symptoms=_clean_list(symptoms, None, "symptoms"),
            warning_signs=signs,
            note=note.strip()[:255],
            needs_escalation=bool(signs) or (spo2 is not None and spo2 < SPO2_ESCALATE_BELOW),
            created_by=_actor(actor),
        )
        record_change(
            actor,
            "treatment.monitoring",
            home,
            None,
            {"on": on.isoformat(), "spo2": spo2, "warning_signs": signs, "needs_escalation": entry.needs_escalation},
        )
        return entry

    return _idempotent(MonitoringEntry, client_uuid, run)


def _end_home_care(
    actor: User | None, home: HomeCare, status: str, on: datetime.date, escalated_to: Admission | None = None
) -> HomeCare:
    before = snapshot(home, HOME_CARE_FIELDS)
    home.status, home.ended_on, home.escalated_to = status, on, escalated_to
    home.save(update_fields=["status", "ended_on", "escalated_to"])
    record_change(actor, "treatment.home_care_end", home, before, snapshot(home, HOME_CARE_FIELDS))
    return home


def escalate_home_care(
    actor: User | None,
    home_care: HomeCare,
    facility: Facility,
    *,
    bed_kind: str,
    severity: str,
    on: datetime.date | None = None,
    override_reason: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Admission, bool]:
    """Move a patient cared for at home to a facility of the tier their severity calls for."""
    if home_care.status != HomeCareStatus.ACTIVE and _first(Admission, client_uuid) is None:
        raise TreatmentError(_("This home care has ended."), 409)
    return admit(
        actor,
        home_care.case,
        facility,
        bed_kind=bed_kind,
        severity=severity,
        on=on,
        override_reason=override_reason,
        note=_("From home care"),
        client_uuid=client_uuid,
    )


@transaction.atomic
def end_home_care(actor: User | None, home_care: HomeCare, *, outcome: str, on: datetime.date) -> HomeCare:
    """Recovered or died at home: ends the home care and sets the case's outcome."""
    home = HomeCare.objects.select_for_update().select_related("case").get(pk=home_care.pk)
    if home.status != HomeCareStatus.ACTIVE:
        raise TreatmentError(_("This home care has ended."), 409)
    if outcome not in (HomeCareStatus.RECOVERED, HomeCareStatus.DIED):
        raise TreatmentError(_("The outcome is recovered or died."), field="outcome")
    _check_day(on, "on", home.started_on)
    _end_home_care(actor, home, outcome, on)
    if home.case.status == CaseStatus.RULED_OUT:
        return home
    try:
        case_actions.set_outcome(actor, home.case, outcome, on)
    except case_actions.CaseError as exc:
        raise _from_case_error(exc) from exc
    return home


# The case closed on the cases side ---------------------------------------------------------

_CLOSING = {
    Outcome.RECOVERED: (AdmissionEnd.RECOVERED, HomeCareStatus.RECOVERED),
    Outcome.DIED: (AdmissionEnd.DIED, HomeCareStatus.DIED),
}


def close_for_case(actor: User | None, case: Case) -> None:
    """``cases.events.closed`` listener: the case was ruled out or given its outcome elsewhere (the
    case page, the API): its open stay ends (freeing the bed) and its home care ends, on that day.

    Nothing to do when the outcome was set from here (discharge closes the stay first)."""
    if case.status == CaseStatus.RULED_OUT:
        stay_end, home_end, day = AdmissionEnd.RULED_OUT, HomeCareStatus.RULED_OUT, case.ruled_out_on
    elif case.outcome in _CLOSING:
        (stay_end, home_end), day = _CLOSING[Outcome(case.outcome)], case.outcome_date
    else:
        return
    day = day or timezone.localdate()
    for stay in Admission.objects.select_for_update().filter(case=case, ended_on__isnull=True):
        before = snapshot(stay, ADMISSION_FIELDS)
        stay.ended_on, stay.ended_by = max(day, stay.admitted_on), stay_end
        stay.save(update_fields=["ended_on", "ended_by"])
        record_change(actor, "treatment.close_for_case", stay, before, snapshot(stay, ADMISSION_FIELDS))
    for home in HomeCare.objects.select_for_update().filter(case=case, status=HomeCareStatus.ACTIVE):
        _end_home_care(actor, home, home_end, max(day, home.started_on))
