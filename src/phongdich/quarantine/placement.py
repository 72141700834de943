"""The placement engine: who may share a room, as a pure function over in-memory data.

No database here: ``actions.place_people`` loads the rooms (``RoomState``) and the people
(``Candidate``), calls :func:`place`, and writes the plan in bulk. The rules, each with a code
that the refusal report and the override use:

- ``f0``: a person with an active case is never placed (they go to treatment); not overridable.
- ``flagged_room``: a room where someone became F0 takes no one new; not overridable.
- ``capacity``: one person per usable bed (beds kept empty for spacing are not usable); not
  overridable.
- ``risk_group``: a room holds one risk group only (F1, F2, arrivals from a high-risk area, …).
- ``entry_window``: everyone in a room started quarantine (day 1) within ``ENTRY_WINDOW_DAYS`` of
  each other, so that someone near the end of their quarantine is not re-exposed by a newcomer.
- ``sex``: a room marked men-only or women-only takes only that sex. A household placed
  together is exempt, but only into an empty room, which then stays theirs alone.

Families (same household and same risk group) are placed as one unit in one room, or not at all.
The officer may override ``risk_group``, ``entry_window`` and ``sex`` for a placement into a
chosen room, with a reason (``check_room``); the bulk search never breaks a rule by itself.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# People whose day 1 of quarantine is more than this many days apart never share a room. Three
# days keeps a room's cohort at the same stage of its quarantine (the schedules test on days 1,
# 7 and 14, so the occupants' tests stay within three days of each other) while still letting
# a room fill up over the few days a contact-tracing wave or a run of buses takes to arrive.
ENTRY_WINDOW_DAYS = 3


class Rule(StrEnum):
    F0 = "f0"
    FLAGGED_ROOM = "flagged_room"
    CAPACITY = "capacity"
    RISK_GROUP = "risk_group"
    ENTRY_WINDOW = "entry_window"
    SEX = "sex"
    NO_ROOM = "no_room"  # no room of the chosen facilities is in use


OVERRIDABLE: frozenset[Rule] = frozenset({Rule.RISK_GROUP, Rule.ENTRY_WINDOW, Rule.SEX})
ANY = "any"


@dataclass(frozen=True)
class Candidate:
    key: uuid.UUID
    sex: str  # "M" | "F" | "U"
    household: Hashable | None
    risk_group: str
    day_one: datetime.date
    is_f0: bool = False


@dataclass
class RoomState:
    room_id: int
    facility_id: Hashable
    sex: str  # "any" | "M" | "F"
    free_beds: list[int]
    flagged: bool = False
    groups: set[str] = field(default_factory=set)
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    occupants: int = 0
    exclusive_household: Hashable | None = None  # a family placed under the sex exemption

    def take(self, unit: Sequence[Candidate], exclusive: bool) -> list[int]:
        beds = self.free_beds[: len(unit)]
        del self.free_beds[: len(unit)]
        days = [c.day_one for c in unit]
        self.first_day = min([*days, *([self.first_day] if self.first_day else [])])
        self.last_day = max([*days, *([self.last_day] if self.last_day else [])])
        self.groups.update(c.risk_group for c in unit)
        self.occupants += len(unit)
        if exclusive:
            self.exclusive_household = unit[0].household
        return beds


@dataclass(frozen=True)
class Assignment:
    key: uuid.UUID
    room_id: int
    bed_id: int


@dataclass(frozen=True)
class Refusal:
    key: uuid.UUID
    reasons: tuple[Rule, ...]


@dataclass
class Plan:
    assignments: list[Assignment] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def units_of(candidates: Iterable[Candidate]) -> list[list[Candidate]]:
    """Families (same household and risk group) together; everyone else alone."""
    families: dict[tuple[Hashable, str], list[Candidate]] = defaultdict(list)
    units: list[list[Candidate]] = []
    for c in candidates:
        if c.household is None:
            units.append([c])
        else:
            families[(c.household, c.risk_group)].append(c)
    units.extend(families.values())
    return units


def _is_family(unit: Sequence[Candidate]) -> bool:
    return len(unit) > 1 and unit[0].household is not None


def check_room(unit: Sequence[Candidate], room: RoomState, window: int = ENTRY_WINDOW_DAYS) -> tuple[list[Rule], bool]:
    """The rules that placing ``unit`` in ``room`` would break, and whether it uses the family exemption."""
    broken: list[Rule] = []
    if any(c.is_f0 for c in unit):
        broken.append(Rule.F0)
    if room.flagged:
        broken.append(Rule.FLAGGED_ROOM)
    if len(room.free_beds) < len(unit):
        broken.append(Rule.CAPACITY)
    groups = {c.risk_group for c in unit} | room.groups
    if len(groups) > 1:
        broken.append(Rule.RISK_GROUP)
    days = [c.day_one for c in unit] + [d for d in (room.first_day, room.last_day) if d is not None]
    if (max(days) - min(days)).days > window:
        broken.append(Rule.ENTRY_WINDOW)
    exempt = False
    if room.exclusive_household is not None and any(c.household != room.exclusive_household for c in unit):
        broken.append(Rule.SEX)
    elif room.sex != ANY and any(c.sex != room.sex for c in unit):
        if _is_family(unit) and room.occupants == 0:
            exempt = True
        else:
            broken.append(Rule.SEX)
    return broken, exempt


def _reasons(unit: Sequence[Candidate], rooms: Iterable[RoomState], window: int) -> tuple[Rule, ...]:
    """Why a unit found no room: the rules broken by the rooms that came closest."""
    best: list[Rule] | None = None
    for room in rooms:
        broken, _exempt = check_room(unit, room, window)
        if best is None or len(broken) < len(best):
            best = broken
    if best is None:
        return (Rule.NO_ROOM,)
    return tuple(sorted(set(best))) or (Rule.CAPACITY,)


def place(candidates: Sequence[Candidate], rooms: Sequence[RoomState], window: int = ENTRY_WINDOW_DAYS) -> Plan:
    """Assign a bed to each candidate under the rules, filling rooms cohort by cohort.

    Units are taken by risk group, then day 1, families first; each goes to the open room of its
    group that fits (a room marked for its sex before an unmarked one), else to an empty room (a
    single to the biggest, so that its cohort can follow; a family to the smallest that holds it).
    ``rooms`` are updated in place (their free beds), so a caller may place several batches.
    """
    plan = Plan()
    units = []
    for unit in units_of(candidates):
        if any(c.is_f0 for c in unit):
            plan.refusals.extend(Refusal(c.key, (Rule.F0,)) for c in unit)
        else:
            units.append(unit)
    units.sort(key=lambda u: (u[0].risk_group, min(c.day_one for c in u), -len(u)))
    usable = [r for r in rooms if not r.flagged]
    open_rooms: dict[str, list[RoomState]] = defaultdict(list)
    empty: dict[str, list[RoomState]] = defaultdict(list)
    for room in usable:
        if not room.free_beds:
            continue
        if room.occupants:
            for g in room.groups:
                open_rooms[g].append(room)
        else:
            empty[room.sex].append(room)
    for bucket in empty.values():
        bucket.sort(key=lambda r: -len(r.free_beds))
    for unit in units:
        target, exempt = _open_room(unit, open_rooms[unit[0].risk_group], window)
        if target is None:
            target, exempt = _empty_room(unit, empty)
            if target is not None:
                empty[target.sex].remove(target)
                open_rooms[unit[0].risk_group].append(target)
        if target is None:
            plan.refusals.extend(Refusal(c.key, _reasons(unit, rooms, window)) for c in unit)
            continue
        beds = target.take(unit, exempt)
        plan.assignments.extend(Assignment(c.key, target.room_id, bed) for c, bed in zip(unit, beds, strict=True))
        if not target.free_beds:
            for g in target.groups:
                if target in open_rooms[g]:
                    open_rooms[g].remove(target)
    return plan


def _open_room(unit: Sequence[Candidate], rooms: list[RoomState], window: int) -> tuple[RoomState | None, bool]:
    fallback: RoomState | None = None
    sexes = {c.sex for c in unit}
    for room in rooms:
        if len(room.free_beds) < len(unit):
            continue
        broken, exempt = check_room(unit, room, window)
        if broken:
            continue
        if room.sex != ANY and {room.sex} == sexes:
            return room, exempt
        if fallback is None:
            fallback = room
    return fallback, False


def _empty_room(unit: Sequence[Candidate], empty: dict[str, list[RoomState]]) -> tuple[RoomState | None, bool]:
    sexes = {c.sex for c in unit}
    family = _is_family(unit)
    order: list[str] = []
    if len(sexes) == 1 and next(iter(sexes)) in ("M", "F"):
        order.append(next(iter(sexes)))
    order.append(ANY)
    if family:  # the exemption: a family may take a whole marked room
        order.extend(s for s in ("M", "F") if s not in order)
    for sex in order:
        bucket = empty.get(sex, [])
        if family:  # the smallest room that holds the family (the bucket is biggest first)
            for room in reversed(bucket):
                if len(room.free_beds) >= len(unit):
                    return room, sex != ANY and {sex} != sexes
        elif bucket and len(bucket[0].free_beds) >= len(unit):
            return bucket[0], False
    return None, False
