"""The quarantine placement benchmark (part ``quarantine`` of benchmarks/run.py → results/quarantine.json).

On the bench database's demo people: 20 facilities (Thành phố Điện Biên Phủ) with 5,000 beds in
rooms of 4, 6 and 8 beds (some men-only, some women-only, some beds unusable for spacing), and
2,000 people awaiting placement as arrivals: four risk groups, entry dates over a week, whole
households travelling together (families) and singles, both sexes. Set-up (facilities, requests)
is not timed. Timed end to end: loading the 2,000 people, ``actions.place_people`` (the locks,
loading the rooms and who is in them, the pure engine, the bulk writes of placements, requests and
audit rows) and the commit. Target < 5 s. The result then checks the rules in the database: no room
holds two risk groups, no room spans more than the entry window, no stranger in a room of the
other sex, every placed family in one room.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from typing import Any

FACILITIES = 20
BEDS = 5000
PEOPLE = 2000
FAMILIES = 200
SEED = 2021
PREFIX = "[bench] "
GROUPS = ("f1", "f2", "arrival_high_risk", "arrival")
FIRST_DAY = datetime.date(2021, 8, 10)
ENTERED = datetime.date(2021, 8, 17)


def _cleanup() -> None:
    from phongdich.quarantine.models import Facility, Placement, PlacementRequest

    bench = Facility.objects.filter(name__startswith=PREFIX)
    placed = Placement.objects.filter(facility__in=bench)
    PlacementRequest.objects.filter(placements__in=placed).delete()
    placed.delete()
    PlacementRequest.objects.filter(reason=PREFIX).delete()
    bench.delete()


def _facilities(province: Any, rng: random.Random) -> list[Any]:
    from phongdich.geo.models import AdminUnit, Level
    from phongdich.geo.scoping import lineage_columns
    from phongdich.quarantine.models import Bed, Facility, FacilityKind, Room, RoomSex

    city = AdminUnit.objects.filter(level=Level.DISTRICT, code="094").first() or province
    facilities = [
        Facility.objects.create(
            name=f"{PREFIX}Khu cách ly {i + 1:02d}",
            kind=FacilityKind.CENTRALISED if i % 5 else FacilityKind.PAID,
            meal_cost_per_day=80000,
            **lineage_columns(city),
        )
        for i in range(FACILITIES)
    ]
    per_facility = BEDS // FACILITIES
    beds: list[Bed] = []
    for f in facilities:
        left, n = per_facility, 0
        while left > 0:
            size = min(left, rng.choice((4, 6, 8)))
            n += 1
            sex = rng.choices((RoomSex.ANY, RoomSex.MALE, RoomSex.FEMALE), (2, 1, 1))[0]
            room = Room.objects.create(facility=f, name=f"P{n:03d}", sex=sex)
            beds.extend(Bed(room=room, label=f"{b + 1:02d}", usable=True) for b in range(size))
            left -= size
    Bed.objects.bulk_create(beds, batch_size=2000)
    return facilities


def _people(rng: random.Random) -> list[Any]:
    """2,000 people: whole households of 2–5 (families) and singles from other households."""
    from django.db.models import Count

    from phongdich.people.models import Person
    from phongdich.quarantine.models import Placement, PlacementStatus

    busy = Placement.objects.filter(status=PlacementStatus.ACTIVE).values("person_id")
    households = list(
        Person.objects.filter(merged_into__isnull=True, household__isnull=False)
        .values("household_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2, n__lte=5)
        .order_by("household_id")
        .values_list("household_id", flat=True)[:FAMILIES]
    )
    family = list(Person.objects.filter(household_id__in=households, merged_into__isnull=True).exclude(pk__in=busy))
    singles = list(
        Person.objects.filter(merged_into__isnull=True)
        .exclude(household_id__in=households)
        .exclude(pk__in=busy)
        .order_by("pk")[: PEOPLE - len(family)]
    )
    return (family + singles)[:PEOPLE]


def run(province: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from phongdich.people.models import Person
    from phongdich.quarantine import actions
    from phongdich.quarantine.models import Facility, Placement, PlacementRequest, RequestStatus
    from phongdich.quarantine.placement import ENTRY_WINDOW_DAYS

    rng = random.Random(SEED)
    _cleanup()
    t0 = time.perf_counter()
    facilities = _facilities(province, rng)
    people = _people(rng)
    # Each household (or single) travels together: one risk group and one entry date.
    choice: dict[Any, tuple[str, datetime.date]] = {}
    requests = []
    for p in people:
        key = p.household_id if p.household_id is not None else p.pk
        if key not in choice:
            choice[key] = (rng.choice(GROUPS), FIRST_DAY + datetime.timedelta(days=rng.randrange(7)))
        group, day = choice[key]
        requests.append(
            PlacementRequest(person=p, risk_group=group, day_one=day, reason=PREFIX, status=RequestStatus.OPEN)
        )
    PlacementRequest.objects.bulk_create(requests, batch_size=2000)
    setup = time.perf_counter() - t0
    ids = [p.pk for p in people]

    started = time.perf_counter()
    loaded = list(Person.objects.filter(pk__in=ids))
    chosen = list(Facility.objects.filter(pk__in=[f.pk for f in facilities]))
    result = actions.place_people(None, loaded, chosen, entered_on=ENTERED, all_or_nothing=False)
    seconds = time.perf_counter() - started

    # Check the rules in the database.
    rows = Placement.objects.filter(facility__in=facilities).values_list(
        "room_id", "risk_group", "day_one", "person__sex", "person__household_id", "room__sex"
    )
    rooms: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        rooms[row[0]].append(row)
    mixed_groups = sum(1 for r in rooms.values() if len({x[1] for x in r}) > 1)
    window_broken = sum(
        1 for r in rooms.values() if (max(x[2] for x in r) - min(x[2] for x in r)).days > ENTRY_WINDOW_DAYS
    )
    sex_broken = sum(
        1 for r in rooms.values() if r[0][5] != "any" and len({x[4] for x in r}) > 1 and any(x[3] != r[0][5] for x in r)
    )
    family_rooms: dict[Any, set[int]] = defaultdict(set)
    for room_id, r in rooms.items():
        for x in r:
            if x[4] is not None:
                family_rooms[(x[4], x[1])].add(room_id)
    families_split = sum(1 for s in family_rooms.values() if len(s) > 1)
    reasons: dict[str, int] = defaultdict(int)
    for codes in result.refused.values():
        for c in codes:
            reasons[c] += 1
    by_group: dict[str, int] = defaultdict(int)
    for p in result.placements:
        by_group[p.risk_group] += 1
    sizes = defaultdict(int)
    for p in people:
        if p.household_id is not None:
            sizes[p.household_id] += 1
    out = {
        "seconds_end_to_end": round(seconds, 3),
        "target_seconds": 5,
        "meets_target": seconds < 5,
        "setup_seconds_untimed": round(setup, 2),
        "arrivals": len(people),
        "families_of_2_or_more": sum(1 for n in sizes.values() if n >= 2),
        "beds": BEDS,
        "rooms": _room_count(facilities),
        "facilities": len(facilities),
        "placed": result.placed_count,
        "unplaced": len(result.refused),
        "unplaced_reasons": dict(reasons),
        "placed_by_risk_group": dict(by_group),
        "rooms_used": len(rooms),
        "rooms_mixing_risk_groups": mixed_groups,
        "rooms_breaking_entry_window": window_broken,
        "rooms_breaking_sex_rule": sex_broken,
        "families_split": families_split,
        "database_vendor": connection.vendor,
    }
    assert mixed_groups == 0 and window_broken == 0 and sex_broken == 0 and families_split == 0, out
    params = {"facilities": FACILITIES, "beds": BEDS, "arrivals": PEOPLE, "entry_window_days": ENTRY_WINDOW_DAYS}
    print(f"quarantine: {result.placed_count:,} placed, {len(result.refused):,} not, in {seconds:.2f} s", flush=True)
    return "quarantine", params, out


def _room_count(facilities: list[Any]) -> int:
    from phongdich.quarantine.models import Room

    return Room.objects.filter(facility__in=facilities).count()
