"""Quarantine and isolation (R-QUARANTINE): facilities, rooms, beds, placements, checks, incidents.

A ``Facility`` is UnitScoped by its location; home quarantine is a facility of kind HOME, one per
commune (made on demand), whose placements have no room or bed. A ``Placement`` carries the
person's jurisdiction columns (copied when placed) and points at the facility: it is visible to
the person's area and to the facility's area (``queries.placements_in_scope``). It stores the rule
set that produced its dates, so a later change of rules never rewrites a running quarantine.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.people.models import UnitScoped


class FacilityKind(models.TextChoices):
    CENTRALISED = "centralised", _("Centralised (state) quarantine facility")
    PAID = "paid", _("Voluntary paid facility (hotel)")
    HOSPITAL = "hospital", _("Hospital")
    HOME = "home", _("Home quarantine")


class Payer(models.TextChoices):
    STATE = "state", _("The state")
    PERSON = "person", _("The person")


class RiskGroup(models.TextChoices):
    """Who may share a room: never people of two different groups."""

    F1 = "f1", _("F1 (close contact)")
    F2 = "f2", _("F2 (contact of an F1)")
    ARRIVAL_HIGH_RISK = "arrival_high_risk", _("Arrival from a high-risk area")
    ARRIVAL = "arrival", _("Other arrival")


class RoomSex(models.TextChoices):
    ANY = "any", _("Any")
    MALE = "M", _("Men only")
    FEMALE = "F", _("Women only")


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("In quarantine")
    RELEASED = "released", _("Released")
    ESCAPED = "escaped", _("Escaped")
    ENDED = "ended", _("Ended (became F0 or transferred)")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting placement")
    PLACED = "placed", _("Placed")
    CANCELLED = "cancelled", _("Cancelled")


class IncidentKind(models.TextChoices):
    ESCAPE = "escape", _("Escape")
    VIOLATION = "violation", _("Violation of the quarantine rules")


class Facility(UnitScoped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=FacilityKind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    meal_cost_per_day = models.DecimalField(_("meals per day (VND)"), max_digits=12, decimal_places=0, default=0)
    lodging_cost_per_day = models.DecimalField(_("lodging per day (VND)"), max_digits=12, decimal_places=0, default=0)
    payer = models.CharField(_("who pays"), max_length=8, choices=Payer.choices, default=Payer.STATE)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("quarantine facility")
        verbose_name_plural = _("quarantine facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["commune"], condition=Q(kind="home"), name="quarantine_one_home_facility_per_commune"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cost_per_day(self) -> Decimal:
        return self.meal_cost_per_day + self.lodging_cost_per_day

    @property
    def is_home(self) -> bool:
        return self.kind == FacilityKind.HOME


class Room(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("room"), max_length=60)
    sex = models.CharField(_("who may stay"), max_length=3, choices=RoomSex.choices, default=RoomSex.ANY)
    flagged_at = models.DateTimeField(_("flagged"), null=True, blank=True)
    flag_reason = models.CharField(_("why flagged"), max_length=255, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["facility", "name"]
        constraints = [models.UniqueConstraint(fields=["facility", "name"], name="quarantine_room_unique_name")]

    def __str__(self) -> str:
        return self.name


class Bed(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="beds")
    label = models.CharField(_("bed"), max_length=20)
    usable = models.BooleanField(
        _("usable"), default=True, help_text=_("Beds left empty to keep the distance between people are not usable.")
    )

    class Meta:
        ordering = ["room", "label"]
        constraints = [models.UniqueConstraint(fields=["room", "label"], name="quarantine_bed_unique_label")]

    def __str__(self) -> str:
        return self.label


class PlacementRequest(UnitScoped):
    """Someone to be placed who has no derived F level: an arrival (a checkpoint, a manual request)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="quarantine_requests")
    risk_group = models.CharField(_("risk group"), max_length=20, choices=RiskGroup.choices)
    day_one = models.DateField(_("arrived on (day 1)"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day_one", "created_at"]
        indexes = [models.Index(fields=["status", "day_one"], name="qrequest_status_day")]


class Placement(UnitScoped):
    """One stay of one person in quarantine (the four columns are the person's, copied when placed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="quarantine_placements")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="placements")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    request = models.ForeignKey(
        PlacementRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )
    risk_group = models.CharField(_("risk group"), max_length=20, choices=RiskGroup.choices)
    day_one = models.DateField(_("day 1 of quarantine"), help_text=_("Exposure date (F1, F2) or arrival date."))
    entered_on = models.DateField(_("entered on"))
    end_date = models.DateField(_("quarantine ends on"))
    test_dates = models.JSONField(_("test dates"), default=list, blank=True)
    rule_set = models.ForeignKey("policy.RuleSet", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE
    )
    cost_per_day = models.DecimalField(_("cost per day (VND)"), max_digits=12, decimal_places=0, default=0)
    payer = models.CharField(_("who pays"), max_length=8, choices=Payer.choices, default=Payer.STATE)
    overrides = models.JSONField(
        _("rules overridden"), default=list, blank=True, help_text="[{rule, reason}] given by the officer."
    )
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    release_note = models.CharField(_("reason for an early release"), max_length=255, blank=True)
    cost_total = models.DecimalField(_("total cost (VND)"), max_digits=14, decimal_places=0, null=True, blank=True)

    class Meta:
        ordering = ["-entered_on", "-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="quarantine_one_active_placement"
            ),
            models.UniqueConstraint(fields=["bed"], condition=Q(status="active"), name="quarantine_one_person_per_bed"),
        ]
        indexes = [
            models.Index(fields=["facility", "status"], name="placement_facility_status"),
            models.Index(fields=["status", "end_date"], name="placement_status_end"),
        ]

    def __str__(self) -> str:
        return f"{self.facility} · {self.entered_on:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.status == PlacementStatus.ACTIVE

    def days_on(self, today: datetime.date) -> int:
        """Days billed so far: from the entry day to today (or the day left), both counted."""
        last = self.ended_on or today
        return max(0, (last - self.entered_on).days + 1)

    def cost_on(self, today: datetime.date) -> Decimal:
        return self.cost_per_day * self.days_on(today)

    def test_days(self) -> list[datetime.date]:
        return sorted(datetime.date.fromisoformat(d) for d in self.test_dates)


class HealthCheck(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="checks")
    checked_on = models.DateField(_("date"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-created_at"]

    @property
    def has_fever(self) -> bool:
        return self.temperature is not None and self.temperature >= Decimal("37.5")


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=12, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("date"))
    description = models.CharField(_("what happened"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
