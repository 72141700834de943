"""The offline snapshot: ID number → minimal status, for the people of a checkpoint's province.

Only people with something to show are in it: on an absent list (returning home), F0–F3, in
quarantine or awaiting a placement. A row is ``[id_number, level, flags, short_name]`` with
``level`` -1 for none (0 = F0) and ``flags`` a bit set (``ABSENT``, ``QUARANTINE``,
``REQUESTED``); the short name keeps the family and given names and initials in between
("Lò V. Về"), enough to match an ID card. 100,000 rows are about 3.5 MB of JSON (under 1 MB
compressed). ``changes_since`` gives the rows of the people whose facts changed after a
snapshot (with ``[id, -1, 0, …]`` for someone who no longer has anything to show).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from phongdich.cases.models import Case, CaseStatus, Outcome
from phongdich.people.models import Person, ResidenceRecord, ResidenceStatus
from phongdich.tracing.models import PersonLevel

ABSENT = 1
QUARANTINE = 2
REQUESTED = 4
FIELDS = ["id_number", "level", "flags", "name"]
_CHUNK = 5000


def short_name(full_name: str) -> str:
    parts = full_name.split()
    if len(parts) <= 2:
        return " ".join(parts)
    return " ".join([parts[0], *[p[0] + "." for p in parts[1:-1]], parts[-1]])


def _facts(province_id: int, day: datetime.date, ids: Iterable[Any] | None = None) -> dict[Any, list[int]]:
    """{person_id: [level, flags]} for the people of the province (or among ``ids``)."""
    from phongdich.quarantine.models import Placement, PlacementRequest, PlacementStatus, RequestStatus

    wanted = list(ids) if ids is not None else None

    def limit(qs: Any) -> Any:
        qs = qs.filter(person__province_id=province_id)
        return qs.filter(person_id__in=wanted) if wanted is not None else qs

    facts: dict[Any, list[int]] = {}
    absent = ResidenceRecord.objects.filter(status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on__isnull=True)
    for pid in limit(absent).values_list("person_id", flat=True).iterator(chunk_size=_CHUNK):
        facts.setdefault(pid, [-1, 0])[1] |= ABSENT
    levels = PersonLevel.objects.filter(Q(handling_until__isnull=True) | Q(handling_until__gte=day))
    for pid, level in limit(levels).values_list("person_id", "level").iterator(chunk_size=_CHUNK):
        facts.setdefault(pid, [-1, 0])[0] = level
    cases = Case.objects.filter(status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
    for pid in limit(cases).values_list("person_id", flat=True).iterator(chunk_size=_CHUNK):
        facts.setdefault(pid, [-1, 0])[0] = 0
    placed = Placement.objects.filter(status=PlacementStatus.ACTIVE)
    for pid in limit(placed).values_list("person_id", flat=True).iterator(chunk_size=_CHUNK):
        facts.setdefault(pid, [-1, 0])[1] |= QUARANTINE
    requested = PlacementRequest.objects.filter(status=RequestStatus.OPEN)
    for pid in limit(requested).values_list("person_id", flat=True).iterator(chunk_size=_CHUNK):
        facts.setdefault(pid, [-1, 0])[1] |= REQUESTED
    return facts


def _rows(facts: dict[Any, list[int]]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    ids = list(facts)
    for start in range(0, len(ids), _CHUNK):
        people = Person.objects.filter(
            pk__in=ids[start : start + _CHUNK], id_number__isnull=False, merged_into__isnull=True
        ).values_list("pk", "id_number", "full_name")
        for pk, id_number, full_name in people:
            level, flags = facts[pk]
            rows.append([id_number, level, flags, short_name(full_name)])
    rows.sort()
    return rows


def build(province_id: int, day: datetime.date | None = None) -> dict[str, Any]:
    day = day or timezone.localdate()
    generated = timezone.now()
    rows = _rows(_facts(province_id, day))
    return {"version": 1, "generated_at": generated.isoformat(), "fields": FIELDS, "count": len(rows), "rows": rows}


def changes_since(province_id: int, since: datetime.datetime) -> dict[str, Any]:
    """Rows of the people (of the province) whose facts changed after ``since``."""
    from phongdich.quarantine.models import Placement, PlacementRequest

    day = timezone.localdate()
    touched: set[Any] = set()
    sources: list[Any] = [
        PersonLevel.objects.filter(computed_at__gt=since),
        Case.objects.filter(updated_at__gt=since),
        ResidenceRecord.objects.filter(created_at__gt=since),
        Placement.objects.filter(placed_at__gt=since),
        PlacementRequest.objects.filter(created_at__gt=since),
    ]
    for qs in sources:
        touched.update(qs.filter(person__province_id=province_id).values_list("person_id", flat=True)[:20000])
    facts = _facts(province_id, day, ids=touched)
    for pid in touched:
        facts.setdefault(pid, [-1, 0])
    rows = _rows(facts)
    return {"version": 1, "since": since.isoformat(), "generated_at": timezone.now().isoformat(), "rows": rows}
