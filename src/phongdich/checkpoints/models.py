"""Models of the checkpoints app (issue 5): checkpoints, shifts, passages, vehicles, arrivals, violations.

A checkpoint, its passages and vehicle passages carry the checkpoint's jurisdiction (UnitScoped);
an ``Arrival`` carries the destination commune's, so that the commune sees the people coming home.
A ``Violation`` carries the unit where it was recorded (the checkpoint's, else the person's).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phongdich.people.models import UnitScoped


class CheckpointKind(models.TextChoices):
    ROAD = "road", _("Road checkpoint")
    WATERWAY = "waterway", _("Ferry landing / waterway")
    BORDER_GATE = "border_gate", _("Border gate")


class Checkpoint(UnitScoped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=16, choices=CheckpointKind.choices, default=CheckpointKind.ROAD)
    place = models.CharField(_("place"), max_length=255, blank=True, help_text=_("Road, kilometre, landing…"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("checkpoint")

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """Officers on duty at a checkpoint from ``starts_at`` to ``ends_at`` (open while on duty)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="checkpoint_shifts")
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]


class Direction(models.TextChoices):
    INBOUND = "in", _("Entering the province")
    OUTBOUND = "out", _("Leaving the province")


class PassageOutcome(models.TextChoices):
    LET_THROUGH = "let_through", _("Let through")
    HOME_MONITORING = "home_monitoring", _("Let through, home monitoring")
    SENT_FOR_TESTING = "sent_for_testing", _("Sent for testing")
    SENT_TO_QUARANTINE = "sent_to_quarantine", _("Sent to quarantine")
    TURNED_BACK = "turned_back", _("Turned back")


LET_THROUGH_OUTCOMES = (PassageOutcome.LET_THROUGH, PassageOutcome.HOME_MONITORING)


class VehicleKind(models.TextChoices):
    CAR = "car", _("Car")
    COACH = "coach", _("Coach / bus")
    TRUCK = "truck", _("Truck")
    MOTORBIKE = "motorbike", _("Motorbike")
    BOAT = "boat", _("Boat / ferry")
    OTHER = "other", _("Other")


class Vehicle(models.Model):
    """A vehicle, by its plate in compact form (``29A12345``; shown as ``29A-123.45``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plate = models.CharField(_("plate"), max_length=16, unique=True)
    plate_display = models.CharField(_("plate"), max_length=20)
    kind = models.CharField(_("kind"), max_length=12, choices=VehicleKind.choices, default=VehicleKind.CAR)
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    owner = models.ForeignKey(
        "people.Person", verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plate"]

    def __str__(self) -> str:
        return self.plate_display


class VehiclePassage(UnitScoped):
    """One vehicle through a checkpoint; its passengers' passages point at it (shared-vehicle contacts)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="vehicle_passages")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="passages")
    direction = models.CharField(
        _("direction of travel"), max_length=4, choices=Direction.choices, default=Direction.INBOUND
    )
    passed_at = models.DateTimeField(_("time"))
    passengers = models.PositiveSmallIntegerField(_("people carried"), default=0)
    over_capacity = models.BooleanField(_("over capacity"), default=False)
    driver = models.ForeignKey(
        "people.Person", verbose_name=_("driver"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        "people.Person", verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("coming from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    destination = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("going to"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-passed_at"]


class Passage(UnitScoped):
    """One person through a checkpoint, with the officer's outcome and what the screen showed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="passages")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="checkpoint_passages")
    direction = models.CharField(
        _("direction of travel"), max_length=4, choices=Direction.choices, default=Direction.INBOUND
    )
    passed_at = models.DateTimeField(_("time"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=PassageOutcome.choices)
    origin = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("coming from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    destination_commune = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("destination commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    vehicle_passage = models.ForeignKey(
        VehiclePassage, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    # The declarations app's record (no database reference: the apps are built side by side).
    declaration_id = models.UUIDField(null=True, blank=True)
    placement_request_id = models.UUIDField(null=True, blank=True)
    rule_set = models.ForeignKey("policy.RuleSet", on_delete=models.PROTECT, null=True, related_name="+")
    status_shown = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    synced = models.BooleanField(default=False, help_text="Recorded offline and sent later.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-passed_at"]
        indexes = [models.Index(fields=["person", "passed_at"], name="passage_person_time")]


class ArrivalSource(models.TextChoices):
    CHECKPOINT = "checkpoint", _("Checkpoint")
    FAMILY = "family", _("Reported by the family")


class ArrivalStatus(models.TextChoices):
    PENDING = "pending", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")


class Arrival(UnitScoped):
    """Someone arriving in a commune (the commune's jurisdiction): let through, or reported by the family."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=12, choices=ArrivalSource.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="checkpoint_arrivals"
    )
    passage = models.OneToOneField(Passage, on_delete=models.CASCADE, null=True, blank=True, related_name="arrival")
    arrived_on = models.DateField(_("arrived on"))
    home_monitoring = models.BooleanField(_("home monitoring"), default=False)
    # A family report may name someone not (yet) matched to a person record.
    reported_name = models.CharField(_("name"), max_length=120, blank=True)
    reported_id_number = models.CharField(_("ID number"), max_length=12, blank=True)
    reported_phone = models.CharField(_("phone"), max_length=16, blank=True)
    reported_from = models.CharField(_("coming from"), max_length=160, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ArrivalStatus.choices, default=ArrivalStatus.PENDING)
    declaration_checked = models.BooleanField(_("declaration checked"), default=False)
    monitoring_arranged = models.BooleanField(_("monitoring arranged"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-arrived_on", "-created_at"]
        indexes = [models.Index(fields=["commune", "arrived_on"], name="arrival_commune_day")]


class ViolationKind(models.TextChoices):
    OVER_CAPACITY = "over_capacity", _("Transport over capacity")
    HIGH_RISK_PASSENGERS = "high_risk_passengers", _("Carrying people from high-risk areas")
    DODGING_CHECKPOINT = "dodging_checkpoint", _("Dodging the checkpoint")
    ILLEGAL_BORDER_CROSSING = "illegal_border_crossing", _("Illegal border crossing")
    MISSING_DECLARATION = "missing_declaration", _("Missing medical declaration")
    UNTRUTHFUL_DECLARATION = "untruthful_declaration", _("Untruthful medical declaration")


class Violation(UnitScoped):
    """A violation recorded against a person, a vehicle, its owner and its driver (any that apply)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=28, choices=ViolationKind.choices)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, null=True, blank=True, related_name="violations"
    )
    owner = models.ForeignKey(
        "people.Person", verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    driver = models.ForeignKey(
        "people.Person", verbose_name=_("driver"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    passage = models.ForeignKey(Passage, on_delete=models.SET_NULL, null=True, blank=True, related_name="violations")
    vehicle_passage = models.ForeignKey(
        VehiclePassage, on_delete=models.SET_NULL, null=True, blank=True, related_name="violations"
    )
    declaration_id = models.UUIDField(null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
