"""Scoped reads of the quarantine app. Every page and endpoint reads through these.

A placement is visible to the person's area (its own jurisdiction columns, the person's when
placed: a commune sees its residents in quarantine anywhere) and to the facility's area
(facility staff see who is in their facility): ``placements_in_scope``.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases.models import Case, CaseStatus, Outcome
from phongdich.core import access
from phongdich.core.roles import Perm
from phongdich.core.text import fold
from phongdich.people.models import Person
from phongdich.quarantine import schedule
from phongdich.quarantine.models import (
    Bed,
    Facility,
    FacilityKind,
    Placement,
    PlacementRequest,
    PlacementStatus,
    RequestStatus,
    Room,
)
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.core.models import User

PLACEMENT_RELATED = ("person", "facility", "room", "bed", "rule_set", "commune", "village")


def facilities_in_scope(user: User) -> QuerySet[Facility]:
    return access.scope(user, Facility.objects.all())


def placements_in_scope(user: User) -> QuerySet[Placement]:
    """The one scope of placements: the person's area OR the facility's area."""
    qs = Placement.objects.all()
    return access.scope(user, qs) | access.scope(user, qs, "facility__")


def get_placement(user: User, pk: Any, perm: Perm = Perm.QUARANTINE_VIEW) -> Placement:
    """One placement the user may see (person's or facility's area), else 404; 403 without ``perm``.

    Not ``access.get_for_user``: that would scope again by the placement's own columns only.
    """
    access.require(user, perm)
    try:
        return placements_in_scope(user).select_related(*PLACEMENT_RELATED).get(pk=pk)
    except (Placement.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


def get_facility(user: User, pk: Any, perm: Perm = Perm.QUARANTINE_VIEW) -> Facility:
    return access.get_for_user(user, Facility.objects.all(), perm, pk=pk)


def requests_in_scope(user: User) -> QuerySet[PlacementRequest]:
    return access.scope(user, PlacementRequest.objects.all())


def active_placements(user: User) -> QuerySet[Placement]:
    return placements_in_scope(user).filter(status=PlacementStatus.ACTIVE)


# Awaiting placement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Awaiting:
    person: Person
    risk_group: str
    day_one: datetime.date
    end_date: datetime.date | None
    handling: str  # centralised / home
    source: str  # "level" | "request"
    request_id: uuid.UUID | None = None


def awaiting(user: User, today: datetime.date | None = None, limit: int = 500) -> list[Awaiting]:
    """F1/F2 whose level calls for quarantine (until today or later) and open requests, without an active placement."""
    today = today or timezone.localdate()
    placed = Placement.objects.filter(status=PlacementStatus.ACTIVE).values("person_id")
    f0 = Case.objects.filter(status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT).values("person_id")
    # Placed for this exposure already (released early, escaped, or still in): not awaiting again.
    served = Placement.objects.filter(person_id=OuterRef("person_id"), day_one__gte=OuterRef("exposed_on"))
    levels = (
        access.scope(user, PersonLevel.objects.all(), "person__")
        .filter(level__in=schedule.LEVEL_GROUPS, handling__in=schedule.QUARANTINE_HANDLINGS, handling_until__gt=today)
        .exclude(person_id__in=placed)
        .exclude(Exists(served))
        .exclude(person_id__in=f0)
        .select_related("person", "rule_set")
        .order_by("exposed_on", "person_id")[:limit]
    )
    out = [
        Awaiting(lv.person, s.risk_group, s.day_one, s.end_date, s.handling, "level")
        for lv in levels
        if (s := schedule.from_level(lv)) is not None
    ]
    requests = (
        requests_in_scope(user)
        .filter(status=RequestStatus.OPEN)
        .exclude(person_id__in=placed)
        .select_related("person")
        .order_by("day_one")[:limit]
    )
    seen = {a.person.pk for a in out}
    out.extend(
        Awaiting(r.person, r.risk_group, r.day_one, None, "centralised", "request", r.pk)
        for r in requests
        if r.person_id not in seen
    )
    return out


# Occupancy -----------------------------------------------------------------------------------------


@dataclass
class RoomView:
    room: Room
    beds: list[tuple[Bed, Placement | None]]
    groups: set[str] = field(default_factory=set)
    has_f0: bool = False

    @property
    def usable(self) -> int:
        return sum(1 for b, _p in self.beds if b.usable)

    @property
    def occupied(self) -> int:
        return sum(1 for _b, p in self.beds if p is not None)

    @property
    def free(self) -> int:
        return 0 if self.flagged else sum(1 for b, p in self.beds if b.usable and p is None)

    @property
    def flagged(self) -> bool:
        return self.room.flagged_at is not None or self.has_f0


def facility_rooms(facility: Facility) -> list[RoomView]:
    """A facility's rooms with each bed and who is in it (for the facility page)."""
    rooms = list(facility.rooms.filter(active=True).prefetch_related("beds"))
    by_bed: dict[int, Placement] = {}
    occupants = list(
        Placement.objects.filter(facility=facility, status=PlacementStatus.ACTIVE).select_related("person")
    )
    for p in occupants:
        if p.bed_id is not None:
            by_bed[p.bed_id] = p
    f0 = set(
        Case.objects.filter(
            person_id__in=[p.person_id for p in occupants], status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT
        ).values_list("person_id", flat=True)
    )
    views = []
    for room in rooms:
        beds = [(b, by_bed.get(b.pk)) for b in room.beds.all()]
        here = [p for _b, p in beds if p is not None]
        views.append(RoomView(room, beds, {p.risk_group for p in here}, has_f0=any(p.person_id in f0 for p in here)))
    return views


@dataclass
class FacilityFigures:
    facility: Facility
    rooms: int = 0
    usable_beds: int = 0
    occupied: int = 0
    by_group: dict[str, int] = field(default_factory=dict)

    @property
    def free(self) -> int:
        return max(0, self.usable_beds - self.occupied)

    @property
    def percent(self) -> int:
        return round(100 * self.occupied / self.usable_beds) if self.usable_beds else 0


def occupancy(user: User) -> list[FacilityFigures]:
    """Live occupancy of the facilities in the user's area: usable beds, occupied, free, by risk group."""
    facilities = list(facilities_in_scope(user).filter(active=True).exclude(kind=FacilityKind.HOME))
    figures = {f.pk: FacilityFigures(f) for f in facilities}
    for row in Room.objects.filter(facility__in=facilities, active=True).values("facility_id").annotate(n=Count("id")):
        figures[row["facility_id"]].rooms = row["n"]
    beds = Bed.objects.filter(room__facility__in=facilities, room__active=True, usable=True)
    for fid, n in beds.values_list("room__facility_id").annotate(n=Count("id")).values_list("room__facility_id", "n"):
        figures[fid].usable_beds = n
    groups: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    rows = Placement.objects.filter(facility__in=facilities, status=PlacementStatus.ACTIVE).values(
        "facility_id", "risk_group"
    )
    for row in rows.annotate(n=Count("id")):
        groups[row["facility_id"]][row["risk_group"]] += row["n"]
    for pk, counter in groups.items():
        figures[pk].occupied = sum(counter.values())
        figures[pk].by_group = dict(counter)
    return list(figures.values())


# Tests due -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueTest:
    placement: Placement
    due_on: datetime.date


def overdue_tests(
    user: User, today: datetime.date | None = None, qs: QuerySet[Placement] | None = None
) -> list[OverdueTest]:
    """Tests due before today for people in quarantine that no sample answered (testing.queries.sample_dates)."""
    today = today or timezone.localdate()
    placements = list((qs if qs is not None else active_placements(user)).select_related("person", "facility"))
    if not placements:
        return []
    since = min(p.day_one for p in placements)
    samples = schedule.samples_of({p.person_id for p in placements}, since)
    out: list[OverdueTest] = []
    for p in placements:
        out.extend(
            OverdueTest(p, t.due_on) for t in schedule.overdue(p.test_days(), samples.get(p.person_id, []), today)
        )
    return sorted(out, key=lambda o: (o.due_on, str(o.placement.pk)))


def test_schedule(placement: Placement, today: datetime.date | None = None) -> list[schedule.TestDue]:
    samples = schedule.samples_of([placement.person_id], placement.day_one)
    return schedule.match_tests(placement.test_days(), samples.get(placement.person_id, []))


def placements_filter(
    user: User, *, status: str = "", facility_id: uuid.UUID | None = None, q: str = ""
) -> QuerySet[Placement]:
    qs = placements_in_scope(user).select_related(*PLACEMENT_RELATED)
    if status in PlacementStatus.values:
        qs = qs.filter(status=status)
    if facility_id is not None:
        qs = qs.filter(facility_id=facility_id)
    if q:
        qs = qs.filter(Q(person__name_key__contains=fold(q)) | Q(person__id_number=q.strip()))
    return qs
