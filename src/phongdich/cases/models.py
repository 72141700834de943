"""Confirmed cases (F0), clusters (ổ dịch) and exposure sites (R-CASE, R-EXPOSURE)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from phongdich.people.models import UnitScoped


class CaseStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("case status", "Confirmed")
    RULED_OUT = "ruled_out", _("Ruled out")


class DetectedBy(models.TextChoices):
    COMMUNITY = "community", _("In the community")
    QUARANTINE = "quarantine", pgettext_lazy("how found", "In quarantine")
    CHECKPOINT = "checkpoint", _("At a checkpoint")
    SCREENING = "screening", _("By screening")
    SELF_REPORTED = "self_reported", _("Self-reported")


class ClinicalStatus(models.TextChoices):
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic")
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    CRITICAL = "critical", _("Critical")


class Outcome(models.TextChoices):
    UNDER_TREATMENT = "under_treatment", _("Under treatment")
    RECOVERED = "recovered", _("Recovered")
    DIED = "died", _("Died")


class Cluster(UnitScoped):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CONTROLLED = "controlled", _("Controlled")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=255, blank=True)
    first_date = models.DateField(_("first case on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_date", "code"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name


class Case(UnitScoped):
    """An F0. The jurisdiction columns are the person's at the time the case was created."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    code = models.CharField(_("case code"), max_length=32, unique=True, help_text=_("Province sequence, e.g. ĐB-0123."))
    national_code = models.CharField(_("national number (BN)"), max_length=32, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.CONFIRMED)
    onset_date = models.DateField(_("symptom onset"), null=True, blank=True)
    sample_date = models.DateField(_("sample taken"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"))
    detected_by = models.CharField(
        _("how found"), max_length=16, choices=DetectedBy.choices, default=DetectedBy.COMMUNITY
    )
    source_known = models.BooleanField(_("source known"), default=False)
    source_note = models.CharField(_("source of infection"), max_length=255, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    clinical_status = models.CharField(
        _("clinical status"), max_length=16, choices=ClinicalStatus.choices, default=ClinicalStatus.ASYMPTOMATIC
    )
    outcome = models.CharField(
        _("treatment outcome"), max_length=16, choices=Outcome.choices, default=Outcome.UNDER_TREATMENT
    )
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    ruled_out_on = models.DateField(_("ruled out on"), null=True, blank=True)
    ruled_out_reason = models.CharField(_("reason ruled out"), max_length=255, blank=True)
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    rule_set = models.ForeignKey(
        "policy.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The rule set in force on the confirmation date."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-confirmed_on", "-code"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["status", "confirmed_on"], name="case_status_confirmed")]

    def __str__(self) -> str:
        return self.code


class ExposureSite(UnitScoped):
    """A published place and time window ("Bệnh viện K, cơ sở Tân Triều, từ 22/4")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("place"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    description = models.TextField(_("what people who were there should do"), blank=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="exposure_sites")
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="exposure_sites"
    )
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("exposure site")
        verbose_name_plural = _("exposure sites")

    def __str__(self) -> str:
        return self.name


class ExposureReport(models.Model):
    """Someone who says they were at a published exposure site (public form)."""

    class Channel(models.TextChoices):
        PUBLIC_WEB = "public_web", _("Public page")
        STAFF = "staff", _("Entered by staff")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PUBLIC_WEB)
    site = models.ForeignKey(ExposureSite, on_delete=models.CASCADE, related_name="reports")
    person = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    visited_on = models.DateField(_("visited on"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class CaseCounter(models.Model):
    """The last number handed out in a sequence ("11" → ĐB-0001, ĐB-0002 …; "11-cluster" …).

    Incremented with one ``UPDATE … SET value = value + 1`` inside the transaction that creates
    the case, so two concurrent confirmations never get the same number (the row stays locked
    until commit) and a rolled-back confirmation gives its number back.
    """

    key = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
