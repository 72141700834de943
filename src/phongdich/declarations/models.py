"""Models of the declarations app (issue 5): medical declarations, their flags, venues and check-ins.

A declaration carries the jurisdiction columns of its DESTINATION commune (where the person is
going or lives): that commune's staff see it. The QR code the person receives signs only the
declaration's random ``reference`` (no personal data). Check-ins hang off a venue and are scoped
through it (``venue__`` prefix); they are kept slim because there are millions of them.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.people.models import Sex, UnitScoped


def new_reference() -> str:
    """A random, unguessable reference (the only thing the QR token carries)."""
    return secrets.token_urlsafe(12)


def new_venue_token() -> str:
    return secrets.token_urlsafe(12)


class DeclarationKind(models.TextChoices):
    ARRIVAL_PROVINCE = "arrival_province", _("Arrival from another province")
    ARRIVAL_ABROAD = "arrival_abroad", _("Arrival from abroad")
    DOMESTIC = "domestic", _("Domestic movement")
    PERIODIC = "periodic", _("Periodic or voluntary declaration")


class Channel(models.TextChoices):
    PUBLIC_WEB = "public_web", _("Public page")
    API = "api", _("API")
    CHECKPOINT = "checkpoint", _("At a checkpoint")
    STAFF = "staff", _("Entered by staff")
    DEMO = "demo", _("Demo data")


class Transport(models.TextChoices):
    CAR = "car", _("Car")
    MOTORBIKE = "motorbike", _("Motorbike")
    COACH = "coach", _("Coach")
    PLANE = "plane", _("Plane")
    TRAIN = "train", _("Train")
    SHIP = "ship", _("Ship")
    OTHER = "other", _("Other")


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    COUGH = "cough", _("Cough")
    BREATHING = "breathing", _("Difficulty breathing")
    PNEUMONIA = "pneumonia", _("Pneumonia")
    SORE_THROAT = "sore_throat", _("Sore throat")
    FATIGUE = "fatigue", _("Fatigue")


class Exposure(models.TextChoices):
    CONFIRMED_CASE = "confirmed_case", _("Contact with a confirmed or suspected case")
    EPIDEMIC_COUNTRY = "epidemic_country", _("Contact with a person from an epidemic country or area")
    SYMPTOMATIC = "symptomatic", _("Contact with a person with fever, cough or difficulty breathing")


class Condition(models.TextChoices):
    HEART = "heart", _("Heart disease or high blood pressure")
    LUNG = "lung", _("Chronic lung disease")
    DIABETES = "diabetes", _("Diabetes")
    KIDNEY_LIVER = "kidney_liver", _("Kidney or liver disease")
    CANCER = "cancer", _("Cancer")
    IMMUNE = "immune", _("Weakened immune system")
    OTHER = "other", _("Other chronic condition")


class Declaration(UnitScoped):
    """One medical declaration (tờ khai y tế); the jurisdiction columns are the destination's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)  # unique when given (Meta)
    reference = models.CharField(max_length=32, unique=True, default=new_reference, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PUBLIC_WEB)
    kind = models.CharField(_("kind of declaration"), max_length=20, choices=DeclarationKind.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="declarations"
    )
    # Identity and contact, as declared.
    full_name = models.CharField(_("full name"), max_length=120)
    id_number = models.CharField(_("ID or passport number"), max_length=20, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    nationality = models.CharField(_("nationality"), max_length=60, blank=True, default="Việt Nam")
    phone = models.CharField(_("phone"), max_length=16)
    address = models.CharField(_("address (house, street, village)"), max_length=255, blank=True)
    # The journey.
    origin_province = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("coming from (province)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    origin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("coming from (district or commune)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    origin_country = models.CharField(_("coming from (country)"), max_length=60, blank=True)
    travel_date = models.DateField(_("date of travel"), null=True, blank=True)
    transport = models.CharField(_("transport"), max_length=16, choices=Transport.choices, blank=True)
    vehicle_number = models.CharField(_("vehicle or flight number"), max_length=32, blank=True)
    seat = models.CharField(_("seat"), max_length=16, blank=True)
    # Last 14 days: [{"name": str, "unit_id": int | None, "date": "YYYY-MM-DD" | None}], provinces: [unit ids].
    places = models.JSONField(_("places visited in the last 14 days"), default=list, blank=True)
    provinces_visited = models.JSONField(_("provinces visited in the last 14 days"), default=list, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    exposures = models.JSONField(_("exposures"), default=list, blank=True)
    conditions = models.JSONField(_("chronic conditions"), default=list, blank=True)
    declared_at = models.DateTimeField(_("declared at"))
    rule_set = models.ForeignKey(
        "policy.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The rule set in force on the declaration date (its flags were computed under it).",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Matched to a person, rule set chosen, flags computed (declarations.processing); null = waiting.
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("medical declaration")
        verbose_name_plural = _("medical declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["client_uuid"], condition=Q(client_uuid__isnull=False), name="declaration_client_uuid"
            )
        ]
        indexes = [
            models.Index(fields=["commune", "-declared_at"], name="declaration_commune_time"),
            models.Index(fields=["person", "-declared_at"], name="declaration_person_time"),
            models.Index(fields=["created_at"], condition=Q(processed_at__isnull=True), name="declaration_pending"),
        ]

    @property
    def pending(self) -> bool:
        """Stored, not yet matched and flagged (the worker does it within seconds)."""
        return self.processed_at is None

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.declared_at:%d/%m/%Y}"


class FlagKind(models.TextChoices):
    SYMPTOMS = "symptoms", _("Symptoms declared")
    EXPOSURE = "exposure", _("Exposure declared")
    HIGH_RISK_AREA = "high_risk_area", _("Coming from or through a high-risk area")
    ABSENT_RETURNING = "absent_returning", _("Absent citizen returning")
    REGISTRY_F0 = "registry_f0", _("An active F0 in the registry")
    REGISTRY_F1 = "registry_f1", _("An F1 in the registry")
    EXPOSURE_SITE = "exposure_site", _("Visited a published exposure site")


class DeclarationFlag(UnitScoped):
    """A reason to look at a declaration: a work item of the destination commune until handled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("flag"), max_length=20, choices=FlagKind.choices)
    detail = models.JSONField(default=dict, blank=True)  # codes and ids only, no names
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["handled_at", "-created_at"]
        verbose_name = _("declaration flag")
        verbose_name_plural = _("declaration flags")
        constraints = [models.UniqueConstraint(fields=["declaration", "kind"], name="declaration_flag_once")]
        indexes = [models.Index(fields=["commune", "handled_at"], name="declaration_flag_open")]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class VenueKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    MARKET = "market", _("Market")
    SUPERMARKET = "supermarket", _("Supermarket")
    OFFICE = "office", _("Office")
    BUS_STATION = "bus_station", _("Bus station")
    RESTAURANT = "restaurant", _("Restaurant or café")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    OTHER = "other", _("Other")


class Venue(UnitScoped):
    """A place where people check in by scanning its QR poster."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)
    code = models.CharField(_("venue code"), max_length=16, unique=True)
    token = models.CharField(max_length=32, unique=True, default=new_venue_token, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices, default=VenueKind.OTHER)
    address = models.CharField(_("address"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(
                fields=["client_uuid"], condition=Q(client_uuid__isnull=False), name="venue_client_uuid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CheckIn(models.Model):
    """A person at a venue at a time (scanned the poster). Scoped through the venue."""

    class Channel(models.TextChoices):
        PUBLIC_WEB = "public_web", _("Public page")
        API = "api", _("API")
        DEMO = "demo", _("Demo data")
        IMPORT = "import", _("Import")

    id = models.BigAutoField(primary_key=True)
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="checkins", db_index=False)
    person = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, related_name="+", db_index=False)
    checked_in_at = models.DateTimeField(_("checked in at"))
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PUBLIC_WEB)

    class Meta:
        ordering = ["-checked_in_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["client_uuid"], condition=Q(client_uuid__isnull=False), name="checkin_client_uuid"
            )
        ]
        indexes = [
            models.Index(fields=["venue", "checked_in_at"], name="checkin_venue_time"),
            models.Index(fields=["person", "checked_in_at"], name="checkin_person_time"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.checked_in_at:%d/%m/%Y %H:%M}"


class SiteVenue(models.Model):
    """A published exposure site (cases.ExposureSite) that is this venue: its check-ins are matched."""

    site = models.ForeignKey("cases.ExposureSite", on_delete=models.CASCADE, related_name="+")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="exposure_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "venue"], name="site_venue_once")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.venue_id}"
