"""Copying a unit's lineage onto a record's four jurisdiction columns."""

from __future__ import annotations

from typing import Any

from phongdich.geo.models import AdminUnit, Level


def lineage_columns(unit: AdminUnit | None) -> dict[str, Any]:
    """{'province_id':…, 'district_id':…, 'commune_id':…, 'village_id':…} for a unit."""
    cols: dict[str, Any] = {"province_id": None, "district_id": None, "commune_id": None, "village_id": None}
    if unit is None:
        return cols
    cols["province_id"] = unit.province_id
    cols["district_id"] = unit.district_id
    cols["commune_id"] = unit.commune_id
    cols[f"{unit.level}_id"] = unit.pk
    if unit.level == Level.PROVINCE:
        cols["province_id"] = unit.pk
    return cols
