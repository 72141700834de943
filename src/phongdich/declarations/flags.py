"""The flags of a declaration: why the destination commune should look at it.

Computed once, when the declaration is stored (inside its transaction):
- symptoms or exposures declared;
- coming from, or through, an area the rule set lists as high-risk (``policy.queries.risk_level``
  of the origin, the provinces and the places visited, on their dates);
- a citizen the commune lists as temporarily absent coming back (an open ResidenceRecord);
- an active F0 (a confirmed case under treatment) or a current F1 in the registry;
- a place visited that matches a published exposure site (same commune, or the same name, on
  a date inside the site's window). Free text cannot prove a contact, so this is a flag for a
  person to judge, not a contact candidate.
Each flag holds codes, ids and dates only (no names).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from phongdich.core.text import fold
from phongdich.declarations.models import Declaration, DeclarationFlag, FlagKind
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import ResidenceRecord, ResidenceStatus


def _risk(unit: AdminUnit | None, on: datetime.date) -> str | None:
    from phongdich.policy.queries import risk_level

    return risk_level(unit, on) if unit is not None else None


def high_risk_hits(declaration: Declaration) -> list[dict[str, Any]]:
    """The origin, provinces and places of the declaration that were high-risk on their dates."""
    declared_on = timezone.localdate(declaration.declared_at)
    travel_on = declaration.travel_date or declared_on
    origin = [u for u in (declaration.origin_unit_id, declaration.origin_province_id) if u is not None]
    checks: list[tuple[int, datetime.date]] = [(u, travel_on) for u in origin]
    checks += [(int(u), travel_on) for u in declaration.provinces_visited]
    for place in declaration.places:
        if place.get("unit_id"):
            on = datetime.date.fromisoformat(place["date"]) if place.get("date") else travel_on
            checks.append((int(place["unit_id"]), on))
    units = AdminUnit.objects.in_bulk({u for u, _ in checks})
    hits: list[dict[str, Any]] = []
    seen: set[int] = set()
    for unit_id, on in checks:
        if unit_id in seen or unit_id not in units:
            continue
        level = _risk(units[unit_id], on)
        if level:
            seen.add(unit_id)
            hits.append({"unit": units[unit_id].code, "unit_id": unit_id, "level": level, "on": on.isoformat()})
    return hits


def registry_flags(declaration: Declaration) -> list[tuple[str, dict[str, Any]]]:
    """Absent citizen returning, active F0, current F1 — from the person the declaration matched."""
    from phongdich.cases.models import Case, CaseStatus, Outcome
    from phongdich.tracing.models import PersonLevel

    person_id = declaration.person_id
    if person_id is None:
        return []
    found: list[tuple[str, dict[str, Any]]] = []
    absent = (
        ResidenceRecord.objects.filter(
            person_id=person_id, status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    if absent is not None:
        found.append(
            (
                FlagKind.ABSENT_RETURNING,
                {"since": absent.started_on.isoformat() if absent.started_on else None, "record": absent.pk},
            )
        )
    case = Case.objects.filter(
        person_id=person_id, status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT
    ).first()
    if case is not None:
        found.append((FlagKind.REGISTRY_F0, {"case": case.code}))
    today = timezone.localdate(declaration.declared_at)
    level = PersonLevel.objects.filter(person_id=person_id, level=1).select_related("case").first()
    if level is not None and (level.handling_until is None or level.handling_until >= today):
        found.append(
            (
                FlagKind.REGISTRY_F1,
                {"case": level.case.code, "until": level.handling_until.isoformat() if level.handling_until else None},
            )
        )
    return found


def exposure_site_hits(declaration: Declaration) -> list[dict[str, Any]]:
    """Published exposure sites a declared place matches (same commune or name, date in the window)."""
    from phongdich.cases.exposure import window_dates
    from phongdich.cases.models import ExposureSite

    places = [p for p in declaration.places if p.get("date")]
    if not places:
        return []
    first = min(datetime.date.fromisoformat(p["date"]) for p in places)
    sites = list(
        ExposureSite.objects.filter(published=True, withdrawn_at__isnull=True)
        .exclude(
            ends_at__lt=datetime.datetime.combine(first, datetime.time.min, tzinfo=timezone.get_current_timezone())
        )
        .only("pk", "name", "commune_id", "starts_at", "ends_at")[:500]
    )
    hits: list[dict[str, Any]] = []
    for site in sites:
        site_first, site_last = window_dates(site)
        site_key = fold(site.name)
        for place in places:
            day = datetime.date.fromisoformat(place["date"])
            if not (site_first <= day <= site_last):
                continue
            same_unit = place.get("unit_id") is not None and place["unit_id"] == site.commune_id
            key = fold(place["name"])
            same_name = len(key) >= 4 and len(site_key) >= 4 and (key in site_key or site_key in key)
            if same_unit or same_name:
                hits.append({"site": str(site.pk), "on": day.isoformat(), "by": "unit" if same_unit else "name"})
                break
    return hits


def compute_flags(declaration: Declaration) -> list[DeclarationFlag]:
    """Create the declaration's flags (in the destination's jurisdiction); returns them."""
    wanted: list[tuple[str, dict[str, Any]]] = []
    if declaration.symptoms:
        wanted.append((FlagKind.SYMPTOMS, {"symptoms": list(declaration.symptoms)}))
    if declaration.exposures:
        wanted.append((FlagKind.EXPOSURE, {"exposures": list(declaration.exposures)}))
    risky = high_risk_hits(declaration)
    if risky:
        wanted.append((FlagKind.HIGH_RISK_AREA, {"areas": risky}))
    wanted += registry_flags(declaration)
    sites = exposure_site_hits(declaration)
    if sites:
        wanted.append((FlagKind.EXPOSURE_SITE, {"sites": sites}))
    unit = declaration.village or declaration.commune
    columns = lineage_columns(unit)
    flags = [DeclarationFlag(declaration=declaration, kind=kind, detail=detail, **columns) for kind, detail in wanted]
    DeclarationFlag.objects.bulk_create(flags)
    return flags
