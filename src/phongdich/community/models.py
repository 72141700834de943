"""Community COVID teams (Tổ COVID cộng đồng): teams, members, watched households, visits (R-COMMUNITY).

A team belongs to one village (its jurisdiction columns; several teams per village are allowed).
What a team watches is computed (``community.watchlist``): the registry's items (home quarantine,
home-care F0…), recent arrivals and the commune's own ``WatchEntry`` rows. Visits are the log.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.people.models import UnitScoped


class Position(models.TextChoices):
    """A member's position in the team (DOMAIN.md §5)."""

    PARTY_SECRETARY = "party_secretary", _("Party cell secretary")
    VILLAGE_HEAD = "village_head", _("Village head")
    POLICE = "police", _("Police")
    HEALTH_WORKER = "health_worker", _("Village health worker")
    YOUTH = "youth", _("Youth union")
    VETERANS = "veterans", _("Veterans' association")
    ELDERS = "elders", _("Elders' association")
    OTHER = "other", _("Other")


class Finding(models.TextChoices):
    ALL_WELL = "all_well", _("All well")
    SYMPTOMS = "symptoms", _("Symptoms found")
    VIOLATION = "violation", _("Violation")
    NOT_HOME = "not_home", _("Not at home")
    NEEDS_SUPPLIES = "needs_supplies", _("Needs supplies")


# Findings that the commune must act on (they appear in its list of alerts).
ACTION_FINDINGS = frozenset({Finding.SYMPTOMS, Finding.VIOLATION, Finding.NEEDS_SUPPLIES})


class WatchReason(models.TextChoices):
    """Why the commune added a person to a team's watch list by hand."""

    ELDERLY_ALONE = "elderly_alone", _("Elderly person living alone")
    CROSS_MONITORING = "cross_monitoring", _("Household under cross-monitoring")
    SUSPECTED = "suspected", _("Suspected symptoms")
    VIOLATOR = "violator", _("Broke the rules before")
    VULNERABLE = "vulnerable", _("Vulnerable (illness, pregnancy)")
    OTHER = "other", _("Other reason")


class CommunityTeam(UnitScoped):
    """One Tổ COVID cộng đồng of one village."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["village__code", "name"]
        verbose_name = _("community COVID team")
        verbose_name_plural = _("community COVID teams")

    def __str__(self) -> str:
        return self.name


class CommunityMember(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    team = models.ForeignKey(CommunityTeam, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=120)
    position = models.CharField(_("position in the team"), max_length=20, choices=Position.choices)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_memberships",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "-active", "full_name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(user__isnull=False, active=True), name="community_member_one_user"
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class HouseholdAssignment(models.Model):
    """A household of the team's village watched by one member (one watcher per household)."""

    team = models.ForeignKey(CommunityTeam, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(CommunityMember, on_delete=models.CASCADE, related_name="assignments")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="community_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household__code"]
        constraints = [models.UniqueConstraint(fields=["household"], name="community_assignment_one_member")]


class WatchEntry(UnitScoped):
    """A person the commune added to the watch list by hand, with a reason and an end date.

    The jurisdiction columns are the person's when added (the village decides which teams see it).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="community_watch_entries")
    reason = models.CharField(_("reason"), max_length=20, choices=WatchReason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=1)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("watch-list entry")
        verbose_name_plural = _("watch-list entries")


class Visit(UnitScoped):
    """One door-to-door visit of a person or a household, with what was found.

    The jurisdiction columns are the team's village. A finding in ``ACTION_FINDINGS`` needs the
    commune's action (``needs_action``) until an officer marks it handled.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    team = models.ForeignKey(CommunityTeam, on_delete=models.PROTECT, related_name="visits")
    member = models.ForeignKey(CommunityMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="community_visits"
    )
    household = models.ForeignKey(
        "people.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="community_visits"
    )
    visited_at = models.DateTimeField(_("visited at"))
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    needs_action = models.BooleanField(default=False)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_note = models.CharField(_("what was done"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["person", "visited_at"], name="community_visit_person"),
            models.Index(fields=["household", "visited_at"], name="community_visit_household"),
            models.Index(fields=["needs_action", "handled_at"], name="community_visit_open_alert"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False), name="community_visit_has_target"
            )
        ]


class HouseholdGroup(UnitScoped):
    """A small group of households that watch each other (nhóm hộ / tổ liên gia)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    leader = models.ForeignKey(
        "people.Household",
        verbose_name=_("lead household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["village__code", "name"]
        verbose_name = _("household group")
        verbose_name_plural = _("household groups")

    def __str__(self) -> str:
        return self.name


class HouseholdGroupMember(models.Model):
    group = models.ForeignKey(HouseholdGroup, on_delete=models.CASCADE, related_name="memberships")
    household = models.OneToOneField(
        "people.Household", on_delete=models.CASCADE, related_name="community_group_membership"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household__code"]
