from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hierarchy(models.TextChoices):
    """Which administrative map a unit belongs to. Codes are reused across versions."""

    PRE2025 = "pre2025", _("Before 1 July 2025 (province, district, commune)")
    POST2025 = "2025", _("From 1 July 2025 (province, commune)")


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village / residential group")


LEVEL_DEPTH = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.VILLAGE: 3}


class Country(models.TextChoices):
    """Countries a Vietnamese province can border on land (ISO 3166-1 alpha-2)."""

    CHINA = "CN", _("China")
    LAOS = "LA", _("Laos")
    CAMBODIA = "KH", _("Cambodia")


class AdminUnit(models.Model):
    """One administrative unit of one hierarchy version.

    The ancestors are stored on every unit (province, district, commune) so that "this unit
    and everything below it" is one indexed filter: ``AdminUnit.objects.filter(district=d)``.
    Records elsewhere (persons, lists) carry the same four columns for the same reason.
    """

    version = models.CharField(_("hierarchy"), max_length=8, choices=Hierarchy.choices)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    code = models.CharField(_("code"), max_length=16, help_text=_("Official code, zero-padded."))
    name = models.CharField(_("name"), max_length=120)
    name_key = models.CharField(max_length=120, db_index=True)
    division_type = models.CharField(_("type"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    province = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    district = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    commune = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    population = models.PositiveIntegerField(_("population (own figure)"), null=True, blank=True)
    population_total = models.PositiveIntegerField(
        _("population"), null=True, blank=True, help_text=_("Own figure, or the sum of the units below it.")
    )
    population_updated_at = models.DateTimeField(null=True, blank=True)
    neighbours = models.ManyToManyField("self", verbose_name=_("neighbouring provinces"), symmetrical=True, blank=True)
    foreign_borders = models.CharField(
        _("borders with"), max_length=16, blank=True, help_text=_("Countries bordered, as ISO codes: CN,LA.")
    )

    class Meta:
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level", "code"], name="unit_unique_code"),
        ]
        indexes = [
            models.Index(fields=["version", "level", "parent"]),
            models.Index(fields=["version", "code"], name="unit_version_code"),
        ]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[Level(self.level)]

    def scope_filter(self, prefix: str = "") -> dict[str, AdminUnit]:
        """The filter selecting records in this unit or below: ``{prefix + level: self}``."""
        return {f"{prefix}{self.level}": self}

    def contains(self, other: AdminUnit) -> bool:
        if other.pk == self.pk:
            return True
        return getattr(other, f"{self.level}_id", None) == self.pk

    @property
    def countries(self) -> list[Country]:
        """The foreign countries this province borders (hand-entered, see geo.borders)."""
        return [Country(c) for c in self.foreign_borders.split(",") if c in Country.values]

    def lineage(self) -> list[AdminUnit]:
        """The unit's ancestors from the province down, then itself."""
        chain = [u for u in (self.province, self.district, self.commune) if u is not None and u.pk != self.pk]
        return [*chain, self]


class Crosswalk(models.Model):
    """Old (pre-2025) commune → new (2025) commune, from vietnam-provinces."""

    old = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="crosswalk_to")
    new = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="crosswalk_from")
    partly = models.BooleanField(_("only part of it"), default=False)

    class Meta:
        ordering = ["old", "new"]
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="crosswalk_unique_pair")]
