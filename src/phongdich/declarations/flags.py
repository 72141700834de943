"""The flags of a declaration: why the destination commune should look at it.

Computed once, when the declaration is processed (declarations.processing), for a batch of
declarations at a time with a fixed number of queries whatever the batch's size:
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
from phongdich.people.models import ResidenceRecord, ResidenceStatus
from phongdich.policy.risk import RiskIndex

Wanted = list[tuple[str, dict[str, Any]]]
LINEAGE = ("province_id", "district_id", "commune_id", "village_id")  # a flag is where its declaration is


def _risk_checks(declaration: Declaration) -> list[tuple[int, datetime.date]]:
    """(unit id, date) pairs to look up: the origin and provinces on the travel date, places on theirs."""
    declared_on = timezone.localdate(declaration.declared_at)
    travel_on = declaration.travel_date or declared_on
    origin = [u for u in (declaration.origin_unit_id, declaration.origin_province_id) if u is not None]
    checks: list[tuple[int, datetime.date]] = [(u, travel_on) for u in origin]
    checks += [(int(u), travel_on) for u in declaration.provinces_visited]
    for place in declaration.places:
        if place.get("unit_id"):
            on = datetime.date.fromisoformat(place["date"]) if place.get("date") else travel_on
            checks.append((int(place["unit_id"]), on))
    return checks


def high_risk_hits(declarations: list[Declaration]) -> dict[Any, list[dict[str, Any]]]:
    """Per declaration: its origin, provinces and places that were high-risk on their dates."""
    checks = {d.pk: _risk_checks(d) for d in declarations}
    pairs = [pair for found in checks.values() for pair in found]
    if not pairs:
        return {}
    units = AdminUnit.objects.in_bulk({u for u, _ in pairs})
    index = RiskIndex(min(on for _, on in pairs), max(on for _, on in pairs))
    hits: dict[Any, list[dict[str, Any]]] = {}
    for pk, found in checks.items():
        seen: set[int] = set()
        for unit_id, on in found:
            if unit_id in seen or unit_id not in units:
                continue
            level = index.level_of(units[unit_id], on)
            if level:
                seen.add(unit_id)
                hits.setdefault(pk, []).append(
                    {"unit": units[unit_id].code, "unit_id": unit_id, "level": level, "on": on.isoformat()}
                )
    return hits


def registry_flags(declarations: list[Declaration]) -> dict[Any, Wanted]:
    """Per declaration: absent citizen returning, active F0, current F1 — from the matched person."""
    from phongdich.cases.models import Case, CaseStatus, Outcome
    from phongdich.tracing.models import PersonLevel

    person_ids = {d.person_id for d in declarations if d.person_id is not None}
    if not person_ids:
        return {}
    absent: dict[Any, ResidenceRecord] = {}
    for open_record in ResidenceRecord.objects.filter(
        person_id__in=person_ids, status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on__isnull=True
    ).order_by("created_at"):
        absent[open_record.person_id] = open_record  # the newest wins
    cases: dict[Any, str] = {}
    for case_person, code in Case.objects.filter(
        person_id__in=person_ids, status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT
    ).values_list("person_id", "code"):
        cases.setdefault(case_person, code)
    levels: dict[Any, list[tuple[str, datetime.date | None]]] = {}
    for level_person, code, until in PersonLevel.objects.filter(person_id__in=person_ids, level=1).values_list(
        "person_id", "case__code", "handling_until"
    ):
        levels.setdefault(level_person, []).append((code, until))
    found: dict[Any, Wanted] = {}
    for declaration in declarations:
        person_id = declaration.person_id
        if person_id is None:
            continue
        wanted: Wanted = []
        record = absent.get(person_id)
        if record is not None:
            since = record.started_on.isoformat() if record.started_on else None
            wanted.append((FlagKind.ABSENT_RETURNING, {"since": since, "record": record.pk}))
        if person_id in cases:
            wanted.append((FlagKind.REGISTRY_F0, {"case": cases[person_id]}))
        today = timezone.localdate(declaration.declared_at)
        current = [(code, until) for code, until in levels.get(person_id, []) if until is None or until >= today]
        if current:
            code, until = current[0]
            wanted.append((FlagKind.REGISTRY_F1, {"case": code, "until": until.isoformat() if until else None}))
        if wanted:
            found[declaration.pk] = wanted
    return found


def exposure_site_hits(declarations: list[Declaration]) -> dict[Any, list[dict[str, Any]]]:
    """Per declaration: published exposure sites a declared place matches (same commune or name, date in the window)."""
    from phongdich.cases.exposure import window_dates
    from phongdich.cases.models import ExposureSite

    dated = {d.pk: [p for p in d.places if p.get("date")] for d in declarations}
    dated = {pk: places for pk, places in dated.items() if places}
    if not dated:
        return {}
    first = min(datetime.date.fromisoformat(p["date"]) for places in dated.values() for p in places)
    sites = list(
        ExposureSite.objects.filter(published=True, withdrawn_at__isnull=True)
        .exclude(
            ends_at__lt=datetime.datetime.combine(first, datetime.time.min, tzinfo=timezone.get_current_timezone())
        )
        .only("pk", "name", "commune_id", "starts_at", "ends_at")[:500]
    )
    windows = [(site, *window_dates(site), fold(site.name)) for site in sites]
    hits: dict[Any, list[dict[str, Any]]] = {}
    for pk, places in dated.items():
        for site, site_first, site_last, site_key in windows:
            for place in places:
                day = datetime.date.fromisoformat(place["date"])
                if not (site_first <= day <= site_last):
                    continue
                same_unit = place.get("unit_id") is not None and place["unit_id"] == site.commune_id
                key = fold(place["name"])
                same_name = len(key) >= 4 and len(site_key) >= 4 and (key in site_key or site_key in key)
                if same_unit or same_name:
                    hits.setdefault(pk, []).append(
                        {"site": str(site.pk), "on": day.isoformat(), "by": "unit" if same_unit else "name"}
                    )
                    break
    return hits


def compute_flags(declarations: list[Declaration]) -> list[DeclarationFlag]:
    """Create the flags of ``declarations`` (each in its destination's jurisdiction); returns them."""
    risky = high_risk_hits(declarations)
    registry = registry_flags(declarations)
    sites = exposure_site_hits(declarations)
    flags: list[DeclarationFlag] = []
    for declaration in declarations:
        wanted: Wanted = []
        if declaration.symptoms:
            wanted.append((FlagKind.SYMPTOMS, {"symptoms": list(declaration.symptoms)}))
        if declaration.exposures:
            wanted.append((FlagKind.EXPOSURE, {"exposures": list(declaration.exposures)}))
        if declaration.pk in risky:
            wanted.append((FlagKind.HIGH_RISK_AREA, {"areas": risky[declaration.pk]}))
        wanted += registry.get(declaration.pk, [])
        if declaration.pk in sites:
            wanted.append((FlagKind.EXPOSURE_SITE, {"sites": sites[declaration.pk]}))
        columns = {name: getattr(declaration, name) for name in LINEAGE}
        flags += [
            DeclarationFlag(declaration=declaration, kind=kind, detail=detail, **columns) for kind, detail in wanted
        ]
    DeclarationFlag.objects.bulk_create(flags)
    return flags
