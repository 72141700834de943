"""Versioned rule sets: which rules were in force when, so every computed decision can say why.

Vietnam changed its rules many times (F1 quarantine 21 → 14 → 7 → 5 days → none). A rule set
has an effective date range; the one in force on a date is the province's own (if it adjusted
one, Decision 4800 allows it) else the national one. Computed handlings store the rule set used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Handling(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital isolation and treatment")
    CENTRALISED = "centralised", _("Centralised quarantine")
    HOME = "home", _("Home quarantine")
    SELF_MONITOR = "self_monitor", _("Self-monitoring at home")
    NONE = "none", _("No measure")


class ContactSetting(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    WORKPLACE = "workplace", _("Workplace")
    SCHOOL = "school", _("School")
    TRANSPORT = "transport", _("Transport")
    HEALTHCARE = "healthcare", _("Healthcare")
    VENUE = "venue", _("Venue (market, shop, event)")
    OTHER = "other", _("Other")


class TestKind(models.TextChoices):
    """Kinds of test a rule can ask for (the testing module's test types use the same values)."""

    RT_PCR = "rt_pcr", _("RT-PCR")
    ANTIGEN = "antigen", _("Rapid antigen test")


class RuleSet(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    basis = models.CharField(_("legal basis"), max_length=200, help_text=_("E.g. 5599/BYT-MT (14/07/2021)."))
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    confirmed = models.BooleanField(
        _("confirmed against the decision text"),
        default=False,
        help_text=_("Unconfirmed rules are shown as 'to be confirmed against the decision text'."),
    )
    province = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a national rule set; a province's own adjusted copy otherwise."),
    )
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    # Close-contact definition in force.
    contact_distance_m = models.DecimalField(_("close contact distance (m)"), max_digits=4, decimal_places=1, default=2)
    contact_minutes = models.PositiveSmallIntegerField(
        _("minutes of contact (with a mask)"), default=15, help_text=_("0 = any duration.")
    )
    contact_unmasked_any_duration = models.BooleanField(_("without a mask: any duration counts"), default=True)
    contact_settings = models.JSONField(_("settings that count"), default=list, blank=True)
    contact_definition = models.TextField(_("close contact definition"), blank=True)
    # Tracing.
    tracing_depth = models.PositiveSmallIntegerField(_("tracing depth (F1 to F…)"), default=3)
    infectious_days_before = models.PositiveSmallIntegerField(
        _("infectious window: days before onset (or sample, or confirmation)"), default=2
    )
    infectious_days_after = models.PositiveSmallIntegerField(
        _("infectious window: days after confirmation"), default=14
    )
    # Treatment of F0 (the three-tier model): who may be cared for at home, when an F0 is released.
    home_care_allowed = models.BooleanField(_("F0 may be cared for at home"), default=False)
    home_care_min_age_months = models.PositiveSmallIntegerField(_("home care: minimum age (months)"), default=12)
    home_care_max_age_years = models.PositiveSmallIntegerField(_("home care: maximum age (years)"), default=50)
    home_care_excludes_conditions = models.BooleanField(_("home care: not with an underlying condition"), default=True)
    home_care_excludes_pregnancy = models.BooleanField(_("home care: not when pregnant"), default=True)
    f0_release_day = models.PositiveSmallIntegerField(
        _("F0 released from day"),
        default=0,
        help_text=_(
            "Day of isolation (day 1 = confirmation) from which a negative test releases an F0; 0 = the doctors decide."
        ),
    )
    f0_release_test = models.CharField(_("F0 release test"), max_length=16, choices=TestKind.choices, blank=True)
    f0_release_ct_min = models.DecimalField(
        _("F0 release: a positive RT-PCR with Ct at least"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: only a negative result releases."),
    )
    # Arrivals from other provinces or abroad (checkpoints, quarantine of arrivals).
    arrival_pcr_hours = models.PositiveSmallIntegerField(
        _("arrivals: negative RT-PCR within (hours)"), default=0, help_text=_("0 = not required.")
    )
    arrival_antigen_hours = models.PositiveSmallIntegerField(
        _("arrivals: or a negative rapid antigen test within (hours)"),
        default=0,
        help_text=_("0 = a rapid test is not accepted."),
    )
    arrival_handling = models.CharField(
        _("arrivals from high-risk areas: handling"), max_length=16, choices=Handling.choices, default=Handling.NONE
    )
    arrival_days = models.PositiveSmallIntegerField(_("arrivals: quarantine days"), default=0)
    arrival_test_days = models.JSONField(
        _("arrivals: test days"), default=list, blank=True, help_text=_("Day numbers, day 1 = arrival.")
    )
    care_rules_confirmed = models.BooleanField(
        _("treatment and arrival rules confirmed against the decision text"), default=False
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_from", "code"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return self.name


class LevelRule(models.Model):
    """How one level (F0, F1, F2, F3) is handled under a rule set."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="level_rules")
    level = models.PositiveSmallIntegerField(_("level (0 = F0)"))
    handling = models.CharField(_("handling"), max_length=16, choices=Handling.choices)
    days = models.PositiveSmallIntegerField(_("duration (days)"), default=0)
    test_days = models.JSONField(
        _("test days"), default=list, blank=True, help_text=_("Day numbers, day 1 = first day.")
    )
    monitor_days = models.PositiveSmallIntegerField(_("then self-monitoring (days)"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    confirmed = models.BooleanField(_("confirmed against the decision text"), default=True)

    class Meta:
        ordering = ["rule_set", "level"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "level"], name="level_rule_unique")]


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High risk")
    VERY_HIGH = "very_high", _("Very high risk")


class RiskArea(models.Model):
    """An area the province lists as high-risk for arrivals (a province, district or commune, any province).

    Checkpoints and declarations flag people coming from these areas; the rule set in force says
    what arrivals from them must do (``RuleSet.arrival_handling``). Not personal data.
    """

    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    level = models.CharField(_("risk level"), max_length=16, choices=RiskLevel.choices, default=RiskLevel.HIGH)
    effective_from = models.DateField(_("from"))
    effective_to = models.DateField(_("until"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True, help_text=_("E.g. the notice that listed it."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "unit__name_key"]
        verbose_name = _("high-risk area")
        verbose_name_plural = _("high-risk areas")
        indexes = [models.Index(fields=["unit", "effective_from"], name="riskarea_unit_from")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_level_display()})"
