"""Queries of the absent-citizen lists, always scoped to what the user may see.

The consolidated list is the set of open TEMPORARILY_ABSENT residence periods of active
(not merged) persons; it rolls up from villages to communes, districts and the province
through the persons' jurisdiction columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from phongdich.core.access import scope, unit_in_scope
from phongdich.core.roles import Perm
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import AbsentListUpload, ResidenceRecord, ResidenceStatus
from phongdich.people.validation import normalize_id_number

if TYPE_CHECKING:
    from phongdich.core.models import User

CHILD_LEVEL = {Level.PROVINCE: Level.DISTRICT, Level.DISTRICT: Level.COMMUNE, Level.COMMUNE: Level.VILLAGE}


def can_see_lists(user: User) -> bool:
    return user.is_authenticated and (user.can(Perm.ABSENT_UPLOAD) or user.can(Perm.ABSENT_EXPORT))


def absent_records(user: User) -> QuerySet[ResidenceRecord]:
    """Open 'temporarily absent' periods of active persons inside the user's unit."""
    qs = ResidenceRecord.objects.filter(
        status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on__isnull=True, person__merged_into__isnull=True
    )
    return scope(user, qs, prefix="person__")


def root_unit(user: User) -> AdminUnit | None:
    """Where the user's view of the lists starts: their unit, or the deployment's province."""
    if user.unit is not None:
        return user.unit
    return AdminUnit.objects.filter(
        version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE, code=settings.PHONGDICH_PROVINCE_CODE
    ).first()


def unit_for(user: User, unit_id: object) -> AdminUnit | None:
    """The unit chosen in a filter (None: no filter); 404 when it is not in the user's scope."""
    if unit_id in (None, ""):
        return None
    try:
        unit = AdminUnit.objects.select_related("province", "district", "commune").get(pk=int(str(unit_id)))
    except (AdminUnit.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    if not unit_in_scope(user, unit):
        raise Http404(_("Not found."))
    return unit


def province_for(unit_id: object) -> AdminUnit | None:
    if unit_id in (None, ""):
        return None
    try:
        return AdminUnit.objects.get(pk=int(str(unit_id)), level=Level.PROVINCE)
    except (AdminUnit.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc


def filtered(
    qs: QuerySet[ResidenceRecord],
    unit: AdminUnit | None = None,
    temp_province: AdminUnit | None = None,
    text: str = "",
) -> QuerySet[ResidenceRecord]:
    if unit is not None:
        qs = qs.filter(**unit.scope_filter("person__"))
    if temp_province is not None:
        qs = qs.filter(temp_province=temp_province)
    text = text.strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        condition = Q(person__name_key__contains=fold(text))
        if digits and len(digits) >= 6:
            try:
                id_number = normalize_id_number(digits)
            except ValidationError:  # not an ID number: the phone only
                id_number = None
            if id_number:
                condition |= Q(person__id_number=id_number)
            condition |= Q(phone__endswith=digits[-9:]) | Q(person__phone__endswith=digits[-9:])
        qs = qs.filter(condition)
    return qs


def listing(qs: QuerySet[ResidenceRecord]) -> QuerySet[ResidenceRecord]:
    return qs.select_related(
        "person",
        "person__district",
        "person__commune",
        "person__village",
        "temp_province",
        "temp_commune",
        "temp_commune__district",
    ).order_by("person__name_key", "person_id")


@dataclass
class RollupRow:
    unit: AdminUnit | None
    count: int


def rollup(user: User, unit: AdminUnit | None) -> tuple[int, list[RollupRow]]:
    """(total, counts per child unit of ``unit``) in one grouped query; children without
    anyone absent are listed with 0, persons not placed in a child unit last."""
    qs = absent_records(user)
    if unit is not None:
        qs = qs.filter(**unit.scope_filter("person__"))
    child = CHILD_LEVEL.get(Level(unit.level)) if unit is not None else Level.PROVINCE
    if child is None:
        return qs.count(), []
    column = f"person__{child}_id"
    counts = {row[column]: row["n"] for row in qs.values(column).annotate(n=Count("id")).order_by()}
    if unit is not None:
        children = list(AdminUnit.objects.filter(parent=unit, level=child).order_by("code"))
    else:
        children = list(AdminUnit.objects.filter(pk__in=[k for k in counts if k]).order_by("code"))
    rows = [RollupRow(u, counts.get(u.pk, 0)) for u in children]
    known = {u.pk for u in children}
    stray = sum(n for k, n in counts.items() if k is None or k not in known)
    if stray:
        rows.append(RollupRow(None, stray))
    return sum(counts.values()), rows


def uploads_for(user: User) -> QuerySet[AbsentListUpload]:
    return scope(user, AbsentListUpload.objects.select_related("unit", "uploaded_by"))


def upload_units(user: User) -> list[AdminUnit]:
    """Communes and villages the user may upload a list for.

    A commune or village user: their commune and its villages (or their village). Higher up:
    the communes below them (the file's village column places each person in a village).
    """
    unit = root_unit(user)
    if unit is None:
        return []
    if unit.level == Level.VILLAGE:
        return [unit]
    if unit.level == Level.COMMUNE:
        villages = AdminUnit.objects.filter(level=Level.VILLAGE, commune=unit).order_by("code")
        return [unit, *villages]
    return list(
        AdminUnit.objects.filter(level=Level.COMMUNE, **unit.scope_filter())
        .select_related("district")
        .order_by("district__code", "code")
    )


def provinces_in_lists(user: User) -> QuerySet[AdminUnit]:
    """The provinces people of the user's lists stay in, for the filter."""
    ids = absent_records(user).values("temp_province_id").distinct()
    return AdminUnit.objects.filter(pk__in=ids).order_by("name")
