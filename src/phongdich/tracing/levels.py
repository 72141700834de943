"""F-level derivation: F levels are derived from cases and contacts, never typed.

Definitions (what this module computes; every rule comes from a rule set, see policy.queries):

- **Roots.** Every confirmed (not ruled-out) Case is a root. Its rule set is ``case.rule_set``
  (the set in force on the confirmation date), else the set in force on that date for the
  case's province. Its *infectious window* is ``[earliest of (onset, sample, confirmation) −
  infectious_days_before, confirmation + infectious_days_after]``. A person with a confirmed case
  is F0: they get no PersonLevel, and the derivation neither assigns them a level nor walks
  through them (their own case is a root of its own).
- **Hops.** A contact counts when it is not removed (``removed_at`` empty). A hop from a person
  whose onward window is ``[ws, we]`` over a contact ``[first, last]`` exists when the two
  intervals overlap; the reached person's exposure interval is the overlap
  ``[max(first, ws), min(last, we)]``; its end is the person's ``exposed_on`` (the last exposure,
  from which the handling is counted).
  - For F1 the window is the root's infectious window.
  - For F(n+1) the window is the F(n)'s *onward window* ``[s, e + D]``, where ``[s, e]`` is the
    F(n)'s exposure interval (the hull of its exposures at its level) and ``D`` = the quarantine
    days of the F1 level rule of the rule set in force on ``e`` (its self-monitoring days when
    there is no quarantine, 14 when the set has no F1 rule) + ``ONWARD_MARGIN_DAYS`` (2). So an
    F2 is a contact of an F1 that happened on or after the F1's first exposure and at most D days
    after the F1's last exposure; F3 likewise from an F2.
- **Depth.** Levels go as deep as the root's rule set's ``tracing_depth`` (1 = F1 only).
- **Minimum.** A person's level is the minimum over all roots and paths; between paths of one
  level the earliest ``exposed_on`` wins (then the lowest case / person ids, for determinism).
  Within one root a person is settled at the first level that reaches them (breadth first, so
  cycles terminate) and continues from the hull of that level's exposures only.
- **Handling.** From the rule set in force on the exposure date (for the root case's province):
  the level rule's handling, ``handling_until = exposed_on + days`` (empty when days = 0) and
  ``test_dates = exposed_on + (test day − 1)`` (day 1 = the exposure date). PersonLevel stores
  that rule set, the root case, the previous person and contact, and the whole ``path``.

Recomputation keeps "minimum over roots" true incrementally: a new root only ever improves
levels (upsert where better); a removal (case ruled out, contact removed, an F1 becoming F0)
deletes the rows whose chain used it and re-derives those people from the confirmed cases found
within ``max tracing depth`` contact hops of them (a reverse set-based search that does not walk
through F0s). ``recompute_all`` re-derives everything (management command ``recompute_levels``).

On PostgreSQL each BFS depth is one set-based query over the contact indexes (``unnest`` of the
frontier with its windows joined to ``person_a`` and, UNION ALL, ``person_b``), the results are
written with one ``INSERT … SELECT unnest(…) ON CONFLICT DO UPDATE … WHERE better`` per 20,000
rows. Other databases (SQLite in tests) use the ORM with the same semantics.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q

from phongdich.cases.models import Case, CaseStatus
from phongdich.policy.models import Handling, RuleSet
from phongdich.policy.queries import RuleBook
from phongdich.tracing.models import Contact, PersonLevel

if TYPE_CHECKING:
    from phongdich.people.models import Person

ONWARD_MARGIN_DAYS = 2
DEFAULT_ONWARD_DAYS = 14
MAX_DEPTH = 5
_CHUNK = 20_000

Window = tuple[datetime.date, datetime.date]


@dataclass(frozen=True)
class Root:
    case_id: uuid.UUID
    person_id: uuid.UUID
    province_id: int | None
    depth: int
    window: Window


@dataclass(frozen=True)
class Arrival:
    """The best way one root reaches one person."""

    level: int
    exposed_on: datetime.date
    via_person: uuid.UUID
    via_contact: uuid.UUID
    path: tuple[tuple[uuid.UUID, uuid.UUID, datetime.date], ...]

    def key(self, case_id: uuid.UUID) -> tuple[int, datetime.date, str, str]:
        return (self.level, self.exposed_on, str(case_id), str(self.via_contact))


@dataclass(frozen=True)
class ChainStep:
    """One step of the chain that explains a level, from the person back to the root case."""

    person_id: uuid.UUID
    person_name: str
    level: int  # 0 = the F0 of the root case
    contact_id: uuid.UUID | None
    contact_date: datetime.date | None
    case_code: str
    case_id: uuid.UUID


# ---------------------------------------------------------------------------------------------
# Roots and windows


def infectious_window(case: Case, rule_set: RuleSet) -> Window:
    start = min(d for d in (case.onset_date, case.sample_date, case.confirmed_on) if d is not None)
    return (
        start - datetime.timedelta(days=rule_set.infectious_days_before),
        case.confirmed_on + datetime.timedelta(days=rule_set.infectious_days_after),
    )


def _root(case: Case, book: RuleBook) -> Root:
    rule_set = (book.by_id(case.rule_set_id) if case.rule_set_id else None) or book.on(
        case.confirmed_on, case.province_id
    )
    return Root(
        case_id=case.pk,
        person_id=case.person_id,
        province_id=case.province_id,
        depth=max(0, min(rule_set.tracing_depth, MAX_DEPTH)),
        window=infectious_window(case, rule_set),
    )


def _confirmed() -> Any:
    return Case.objects.filter(status=CaseStatus.CONFIRMED)


def onward_days(book: RuleBook, day: datetime.date, province_id: int | None) -> int:
    rule = book.rule(book.on(day, province_id), 1)
    if rule is None:
        return DEFAULT_ONWARD_DAYS + ONWARD_MARGIN_DAYS
    return (rule.days or rule.monitor_days or DEFAULT_ONWARD_DAYS) + ONWARD_MARGIN_DAYS


# ---------------------------------------------------------------------------------------------
# Graph access: the only database-specific part of the search


Edge = tuple[uuid.UUID, uuid.UUID, uuid.UUID, datetime.date, datetime.date]  # src, dst, contact, first, last


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _edges(hulls: dict[uuid.UUID, Window]) -> tuple[list[Edge], set[uuid.UUID]]:
    """Active contacts of the given persons overlapping their window; and which neighbours are F0."""
    if not hulls:
        return [], set()
    if _is_pg():
        return _edges_pg(hulls)
    ids = list(hulls)
    edges: list[Edge] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = Contact.objects.filter(removed_at__isnull=True).filter(
            Q(person_a_id__in=chunk) | Q(person_b_id__in=chunk)
        )
        for cid, a, b, first, last in rows.values_list("id", "person_a_id", "person_b_id", "first_date", "last_date"):
            for src, dst in ((a, b), (b, a)):
                w = hulls.get(src)
                if w is not None and last >= w[0] and first <= w[1] and src != dst:
                    edges.append((src, dst, cid, first, last))
    dsts = {e[1] for e in edges}
    f0: set[uuid.UUID] = set()
    dst_list = list(dsts)
    for i in range(0, len(dst_list), 500):
        f0.update(_confirmed().filter(person_id__in=dst_list[i : i + 500]).values_list("person_id", flat=True))
    return edges, f0


def _edges_pg(hulls: dict[uuid.UUID, Window]) -> tuple[list[Edge], set[uuid.UUID]]:
    contact = Contact._meta.db_table
    case = Case._meta.db_table
    ids = list(hulls)
    starts = [hulls[i][0] for i in ids]
    ends = [hulls[i][1] for i in ids]
    sql = f"""
        WITH f(pid, ws, we) AS (SELECT * FROM unnest(%s::uuid[], %s::date[], %s::date[])),
        e AS (
            SELECT f.pid AS src, c.person_b_id AS dst, c.id, c.first_date, c.last_date
              FROM f JOIN {contact} c ON c.person_a_id = f.pid
             WHERE c.removed_at IS NULL AND c.last_date >= f.ws AND c.first_date <= f.we
            UNION ALL
            SELECT f.pid, c.person_a_id, c.id, c.first_date, c.last_date
              FROM f JOIN {contact} c ON c.person_b_id = f.pid
             WHERE c.removed_at IS NULL AND c.last_date >= f.ws AND c.first_date <= f.we
        )
        SELECT e.src, e.dst, e.id, e.first_date, e.last_date,
               EXISTS (SELECT 1 FROM {case} k WHERE k.person_id = e.dst AND k.status = %s)
          FROM e WHERE e.src <> e.dst
    """  # noqa: S608 (table names from the models)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, starts, ends, CaseStatus.CONFIRMED.value])
        rows = cursor.fetchall()
    f0 = {r[1] for r in rows if r[5]}
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows], f0


# ---------------------------------------------------------------------------------------------
# The search


def derive(roots: Sequence[Root], book: RuleBook) -> dict[uuid.UUID, tuple[Root, Arrival]]:
    """Breadth-first search from every root (one query per depth for all of them together).

    Returns the best (root, arrival) per reached person, over all the given roots.
    """
    if not roots:
        return {}
    f0_roots = {r.person_id for r in roots}
    visited: list[set[uuid.UUID]] = [{r.person_id} for r in roots]
    # Per root: the frontier (person → onward window) and the arrivals (person → Arrival).
    frontier: list[dict[uuid.UUID, Window]] = [{r.person_id: r.window} if r.depth > 0 else {} for r in roots]
    arrivals: list[dict[uuid.UUID, Arrival]] = [{} for _ in roots]
    max_depth = max(r.depth for r in roots)
    onward_cache: dict[tuple[datetime.date, int | None], int] = {}

    def onward(day: datetime.date, province_id: int | None) -> int:
        key = (day, province_id)
        if key not in onward_cache:
            onward_cache[key] = onward_days(book, day, province_id)
        return onward_cache[key]

    for level in range(1, max_depth + 1):
        hulls: dict[uuid.UUID, Window] = {}
        for front in frontier:
            for pid, (ws, we) in front.items():
                h = hulls.get(pid)
                hulls[pid] = (ws, we) if h is None else (min(h[0], ws), max(h[1], we))
        if not hulls:
            break
        edges, f0 = _edges(hulls)
        f0 |= f0_roots
        by_src: dict[uuid.UUID, list[Edge]] = defaultdict(list)
        for edge in edges:
            if edge[1] not in f0:
                by_src[edge[0]].append(edge)
        next_frontier: list[dict[uuid.UUID, Window]] = []
        for i, root in enumerate(roots):
            front = frontier[i]
            best: dict[uuid.UUID, Arrival] = {}
            hull: dict[uuid.UUID, tuple[datetime.date, datetime.date]] = {}
            seen = visited[i]
            mine = arrivals[i]
            for src, (ws, we) in front.items():
                prefix = mine[src].path if src in mine else ()
                for _src, dst, cid, first, last in by_src.get(src, ()):
                    if dst in seen:
                        continue
                    start = first if first > ws else ws
                    end = last if last < we else we
                    if start > end:
                        continue
                    h = hull.get(dst)
                    hull[dst] = (start, end) if h is None else (min(h[0], start), max(h[1], end))
                    current = best.get(dst)
                    if (
                        current is None
                        or end < current.exposed_on
                        or (end == current.exposed_on and str(cid) < str(current.via_contact))
                    ):
                        best[dst] = Arrival(level, end, src, cid, (*prefix, (dst, cid, end)))
            seen.update(best)
            mine.update(best)
            nxt: dict[uuid.UUID, Window] = {}
            if level < root.depth:
                for dst, (s, e) in hull.items():
                    nxt[dst] = (s, e + datetime.timedelta(days=onward(e, root.province_id)))
            next_frontier.append(nxt)
        frontier = next_frontier

    result: dict[uuid.UUID, tuple[Root, Arrival]] = {}
    for i, root in enumerate(roots):
        for pid, arrival in arrivals[i].items():
            held = result.get(pid)
            if held is None or arrival.key(root.case_id) < held[1].key(held[0].case_id):
                result[pid] = (root, arrival)
    return result


# ---------------------------------------------------------------------------------------------
# Writing the results


def _handling(book: RuleBook, root: Root, arrival: Arrival) -> tuple[RuleSet, str, datetime.date | None, list[str]]:
    rule_set = book.on(arrival.exposed_on, root.province_id)
    rule = book.rule(rule_set, arrival.level)
    if rule is None:
        return rule_set, Handling.NONE.value, None, []
    until = arrival.exposed_on + datetime.timedelta(days=rule.days) if rule.days else None
    tests = [
        (arrival.exposed_on + datetime.timedelta(days=int(d) - 1)).isoformat()
        for d in rule.test_days
        if isinstance(d, int | float) and d >= 1
    ]
    return rule_set, rule.handling, until, tests


def _rows(found: dict[uuid.UUID, tuple[Root, Arrival]], book: RuleBook) -> list[dict[str, Any]]:
    rows = []
    for pid, (root, arrival) in found.items():
        rule_set, handling, until, tests = _handling(book, root, arrival)
        rows.append(
            {
                "person_id": pid,
                "level": arrival.level,
                "case_id": root.case_id,
                "via_person_id": arrival.via_person,
                "via_contact_id": arrival.via_contact,
                "exposed_on": arrival.exposed_on,
                "rule_set_id": rule_set.pk,
                "handling": handling,
                "handling_until": until,
                "test_dates": tests,
                "path": [[str(p), str(c), d.isoformat()] for p, c, d in arrival.path],
            }
        )
    return rows


def _better(row: dict[str, Any], current: PersonLevel) -> bool:
    return (row["level"], row["exposed_on"], str(row["case_id"])) < (
        current.level,
        current.exposed_on,
        str(current.case_id),
    )


def _write(rows: list[dict[str, Any]]) -> int:
    """Insert the rows, or update an existing row only where the new one is better."""
    if not rows:
        return 0
    if _is_pg():
        return _write_pg(rows)
    written = 0
    for i in range(0, len(rows), 500):
        chunk = rows[i : i + 500]
        existing = PersonLevel.objects.in_bulk([r["person_id"] for r in chunk])
        new, changed = [], []
        for row in chunk:
            current = existing.get(row["person_id"])
            if current is None:
                new.append(PersonLevel(**row))
            elif _better(row, current):
                for k, v in row.items():
                    setattr(current, k, v)
                changed.append(current)
        PersonLevel.objects.bulk_create(new)
        fields = [k.removesuffix("_id") if k.endswith("_id") else k for k in rows[0] if k != "person_id"]
        if changed:
            PersonLevel.objects.bulk_update(changed, [*fields, "computed_at"])
        written += len(new) + len(changed)
    return written


def _write_pg(rows: list[dict[str, Any]]) -> int:
    import json

    table = PersonLevel._meta.db_table
    sql = f"""
        INSERT INTO {table} AS pl (person_id, level, case_id, via_person_id, via_contact_id, exposed_on,
                                   rule_set_id, handling, handling_until, test_dates, path, computed_at)
        SELECT u.*, now() FROM unnest(%s::uuid[], %s::smallint[], %s::uuid[], %s::uuid[], %s::uuid[],
                                      %s::date[], %s::bigint[], %s::text[], %s::date[], %s::jsonb[], %s::jsonb[]) AS u
        ON CONFLICT (person_id) DO UPDATE SET
            level = EXCLUDED.level, case_id = EXCLUDED.case_id, via_person_id = EXCLUDED.via_person_id,
            via_contact_id = EXCLUDED.via_contact_id, exposed_on = EXCLUDED.exposed_on,
            rule_set_id = EXCLUDED.rule_set_id, handling = EXCLUDED.handling,
            handling_until = EXCLUDED.handling_until, test_dates = EXCLUDED.test_dates,
            path = EXCLUDED.path, computed_at = EXCLUDED.computed_at
        WHERE (EXCLUDED.level, EXCLUDED.exposed_on, EXCLUDED.case_id::text)
              < (pl.level, pl.exposed_on, pl.case_id::text)
    """  # noqa: S608 (table name from the model)
    written = 0
    with connection.cursor() as cursor:
        for i in range(0, len(rows), _CHUNK):
            chunk = rows[i : i + _CHUNK]
            cursor.execute(
                sql,
                [
                    [r["person_id"] for r in chunk],
                    [r["level"] for r in chunk],
                    [r["case_id"] for r in chunk],
                    [r["via_person_id"] for r in chunk],
                    [r["via_contact_id"] for r in chunk],
                    [r["exposed_on"] for r in chunk],
                    [r["rule_set_id"] for r in chunk],
                    [r["handling"] for r in chunk],
                    [r["handling_until"] for r in chunk],
                    [json.dumps(r["test_dates"]) for r in chunk],
                    [json.dumps(r["path"]) for r in chunk],
                ],
            )
            written += cursor.rowcount
    return written


# ---------------------------------------------------------------------------------------------
# Finding what a removal affects, and the roots that may reach it


def _using(person_ids: Iterable[uuid.UUID] = (), contact_ids: Iterable[uuid.UUID] = ()) -> set[uuid.UUID]:
    """The people whose stored chain goes through one of these persons or contacts."""
    people = {str(p) for p in person_ids}
    contacts = {str(c) for c in contact_ids}
    if not people and not contacts:
        return set()

    def uses(path: list[list[str]]) -> bool:
        return any(step[0] in people or step[1] in contacts for step in path[:-1]) or bool(
            path and path[-1][1] in contacts
        )

    found: set[uuid.UUID] = set()
    first = PersonLevel.objects.filter(
        Q(via_person_id__in=[uuid.UUID(p) for p in people]) | Q(via_contact_id__in=[uuid.UUID(c) for c in contacts])
    )
    frontier = {pid for pid, path in first.values_list("person_id", "path") if uses(path)}
    while frontier:
        found |= frontier
        ids = list(frontier)
        frontier = set()
        for i in range(0, len(ids), 5000):
            rows = PersonLevel.objects.filter(via_person_id__in=ids[i : i + 5000]).values_list("person_id", "path")
            frontier |= {pid for pid, path in rows if pid not in found and uses(path)}
    return found


def _nearby_roots(person_ids: set[uuid.UUID], book: RuleBook) -> list[Root]:
    """Confirmed cases within the deepest tracing depth of these people, not walking through F0s."""
    if not person_ids:
        return []
    depth = max([r.tracing_depth for r in book.sets] + [1])
    far = datetime.date.min
    never = datetime.date.max
    seen = set(person_ids)
    frontier = set(person_ids)
    case_people: set[uuid.UUID] = set()
    # The people themselves may be F0 (an F0 whose own level went) — their case is a root.
    case_people |= set(_confirmed().filter(person_id__in=list(person_ids)).values_list("person_id", flat=True))
    frontier -= case_people
    for _hop in range(min(depth, MAX_DEPTH)):
        if not frontier:
            break
        edges, f0 = _edges(dict.fromkeys(frontier, (far, never)))
        nxt = set()
        for _src, dst, _cid, _first, _last in edges:
            if dst in f0:
                case_people.add(dst)
            elif dst not in seen:
                nxt.add(dst)
        seen |= nxt
        frontier = nxt
    cases = _confirmed().filter(person_id__in=list(case_people))
    return [_root(c, book) for c in cases]


def _rederive(person_ids: set[uuid.UUID], book: RuleBook) -> int:
    """Delete these people's levels and derive them again from the roots that can reach them."""
    if not person_ids:
        return 0
    ids = list(person_ids)
    for i in range(0, len(ids), 5000):
        PersonLevel.objects.filter(person_id__in=ids[i : i + 5000]).delete()
    roots = _nearby_roots(person_ids, book)
    found = derive(roots, book)
    return _write(_rows({p: v for p, v in found.items() if p in person_ids}, book))


# ---------------------------------------------------------------------------------------------
# The events (the agreed interface)


def on_case_confirmed(case: Case) -> None:
    """A person became F0 (or a case was re-confirmed): their contacts move up."""
    on_cases_confirmed([case])


def on_cases_confirmed(cases: Sequence[Case], *, propose_households: bool = True) -> int:
    """Batch form of ``on_case_confirmed`` (imports, the bench): one search for all the new roots.

    The new F0s lose their own level. Chains that went through one of them are stale: where the
    new root now gives a better level, that level is the minimum (the stale one was the minimum
    of all the other roots); the others are re-derived from the roots near them.
    """
    cases = [c for c in cases if c.status == CaseStatus.CONFIRMED]
    if not cases:
        return 0
    book = RuleBook.load()
    with transaction.atomic():
        f0_people = {c.person_id for c in cases}
        ids = list(f0_people)
        for i in range(0, len(ids), 5000):
            PersonLevel.objects.filter(person_id__in=ids[i : i + 5000]).delete()
        stale = _using(person_ids=f0_people) - f0_people
        # A re-confirmed case (its dates changed) may reach fewer people than before.
        own = set(PersonLevel.objects.filter(case_id__in=[c.pk for c in cases]).values_list("person_id", flat=True))
        old: dict[uuid.UUID, tuple[int, datetime.date, str]] = {}
        stale_ids = list(stale | own)
        for i in range(0, len(stale_ids), 5000):
            rows = PersonLevel.objects.filter(person_id__in=stale_ids[i : i + 5000])
            for pid, lv, day, cid in rows.values_list("person_id", "level", "exposed_on", "case_id"):
                old[pid] = (lv, day, str(cid))
        found = derive([_root(c, book) for c in cases], book)
        written = _write(_rows(found, book))
        unsettled = set()
        for pid, before in old.items():
            hit = found.get(pid)
            after = (hit[1].level, hit[1].exposed_on, str(hit[0].case_id)) if hit is not None else None
            if after is None or after > before or (after == before and pid in stale and pid not in own):
                unsettled.add(pid)
        written += _rederive(unsettled, book)
        if propose_households:
            from phongdich.tracing import candidates

            candidates.propose_from_sources(cases)
    return written


def on_case_ruled_out(case: Case) -> None:
    """A case was ruled out: the levels that came only from it move down or go."""
    book = RuleBook.load()
    with transaction.atomic():
        affected = set(PersonLevel.objects.filter(case_id=case.pk).values_list("person_id", flat=True))
        if not _confirmed().filter(person_id=case.person_id).exclude(pk=case.pk).exists():
            affected.add(case.person_id)
        _rederive(affected, book)


def on_contact_changed(contact: Contact) -> None:
    """A contact was added, changed or removed (removed_at set)."""
    book = RuleBook.load()
    with transaction.atomic():
        affected = _using(contact_ids=[contact.pk])
        if affected:
            _rederive(affected, book)
        if contact.removed_at is None:
            ends = [contact.person_a_id, contact.person_b_id]
            case_ids = set(PersonLevel.objects.filter(person_id__in=ends).values_list("case_id", flat=True))
            case_ids |= set(_confirmed().filter(person_id__in=ends).values_list("pk", flat=True))
            roots = [_root(c, book) for c in _confirmed().filter(pk__in=case_ids)]
            _write(_rows(derive(roots, book), book))


def on_people_merged(person_ids: Iterable[uuid.UUID]) -> None:
    """A merge or its undo moved contacts between these records (see people.merging).

    Levels that went through them are re-derived, then the derivation runs again from the
    cases at the root of their (new) levels, so that contacts that came with the merged
    record carry the level onwards — as if those contacts had just been added.
    """
    ids = set(person_ids)
    book = RuleBook.load()
    with transaction.atomic():
        _rederive(ids | _using(person_ids=ids), book)
        case_ids = set(PersonLevel.objects.filter(person_id__in=ids).values_list("case_id", flat=True))
        case_ids |= set(_confirmed().filter(person_id__in=ids).values_list("pk", flat=True))
        roots = [_root(c, book) for c in _confirmed().filter(pk__in=case_ids)]
        if roots:
            _write(_rows(derive(roots, book), book))


def on_person_merged(survivor: Person) -> int:
    """After a merge moved the links onto ``survivor``: re-derive it, its merged records and their chains."""
    from phongdich.people.models import Person as PersonModel

    ids = {survivor.pk, *PersonModel.objects.filter(merged_into=survivor).values_list("pk", flat=True)}
    return recompute_people(ids)


def recompute_people(person_ids: Iterable[uuid.UUID]) -> int:
    """Re-derive the given people and everyone whose chain goes through them."""
    book = RuleBook.load()
    ids = set(person_ids)
    with transaction.atomic():
        return _rederive(ids | _using(person_ids=ids), book)


def recompute_all() -> int:
    """Delete every PersonLevel and derive them all again from every confirmed case (repair)."""
    book = RuleBook.load()
    with transaction.atomic():
        PersonLevel.objects.all().delete()
        roots = [_root(c, book) for c in _confirmed()]
        return _write(_rows(derive(roots, book), book))


# ---------------------------------------------------------------------------------------------
# Reading


def _active(person: Person) -> Person:
    seen = 0
    while person.merged_into_id is not None and seen < 10:
        person = person.merged_into  # type: ignore[assignment]
        seen += 1
    return person


def level_for(person: Person) -> PersonLevel | None:
    """The person's current level (of the active record when this one was merged), or None."""
    person = _active(person)
    return (
        PersonLevel.objects.select_related("case", "rule_set", "via_person", "via_contact")
        .filter(person_id=person.pk)
        .first()
    )


def is_f0(person: Person) -> bool:
    return _confirmed().filter(person_id=_active(person).pk).exists()


def explain(person: Person) -> list[ChainStep]:
    """The chain from the person back to the root case: [person (Fn), …, F1, F0 of the case]."""
    from phongdich.people.models import Person as PersonModel

    person = _active(person)
    level = level_for(person)
    if level is None:
        case = _confirmed().filter(person_id=person.pk).order_by("confirmed_on").first()
        if case is None:
            return []
        return [ChainStep(person.pk, person.full_name, 0, None, None, case.code, case.pk)]
    case = level.case
    ids = [uuid.UUID(step[0]) for step in level.path] + [case.person_id]
    names = dict(PersonModel.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    steps = []
    for n, (pid, cid, day) in reversed(list(enumerate(level.path, start=1))):
        steps.append(
            ChainStep(
                uuid.UUID(pid),
                names.get(uuid.UUID(pid), ""),
                n,
                uuid.UUID(cid),
                datetime.date.fromisoformat(day),
                case.code,
                case.pk,
            )
        )
    steps.append(ChainStep(case.person_id, names.get(case.person_id, ""), 0, None, None, case.code, case.pk))
    return steps


def chain_text(person: Person) -> str:
    """E.g. "F2 — via Lò Văn A (F1) — via case ĐB-0123" (in the active language)."""
    from django.utils.translation import gettext as _

    steps = explain(person)
    if not steps:
        return ""
    if steps[0].level == 0:
        return _("F0 — case %(code)s") % {"code": steps[0].case_code}
    parts = [f"F{steps[0].level}"]
    parts.extend(_("via %(name)s (F%(level)s)") % {"name": s.person_name, "level": s.level} for s in steps[1:-1])
    parts.append(_("via case %(code)s") % {"code": steps[-1].case_code})
    return " — ".join(parts)


__all__ = [
    "ChainStep",
    "chain_text",
    "explain",
    "is_f0",
    "level_for",
    "on_case_confirmed",
    "on_case_ruled_out",
    "on_cases_confirmed",
    "on_contact_changed",
    "on_person_merged",
    "recompute_all",
    "recompute_people",
]
