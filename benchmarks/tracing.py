"""The tracing-engine benchmark (part ``tracing`` of benchmarks/run.py → results/tracing.json).

On the bench database's demo people (1,000,000 by default):

1. 5,000,000 contacts with realistic clustering are generated (seeded) and loaded with COPY:
   every pair of a household (a contact spanning the whole period: people living together),
   workplaces of ~20 people (each member with ~5 colleagues, 1–5 days), and random encounters
   (one or two days), all between 01/08/2021 and 31/10/2021 (rule sets 5599/BYT-MT, then
   10696/BYT-MT; depth F3).
2. ``levels.on_case_confirmed`` for 200 new F0, one by one, each in its own transaction
   (the case row is created untimed, as ``cases.actions.create_case`` would before calling it):
   p50/p95/max. Target p95 < 200 ms.
3. 1,000 more new F0 at once, then ``levels.on_cases_confirmed`` (the batch path: one set-based
   search for all of them, stale chains re-derived): total seconds. Target < 60 s. ``recompute_all``
   over every case is timed as well (the repair command).
4. In the same run, the same contacts as an in-memory rustworkx ``PyGraph`` (1,000,000 nodes,
   5,000,000 edges): a breadth-first search to depth 3 from the same F0s (no dates: rustworkx
   holds the bare graph), and the ratios database/in-memory.
"""

from __future__ import annotations

import datetime
import io
import os
import random
import statistics
import time
from typing import Any

PERIOD_START = datetime.date(2021, 8, 1)
PERIOD_DAYS = 92
SEED = 2021


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _uptime() -> str:
    try:
        with open("/proc/loadavg") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def generate_edges(households: Any, n_people: int, total: int, rng: Any) -> dict[str, Any]:
    """Edge arrays (a, b, first day offset, last day offset, setting code) — numpy, seeded."""
    import numpy as np

    # Households: every pair (people are ordered by household; ``households`` = group sizes).
    a_parts, b_parts = [], []
    sizes = households
    starts = np.cumsum(sizes) - sizes
    for size in np.unique(sizes):
        if size < 2:
            continue
        group_starts = starts[sizes == size]
        iu, ju = np.triu_indices(int(size), k=1)
        a_parts.append((group_starts[:, None] + iu[None, :]).ravel())
        b_parts.append((group_starts[:, None] + ju[None, :]).ravel())
    ha = np.concatenate(a_parts) if a_parts else np.empty(0, dtype=np.int64)
    hb = np.concatenate(b_parts) if b_parts else np.empty(0, dtype=np.int64)
    n_house = len(ha)
    remaining = max(total - n_house, 0)
    # Workplaces: 60 % of the people in groups of 20, ~5 colleagues each.
    n_work = remaining * 45 // 100
    workers = rng.permutation(n_people)[: int(n_people * 0.6)]
    group = np.arange(len(workers)) // 20
    wi = rng.integers(0, len(workers), n_work)
    offset = rng.integers(1, 20, n_work)
    wj = np.minimum(group[wi] * 20 + (wi % 20 + offset) % 20, len(workers) - 1)
    wa, wb = workers[wi], workers[wj]
    # Random encounters: the rest.
    n_rand = remaining - n_work + 1000  # spare rows for the self-pairs dropped below
    ra = rng.integers(0, n_people, n_rand)
    rb = rng.integers(0, n_people, n_rand)
    a = np.concatenate([ha, wa, ra]).astype(np.int64)
    b = np.concatenate([hb, wb, rb]).astype(np.int64)
    first = np.concatenate(
        [
            np.zeros(n_house, dtype=np.int64),
            rng.integers(0, PERIOD_DAYS - 5, n_work),
            rng.integers(0, PERIOD_DAYS - 1, n_rand),
        ]
    )
    last = first + np.concatenate(
        [
            np.full(n_house, PERIOD_DAYS - 1, dtype=np.int64),
            rng.integers(0, 5, n_work),
            rng.integers(0, 2, n_rand),
        ]
    )
    setting = np.concatenate(
        [np.zeros(n_house, dtype=np.int64), np.ones(n_work, dtype=np.int64), np.full(n_rand, 2, dtype=np.int64)]
    )
    keep = np.flatnonzero(a != b)[:total]  # drop self-pairs; the random part has a few spare rows
    return {
        "a": a[keep],
        "b": b[keep],
        "first": first[keep],
        "last": last[keep],
        "setting": setting[keep],
        "mix": {"household": int(n_house), "workplace": int(n_work), "random": int(len(keep) - n_house - n_work)},
    }


def load_contacts(person_ids: list[Any], edges: dict[str, Any]) -> dict[str, float]:
    """COPY the edges into tracing_contact (FK triggers off for the load, indexes rebuilt after)."""
    import numpy as np
    from django.db import connection, transaction

    from phongdich.tracing.models import Contact

    table = Contact._meta.db_table
    phases: dict[str, float] = {}
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef NOT LIKE '%%UNIQUE%%'",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_pidx")
        cursor.execute("CREATE UNLOGGED TABLE bench_pidx (idx integer PRIMARY KEY, id uuid NOT NULL)")
        buf = io.StringIO()
        for i, pid in enumerate(person_ids):
            buf.write(f"{i}\t{pid}\n")
        with cursor.copy("COPY bench_pidx (idx, id) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cursor.execute("DROP TABLE IF EXISTS bench_edges")
        cursor.execute("CREATE UNLOGGED TABLE bench_edges (a integer, b integer, f smallint, l smallint, s smallint)")
        stacked = np.column_stack([edges["a"], edges["b"], edges["first"], edges["last"], edges["setting"]])
        out = io.BytesIO()
        np.savetxt(out, stacked, fmt="%d", delimiter="\t")
        phases["prepare_seconds"] = time.perf_counter() - t
        t = time.perf_counter()
        with cursor.copy("COPY bench_edges FROM STDIN") as copy:
            copy.write(out.getvalue())
        phases["copy_staging_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"""
            INSERT INTO {table} (id, person_a_id, person_b_id, first_date, last_date, setting, proximity,
                                 source, note, province_code, created_at)
            SELECT gen_random_uuid(), pa.id, pb.id, %s::date + e.f, %s::date + e.l,
                   (ARRAY['household', 'workplace', 'other'])[e.s + 1], 'within_2m', 'interview', '', '11', now()
              FROM bench_edges e JOIN bench_pidx pa ON pa.idx = e.a JOIN bench_pidx pb ON pb.idx = e.b
            """,  # noqa: S608
            [PERIOD_START, PERIOD_START],
        )
        phases["insert_seconds"] = time.perf_counter() - t
        t = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        phases["index_seconds"] = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_edges")
        cursor.execute("DROP TABLE bench_pidx")
        t = time.perf_counter()
        cursor.execute(f"ANALYZE {table}")
        phases["analyze_seconds"] = time.perf_counter() - t
    return phases


def _new_case(person_id: Any, province: Any, confirmed: datetime.date, code: str, rng: random.Random) -> Any:
    from phongdich.cases.models import Case, CaseStatus
    from phongdich.policy.queries import rule_set_on

    return Case(
        person_id=person_id,
        code=code,
        confirmed_on=confirmed,
        onset_date=confirmed - datetime.timedelta(days=rng.randint(0, 3)),
        status=CaseStatus.CONFIRMED,
        rule_set=rule_set_on(confirmed, province),
        province=province,
    )


def run_tracing(province: Any, contacts: int = 5_000_000, singles: int = 200, batch: int = 1000) -> dict[str, Any]:
    import numpy as np
    import rustworkx as rx
    from django.db import connection
    from django.db.models import Count

    from phongdich.cases.models import Case
    from phongdich.people.models import Person
    from phongdich.tracing import levels
    from phongdich.tracing.models import Contact, PersonLevel

    rng = random.Random(SEED)
    nrng = np.random.default_rng(SEED)
    uptime_start = _uptime()
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, household_id FROM {Person._meta.db_table} WHERE merged_into_id IS NULL "  # noqa: S608
            "ORDER BY household_id NULLS LAST, id"
        )
        rows = cursor.fetchall()
    person_ids = [r[0] for r in rows]
    households = [r[1] for r in rows]
    sizes: list[int] = []
    prev = object()
    for h in households:
        if h is not None and h == prev:
            sizes[-1] += 1
        else:
            sizes.append(1)
        prev = h
    n = len(person_ids)
    print(f"tracing: {n:,} people, generating {contacts:,} contacts…", flush=True)
    edges = generate_edges(np.array(sizes, dtype=np.int64), n, contacts, nrng)
    generate_seconds = time.perf_counter() - t0
    existing = Contact.objects.count()
    if existing:
        raise SystemExit("the bench database already has contacts: run without --reuse")
    load_phases = load_contacts(person_ids, edges)
    loaded = Contact.objects.count()
    print(f"tracing: {loaded:,} contacts loaded ({sum(load_phases.values()):.1f} s)", flush=True)

    # The F0s: persons drawn at random, confirmed between 20/08 and 20/10/2021.
    picks = rng.sample(range(n), singles + batch)
    single_idx, batch_idx = picks[:singles], picks[singles:]

    def confirmed_on() -> datetime.date:
        return PERIOD_START + datetime.timedelta(days=rng.randint(19, 80))

    # 2. One by one.
    single_ms: list[float] = []
    reached: list[int] = []
    for k, idx in enumerate(single_idx, start=1):
        case = _new_case(person_ids[idx], province, confirmed_on(), f"BENCH-S{k:05d}", rng)
        case.save(force_insert=True)
        started = time.perf_counter()
        levels.on_case_confirmed(case)
        single_ms.append((time.perf_counter() - started) * 1000)
        reached.append(PersonLevel.objects.filter(case=case).count())
    p95 = _percentile(single_ms, 95)
    print(f"tracing: on_case_confirmed p50 {_percentile(single_ms, 50):.1f} ms, p95 {p95:.1f} ms", flush=True)

    # 3. A batch of new F0, then the batch recomputation.
    cases = [
        _new_case(person_ids[idx], province, confirmed_on(), f"BENCH-B{k:05d}", rng)
        for k, idx in enumerate(batch_idx, 1)
    ]
    Case.objects.bulk_create(cases)
    started = time.perf_counter()
    written = levels.on_cases_confirmed(cases)
    batch_seconds = time.perf_counter() - started
    levels_after_batch = PersonLevel.objects.count()
    print(f"tracing: {batch:,} new F0 recomputed in {batch_seconds:.1f} s ({written:,} rows written)", flush=True)
    started = time.perf_counter()
    total_rows = levels.recompute_all()
    recompute_all_seconds = time.perf_counter() - started
    by_level = dict(PersonLevel.objects.values_list("level").annotate(n=Count("person")).order_by("level"))
    print(f"tracing: recompute_all {recompute_all_seconds:.1f} s ({total_rows:,} levels)", flush=True)

    # 4. rustworkx on the same contacts.
    started = time.perf_counter()
    graph = rx.PyGraph(multigraph=False, node_count_hint=n, edge_count_hint=len(edges["a"]))
    graph.add_nodes_from(range(n))
    graph.extend_from_edge_list(list(zip(edges["a"].tolist(), edges["b"].tolist(), strict=True)))
    build_seconds = time.perf_counter() - started

    def bfs(source: int, depth: int = 3) -> int:
        seen = {source}
        frontier = [source]
        for _ in range(depth):
            nxt = []
            for node in frontier:
                for nb in graph.neighbors(node):
                    if nb not in seen:
                        seen.add(nb)
                        nxt.append(nb)
            frontier = nxt
        return len(seen) - 1

    rx_ms: list[float] = []
    rx_reached: list[int] = []
    for idx in single_idx:
        started = time.perf_counter()
        rx_reached.append(bfs(idx))
        rx_ms.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    rx_batch_reached = sum(bfs(idx) for idx in batch_idx)
    rx_batch_seconds = time.perf_counter() - started
    rx_p95 = _percentile(rx_ms, 95)
    print(f"tracing: rustworkx BFS depth 3 p95 {rx_p95:.2f} ms, batch {rx_batch_seconds:.2f} s", flush=True)

    return {
        "people": n,
        "contacts": loaded,
        "contact_mix": edges["mix"],
        "period": [PERIOD_START.isoformat(), (PERIOD_START + datetime.timedelta(days=PERIOD_DAYS - 1)).isoformat()],
        "generate_seconds": round(generate_seconds, 2),
        "load_phases_seconds": {k: round(v, 2) for k, v in load_phases.items()},
        "single_f0": {
            "n": len(single_ms),
            "p50_ms": round(_percentile(single_ms, 50), 2),
            "p95_ms": round(p95, 2),
            "p99_ms": round(_percentile(single_ms, 99), 2),
            "max_ms": round(max(single_ms), 2),
            "mean_ms": round(statistics.mean(single_ms), 2),
            "mean_levels_rooted": round(statistics.mean(reached), 1),
            "max_levels_rooted": max(reached),
            "target_p95_ms": 200,
            "meets_target": p95 < 200,
            "raw_ms": [round(v, 2) for v in single_ms],
        },
        "batch_f0": {
            "n": batch,
            "seconds": round(batch_seconds, 2),
            "rows_written": written,
            "levels_after": levels_after_batch,
            "target_seconds": 60,
            "meets_target": batch_seconds < 60,
        },
        "recompute_all": {
            "cases": singles + batch,
            "seconds": round(recompute_all_seconds, 2),
            "levels": total_rows,
            "by_level": {f"F{k}": v for k, v in by_level.items()},
        },
        "rustworkx": {
            "version": getattr(rx, "__version__", "0.18.1"),
            "graph_build_seconds": round(build_seconds, 2),
            "what": "PyGraph of the same contacts (no dates); BFS to depth 3 driven over graph.neighbors()",
            "single_p50_ms": round(_percentile(rx_ms, 50), 3),
            "single_p95_ms": round(rx_p95, 3),
            "mean_reached": round(statistics.mean(rx_reached), 1),
            "batch_seconds": round(rx_batch_seconds, 3),
            "batch_reached_total": rx_batch_reached,
        },
        "ratio": {
            "single_p95_db_over_rustworkx": round(p95 / rx_p95, 1) if rx_p95 else None,
            "batch_db_over_rustworkx": round(batch_seconds / rx_batch_seconds, 1) if rx_batch_seconds else None,
            "note": (
                "The database search applies the dates (infectious and onward windows, rule sets) and writes "
                "PersonLevel rows; the in-memory BFS ignores dates and writes nothing, so it reaches more people."
            ),
        },
        "load": {"start": uptime_start, "end": _uptime(), "cpus": os.cpu_count()},
    }
