"""Treatment of F0 by the three-tier model (tháp 3 tầng, DOMAIN.md §3; R-TREAT).

- ``Facility``: a place that treats F0, of one tier (the highest tier of care it gives), at its
  unit (jurisdiction columns), with a staff count and ``BedStock`` rows: how many beds of each
  kind (ordinary, oxygen, ICU, ventilator). Counts per kind are enough: beds are not individual
  rows; the beds taken are the open admissions of that kind.
- ``Admission``: one stay of one F0 in one facility, taking one bed of one kind. A transfer ends
  the stay (``ended_by = transferred``) and opens the next one (``previous``), so the bed moves.
- ``Reassessment``: the severity of an admitted patient over time (updates the case).
- ``HomeCare`` + ``MonitoringEntry``: an eligible F0 cared for at home, followed daily by the
  commune health station; ``EligibilityCheck`` records each rule checked and the rule set used.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.cases.models import ClinicalStatus
from phongdich.people.models import UnitScoped


class Tier(models.IntegerChoices):
    ONE = 1, _("Tier 1: asymptomatic and mild")
    TWO = 2, _("Tier 2: moderate")
    THREE = 3, _("Tier 3: severe and critical")


# Which tier each severity calls for (DOMAIN.md §3).
TIER_FOR_SEVERITY: dict[str, int] = {
    ClinicalStatus.ASYMPTOMATIC: 1,
    ClinicalStatus.MILD: 1,
    ClinicalStatus.MODERATE: 2,
    ClinicalStatus.SEVERE: 3,
    ClinicalStatus.CRITICAL: 3,
}


def tier_for(severity: str) -> int:
    return TIER_FOR_SEVERITY[severity]


class FacilityKind(models.TextChoices):
    FIELD_HOSPITAL = "field_hospital", _("Field hospital")
    COLLECTION = "collection", _("Collection and treatment facility (cơ sở thu dung)")
    HEALTH_CENTRE = "health_centre", _("District hospital / health centre")
    PROVINCIAL_HOSPITAL = "provincial_hospital", _("Provincial hospital")
    REPURPOSED = "repurposed", _("Repurposed hospital")
    ICU_CENTRE = "icu_centre", _("Intensive-care unit / hospital")


# Kinds that are set up for an outbreak and can be activated and stood down.
ACTIVATABLE = frozenset({FacilityKind.FIELD_HOSPITAL, FacilityKind.COLLECTION})


class BedKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary bed")
    OXYGEN = "oxygen", _("Oxygen bed")
    ICU = "icu", _("ICU bed")
    VENTILATOR = "ventilator", _("Ventilator bed")


class Facility(UnitScoped):
    """A treatment facility at its unit (the jurisdiction columns are the facility's place)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=FacilityKind.choices)
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=Tier.choices, help_text=_("The highest tier of care the facility gives.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    active = models.BooleanField(_("active"), default=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    stood_down_on = models.DateField(_("stood down on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-tier", "name"]
        verbose_name = _("treatment facility")
        verbose_name_plural = _("treatment facilities")

    def __str__(self) -> str:
        return self.name

    @property
    def activatable(self) -> bool:
        return self.kind in ACTIVATABLE


class BedStock(models.Model):
    """How many beds of one kind a facility has (the taken ones are its open admissions)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="beds")
    kind = models.CharField(_("bed kind"), max_length=16, choices=BedKind.choices)
    total = models.PositiveIntegerField(_("beds"), default=0)

    class Meta:
        ordering = ["facility", "kind"]
        constraints = [models.UniqueConstraint(fields=["facility", "kind"], name="bedstock_unique_kind")]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.kind}: {self.total}"


class AdmissionEnd(models.TextChoices):
    TRANSFERRED = "transferred", _("Transferred")
    RECOVERED = "recovered", _("Recovered, discharged")
    DIED = "died", _("Died")
    RULED_OUT = "ruled_out", _("Not a case (ruled out)")


class TransferDirection(models.TextChoices):
    UP = "up", _("Up (a higher tier)")
    DOWN = "down", _("Down (a lower tier)")
    SAME = "same", _("Same tier")


class Admission(UnitScoped):
    """One stay of an F0 in one facility. The jurisdiction columns are the patient's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="stays")
    bed_kind = models.CharField(_("bed kind"), max_length=16, choices=BedKind.choices)
    severity = models.CharField(_("severity on admission"), max_length=16, choices=ClinicalStatus.choices)
    required_tier = models.PositiveSmallIntegerField(_("tier required"), choices=Tier.choices)
    tier = models.PositiveSmallIntegerField(_("tier of the facility"), choices=Tier.choices)
    override_reason = models.CharField(_("reason for admitting below the tier required"), max_length=255, blank=True)
    admitted_on = models.DateField(_("admitted on"))
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_stay", editable=False
    )
    direction = models.CharField(_("transfer"), max_length=8, choices=TransferDirection.choices, blank=True)
    transfer_reason = models.CharField(_("reason for the transfer"), max_length=255, blank=True)
    from_home_care = models.ForeignKey(
        "HomeCare", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=16, choices=AdmissionEnd.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-admitted_on", "-created_at"]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        constraints = [
            # One open stay per case: a second admission while one is open is a transfer.
            models.UniqueConstraint(fields=["case"], condition=Q(ended_on__isnull=True), name="admission_one_open"),
        ]
        indexes = [
            models.Index(fields=["facility", "bed_kind"], condition=Q(ended_on__isnull=True), name="admission_open")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.facility_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def below_tier(self) -> bool:
        return self.tier < self.required_tier


class Reassessment(models.Model):
    """A severity assessment of an admitted patient (or one cared for at home)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="reassessments")
    assessed_on = models.DateField(_("assessed on"))
    severity = models.CharField(_("severity"), max_length=16, choices=ClinicalStatus.choices)
    required_tier = models.PositiveSmallIntegerField(_("tier required"), choices=Tier.choices)
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]


class EligibilityCheck(models.Model):
    """Whether an F0 may be cared for at home: each rule with passed/failed, and the rule set used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    checked_on = models.DateField(_("checked on"))
    rule_set = models.ForeignKey("policy.RuleSet", on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(_("severity"), max_length=16, choices=ClinicalStatus.choices)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    age_months = models.PositiveIntegerField(_("age (months)"), null=True, blank=True)
    eligible = models.BooleanField(_("eligible"))
    rules = models.JSONField(_("rules checked"), default=list)  # [{"code", "passed", "detail"}]
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class HomeCareStatus(models.TextChoices):
    ACTIVE = "active", _("Cared for at home")
    ESCALATED = "escalated", _("Moved to a facility")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")
    RULED_OUT = "ruled_out", _("Not a case (ruled out)")


class HomeCare(UnitScoped):
    """An F0 cared for at home, monitored by the commune health station. Columns: the patient's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    eligibility = models.ForeignKey(EligibilityCheck, on_delete=models.PROTECT, related_name="+")
    override_reason = models.CharField(_("reason for home care despite the rules"), max_length=255, blank=True)
    started_on = models.DateField(_("started on"))
    status = models.CharField(_("status"), max_length=16, choices=HomeCareStatus.choices, default=HomeCareStatus.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        Admission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-created_at"]
        verbose_name = _("home care")
        verbose_name_plural = _("home care")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="active"), name="homecare_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} home care"


class WarningSign(models.TextChoices):
    BREATHLESS = "breathless", _("Shortness of breath, fast breathing")
    CHEST_PAIN = "chest_pain", _("Chest pain or tightness")
    CONFUSION = "confusion", _("Confusion, drowsiness")
    BLUE_LIPS = "blue_lips", _("Bluish lips or face")
    CANNOT_EAT = "cannot_eat", _("Cannot eat or drink")
    HIGH_FEVER = "high_fever", _("High fever not going down")


class MonitoringEntry(models.Model):
    """One daily check of a patient at home."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    home_care = models.ForeignKey(HomeCare, on_delete=models.CASCADE, related_name="entries")
    on = models.DateField(_("date"))
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    warning_signs = models.JSONField(_("warning signs"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    needs_escalation = models.BooleanField(_("needs a facility"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-created_at"]
