"""Loading the administrative units from the pinned ``vietnam-provinces`` package.

Both hierarchies are loaded: pre-2025 (63 provinces → 696 districts → 10,051 communes, from
``vietnam_provinces.legacy``) and post-2025 (34 provinces → 3,321 communes). The load is a sync:
units missing from the database are bulk-created, units whose name, type or parent changed are
bulk-updated, and nothing is ever deleted (persons point at units). Running it twice changes
nothing. Villages (below communes) and population figures are not touched.

Then: the old→new commune crosswalk (when both hierarchies are present), the neighbouring
provinces (from the TopoJSON boundary files) and the foreign land borders (hand-entered table).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from phongdich.core.text import fold
from phongdich.geo import cache
from phongdich.geo.borders import FOREIGN_BORDERS, province_adjacency
from phongdich.geo.models import AdminUnit, Crosswalk, Hierarchy, Level

log = logging.getLogger(__name__)

CODE_WIDTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
BATCH = 2000


@dataclass(frozen=True)
class PackageUnit:
    level: Level
    code: str
    name: str
    division_type: str
    parent_code: str | None  # the parent's code (at the level above)


@dataclass
class LoadStats:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    crosswalk_created: int = 0
    crosswalk_updated: int = 0
    crosswalk_deleted: int = 0
    neighbour_pairs: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.created.values())
            or sum(self.updated.values())
            or self.crosswalk_created
            or self.crosswalk_updated
            or self.crosswalk_deleted
        )


def _pad(level: Level, code: int) -> str:
    return str(int(code)).zfill(CODE_WIDTH[level])


def package_units(version: Hierarchy, provinces: set[str] | None = None) -> Iterator[PackageUnit]:
    """The package's units of one hierarchy, parents before children."""
    if version == Hierarchy.PRE2025:
        from vietnam_provinces.legacy._lookup import DISTRICT_MAPPING, PROVINCE_MAPPING, WARD_MAPPING

        district_province: dict[int, str] = {}
        for p in PROVINCE_MAPPING.values():
            code = _pad(Level.PROVINCE, p.code.value)
            if provinces is None or code in provinces:
                yield PackageUnit(Level.PROVINCE, code, p.name, str(p.division_type.value), None)
        for d in DISTRICT_MAPPING.values():
            pcode = _pad(Level.PROVINCE, d.province_code.value)
            district_province[d.code.value] = pcode
            if provinces is None or pcode in provinces:
                yield PackageUnit(
                    Level.DISTRICT, _pad(Level.DISTRICT, d.code.value), d.name, str(d.division_type.value), pcode
                )
        for w in WARD_MAPPING.values():
            if provinces is None or district_province.get(w.district_code.value) in provinces:
                yield PackageUnit(
                    Level.COMMUNE,
                    _pad(Level.COMMUNE, w.code.value),
                    w.name,
                    str(w.division_type.value),
                    _pad(Level.DISTRICT, w.district_code.value),
                )
    else:
        from vietnam_provinces._lookup import PROVINCE_MAPPING as NEW_PROVINCES
        from vietnam_provinces._lookup import WARD_MAPPING as NEW_WARDS

        for np in NEW_PROVINCES.values():
            code = _pad(Level.PROVINCE, np.code.value)
            if provinces is None or code in provinces:
                yield PackageUnit(Level.PROVINCE, code, np.name, str(np.division_type.value), None)
        for nw in NEW_WARDS.values():
            pcode = _pad(Level.PROVINCE, nw.province_code.value)
            if provinces is None or pcode in provinces:
                yield PackageUnit(
                    Level.COMMUNE, _pad(Level.COMMUNE, nw.code.value), nw.name, str(nw.division_type.value), pcode
                )


def _parent_level(version: Hierarchy, level: Level) -> Level | None:
    if level == Level.PROVINCE:
        return None
    if level == Level.COMMUNE and version == Hierarchy.PRE2025:
        return Level.DISTRICT
    return Level.PROVINCE


def _index(version: Hierarchy, level: Level) -> dict[str, dict[str, Any]]:
    rows = AdminUnit.objects.filter(version=version, level=level).values(
        "pk", "code", "name", "name_key", "division_type", "parent_id", "province_id", "district_id", "commune_id"
    )
    return {r["code"]: dict(r) for r in rows}


def sync_units(version: Hierarchy, units: Iterable[PackageUnit], stats: LoadStats) -> dict[Level, dict[str, int]]:
    """Create or update the units of one hierarchy, level by level. Returns {level: {code: pk}}."""
    by_level: dict[Level, list[PackageUnit]] = {}
    for unit in units:
        by_level.setdefault(unit.level, []).append(unit)
    known: dict[Level, dict[str, dict[str, Any]]] = {}
    pks: dict[Level, dict[str, int]] = {}
    fields = ["name", "name_key", "division_type", "parent_id", "province_id", "district_id", "commune_id"]
    for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        items = by_level.get(level, [])
        parent_level = _parent_level(version, level)
        existing = _index(version, level)
        parents = known.get(parent_level, {}) if parent_level else {}
        if parent_level and not parents:
            parents = known[parent_level] = _index(version, parent_level)
        to_create: list[AdminUnit] = []
        to_update: list[AdminUnit] = []
        for item in items:
            want: dict[str, Any] = {
                "name": item.name,
                "name_key": fold(item.name),
                "division_type": item.division_type,
                "parent_id": None,
                "province_id": None,
                "district_id": None,
                "commune_id": None,
            }
            if parent_level is not None:
                parent = parents.get(item.parent_code or "")
                if parent is None:
                    stats.notes.append(f"{version} {level} {item.code}: parent {item.parent_code} missing, skipped")
                    continue
                want["parent_id"] = parent["pk"]
                want["province_id"] = parent["province_id"] or (
                    parent["pk"] if parent_level == Level.PROVINCE else None
                )
                want["district_id"] = parent["district_id"] or (
                    parent["pk"] if parent_level == Level.DISTRICT else None
                )
            row = existing.get(item.code)
            if row is None:
                to_create.append(AdminUnit(version=version, level=level, code=item.code, **want))
            elif any(row[f] != want[f] for f in fields):
                to_update.append(AdminUnit(pk=row["pk"], version=version, level=level, code=item.code, **want))
        if to_create:
            AdminUnit.objects.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            AdminUnit.objects.bulk_update(to_update, fields, batch_size=BATCH)
        stats.created[f"{version}:{level}"] = len(to_create)
        stats.updated[f"{version}:{level}"] = len(to_update)
        known[level] = _index(version, level) if (to_create or to_update) else existing
        pks[level] = {code: row["pk"] for code, row in known[level].items()}
    return pks


def sync_crosswalk(stats: LoadStats) -> None:
    """The package's old (pre-2025) → new (2025) commune table, as Crosswalk rows."""
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW

    old = dict(AdminUnit.objects.filter(version=Hierarchy.PRE2025, level=Level.COMMUNE).values_list("code", "pk"))
    new = dict(AdminUnit.objects.filter(version=Hierarchy.POST2025, level=Level.COMMUNE).values_list("code", "pk"))
    if not old or not new:
        stats.notes.append("crosswalk skipped: both hierarchies must be loaded")
        return
    wanted: dict[tuple[int, int], bool] = {}
    for entry in OLD_TO_NEW.values():
        old_pk = old.get(_pad(Level.COMMUNE, entry.old_ward.code))
        if old_pk is None:
            continue  # a code the package lists in the table but not among its pre-2025 communes
        for ref in entry.new_wards:
            new_pk = new.get(_pad(Level.COMMUNE, ref.code))
            if new_pk is not None:
                wanted[(old_pk, new_pk)] = bool(entry.old_ward.is_partly_merged)
    existing = {
        (o, n): (pk, partly) for pk, o, n, partly in Crosswalk.objects.values_list("pk", "old_id", "new_id", "partly")
    }
    create = [Crosswalk(old_id=o, new_id=n, partly=p) for (o, n), p in wanted.items() if (o, n) not in existing]
    update = [
        Crosswalk(pk=existing[key][0], old_id=key[0], new_id=key[1], partly=p)
        for key, p in wanted.items()
        if key in existing and existing[key][1] != p
    ]
    # ``wanted`` covers every pair between units present in the database, so anything else is stale.
    stale = [pk for key, (pk, _p) in existing.items() if key not in wanted]
    if create:
        Crosswalk.objects.bulk_create(create, batch_size=BATCH)
    if update:
        Crosswalk.objects.bulk_update(update, ["partly"], batch_size=BATCH)
    if stale:
        Crosswalk.objects.filter(pk__in=stale).delete()
    stats.crosswalk_created, stats.crosswalk_updated, stats.crosswalk_deleted = len(create), len(update), len(stale)


def sync_neighbours(version: Hierarchy, stats: LoadStats) -> None:
    """Neighbouring provinces (shared TopoJSON arcs) and foreign land borders (hand-entered)."""
    provinces = dict(AdminUnit.objects.filter(version=version, level=Level.PROVINCE).values_list("code", "pk"))
    through = AdminUnit.neighbours.through
    adjacency = province_adjacency(version)
    if adjacency is None:
        stats.notes.append(f"{version}: boundary file not installed, neighbours not loaded")
    else:
        wanted = {
            (provinces[a], provinces[b])
            for a, others in adjacency.items()
            if a in provinces
            for b in others
            if b in provinces
        }
        existing = dict(
            ((f, t), pk)
            for pk, f, t in through.objects.filter(
                from_adminunit__version=version, from_adminunit__level=Level.PROVINCE
            ).values_list("pk", "from_adminunit_id", "to_adminunit_id")
        )
        create = [through(from_adminunit_id=f, to_adminunit_id=t) for f, t in wanted - existing.keys()]
        stale = [pk for key, pk in existing.items() if key not in wanted]
        if create:
            through.objects.bulk_create(create, batch_size=BATCH)
            stats.created[f"{version}:neighbours"] = len(create)
        if stale:
            through.objects.filter(pk__in=stale).delete()
            stats.updated[f"{version}:neighbours"] = len(stale)
        stats.neighbour_pairs[str(version)] = len(wanted) // 2
    borders = FOREIGN_BORDERS[version]
    changed = []
    for unit in AdminUnit.objects.filter(version=version, level=Level.PROVINCE).only("pk", "code", "foreign_borders"):
        value = ",".join(c.value for c in borders.get(unit.code, ()))
        if unit.foreign_borders != value:
            unit.foreign_borders = value
            changed.append(unit)
    if changed:
        AdminUnit.objects.bulk_update(changed, ["foreign_borders"])
        stats.updated[f"{version}:borders"] = len(changed)


def load_units(only: Hierarchy | None = None, provinces: Iterable[str] | None = None) -> LoadStats:
    """Load (or bring up to date) both hierarchies, the crosswalk and the neighbours. Idempotent.

    ``only`` restricts to one hierarchy; ``provinces`` (codes like "11") to a few provinces,
    which is what the tests use to stay fast.
    """
    wanted = {str(p).zfill(2) for p in provinces} if provinces is not None else None
    stats = LoadStats()
    versions = [only] if only else [Hierarchy.PRE2025, Hierarchy.POST2025]
    with transaction.atomic():
        for version in versions:
            sync_units(version, package_units(version, wanted), stats)
            sync_neighbours(version, stats)
        sync_crosswalk(stats)
    cache.clear()
    return stats
