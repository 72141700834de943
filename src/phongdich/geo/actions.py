"""Changes to the admin units: villages, population figures and their roll-up. Atomic and audited.

Imports (villages, population) share one rule set: every row is checked; a bad row is reported
(row number, column, message in the user's language) and nothing is written for it; good rows
are written in one transaction; the same file imported again changes nothing. A file that
cannot be read at all (not a spreadsheet, empty, wrong headers) raises ``FileProblem``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.core.access import require, unit_in_scope
from phongdich.core.models import AuditLog
from phongdich.core.roles import Perm
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Hierarchy, Level
from phongdich.geo.tabular import Column, read_table

if TYPE_CHECKING:
    from phongdich.core.models import User

MAX_POPULATION = 150_000_000
_SPACES = re.compile(r"\s+")
_POPULATION = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")
_VILLAGE_SUFFIX = re.compile(r"^[0-9A-Za-z]{1,10}$")

# Village types (loại): folded spelling → the spelling stored. Longest first for name prefixes.
VILLAGE_KINDS: dict[str, str] = {
    "to dan pho": "tổ dân phố",
    "khu pho": "khu phố",
    "khu dan cu": "khu dân cư",
    "thon": "thôn",
    "ban": "bản",
    "xom": "xóm",
    "ap": "ấp",
    "buon": "buôn",
    "lang": "làng",
    "plei": "plei",
    "soc": "sóc",
    "khom": "khóm",
    "khoi": "khối",
    "khu": "khu",
    "to": "tổ",
}

VILLAGE_COLUMNS = (
    Column(
        "commune_code",
        "Mã xã",
        ("Mã xã/phường", "Mã xã/phường/thị trấn", "Mã đơn vị xã", "Mã ĐVHC xã", "commune code", "commune"),
    ),
    Column(
        "name",
        "Tên thôn/bản/tổ dân phố",
        ("Tên thôn/bản", "Tên thôn", "Thôn/bản/tổ dân phố", "Tên đơn vị", "Tên", "name", "village"),
    ),
    Column("kind", "Loại", ("Loại đơn vị", "Loại thôn", "type", "kind"), required=False),
    Column("code", "Mã", ("Mã thôn", "Mã thôn/bản/tổ dân phố", "code", "village code"), required=False),
    Column("population", "Dân số", ("Số dân", "Dân số (người)", "population"), required=False),
)

POPULATION_COLUMNS = (
    Column("code", "Mã đơn vị", ("Mã", "Mã đơn vị hành chính", "Mã ĐVHC", "unit code", "code")),
    Column("population", "Dân số", ("Số dân", "Dân số (người)", "population")),
    Column("level", "Cấp", ("Cấp đơn vị", "Cấp hành chính", "level"), required=False),
    Column("name", "Tên đơn vị", ("Tên", "name"), required=False),
)


_LEVEL_WORDS: dict[str, Level] = {
    **{w: Level.PROVINCE for w in ("tinh", "cap tinh", "province", "thanh pho trung uong", "1")},
    **{w: Level.DISTRICT for w in ("huyen", "quan", "thi xa", "thanh pho", "cap huyen", "district", "2")},
    **{w: Level.COMMUNE for w in ("xa", "phuong", "thi tran", "dac khu", "cap xa", "commune", "ward", "3")},
    **{w: Level.VILLAGE for w in ("thon", "ban", "to dan pho", "village", "4", *VILLAGE_KINDS)},
}
CODE_WIDTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    filename: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict, repr=False)

    def error(self, row: int, column_key: str, message: str) -> None:
        self.errors.append(RowError(row, self.labels.get(column_key, column_key), message))

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


class _RowInvalid(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column, self.message = column, message


# ---------------------------------------------------------------------------------------------
# Small parsers


def clean_text(value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def parse_population(value: str) -> int:
    """A head count: "12345", "12.345" or "12,345" (thousands separators), 12345.0 from Excel."""
    text = value.strip().replace("\u00a0", " ")
    if not text:
        raise _RowInvalid("population", _("This field is required."))
    if _POPULATION.match(text):
        text = re.sub(r"[.,\s]", "", text)
    if text.startswith("-") and text[1:].replace(".", "", 1).isdigit():
        raise _RowInvalid("population", _("The population cannot be negative."))
    try:
        number = float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        raise _RowInvalid("population", _('Not a whole number: "%(value)s".') % {"value": value[:40]}) from None
    if isinstance(number, float):
        if not number.is_integer():
            raise _RowInvalid("population", _('Not a whole number: "%(value)s".') % {"value": value[:40]})
        number = int(number)
    if number < 0:
        raise _RowInvalid("population", _("The population cannot be negative."))
    if number > MAX_POPULATION:
        raise _RowInvalid("population", _("The population is too large."))
    return number


def infer_kind(name: str) -> str:
    """The village type from its name: "Tổ dân phố 3" → "tổ dân phố", "Bản Sín Thầu" → "bản"."""
    key = fold(name)
    for folded, kind in VILLAGE_KINDS.items():
        if key == folded or key.startswith(folded + " "):
            return kind
    return ""


def parse_kind(value: str, name: str) -> str:
    if not value.strip():
        return infer_kind(name)
    kind = VILLAGE_KINDS.get(fold(value))
    if kind is None:
        raise _RowInvalid(
            "kind",
            _('Unknown type "%(value)s": use %(kinds)s.')
            % {"value": value[:40], "kinds": "thôn, bản, tổ dân phố, xóm, ấp, khu phố…"},
        )
    return kind


def _digits_code(value: str, column: str) -> str:
    text = value.strip()
    if not text.isdigit() or len(text) > 5:
        raise _RowInvalid(column, _('Not an administrative unit code: "%(value)s".') % {"value": value[:40]})
    return text


# ---------------------------------------------------------------------------------------------
# Audit rows in bulk (the same shape as core.audit.record_change)


def _audit_rows(
    actor: User | None, action: str, changes: Iterable[tuple[AdminUnit, dict[str, Any] | None, dict[str, Any]]]
) -> None:
    who = actor if actor is not None and actor.is_authenticated else None
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=who,
                action=action,
                object_type=AdminUnit._meta.label,
                object_id=str(unit.pk),
                before=before,
                after=after,
            )
            for unit, before, after in changes
        ],
        batch_size=1000,
    )


# ---------------------------------------------------------------------------------------------
# Population roll-up


def rollup_population(version: str, province: AdminUnit | None = None) -> int:
    """Recompute ``population_total`` for one province (or every province of ``version``).

    A unit's total is its own figure when it has one, else the sum of its children's totals
    (village → commune → district → province); None when nothing below it is known either.
    One query reads the units, one bulk update writes the totals that changed. Returns how many
    changed.
    """
    qs = AdminUnit.objects.filter(version=version)
    if province is not None:
        qs = qs.filter(Q(pk=province.pk) | Q(province=province))
    rows = list(qs.values_list("pk", "level", "parent_id", "population", "population_total"))
    kids: dict[int, list[int]] = defaultdict(list)
    by_level: dict[str, list[int]] = defaultdict(list)
    own: dict[int, int | None] = {}
    current: dict[int, int | None] = {}
    for pk, level, parent_id, population, total in rows:
        if parent_id is not None:
            kids[parent_id].append(pk)
        by_level[level].append(pk)
        own[pk], current[pk] = population, total
    totals: dict[int, int | None] = {}
    for level in (Level.VILLAGE, Level.COMMUNE, Level.DISTRICT, Level.PROVINCE):
        for pk in by_level.get(level, []):
            if own[pk] is not None:
                totals[pk] = own[pk]
                continue
            known = [t for c in kids.get(pk, []) if (t := totals.get(c)) is not None]
            totals[pk] = sum(known) if known else None
    changed = [AdminUnit(pk=pk, population_total=t) for pk, t in totals.items() if current[pk] != t]
    if changed:
        AdminUnit.objects.bulk_update(changed, ["population_total"], batch_size=1000)
    return len(changed)


def _rollup_provinces(version: str, province_ids: Iterable[int | None]) -> None:
    for province in AdminUnit.objects.filter(pk__in={p for p in province_ids if p is not None}):
        rollup_population(version, province)


def set_populations(figures: Mapping[AdminUnit, int | None], actor: User | None = None) -> int:
    """Set units' own population figures in bulk (the demo uses it); audited. Returns how many changed.

    Call ``rollup_population`` afterwards (once per province) to refresh the totals.
    """
    now = timezone.now()
    changed: list[AdminUnit] = []
    audit: list[tuple[AdminUnit, dict[str, Any] | None, dict[str, Any]]] = []
    for unit, value in figures.items():
        if value is not None and not 0 <= value <= MAX_POPULATION:
            raise ValueError(f"population out of range for {unit.code}: {value}")
        if unit.population != value:
            audit.append((unit, {"population": unit.population}, {"population": value}))
            unit.population, unit.population_updated_at = value, now
            changed.append(unit)
    with transaction.atomic():
        AdminUnit.objects.bulk_update(changed, ["population", "population_updated_at"], batch_size=1000)
        _audit_rows(actor, "geo.population_set", audit)
    return len(changed)


# ---------------------------------------------------------------------------------------------
# Villages


def _next_numbers(communes: Iterable[AdminUnit]) -> dict[int, int]:
    """{commune pk: the next free village number} from existing codes "<commune>-NNN"."""
    ids = [c.pk for c in communes]
    highest: dict[int, int] = dict.fromkeys(ids, 0)
    for commune_id, code in AdminUnit.objects.filter(level=Level.VILLAGE, parent_id__in=ids).values_list(
        "parent_id", "code"
    ):
        suffix = code.rsplit("-", 1)[-1]
        if suffix.isdigit():
            highest[commune_id] = max(highest[commune_id], int(suffix))
    return {pk: n + 1 for pk, n in highest.items()}


def _new_village(commune: AdminUnit, code: str, name: str, kind: str, population: int | None) -> AdminUnit:
    return AdminUnit(
        version=commune.version,
        level=Level.VILLAGE,
        code=code,
        name=name,
        name_key=fold(name),
        division_type=kind,
        parent=commune,
        province_id=commune.province_id,
        district_id=commune.district_id,
        commune_id=commune.pk,
        population=population,
        population_updated_at=timezone.now() if population is not None else None,
    )


def _village_snapshot(unit: AdminUnit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "division_type": unit.division_type, "population": unit.population}


def create_villages_bulk(
    plan: Mapping[AdminUnit, Sequence[str | tuple[str, str]]], actor: User | None = None
) -> dict[int, list[AdminUnit]]:
    """Create the villages of many communes at once (idempotent by name within a commune).

    ``plan`` maps a commune to village names, or (name, type) pairs; the type is inferred from
    the name when not given ("Bản Na Sang" → bản). Codes are "<commune code>-NNN". Returns
    {commune pk: [villages in the order given]}: existing ones are reused, never duplicated.
    Populations are not set here; use ``set_populations`` then ``rollup_population``.
    """
    communes = [c for c in plan if c.level == Level.COMMUNE]
    if len(communes) != len(plan):
        raise ValueError("villages can only be created below communes")
    existing: dict[tuple[int, str], AdminUnit] = {
        (v.parent_id, v.name_key): v  # type: ignore[misc]
        for v in AdminUnit.objects.filter(level=Level.VILLAGE, parent__in=communes)
    }
    numbers = _next_numbers(communes)
    to_create: list[AdminUnit] = []
    for commune in communes:
        for item in plan[commune]:
            name, kind = (item, "") if isinstance(item, str) else item
            name = clean_text(name)
            key = (commune.pk, fold(name))
            if not name or key in existing:
                continue
            code = f"{commune.code}-{numbers[commune.pk]:03d}"
            numbers[commune.pk] += 1
            village = _new_village(commune, code, name, kind or infer_kind(name), None)
            existing[key] = village
            to_create.append(village)
    with transaction.atomic():
        AdminUnit.objects.bulk_create(to_create, batch_size=1000)
        if to_create and to_create[0].pk is None:  # backends that do not return ids
            ids = dict(
                AdminUnit.objects.filter(
                    level=Level.VILLAGE, parent__in=communes, code__in=[v.code for v in to_create]
                ).values_list("code", "pk")
            )
            for v in to_create:
                v.pk = ids[v.code]
        _audit_rows(actor, "geo.village_created", ((v, None, _village_snapshot(v)) for v in to_create))
    result: dict[int, list[AdminUnit]] = {}
    for commune in communes:
        names = [clean_text(item if isinstance(item, str) else item[0]) for item in plan[commune]]
        result[commune.pk] = [existing[(commune.pk, fold(name))] for name in names if name]
    return result


def create_villages(
    commune: AdminUnit, names: Sequence[str | tuple[str, str]], actor: User | None = None
) -> list[AdminUnit]:
    """Create villages under one commune (idempotent); see ``create_villages_bulk``."""
    return create_villages_bulk({commune: names}, actor)[commune.pk]


def _check_import_scope(actor: User, unit_scope: AdminUnit | None) -> AdminUnit:
    require(actor, Perm.UNIT_EDIT)
    scope_unit = unit_scope or actor.unit
    if scope_unit is None:
        from phongdich.geo.queries import deployment_province

        scope_unit = deployment_province() if actor.is_superuser else None
    if scope_unit is None or not unit_in_scope(actor, scope_unit):
        raise Http404(_("Not found."))
    return scope_unit


def _units_below(scope_unit: AdminUnit, level: Level | None = None) -> Iterable[AdminUnit]:
    from phongdich.geo.queries import subtree

    qs = AdminUnit.objects.filter(subtree(scope_unit), version=scope_unit.version)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


@transaction.atomic
def import_villages(actor: User, unit_scope: AdminUnit | None, filename: str, data: bytes) -> ImportReport:
    """Import villages / residential groups from CSV or Excel (see VILLAGE_COLUMNS)."""
    scope_unit = _check_import_scope(actor, unit_scope)
    table = read_table(filename, data, VILLAGE_COLUMNS)
    report = ImportReport(filename=filename, rows=len(table.rows), labels={c.key: c.header for c in VILLAGE_COLUMNS})
    communes = {u.code: u for u in _units_below(scope_unit, Level.COMMUNE)}
    villages = list(AdminUnit.objects.filter(level=Level.VILLAGE, parent__in=list(communes.values())))
    by_code = {v.code: v for v in villages}
    by_name = {(v.parent_id, v.name_key): v for v in villages}
    seen: dict[tuple[str, str], int] = {}
    plans: list[tuple[int, AdminUnit, str, str, str | None, int | None]] = []
    for number, row in table.rows:
        try:
            commune_code = _digits_code(row.get("commune_code", ""), "commune_code").zfill(5)
            commune = communes.get(commune_code)
            if commune is None:
                raise _RowInvalid("commune_code", _("Unknown commune code, or a commune outside your area."))
            name = clean_text(row.get("name", ""))
            if not name:
                raise _RowInvalid("name", _("This field is required."))
            if len(name) > 100:
                raise _RowInvalid("name", _("Too long: at most %(n)s characters.") % {"n": 100})
            kind = parse_kind(row.get("kind", ""), name)
            code: str | None = None
            given = row.get("code", "").strip()
            if given:
                suffix = given[len(commune_code) + 1 :] if given.startswith(commune_code + "-") else given
                if not _VILLAGE_SUFFIX.match(suffix):
                    raise _RowInvalid("code", _('Not a valid village code: "%(value)s".') % {"value": given[:40]})
                code = f"{commune_code}-{suffix.zfill(3) if suffix.isdigit() else suffix}"
            population = parse_population(row["population"]) if row.get("population", "").strip() else None
            for key, what in (((commune_code, fold(name)), "name"), ((commune_code, code or ""), "code")):
                if key[1] and key in seen:
                    raise _RowInvalid(what, _("The same village is already in row %(row)s.") % {"row": seen[key]})
            if code:
                same_name = by_name.get((commune.pk, fold(name)))
                if same_name is not None and same_name.code != code:
                    raise _RowInvalid(
                        "code",
                        _('This commune already has "%(name)s" with code %(code)s.')
                        % {"name": same_name.name, "code": same_name.code},
                    )
                seen[(commune_code, code)] = number
            seen[(commune_code, fold(name))] = number
            plans.append((number, commune, name, kind, code, population))
        except _RowInvalid as bad:
            report.error(number, bad.column, bad.message)
    numbers = _next_numbers(communes.values())
    to_create: list[AdminUnit] = []
    to_update: list[AdminUnit] = []
    audit: list[tuple[AdminUnit, dict[str, Any] | None, dict[str, Any]]] = []
    now = timezone.now()
    for _number, commune, name, kind, code, population in plans:
        existing = by_code.get(code) if code else by_name.get((commune.pk, fold(name)))
        if existing is None:
            if code is None:
                code = f"{commune.code}-{numbers[commune.pk]:03d}"
                numbers[commune.pk] += 1
            village = _new_village(commune, code, name, kind, population)
            by_code[code] = village
            to_create.append(village)
            continue
        before = _village_snapshot(existing)
        existing.name, existing.name_key = name, fold(name)
        existing.division_type = kind or existing.division_type
        if population is not None and population != existing.population:
            existing.population, existing.population_updated_at = population, now
        after = _village_snapshot(existing)
        if after != before:
            to_update.append(existing)
            audit.append((existing, before, after))
        else:
            report.unchanged += 1
    AdminUnit.objects.bulk_create(to_create, batch_size=1000)
    if to_create and to_create[0].pk is None:
        ids = dict(
            AdminUnit.objects.filter(level=Level.VILLAGE, code__in=[v.code for v in to_create]).values_list(
                "code", "pk"
            )
        )
        for v in to_create:
            v.pk = ids[v.code]
    fields = ["name", "name_key", "division_type", "population", "population_updated_at"]
    AdminUnit.objects.bulk_update(to_update, fields, batch_size=1000)
    audit.extend((v, None, _village_snapshot(v)) for v in to_create)
    _audit_rows(actor, "geo.village_import", audit)
    report.created, report.updated = len(to_create), len(to_update)
    report.rejected = len(report.rejected_rows)
    report.accepted = report.rows - report.rejected
    if to_create or to_update:
        _rollup_provinces(scope_unit.version, {c.province_id for _n, c, *_rest in plans})
    return report


def _resolve_code(text: str, level_text: str, units: Mapping[tuple[str, str], AdminUnit]) -> AdminUnit:
    level: Level | None = None
    if level_text.strip():
        level = _LEVEL_WORDS.get(fold(level_text))
        if level is None:
            raise _RowInvalid(
                "level",
                _('Unknown level "%(value)s": use %(levels)s.')
                % {
                    "value": level_text[:40],
                    "levels": "tỉnh, huyện, xã, thôn",
                },
            )
    code = text.strip()
    if "-" in code:  # a village: "<commune code>-<number>"
        commune_part, _sep, suffix = code.partition("-")
        if level not in (None, Level.VILLAGE) or not commune_part.isdigit() or not _VILLAGE_SUFFIX.match(suffix):
            raise _RowInvalid("code", _('Not an administrative unit code: "%(value)s".') % {"value": text[:40]})
        suffix = suffix.zfill(3) if suffix.isdigit() else suffix
        found = units.get((Level.VILLAGE, f"{commune_part.zfill(5)}-{suffix}"))
        if found is None:
            raise _RowInvalid("code", _("Unknown code, or a unit outside your area."))
        return found
    code = _digits_code(code, "code")
    if level == Level.VILLAGE:
        raise _RowInvalid("code", _('Not an administrative unit code: "%(value)s".') % {"value": text[:40]})
    candidates: list[tuple[str, str]]
    if level is not None:
        candidates = [(level, code.zfill(CODE_WIDTH[level]))] if len(code) <= CODE_WIDTH[level] else []
    elif code.startswith("0") and len(code) in (2, 3, 5):  # typed as text: the length says the level
        candidates = [(lv, code) for lv, width in CODE_WIDTH.items() if width == len(code)]
    else:  # a number (leading zeros lost in Excel): any level it fits
        candidates = [(lv, code.zfill(width)) for lv, width in CODE_WIDTH.items() if len(code) <= width]
    found_units = [u for key in candidates if (u := units.get(key)) is not None]
    if not found_units:
        raise _RowInvalid("code", _("Unknown code, or a unit outside your area."))
    if len(found_units) > 1:
        raise _RowInvalid("level", _("The code fits several units: fill in the column %(column)s.") % {"column": "Cấp"})
    return found_units[0]


@transaction.atomic
def import_population(actor: User, unit_scope: AdminUnit | None, filename: str, data: bytes) -> ImportReport:
    """Import own population figures per unit (any level) from CSV or Excel, then roll them up."""
    scope_unit = _check_import_scope(actor, unit_scope)
    table = read_table(filename, data, POPULATION_COLUMNS)
    report = ImportReport(filename=filename, rows=len(table.rows), labels={c.key: c.header for c in POPULATION_COLUMNS})
    units = {(u.level, u.code): u for u in _units_below(scope_unit)}
    seen: dict[int, int] = {}
    changes: dict[AdminUnit, int] = {}
    for number, row in table.rows:
        if not row.get("population", "").strip():
            report.skipped += 1  # a template row left empty
            continue
        try:
            unit = _resolve_code(row.get("code", ""), row.get("level", ""), units)
            population = parse_population(row.get("population", ""))
            if unit.pk in seen:
                raise _RowInvalid("code", _("The same unit is already in row %(row)s.") % {"row": seen[unit.pk]})
            seen[unit.pk] = number
            changes[unit] = population
        except _RowInvalid as bad:
            report.error(number, bad.column, bad.message)
    changed = {u: p for u, p in changes.items() if u.population != p}
    report.updated = set_populations(changed, actor)
    report.unchanged = len(changes) - len(changed)
    report.rejected = len(report.rejected_rows)
    report.accepted = report.rows - report.rejected - report.skipped
    if changed:
        _rollup_provinces(scope_unit.version, {u.province_id or u.pk for u in changed})
    return report


# Labels for the report columns (used by templates and the API docs).
REPORT_FIELDS = {
    "rows": gettext_lazy("Rows read"),
    "accepted": gettext_lazy("Rows accepted"),
    "rejected": gettext_lazy("Rows rejected"),
    "created": gettext_lazy("Units created"),
    "updated": gettext_lazy("Units updated"),
    "unchanged": gettext_lazy("Units unchanged"),
    "skipped": gettext_lazy("Skipped (empty)"),
}

__all__ = [
    "POPULATION_COLUMNS",
    "VILLAGE_COLUMNS",
    "Hierarchy",
    "ImportReport",
    "RowError",
    "create_villages",
    "create_villages_bulk",
    "import_population",
    "import_villages",
    "rollup_population",
    "set_populations",
]
