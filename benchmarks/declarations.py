"""Declarations benchmarks (the lead wires them into benchmarks/run.py).

1. ``run(province)`` → ("checkins", params, result): 10,000,000 venue check-ins on PostgreSQL,
   then the contact-candidate query of ``declarations.candidates.candidates_for_case`` for F0s
   with 50 check-ins each; target p95 < 200 ms. Set-up (not timed): 2,000 bench venues
   (code prefix ``BENCH-``) in Thành phố Điện Biên Phủ; check-ins written with ``COPY`` (the two
   (venue, time) and (person, time) indexes dropped during the load and rebuilt after, as a bulk
   load does); people drawn from the bench database's demo people; times over August–September
   2021, 06:00–21:00. Each timed F0 gets 50 check-ins at random venues on the 10 days before its
   confirmation. A second run reuses the check-ins already loaded.
2. ``load(base_url, ...)``: fires public declaration submissions (``POST /api/v1/declarations/public``)
   at concurrency 50 for N seconds with threads + http.client, loopback only, bounded in count
   and time; one request in ten resends an earlier client UUID. Returns counts and latencies.
   The server must allow the rate (``DECLARATION_PUBLIC_RATE`` raised for the run), since all
   requests come from one IP.
3. ``check(load_result)``: rows written vs 2xx answers, by client UUID: zero lost (every UUID
   answered 2xx has exactly one row), zero duplicated (no UUID twice; resends answered 200).
"""

from __future__ import annotations

import datetime
import http.client
import json
import random
import statistics
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

CHECKINS = 10_000_000
VENUES = 2_000
F0_CHECKINS = 50
F0S = 40
TARGET_P95_MS = 200
SEED = 2021
FIRST = datetime.datetime(2021, 8, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
DAYS = 61
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


# ---------------------------------------------------------------------------------------------
# 1. Check-ins: 10 M rows, candidates for an F0 with 50 check-ins


def _venues(province: Any) -> list[Any]:
    from phongdich.declarations.models import Venue, VenueKind
    from phongdich.geo.models import AdminUnit, Level
    from phongdich.geo.scoping import lineage_columns

    existing = list(Venue.objects.filter(code__startswith="BENCH-").values_list("pk", flat=True))
    if len(existing) >= VENUES:
        return existing
    city = AdminUnit.objects.filter(version=province.version, level=Level.DISTRICT, code="094").first()
    wards = list(AdminUnit.objects.filter(district=city, level=Level.COMMUNE)) if city else []
    if not wards:
        wards = list(AdminUnit.objects.filter(province=province, level=Level.COMMUNE)[:20])
    kinds = list(VenueKind.values)
    Venue.objects.bulk_create(
        [
            Venue(
                code=f"BENCH-{i:05d}",
                name=f"[bench] Địa điểm {i:05d}",
                kind=kinds[i % len(kinds)],
                **lineage_columns(wards[i % len(wards)]),
            )
            for i in range(len(existing), VENUES)
        ],
        batch_size=1000,
    )
    return list(Venue.objects.filter(code__startswith="BENCH-").values_list("pk", flat=True))


def _bench_checkins(venue_ids: list[Any]) -> int:
    from phongdich.declarations.models import CheckIn

    return CheckIn.objects.filter(venue_id__in=venue_ids[:1]).count() * len(venue_ids)  # an estimate, cheap


def copy_rows(cursor: Any, table: str, venues: list[str], people: list[str], rng: random.Random) -> None:
    """Stream ``CHECKINS`` generated rows into ``COPY``, 50,000 at a time."""
    base = FIRST.timestamp()
    span = DAYS * 86400
    with cursor.copy(f"COPY {table} (venue_id, person_id, checked_in_at, channel) FROM STDIN") as copy:
        chunk: list[str] = []
        for _ in range(CHECKINS):
            t = base + rng.randrange(span)
            day_second = (t - base) % 86400
            if day_second < 6 * 3600 or day_second > 21 * 3600:  # fold the night into the day
                t -= 9 * 3600 if day_second > 21 * 3600 else -6 * 3600
            at = datetime.datetime.fromtimestamp(t, tz=datetime.UTC).strftime("%Y-%m-%d %H:%M:%S+00")
            chunk.append(f"{rng.choice(venues)}\t{rng.choice(people)}\t{at}\timport\n")
            if len(chunk) >= 50_000:
                copy.write("".join(chunk))
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))


def _load_checkins(venue_ids: list[Any], people: list[str], rng: random.Random) -> dict[str, float]:
    """COPY ``CHECKINS`` rows, indexes dropped during the load and rebuilt after."""
    from django.db import connection, transaction

    from phongdich.declarations.models import CheckIn

    table = CheckIn._meta.db_table
    indexes = list(CheckIn._meta.indexes)
    venues = [str(v) for v in venue_ids]
    t0 = time.perf_counter()
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(CheckIn, index)
    try:
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            # Rows valid by construction (existing venues and people): the per-row foreign-key
            # triggers are skipped for the bulk load of the scratch database, as a restore does.
            cursor.execute("SET LOCAL session_replication_role = replica")
            copy_rows(cursor, table, venues, people, rng)
        copied = time.perf_counter() - t0
        print(f"checkins: {CHECKINS:,} rows copied in {copied:.0f} s", flush=True)
    finally:
        # The indexes come back (after the commit: the deferred foreign-key checks must have run).
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.add_index(CheckIn, index)
    indexed = time.perf_counter() - t0 - copied
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return {"copy_seconds": round(copied, 1), "index_seconds": round(indexed, 1)}


def _f0s(venue_ids: list[Any], people: list[str], rng: random.Random) -> list[Any]:
    """Unsaved cases (only the fields the candidate query reads) with 50 check-ins each."""
    from phongdich.cases.models import Case
    from phongdich.declarations.models import CheckIn
    from phongdich.policy.queries import rule_set_on

    confirmed = (FIRST + datetime.timedelta(days=30)).date()
    rule_set = rule_set_on(confirmed)
    cases, rows = [], []
    # Fresh people (the demo people already have ~100 background check-ins each): exactly 50 each.
    from phongdich.people.models import Person, Source

    fresh = Person.objects.bulk_create(
        [Person(full_name=f"Ca bệnh thử {i}", name_key=f"ca benh thu {i}", source=Source.IMPORT) for i in range(F0S)]
    )
    for i in range(F0S):
        person = str(fresh[i].pk)
        cases.append(
            Case(
                person_id=person,
                code=f"BENCH-F0-{i}",
                confirmed_on=confirmed,
                onset_date=confirmed - datetime.timedelta(days=9),  # the window opens 2 days before
                sample_date=confirmed,
                rule_set_id=rule_set.pk,
            )
        )
        for _ in range(F0_CHECKINS):
            at = FIRST + datetime.timedelta(days=20 + rng.randrange(10), hours=6 + rng.randrange(15))
            rows.append(CheckIn(venue_id=rng.choice(venue_ids), person_id=person, checked_in_at=at, channel="import"))
    CheckIn.objects.bulk_create(rows, batch_size=2000)
    return cases


def run(province: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from phongdich.declarations.candidates import CHECKIN_WINDOW, candidates_for_case, f0_checkins
    from phongdich.declarations.models import CheckIn
    from phongdich.people.models import Person

    assert connection.vendor == "postgresql", "the check-in benchmark runs on PostgreSQL"
    rng = random.Random(SEED)
    venue_ids = _venues(province)
    people = [str(p) for p in Person.objects.filter(merged_into__isnull=True).values_list("pk", flat=True)]
    load: dict[str, float] = {}
    if _bench_checkins(venue_ids) < CHECKINS * 0.9:
        load = _load_checkins(venue_ids, people, rng)
    total = CheckIn.objects.count()
    cases = _f0s(venue_ids, people, rng)
    for case in cases[:3]:  # warm-up
        candidates_for_case(case)
    timings, found = [], []
    for case in cases:
        started = time.perf_counter()
        candidates = candidates_for_case(case)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(candidates))
        assert len(f0_checkins(case)) == F0_CHECKINS
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    result = {
        "checkins": total,
        "venues": len(venue_ids),
        "f0s_timed": len(cases),
        "f0_checkins_each": F0_CHECKINS,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(timings[-1], 1),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": p95 < TARGET_P95_MS,
        "candidates_per_f0_median": statistics.median(found),
        "load": load or "reused",
        "database_vendor": connection.vendor,
    }
    params = {
        "checkins": CHECKINS,
        "venues": VENUES,
        "window_minutes": int(CHECKIN_WINDOW.total_seconds() // 60),
        "f0_checkins": F0_CHECKINS,
        "f0s": F0S,
    }
    print(f"checkins: {total:,} rows; candidates p95 {p95:.1f} ms (target < {TARGET_P95_MS} ms)", flush=True)
    return "checkins", params, result


# ---------------------------------------------------------------------------------------------
# 2. Public declarations under load, 3. nothing lost, nothing duplicated


SURNAMES = ("Lò", "Quàng", "Lường", "Cà", "Nguyễn", "Trần")
MIDDLE = ("Văn", "Thị")
GIVEN = ("An", "Bình", "Chiến", "Dung", "Hoa", "Hùng", "Lan", "Minh", "Nga", "Phong", "Sơn", "Thanh", "Tuấn", "Xuân")


def _payload(destination_id: int, origin_id: int | None, key: uuid.UUID, n: int) -> bytes:
    body = {
        "client_uuid": str(key),
        "kind": "arrival_province" if origin_id else "periodic",
        "full_name": f"{SURNAMES[n % 6]} {MIDDLE[n % 2]} {GIVEN[n % len(GIVEN)]}",
        "phone": f"+8491{n % 10_000_000:07d}",
        "birth_year": 1980 + n % 30,
        "destination_id": destination_id,
        "origin_province_id": origin_id,
        "id_number": f"0110{80 + n % 20:02d}{n % 1_000_000:06d}",
        "symptoms": ["fever"] if n % 17 == 0 else [],
    }
    return json.dumps(body).encode()


def load(
    base_url: str,
    destination_id: int,
    *,
    origin_province_id: int | None = None,
    seconds: float = 10.0,
    concurrency: int = 50,
    max_requests: int = 20_000,
    resend_every: int = 10,
) -> dict[str, Any]:
    """Submit declarations at ``concurrency`` for ``seconds`` (at most ``max_requests``); loopback only."""
    parts = urlsplit(base_url)
    if parts.hostname not in LOOPBACK:
        raise ValueError("the load test only talks to a server on this machine (loopback)")
    seconds = min(max(seconds, 0.5), 300.0)
    concurrency = max(1, min(concurrency, 200))
    max_requests = max(1, min(max_requests, 200_000))
    path = parts.path.rstrip("/") + "/api/v1/declarations/public"
    lock = threading.Lock()
    state: dict[str, Any] = {"n": 0, "status": {}, "ok": set(), "created": 0, "replayed": 0, "errors": 0}
    latencies: list[float] = []
    sent_keys: list[uuid.UUID] = []
    deadline = time.monotonic() + seconds

    def take() -> tuple[int, uuid.UUID] | None:
        with lock:
            if state["n"] >= max_requests or time.monotonic() >= deadline:
                return None
            state["n"] += 1
            n = state["n"]
            if resend_every and n % resend_every == 0 and sent_keys:
                return n, sent_keys[n % len(sent_keys)]
            key = uuid.uuid4()
            sent_keys.append(key)
            return n, key

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
        while (job := take()) is not None:
            n, key = job
            started = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    path,
                    _payload(destination_id, origin_province_id, key, n),
                    {"Content-Type": "application/json"},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
                with lock:
                    state["errors"] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                state["status"][status] = state["status"].get(status, 0) + 1
                if 200 <= status < 300:
                    state["ok"].add(key)
                    state["created" if status == 201 else "replayed"] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": state["n"],
        "seconds": round(wall, 2),
        "requests_per_second": round(state["n"] / wall, 1) if wall else 0,
        "status": {str(k): v for k, v in sorted(state["status"].items())},
        "created_201": state["created"],
        "replayed_200": state["replayed"],
        "transport_errors": state["errors"],
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
        "ok_client_uuids": sorted(str(k) for k in state["ok"]),
    }


def check(load_result: dict[str, Any]) -> dict[str, Any]:
    """Rows written vs 2xx answers (run in the server's database, after ``load``)."""
    from django.db.models import Count

    from phongdich.declarations.models import Declaration

    keys = [uuid.UUID(k) for k in load_result["ok_client_uuids"]]
    rows: dict[uuid.UUID, int] = {}
    for i in range(0, len(keys), 5000):
        batch = (
            Declaration.objects.filter(client_uuid__in=keys[i : i + 5000])
            .values("client_uuid")
            .annotate(n=Count("id"))
            .values_list("client_uuid", "n")
        )
        rows.update({key: n for key, n in batch if key is not None})
    lost = sum(1 for k in keys if k not in rows)
    duplicated = sum(n - 1 for n in rows.values() if n > 1)
    return {
        "ok_answers": load_result["created_201"] + load_result["replayed_200"],
        "distinct_client_uuids_ok": len(keys),
        "rows_found": sum(rows.values()),
        "lost": lost,
        "duplicated": duplicated,
        "created_matches_rows": load_result["created_201"] == sum(rows.values()),
        "passes": lost == 0 and duplicated == 0,
    }
