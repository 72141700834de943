"""The contact graph, derived F levels, tracing work and inter-province notices (R-TRACE).

A Contact is an exposure between two persons; it is undirected (who infected whom is rarely
known). F levels are never typed: ``PersonLevel`` is a materialised result of the derivation in
``tracing/levels.py`` (F1 = contact of an F0 inside the F0's infectious window, F2 = contact of
an F1, F3 = contact of an F2, as deep as the rule set says), with the chain that explains it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from phongdich.people.models import UnitScoped
from phongdich.policy.models import ContactSetting, Handling


class Proximity(models.TextChoices):
    DIRECT = "direct", _("Direct body contact")
    WITHIN_2M = "within_2m", _("Within 2 m")
    SAME_ROOM = "same_room", _("Same closed space")
    FURTHER = "further", _("Further away")
    UNKNOWN = "unknown", _("Unknown")


class ContactSource(models.TextChoices):
    INTERVIEW = "interview", _("Case interview")
    HOUSEHOLD = "household", _("Same household")
    CHECKIN = "checkin", _("Venue check-in")
    VEHICLE = "vehicle", _("Same vehicle")
    EXPOSURE_SITE = "exposure_site", _("Exposure site report")
    NOTICE = "notice", _("Notice from another province")
    IMPORT = "import", _("Import")


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    person_a = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts_as_a")
    person_b = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contacts_as_b")
    first_date = models.DateField(_("first exposure"))
    last_date = models.DateField(_("last exposure"))
    setting = models.CharField(
        _("setting"), max_length=16, choices=ContactSetting.choices, default=ContactSetting.OTHER
    )
    proximity = models.CharField(_("proximity"), max_length=16, choices=Proximity.choices, default=Proximity.UNKNOWN)
    minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    masked = models.BooleanField(_("wore a mask"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=ContactSource.choices, default=ContactSource.INTERVIEW
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    province_code = models.CharField(max_length=4, blank=True, help_text="Partitioning key.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-last_date"]
        indexes = [
            models.Index(fields=["person_a", "last_date"], name="contact_a"),
            models.Index(fields=["person_b", "last_date"], name="contact_b"),
        ]


class ContactCandidate(models.Model):
    """A possible contact found in data already held; it counts only once a tracer confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To check")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not a contact")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("found through"), max_length=16, choices=ContactSource.choices)
    evidence = models.JSONField(default=dict, blank=True)
    exposure_date = models.DateField(_("exposure date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "other", "reason", "exposure_date"], name="candidate_unique")
        ]


class PersonLevel(models.Model):
    """A person's current derived level (1 = F1 … 3 = F3) with the chain that explains it."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="level", primary_key=True)
    level = models.PositiveSmallIntegerField(_("F level"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", help_text="The F0 at the root.")
    via_person = models.ForeignKey("people.Person", on_delete=models.CASCADE, null=True, related_name="+")
    via_contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, related_name="+")
    exposed_on = models.DateField(_("exposed on"))
    rule_set = models.ForeignKey("policy.RuleSet", on_delete=models.PROTECT, related_name="+")
    handling = models.CharField(_("handling"), max_length=16, choices=Handling.choices)
    handling_until = models.DateField(_("until"), null=True, blank=True)
    test_dates = models.JSONField(_("test dates"), default=list, blank=True)
    path = models.JSONField(
        default=list,
        blank=True,
        help_text="The chain from the F1 down to this person: [[person_id, contact_id, exposed_on], …].",
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level"]
        indexes = [models.Index(fields=["case", "level"], name="level_case")]


class Agency(models.TextChoices):
    POLICE = "police", _("Police")
    HEALTH = "health", _("Health")
    CDC = "cdc", _("CDC")
    MILITARY = "military", _("Military")
    BORDER_GUARD = "border_guard", _("Border guards")
    COMMUNE = "commune", _("Commune")
    OTHER = "other", _("Other")


class TracingTeam(UnitScoped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(TracingTeam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    full_name = models.CharField(_("full name"), max_length=120)
    agency = models.CharField(_("agency"), max_length=16, choices=Agency.choices)
    phone = models.CharField(_("phone"), max_length=16, blank=True)

    class Meta:
        ordering = ["team", "full_name"]


class Investigation(UnitScoped):
    """Opened for each new F0: teams assigned, contacts to find."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="investigation")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    teams = models.ManyToManyField(TracingTeam, blank=True, related_name="investigations")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-opened_at"]


class TracingTask(models.Model):
    class Status(models.TextChoices):
        TO_FIND = "to_find", _("To find")
        FOUND = "found", pgettext_lazy("tracing task", "Found")
        UNREACHABLE = "unreachable", _("Not reachable")
        OUT_OF_PROVINCE = "out_of_province", _("Out of the province")
        ALREADY_ISOLATED = "already_isolated", _("Already isolated")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="tasks")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(_("F level"))
    team = models.ForeignKey(TracingTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.TO_FIND)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["investigation", "person"], name="task_unique_person")]


class Notice(models.Model):
    """A notice of a contact living in another province, sent or received."""

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("Sent to another province")
        INCOMING = "incoming", _("Received from another province")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        IMPORTED = "imported", _("Imported as contacts")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=40, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    from_province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    to_province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="notices")
    people = models.ManyToManyField("people.Person", blank=True, related_name="+")
    payload = models.JSONField(default=dict, blank=True, help_text="The notice as exchanged (JSON).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
