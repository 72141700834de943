"""Every change to cases and clusters goes through these functions: atomic, audited.

``create_case`` is the one way a person becomes an F0 (manual entry now; the testing module
will call it for positive results). In one transaction it:

1. returns the first case when ``client_uuid`` was seen before (a retry never duplicates);
2. refuses a person who already has an active case (confirmed, not ruled out, still under
   treatment) — :class:`CaseError` with status 409;
3. takes the next number of the deployment province's sequence ("ĐB-0001") from
   :class:`~phongdich.cases.models.CaseCounter` with one ``UPDATE … value = value + 1``, which
   locks the counter row until commit: concurrent confirmations get distinct numbers and a
   rolled-back one gives its number back;
4. copies the person's jurisdiction columns and records the rule set in force on the
   confirmation date (``policy.queries.rule_set_on``);
5. calls ``tracing.levels.on_case_confirmed(case)`` **directly, inside the same transaction**
   (not ``on_commit``): the derived F levels are then never out of step with the case row —
   if the derivation fails, the case is not created either, and the task list built next can
   read the levels just derived;
6. opens the investigation with one tracing task per F1/F2 of the case
   (``tracing.investigations.open_investigation``) and re-syncs the investigations of other
   cases whose contacts moved to this one.

``rule_out_case`` and ``update_case`` call the level engine the same way. Other modules react
through ``cases.events`` (confirmed; closed = ruled out or given an outcome), in the same transaction.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.cases import events
from phongdich.cases.models import (
    Case,
    CaseCounter,
    CaseStatus,
    ClinicalStatus,
    Cluster,
    DetectedBy,
    Outcome,
)
from phongdich.core.audit import record_change, snapshot
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Person
from phongdich.tracing import investigations
from phongdich.tracing import levels as tracing_levels

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.policy.models import RuleSet

# Abbreviations used in case codes ("ĐB-0123"). The deployment province's code is looked up
# here; a province missing from the table uses its numeric code ("45-0001").
PROVINCE_ABBREVIATIONS: dict[str, str] = {
    "01": "HN",
    "02": "HG",
    "04": "CB",
    "06": "BK",
    "08": "TQ",
    "10": "LCa",
    "11": "ĐB",
    "12": "LC",
    "14": "SL",
    "15": "YB",
    "17": "HB",
    "19": "TN",
    "20": "LS",
    "22": "QN",
    "24": "BG",
    "25": "PT",
    "26": "VP",
    "27": "BN",
    "30": "HD",
    "31": "HP",
    "33": "HY",
    "34": "TB",
    "35": "HNa",
    "36": "NĐ",
    "37": "NB",
    "38": "TH",
    "40": "NA",
    "42": "HT",
    "44": "QB",
    "46": "TTH",
    "48": "ĐN",
    "79": "HCM",
    "92": "CT",
}

# The earliest plausible date of anything about a case (Vietnam's first cases: January 2020).
EARLIEST = datetime.date(2020, 1, 1)
# Onset or sample more than this many days before confirmation is refused as a likely typo.
MAX_DAYS_BEFORE_CONFIRMATION = 30
MAX_SYMPTOMS = 20

# Known symptoms (the form's checkboxes); the API also accepts free text.
SYMPTOMS: dict[str, Any] = {
    "fever": gettext_lazy("Fever"),
    "cough": gettext_lazy("Cough"),
    "sore_throat": gettext_lazy("Sore throat"),
    "runny_nose": gettext_lazy("Runny or stuffy nose"),
    "loss_of_smell": gettext_lazy("Loss of taste or smell"),
    "fatigue": gettext_lazy("Fatigue"),
    "breathless": gettext_lazy("Shortness of breath"),
    "headache": gettext_lazy("Headache"),
    "muscle_pain": gettext_lazy("Muscle or body aches"),
    "diarrhoea": gettext_lazy("Diarrhoea"),
}

CASE_FIELDS = [
    "code",
    "national_code",
    "person",
    "status",
    "onset_date",
    "sample_date",
    "confirmed_on",
    "detected_by",
    "source_known",
    "source_note",
    "symptoms",
    "clinical_status",
    "outcome",
    "outcome_date",
    "ruled_out_on",
    "ruled_out_reason",
    "cluster",
    "rule_set",
    "province",
    "district",
    "commune",
    "village",
]
CLUSTER_FIELDS = [
    "code",
    "name",
    "place",
    "first_date",
    "status",
    "description",
    "province",
    "district",
    "commune",
    "village",
]

# Fields update_case accepts.
EDITABLE = frozenset(
    {
        "confirmed_on",
        "onset_date",
        "sample_date",
        "detected_by",
        "source_known",
        "source_note",
        "symptoms",
        "clinical_status",
        "national_code",
        "cluster",
    }
)
_DERIVATION_FIELDS = frozenset({"confirmed_on", "onset_date", "sample_date"})


class CaseError(Exception):
    """A refused change: a message for the user, the HTTP status, the field at fault (if any)."""

    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass(frozen=True)
class CaseDates:
    confirmed_on: datetime.date
    onset_date: datetime.date | None = None
    sample_date: datetime.date | None = None


# Sequences -----------------------------------------------------------------------------


def province_abbreviation(code: str | None = None) -> str:
    code = code or settings.PHONGDICH_PROVINCE_CODE
    return PROVINCE_ABBREVIATIONS.get(code, code)


def next_number(key: str) -> int:
    """The next number of sequence ``key``; call inside the transaction that uses it."""
    updated = CaseCounter.objects.filter(pk=key).update(value=F("value") + 1)
    if not updated:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(key=key, value=1)
            return 1
        except IntegrityError:  # created concurrently: increment that row
            CaseCounter.objects.filter(pk=key).update(value=F("value") + 1)
    return int(CaseCounter.objects.values_list("value", flat=True).get(pk=key))


def next_case_code() -> str:
    province = settings.PHONGDICH_PROVINCE_CODE
    return f"{province_abbreviation(province)}-{next_number(province):04d}"


def next_cluster_code() -> str:
    province = settings.PHONGDICH_PROVINCE_CODE
    return f"{province_abbreviation(province)}-OD-{next_number(province + '-cluster'):03d}"


# Validation ----------------------------------------------------------------------------


def check_dates(dates: CaseDates, today: datetime.date | None = None) -> None:
    """Raise CaseError (422, with the field) for implausible case dates."""
    today = today or timezone.localdate()
    c = dates.confirmed_on
    if c > today:
        raise CaseError(_("The confirmation date cannot be in the future."), field="confirmed_on")
    if c < EARLIEST:
        raise CaseError(_("The confirmation date is before 2020: check the year."), field="confirmed_on")
    earliest = c - datetime.timedelta(days=MAX_DAYS_BEFORE_CONFIRMATION)
    if dates.sample_date is not None:
        if dates.sample_date > c:
            raise CaseError(_("The sample cannot be taken after the confirmation date."), field="sample_date")
        if dates.sample_date < earliest:
            raise CaseError(
                _("The sample date is more than %(n)s days before confirmation: check it.")
                % {"n": MAX_DAYS_BEFORE_CONFIRMATION},
                field="sample_date",
            )
    if dates.onset_date is not None:
        if dates.onset_date > today:
            raise CaseError(_("The symptom onset cannot be in the future."), field="onset_date")
        if dates.onset_date < earliest:
            raise CaseError(
                _("The symptom onset is more than %(n)s days before confirmation: check it.")
                % {"n": MAX_DAYS_BEFORE_CONFIRMATION},
                field="onset_date",
            )


def clean_symptoms(values: Iterable[str]) -> list[str]:
    items = [str(v).strip()[:80] for v in values if v is not None and str(v).strip()]
    items = list(dict.fromkeys(items))
    if len(items) > MAX_SYMPTOMS:
        raise CaseError(_("At most %(n)s symptoms.") % {"n": MAX_SYMPTOMS}, field="symptoms")
    return items


def symptom_label(value: str) -> str:
    label = SYMPTOMS.get(value)
    return str(label) if label is not None else value


def active_case(person: Person) -> Case | None:
    """The person's case that still counts: confirmed and under treatment."""
    return (
        Case.objects.filter(person=person, status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
        .order_by("-confirmed_on")
        .first()
    )


def _rule_set_on(date: datetime.date, province: AdminUnit | None) -> RuleSet | None:
    from phongdich.policy import queries as policy_queries  # the tracing-engine helper's module

    try:
        return policy_queries.rule_set_on(date, province)
    except (ObjectDoesNotExist, LookupError):  # no rule set loaded for that date
        return None


def _deployment_province() -> AdminUnit | None:
    return AdminUnit.objects.filter(
        version=settings.PHONGDICH_HIERARCHY, level="province", code=settings.PHONGDICH_PROVINCE_CODE
    ).first()


# Cases ---------------------------------------------------------------------------------


def create_case(
    actor: User | None,
    person: Person,
    *,
    confirmed_on: datetime.date,
    onset_date: datetime.date | None = None,
    sample_date: datetime.date | None = None,
    detected_by: str = DetectedBy.COMMUNITY,
    source_known: bool = False,
    source_note: str = "",
    symptoms: Iterable[str] = (),
    clinical_status: str = ClinicalStatus.ASYMPTOMATIC,
    national_code: str = "",
    cluster: Cluster | None = None,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Case, bool]:
    """Confirm ``person`` as an F0. Returns (case, created); see the module docstring."""
    if client_uuid is not None:
        existing = Case.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    check_dates(CaseDates(confirmed_on, onset_date, sample_date))
    if detected_by not in DetectedBy.values:
        raise CaseError(_("Unknown way of detection."), field="detected_by")
    if clinical_status not in ClinicalStatus.values:
        raise CaseError(_("Unknown clinical status."), field="clinical_status")
    symptom_list = clean_symptoms(symptoms)
    try:
        with transaction.atomic():
            return _create_case(
                actor,
                person,
                confirmed_on=confirmed_on,
                onset_date=onset_date,
                sample_date=sample_date,
                detected_by=detected_by,
                source_known=source_known,
                source_note=source_note.strip()[:255],
                symptoms=symptom_list,
                clinical_status=clinical_status,
                national_code=national_code.strip()[:32],
                cluster=cluster,
                client_uuid=client_uuid,
            )
    except IntegrityError:
        # The same client UUID was committed concurrently: return that case.
        if client_uuid is not None:
            again = Case.objects.filter(client_uuid=client_uuid).first()
            if again is not None:
                return again, False
        raise


def _create_case(actor: User | None, person: Person, **fields: Any) -> tuple[Case, bool]:
    # Lock the person row: two concurrent confirmations of one person are serialised, and the
    # second sees the first's case below.
    locked = Person.objects.select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise CaseError(_("This person no longer exists."), status=404)
    if locked.merged_into_id is not None:
        raise CaseError(_("This record was merged into another: confirm the case on the record in use."), 409)
    current = active_case(locked)
    if current is not None:
        raise CaseError(
            _("This person already has an active case (%(code)s). Rule it out or record its outcome first.")
            % {"code": current.code},
            409,
        )
    province = locked.province or _deployment_province()
    case = Case(
        person=locked,
        code=next_case_code(),
        status=CaseStatus.CONFIRMED,
        rule_set=_rule_set_on(fields["confirmed_on"], province),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        province_id=locked.province_id,
        district_id=locked.district_id,
        commune_id=locked.commune_id,
        village_id=locked.village_id,
        **fields,
    )
    case.save()
    record_change(actor, "case.create", case, None, snapshot(case, CASE_FIELDS))
    tracing_levels.on_case_confirmed(case)
    investigation = investigations.open_investigation(actor, case)
    investigations.sync_for_persons(investigations.persons_near(case), skip=investigation.pk)
    events.confirmed(actor, case)
    return case, True


@transaction.atomic
def rule_out_case(actor: User | None, case: Case, reason: str) -> Case:
    """The case was not a case after all: its contacts' levels move down or go."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Give the reason the case is ruled out."), field="reason")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.RULED_OUT:
        raise CaseError(_("This case is already ruled out."), 409)
    before = snapshot(case, CASE_FIELDS)
    touched = investigations.persons_near(case)
    case.status = CaseStatus.RULED_OUT
    case.ruled_out_on = timezone.localdate()
    case.ruled_out_reason = reason[:255]
    case.save(update_fields=["status", "ruled_out_on", "ruled_out_reason", "updated_at"])
    record_change(actor, "case.rule_out", case, before, snapshot(case, CASE_FIELDS))
    investigations.close_for_case(actor, case, _("Case ruled out: %(reason)s") % {"reason": case.ruled_out_reason})
    tracing_levels.on_case_ruled_out(case)
    investigations.sync_for_persons(touched | investigations.persons_near(case))
    events.closed(actor, case)
    return case


@transaction.atomic
def set_outcome(actor: User | None, case: Case, outcome: str, date: datetime.date | None) -> Case:
    """Recovered or died (with the date), or back to under treatment (a correction)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.RULED_OUT:
        raise CaseError(_("A ruled-out case has no outcome."), 409)
    if outcome not in Outcome.values:
        raise CaseError(_("Unknown outcome."), field="outcome")
    if outcome == Outcome.UNDER_TREATMENT:
        if date is not None:
            raise CaseError(_("A case under treatment has no outcome date."), field="date")
    else:
        if date is None:
            raise CaseError(_("Give the date of the outcome."), field="date")
        if date > timezone.localdate():
            raise CaseError(_("The outcome date cannot be in the future."), field="date")
        if date < case.confirmed_on:
            raise CaseError(_("The outcome date cannot be before the confirmation date."), field="date")
        if case.onset_date is not None and date < case.onset_date:
            raise CaseError(_("The outcome date cannot be before the symptom onset."), field="date")
    before = snapshot(case, CASE_FIELDS)
    case.outcome = outcome
    case.outcome_date = date
    case.save(update_fields=["outcome", "outcome_date", "updated_at"])
    record_change(actor, "case.outcome", case, before, snapshot(case, CASE_FIELDS))
    if outcome != Outcome.UNDER_TREATMENT:
        events.closed(actor, case)
    return case


def _current(case: Case, key: str) -> Any:
    return case.cluster_id if key == "cluster" else getattr(case, key)


def _comparable(key: str, value: Any) -> Any:
    if key == "cluster":
        return value.pk if value is not None else None
    return value


@transaction.atomic
def update_case(actor: User | None, case: Case, changes: dict[str, Any]) -> Case:
    """Apply ``changes`` (field → value, fields of EDITABLE). Dates re-run the derivation."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise CaseError(_("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.RULED_OUT:
        raise CaseError(_("A ruled-out case cannot be changed."), 409)
    changed = {k: v for k, v in changes.items() if _current(case, k) != _comparable(k, v)}
    if not changed:
        return case
    if "symptoms" in changed:
        changed["symptoms"] = clean_symptoms(changed["symptoms"])
    if "detected_by" in changed and changed["detected_by"] not in DetectedBy.values:
        raise CaseError(_("Unknown way of detection."), field="detected_by")
    if "clinical_status" in changed and changed["clinical_status"] not in ClinicalStatus.values:
        raise CaseError(_("Unknown clinical status."), field="clinical_status")
    for key in ("source_note", "national_code"):
        if key in changed:
            changed[key] = (changed[key] or "").strip()[: 255 if key == "source_note" else 32]
    dates = CaseDates(
        changed.get("confirmed_on", case.confirmed_on),
        changed.get("onset_date", case.onset_date),
        changed.get("sample_date", case.sample_date),
    )
    check_dates(dates)
    before = snapshot(case, CASE_FIELDS)
    for key, value in changed.items():
        setattr(case, key, value)
    fields = list(changed)
    if "confirmed_on" in changed:
        case.rule_set = _rule_set_on(case.confirmed_on, case.province or _deployment_province())
        fields.append("rule_set")
    case.save(update_fields=[*fields, "updated_at"])
    record_change(actor, "case.update", case, before, snapshot(case, CASE_FIELDS))
    if _DERIVATION_FIELDS & set(changed):
        touched = investigations.persons_near(case)
        tracing_levels.on_case_confirmed(case)  # "re-confirmed": the infectious window moved
        investigations.sync_for_persons(touched | investigations.persons_near(case))
    return case


# Clusters ------------------------------------------------------------------------------


def _check_cluster_fields(fields: dict[str, Any]) -> None:
    if "name" in fields and not (fields["name"] or "").strip():
        raise CaseError(_("Give the cluster a name."), field="name")
    first = fields.get("first_date")
    if first is not None and (first > timezone.localdate() or first < EARLIEST):
        raise CaseError(_("The first date is not plausible."), field="first_date")
    if "status" in fields and fields["status"] not in Cluster.Status.values:
        raise CaseError(_("Unknown cluster status."), field="status")


@transaction.atomic
def create_cluster(
    actor: User | None,
    *,
    name: str,
    unit: AdminUnit,
    place: str = "",
    first_date: datetime.date | None = None,
    status: str = Cluster.Status.ACTIVE,
    description: str = "",
    client_uuid: uuid.UUID | None = None,
) -> Cluster:
    """A new cluster (its code from the province's cluster sequence: "ĐB-OD-001").

    A retry with the same ``client_uuid`` returns the first cluster.
    """
    if client_uuid is not None:
        existing = Cluster.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    _check_cluster_fields({"name": name, "first_date": first_date, "status": status})
    cluster = Cluster(
        client_uuid=client_uuid,
        code=next_cluster_code(),
        name=name.strip()[:200],
        place=place.strip()[:255],
        first_date=first_date,
        status=status,
        description=description.strip(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **lineage_columns(unit),
    )
    cluster.save()
    record_change(actor, "cluster.create", cluster, None, snapshot(cluster, CLUSTER_FIELDS))
    return cluster


@transaction.atomic
def update_cluster(actor: User | None, cluster: Cluster, changes: dict[str, Any]) -> Cluster:
    """``changes``: name, place, first_date, status, description, unit."""
    _check_cluster_fields(changes)
    before = snapshot(cluster, CLUSTER_FIELDS)
    fields: list[str] = []
    for key, value in changes.items():
        if key == "unit":
            for col, v in lineage_columns(value).items():
                setattr(cluster, col, v)
            fields += ["province", "district", "commune", "village"]
        elif key in ("name", "place", "description"):
            setattr(cluster, key, (value or "").strip()[: 200 if key == "name" else 255 if key == "place" else 5000])
            fields.append(key)
        elif key in ("first_date", "status"):
            setattr(cluster, key, value)
            fields.append(key)
        else:
            raise CaseError(_("These fields cannot be changed here: %(f)s.") % {"f": key})
    if fields:
        cluster.save(update_fields=fields)
        record_change(actor, "cluster.update", cluster, before, snapshot(cluster, CLUSTER_FIELDS))
    return cluster


@transaction.atomic
def delete_cluster(actor: User | None, cluster: Cluster) -> None:
    if cluster.cases.exists():
        raise CaseError(_("This cluster still has cases: move them to another cluster first."), 409)
    record_change(actor, "cluster.delete", cluster, snapshot(cluster, CLUSTER_FIELDS), None)
    cluster.delete()
