from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class ResidenceStatus(models.TextChoices):
    PERMANENT = "permanent", _("Permanent resident")
    TEMPORARY_RESIDENT = "temporary_resident", _("Temporary resident here")
    TEMPORARILY_ABSENT = "temporarily_absent", _("Temporarily absent")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    API = "api", _("API")
    ABSENT_LIST = "absent_list", _("Absent-citizen list")
    DEMO = "demo", _("Demo data")
    IMPORT = "import", _("Import")


class UnitScoped(models.Model):
    """The four jurisdiction columns every personal record carries (see geo.AdminUnit).

    They reference admin units without a database-level constraint (``db_constraint=False``):
    units are reference data loaded from vietnam-provinces and never deleted (PROTECT is still
    enforced by Django), while the constraint checks were about half of the commit time of a
    100,000-row list import (one trigger per row and column).
    """

    # No index on province: a deployment serves one province, so it would select every row.
    # A national deployment partitions (or shards) by province instead.
    province = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    district = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
    )
    commune = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
    )
    village = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("village / residential group"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
    )

    class Meta:
        abstract = True


class Household(UnitScoped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("household code"), max_length=32, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code or str(self.pk)[:8]


class Person(UnitScoped):
    """One record per person. Every other module's record points here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)  # unique when given (Meta)
    id_number = models.CharField(_("ID number (CCCD/CMND)"), max_length=12, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=120)
    name_key = models.CharField(max_length=120, editable=False)  # indexed in Meta (no LIKE twin)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    address = models.CharField(_("address (house, street)"), max_length=255, blank=True)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    household_role = models.CharField(_("relation to household head"), max_length=40, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=40, blank=True)
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    workplace = models.CharField(_("workplace"), max_length=255, blank=True)
    conditions = models.JSONField(_("underlying conditions"), default=list, blank=True)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    residence_status = models.CharField(
        _("residence status"), max_length=24, choices=ResidenceStatus.choices, default=ResidenceStatus.PERMANENT
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
        db_index=False,  # a partial index in Meta: almost every row is NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(id_number__isnull=False, merged_into__isnull=True),
                name="person_unique_active_id_number",
            ),
            models.UniqueConstraint(
                fields=["client_uuid"], condition=Q(client_uuid__isnull=False), name="person_unique_client_uuid"
            ),
        ]
        indexes = [
            models.Index(fields=["birth_date", "name_key"], name="person_birth_name"),
            # Matching a row with a birth date also asks for the persons of its name and birth year
            # known by the year only: a small index of those (a list's persons have dates: cheap).
            models.Index(
                fields=["name_key", "birth_year"], condition=Q(birth_date__isnull=True), name="person_undated"
            ),
            # Equality and ordering only: plain indexes (db_index would add a LIKE-pattern twin
            # on PostgreSQL; name search uses the trigram index of migration 0002).
            models.Index(fields=["name_key"], name="person_name_key"),
            models.Index(fields=["phone"], name="person_phone"),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="person_merged_into"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active_record(self) -> bool:
        return self.merged_into_id is None


class ResidenceRecord(models.Model):
    """Residence history: one row per period in a status. The open row has no end date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residence_records")
    status = models.CharField(_("status"), max_length=24, choices=ResidenceStatus.choices)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    temp_address = models.CharField(_("temporary address"), max_length=255, blank=True)
    temp_province = models.ForeignKey(
        "geo.AdminUnit",
        db_constraint=False,
        verbose_name=_("province stayed in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    temp_commune = models.ForeignKey(
        "geo.AdminUnit",
        db_constraint=False,
        verbose_name=_("commune stayed in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    workplace = models.CharField(_("workplace"), max_length=255, blank=True)
    phone = models.CharField(_("phone while away"), max_length=16, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    # The upload and the uploader are the same for every row of an import: Django keeps them
    # consistent (SET_NULL); a database trigger per row and column would only check it again.
    upload = models.ForeignKey(
        "people.AbsentListUpload",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-created_at"]
        indexes = [models.Index(fields=["status", "ended_on"], name="residence_open_status")]


class AbsentListUpload(UnitScoped):
    """One uploaded absent-citizen file of a commune or village, with its row report."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("All rows accepted")
        PARTIAL = "partial", _("Some rows rejected")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("new people"), default=0)
    matched_count = models.PositiveIntegerField(_("matched people"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged rows"), default=0)
    error_count = models.PositiveIntegerField(_("rejected rows"), default=0)
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="absent_upload_unique_file")]


class DuplicateCandidate(models.Model):
    """Two active person records that look like the same person, waiting for review."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not the same person")

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    reasons = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_unique_pair")]


class PersonMerge(models.Model):
    """A merge of one record into another, with what it moved, so that it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_into")
    candidate = models.ForeignKey(
        DuplicateCandidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moved = models.JSONField(default=dict, help_text="{'app.Model.field': [pk, ...]} re-pointed to the survivor")
    survivor_before = models.JSONField(default=dict)
    merged_before = models.JSONField(default=dict)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    performed_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-performed_at"]
