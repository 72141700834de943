"""Models of the testing app (issue 4, R-TEST): samples, pools, results, laboratories, campaigns.

A ``Sample`` is one person's test. It has its own tube (barcode) when taken singly; the members
of a pooled tube (``Pool``, gộp mẫu: one tube for 2–10 persons) each have a Sample without a
barcode pointing at the pool. A positive or invalid pool queues a new individual Sample for each
member (status ``queued``, no tube yet); a negative pool makes each member's Sample negative.
Samples carry the person's jurisdiction columns, so the commune sees its residents' results.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.people.models import UnitScoped
from phongdich.policy.models import TestKind


class PlaceKind(models.TextChoices):
    CHECKPOINT = "checkpoint", _("Checkpoint")
    CAMPAIGN_SITE = "campaign_site", _("Campaign testing site")
    HEALTH_STATION = "health_station", _("Health station")
    QUARANTINE = "quarantine", _("Quarantine facility")
    HOSPITAL = "hospital", _("Hospital")
    HOME = "home", _("At home")


class SampleType(models.TextChoices):
    NASOPHARYNGEAL = "nasopharyngeal", _("Nasopharyngeal swab")
    OROPHARYNGEAL = "oropharyngeal", _("Throat swab")
    NASAL = "nasal", _("Nasal swab")
    SALIVA = "saliva", _("Saliva")


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    INVALID = "invalid", _("Invalid")


class ResultSource(models.TextChoices):
    ENTRY = "entry", _("Entered by lab staff")
    IMPORT = "import", _("Imported file")
    API = "api", _("API")
    POOL = "pool", _("From the pooled tube")


class TubeStatus(models.TextChoices):
    QUEUED = "queued", _("To be taken")
    TAKEN = "taken", _("Taken")
    RECEIVED = "received", _("At the laboratory")
    RESULTED = "resulted", _("Resulted")
    POOL_POSITIVE = "pool_positive", _("Pool positive: individual test queued")
    POOL_INVALID = "pool_invalid", _("Pool invalid: re-test queued")


class Laboratory(UnitScoped):
    """A laboratory (jurisdiction columns: where it is) with its daily capacity in tests."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    daily_capacity = models.PositiveIntegerField(_("tests per day"), default=0)
    rt_pcr = models.BooleanField(_("does RT-PCR"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("laboratory")
        verbose_name_plural = _("laboratories")

    def __str__(self) -> str:
        return self.name


class CampaignKind(models.TextChoices):
    MASS = "mass", _("Mass testing")
    SCREENING = "screening", _("Screening")


class CampaignPlace(models.TextChoices):
    AREA = "", _("The whole area")
    MARKET = "market", _("Market")
    WORKPLACE = "workplace", _("Workplace")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    OTHER = "other", _("Other place")


class Campaign(UnitScoped):
    """A mass-testing or screening campaign over a commune or village, or a place in it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Under way")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices, default=CampaignKind.MASS)
    place_kind = models.CharField(_("place"), max_length=16, choices=CampaignPlace.choices, blank=True)
    place_name = models.CharField(_("place name"), max_length=200, blank=True)
    test_kind = models.CharField(_("test"), max_length=16, choices=TestKind.choices, default=TestKind.RT_PCR)
    target_population = models.PositiveIntegerField(_("target population"), default=0)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    sites = models.JSONField(_("testing sites"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("testing campaign")
        verbose_name_plural = _("testing campaigns")

    def __str__(self) -> str:
        return self.name


class Tube(UnitScoped):
    """What a tube has in common, single or pooled: where and when taken, lab, result."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)
    barcode = models.CharField(_("tube barcode"), max_length=32, null=True, blank=True)
    test_kind = models.CharField(_("test"), max_length=16, choices=TestKind.choices, default=TestKind.RT_PCR)
    sample_type = models.CharField(
        _("sample type"), max_length=16, choices=SampleType.choices, default=SampleType.NASOPHARYNGEAL
    )
    place_kind = models.CharField(_("kind of place"), max_length=16, choices=PlaceKind.choices)
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    # Few indexes: a result import updates every row it touches (each index costs a write).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    lab = models.ForeignKey(  # the (lab, received_at) index serves it
        Laboratory, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    received_at = models.DateTimeField(_("received at the laboratory"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TubeStatus.choices, default=TubeStatus.TAKEN)
    outcome = models.CharField(_("result"), max_length=16, choices=Outcome.choices, blank=True)
    ct = models.DecimalField(_("Ct value"), max_digits=4, decimal_places=1, null=True, blank=True)
    resulted_at = models.DateTimeField(_("resulted at"), null=True, blank=True)
    resulted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    result_source = models.CharField(_("result from"), max_length=16, choices=ResultSource.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Pool(Tube):
    """A pooled tube; its jurisdiction columns are the place's where it was taken."""

    size = models.PositiveSmallIntegerField(_("persons in the pool"), default=0)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("pooled sample")
        verbose_name_plural = _("pooled samples")
        constraints = [
            models.UniqueConstraint(fields=["barcode"], name="pool_unique_barcode"),
            models.UniqueConstraint(
                fields=["client_uuid"], condition=Q(client_uuid__isnull=False), name="pool_unique_client_uuid"
            ),
        ]
        indexes = [
            models.Index(fields=["lab", "received_at"], name="pool_lab_received"),
            models.Index(fields=["campaign"], condition=Q(campaign__isnull=False), name="pool_campaign"),
        ]

    def __str__(self) -> str:
        return self.barcode or str(self.pk)[:8]


class Sample(Tube):
    """One person's test. ``barcode`` is empty for a pool member and for a test still queued."""

    person = models.ForeignKey(  # the (person, taken_at) index serves it
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    pool = models.ForeignKey(
        Pool, on_delete=models.PROTECT, null=True, blank=True, related_name="members", db_index=False
    )
    queued_from = models.ForeignKey(
        Pool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queued",
        db_index=False,
        help_text=_("The positive or invalid pool this individual test was queued for."),
    )

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.UniqueConstraint(
                fields=["barcode"], condition=Q(barcode__isnull=False), name="sample_unique_barcode"
            ),
            models.UniqueConstraint(
                fields=["client_uuid"], condition=Q(client_uuid__isnull=False), name="sample_unique_client_uuid"
            ),
        ]
        # No index may name a column a result changes (status, outcome, resulted_at…), not even in
        # a partial index's condition: then PostgreSQL updates the row in place (HOT) without
        # touching any index, which is most of the import's speed.
        indexes = [
            models.Index(fields=["person", "taken_at"], name="sample_person_taken"),
            models.Index(fields=["lab", "received_at"], name="sample_lab_received"),
            models.Index(fields=["pool"], condition=Q(pool__isnull=False), name="sample_pool"),
            models.Index(fields=["queued_from"], condition=Q(queued_from__isnull=False), name="sample_queued_from"),
            models.Index(fields=["campaign"], condition=Q(campaign__isnull=False), name="sample_campaign"),
        ]

    def __str__(self) -> str:
        return self.barcode or str(self.pk)[:8]


class CaseProposal(UnitScoped):
    """A positive result proposed as a case, reviewed by health/CDC (CASE_EDIT)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        CONFIRMED = "confirmed", _("Confirmed as a case")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="proposals")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    test_kind = models.CharField(_("test"), max_length=16, choices=TestKind.choices)
    sample_date = models.DateField(_("sample taken"))
    detected_by = models.CharField(_("how found"), max_length=16)
    confirmation_advised = models.BooleanField(
        _("RT-PCR confirmation advised"),
        default=False,
        help_text=_("A rapid antigen positive under a rule set where only a positive RT-PCR makes an F0."),
    )
    rule_set = models.ForeignKey("policy.RuleSet", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason rejected"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case proposal")
        verbose_name_plural = _("case proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="proposal_one_pending_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.get_status_display()})"


class ResultImport(models.Model):
    """One uploaded results file: its counts and the per-row report (codes, shown translated)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lab = models.ForeignKey(Laboratory, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    positives = models.PositiveIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-uploaded_at"]
