"""Read side of the admin units: the deployment, scoped unit queries, counts for the browser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Crosswalk, Hierarchy, Level

if TYPE_CHECKING:
    from phongdich.core.models import User

CHILD_LEVEL = {
    (Hierarchy.PRE2025, Level.PROVINCE): Level.DISTRICT,
    (Hierarchy.PRE2025, Level.DISTRICT): Level.COMMUNE,
    (Hierarchy.PRE2025, Level.COMMUNE): Level.VILLAGE,
    (Hierarchy.POST2025, Level.PROVINCE): Level.COMMUNE,
    (Hierarchy.POST2025, Level.COMMUNE): Level.VILLAGE,
}


def deployment_version() -> Hierarchy:
    """The hierarchy this installation works on (settings.PHONGDICH_HIERARCHY: "pre2025" or "2025")."""
    try:
        return Hierarchy(settings.PHONGDICH_HIERARCHY)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"PHONGDICH_HIERARCHY must be one of {Hierarchy.values}, not {settings.PHONGDICH_HIERARCHY!r}"
        ) from exc


def deployment_province() -> AdminUnit | None:
    """The province this installation serves, on its hierarchy; None until `load_units` has run."""
    code = str(settings.PHONGDICH_PROVINCE_CODE).zfill(2)
    return AdminUnit.objects.filter(version=deployment_version(), level=Level.PROVINCE, code=code).first()


def home_unit(user: User) -> AdminUnit | None:
    """Where the unit browser starts: the user's own unit, else (administrators) the deployment province."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.unit_id is not None:
        return user.unit
    return deployment_province() if user.is_superuser else None


def subtree(unit: AdminUnit) -> Q:
    """The unit itself and every unit below it (villages have nothing below)."""
    if unit.level == Level.VILLAGE:
        return Q(pk=unit.pk)
    return Q(pk=unit.pk) | Q(**unit.scope_filter())


def units_for(user: User, version: str | None = None) -> QuerySet[AdminUnit]:
    """Units the user may see: their own unit and everything below it (a superuser without unit: all)."""
    qs = AdminUnit.objects.all()
    if version:
        qs = qs.filter(version=version)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    unit = user.unit
    if unit is None:
        return qs if user.is_superuser else qs.none()
    return qs.filter(subtree(unit))


def get_unit_for_user(user: User, version: str, code: str) -> AdminUnit:
    """One unit by hierarchy and code, or 404 (unknown or outside the user's area)."""
    if version not in Hierarchy.values:
        raise Http404(_("Not found."))
    unit = (
        units_for(user, version).filter(code=code).select_related("parent", "province", "district", "commune").first()
    )
    if unit is None:
        raise Http404(_("Not found."))
    return unit


def child_level(unit: AdminUnit) -> Level | None:
    return CHILD_LEVEL.get((Hierarchy(unit.version), Level(unit.level)))


def children(unit: AdminUnit) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(parent=unit).order_by("code")


def search(user: User, q: str, version: str | None = None) -> QuerySet[AdminUnit]:
    """Diacritic-insensitive search by name (all words, any order) or by code prefix."""
    qs = units_for(user, version).select_related("parent")
    q = q.strip()
    if not q:
        return qs.none()
    if q.replace("-", "").isdigit():
        return qs.filter(code__startswith=q).order_by("code")
    for word in fold(q).split(" ")[:6]:
        qs = qs.filter(name_key__contains=word)
    return qs.order_by("level", "name_key")


def person_counts(unit: AdminUnit, units: Sequence[AdminUnit]) -> dict[int, int]:
    """{unit pk: registered persons} for ``units`` (children of ``unit``), in one grouped query."""
    from phongdich.people.models import Person

    if not units:
        return {}
    level = units[0].level
    column = f"{level}_id"
    rows = (
        Person.objects.filter(merged_into__isnull=True, **unit.scope_filter())
        .values(column)
        .annotate(n=Count("pk"))
        .values_list(column, "n")
    )
    return {pk: n for pk, n in rows if pk is not None}


def persons_in(unit: AdminUnit) -> int:
    from phongdich.people.models import Person

    return Person.objects.filter(merged_into__isnull=True, **unit.scope_filter()).count()


def crosswalk(unit: AdminUnit) -> list[Crosswalk]:
    """For a pre-2025 commune: the 2025 communes it went into; for a 2025 commune: where it came from."""
    if unit.level != Level.COMMUNE:
        return []
    if unit.version == Hierarchy.PRE2025:
        return list(Crosswalk.objects.filter(old=unit).select_related("new", "new__parent").order_by("new__code"))
    return list(
        Crosswalk.objects.filter(new=unit).select_related("old", "old__parent", "old__province").order_by("old__code")
    )


def neighbours(unit: AdminUnit) -> tuple[AdminUnit | None, list[AdminUnit]]:
    """(the unit's province, its neighbouring provinces)."""
    province = unit if unit.level == Level.PROVINCE else unit.province
    if province is None:
        return None, []
    return province, list(province.neighbours.order_by("code"))
