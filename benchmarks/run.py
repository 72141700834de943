"""Phòng Dịch benchmarks on PostgreSQL: ``make bench`` (or ``python benchmarks/run.py``).

Parts (``--only demo,search,absent``; default all), each writing its JSON to benchmarks/results/:

- ``demo``   → demo.json: generating the demo province with 1,000,000 people (target < 120 s);
- ``search`` → person_search.json: ``search_people(user, q)`` over those people as a province-level
  user, a realistic mix of queries, p50/p95/p99 after a warm-up (target p95 < 50 ms);
- ``absent`` → absent_import.json: ``import_absent_list`` of a 100,000-row list (30 % existing people
  by ID number, 5 % by name + birth date + phone, the rest new) beside a raw ``COPY`` of the same
  file into a bare table (target >= 10,000 rows/s; the import/COPY ratio is the headline).

Database: a scratch database ``phongdich_bench`` is created (and dropped at the end unless --keep)
on the PostgreSQL server of ``BENCH_PG_URL``, else of ``DATABASE_URL`` when it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432. No other database is touched. ``BENCH_DATABASE_URL`` uses
an explicit database instead (it must be empty or hold an earlier bench's data).
With --reuse, an existing ``phongdich_bench`` that already has the people is used as it is
(e.g. ``make bench ONLY=search BENCH_ARGS="--reuse --keep"`` after a run with --keep).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import importlib
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SCRATCH_DB = "phongdich_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
SEED = 2021
ALL_PARTS = (
    "demo",
    "search",
    "absent",
    "tracing",
    "testing",
    "quarantine",
    "checkpoints",
    "checkins",
    "declarations_http",
)


# ---------------------------------------------------------------------------------------------
# Database set-up (before Django is configured)


def server_url() -> str:
    for name in ("BENCH_PG_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return DEFAULT_SERVER


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def admin_connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def database_exists(url: str, name: str) -> bool:
    with admin_connect(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(url: str, name: str) -> None:
    assert name == SCRATCH_DB, "the bench only ever creates or drops its own scratch database"
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    assert name == SCRATCH_DB, "the bench only ever creates or drops its own scratch database"
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------
# Reporting


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    try:
        affinity = len(os.sched_getaffinity(0))
        info["cpus_available"] = affinity
    except (AttributeError, OSError):
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    with contextlib.suppress(OSError):
        info["git_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    return info


def db_info() -> dict[str, Any]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        short = cursor.fetchone()[0]
    return {"postgres": short, "postgres_full": version, "django": django.get_version()}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def write_result(name: str, payload: dict[str, Any], out: Path = RESULTS) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    return path


def header(part: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "benchmark": part,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "database": db_info(),
        "parameters": params,
    }


# ---------------------------------------------------------------------------------------------
# Parts


def province() -> Any:
    from phongdich.demo.generate import find_province

    unit = find_province("11")
    if unit is None:
        raise SystemExit("province 11 not loaded")
    return unit


def ensure_units() -> float:
    from django.core.management import call_command

    from phongdich.demo.generate import find_province

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if find_province("11") is None:
        call_command("load_units", verbosity=0)
    return time.perf_counter() - started


def run_demo(people: int) -> dict[str, Any]:
    from phongdich.demo.generate import build_demo

    print(f"demo: generating {people:,} people…", flush=True)
    started = time.perf_counter()
    stats = build_demo(people=people, seed=SEED)
    seconds = time.perf_counter() - started
    print(f"demo: {stats.people:,} people in {seconds:.1f} s", flush=True)
    return {
        "seconds": round(seconds, 2),
        "people": stats.people,
        "people_per_second": round(stats.people / seconds),
        "households": stats.households,
        "villages": stats.villages,
        "temporarily_absent": stats.absent,
        "temporary_residents": stats.temporary_residents,
        "duplicate_pairs": stats.duplicates,
        "phases_seconds": {k: round(v, 2) for k, v in stats.phases.items()},
    }


def bench_user(role: str, unit: Any, username: str) -> Any:
    from phongdich.core.models import User

    user, _created = User.objects.update_or_create(username=username, defaults={"role": role, "unit": unit})
    return user


def search_queries(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the people in the database, in the mix users type."""
    from django.db import connection

    from phongdich.core.text import fold
    from phongdich.people.models import Person

    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT full_name, id_number, phone FROM {table} TABLESAMPLE SYSTEM (2) REPEATABLE (%s)",  # noqa: S608
            [SEED],
        )
        sample = cursor.fetchall()
    rng.shuffle(sample)
    with_id = [s for s in sample if s[1]]
    with_phone = [s for s in sample if s[2]]
    out: list[tuple[str, str]] = []
    kinds = ["full_name"] * 30 + ["partial_folded"] * 25 + ["family_name"] * 10 + ["id_number"] * 20 + ["phone"] * 15
    for i in range(n):
        kind = rng.choice(kinds)
        name = sample[i % len(sample)][0]
        words = name.split()
        if kind == "full_name":
            q = name if rng.random() < 0.7 else fold(name)
        elif kind == "partial_folded":
            # "lo van", "giang a", "thi my", "nguyen hung": two words, no diacritics
            choice = rng.random()
            if choice < 0.5:
                q = fold(" ".join(words[:2]))
            elif choice < 0.8:
                q = fold(" ".join(words[-2:]))
            else:
                q = fold(f"{words[0]} {words[-1]}")
        elif kind == "family_name":
            q = words[0] if rng.random() < 0.5 else fold(words[0])
        elif kind == "id_number":
            q = with_id[i % len(with_id)][1]
        else:
            e164 = with_phone[i % len(with_phone)][2]
            national = "0" + e164[3:]
            q = rng.choice([national, e164, f"{national[:4]} {national[4:7]} {national[7:]}"])
        out.append((kind, q))
    return out


def run_search(queries: int, warmup: int) -> dict[str, Any]:
    from phongdich.core.roles import Role
    from phongdich.people.queries import search_people

    user = bench_user(Role.POLICE, province(), "bench_province")
    rng = random.Random(SEED)
    plan = search_queries(queries + warmup, rng)
    for _kind, q in plan[:warmup]:
        list(search_people(user, q))
    timings: list[dict[str, Any]] = []
    for kind, q in plan[warmup:]:
        started = time.perf_counter()
        found = list(search_people(user, q))
        ms = (time.perf_counter() - started) * 1000
        timings.append({"kind": kind, "ms": round(ms, 3), "results": len(found)})
    values = [t["ms"] for t in timings]
    by_kind: dict[str, Any] = {}
    for kind in sorted({t["kind"] for t in timings}):
        vs = [t["ms"] for t in timings if t["kind"] == kind]
        by_kind[kind] = {
            "n": len(vs),
            "p50_ms": round(percentile(vs, 50), 2),
            "p95_ms": round(percentile(vs, 95), 2),
            "max_ms": round(max(vs), 2),
            "mean_results": round(statistics.mean(t["results"] for t in timings if t["kind"] == kind), 1),
        }
    p95 = percentile(values, 95)
    print(f"search: p50 {percentile(values, 50):.1f} ms, p95 {p95:.1f} ms over {len(values)} queries", flush=True)
    return {
        "queries": len(values),
        "warmup": warmup,
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(p95, 2),
        "p99_ms": round(percentile(values, 99), 2),
        "mean_ms": round(statistics.mean(values), 2),
        "max_ms": round(max(values), 2),
        "target_p95_ms": 50,
        "meets_target": p95 < 50,
        "by_kind": by_kind,
        "raw": [{"kind": t["kind"], "ms": t["ms"], "results": t["results"]} for t in timings],
        "query_examples": [q for _k, q in plan[warmup : warmup + 12] if _k not in ("id_number", "phone")],
    }


def absent_rows(n: int, unit: Any, rng: random.Random) -> tuple[list[list[str]], dict[str, int]]:
    """The list's rows: ~30 % existing people by ID number, ~5 % by name + birth date + phone, the rest new.

    The existing people are a sample of rows (BERNOULLI), spread over the registry as a list's people
    are: a sample of pages (SYSTEM) would make every person of a thousand pages absent at once."""
    from django.db import connection

    from phongdich.core.text import fold
    from phongdich.demo import pools
    from phongdich.demo.generate import NameMaker
    from phongdich.geo.models import AdminUnit, Level
    from phongdich.people.models import Person

    table = Person._meta.db_table
    by_id_n, by_name_n = int(n * 0.30), int(n * 0.05)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT full_name, id_number, birth_date, birth_year, sex, phone FROM {table} "  # noqa: S608
            "TABLESAMPLE BERNOULLI (10) REPEATABLE (%s) "
            "WHERE id_number IS NOT NULL AND merged_into_id IS NULL LIMIT %s",
            [SEED, by_id_n],
        )
        by_id = cursor.fetchall()
        cursor.execute(
            f"SELECT full_name, birth_date, sex, phone FROM {table} TABLESAMPLE BERNOULLI (20) REPEATABLE (%s) "  # noqa: S608
            "WHERE id_number IS NULL AND birth_date IS NOT NULL AND phone <> '' AND merged_into_id IS NULL LIMIT %s",
            [SEED + 1, by_name_n],
        )
        by_name = cursor.fetchall()
        cursor.execute(f"SELECT id_number FROM {table} WHERE id_number IS NOT NULL")  # noqa: S608
        used_ids = {r[0] for r in cursor.fetchall()}
    villages = list(AdminUnit.objects.filter(level=Level.VILLAGE, commune=unit).values_list("name", flat=True))
    destinations = []
    for pcode, ccode, workplaces, _w in pools.DESTINATIONS:
        commune = AdminUnit.objects.filter(
            version=unit.version, level=Level.COMMUNE, code=ccode, province__code=pcode
        ).first()
        if commune is not None and commune.province is not None:
            destinations.append((commune.province.name, commune.name, workplaces))
    today = datetime.date(2021, 9, 1)

    def tail() -> list[str]:
        province_name, commune_name, workplaces = rng.choice(destinations)
        left = today - datetime.timedelta(days=rng.randrange(1, 600))
        return ["Khu trọ công nhân", province_name, commune_name, rng.choice(workplaces), left.strftime("%d/%m/%Y")]

    def sex_text(sex: str) -> str:
        return "Nam" if sex == "M" else "Nữ" if sex == "F" else ""

    def national(phone: str) -> str:
        return "0" + phone[3:] if phone.startswith("+84") else phone

    rows: list[list[str]] = []
    # A list names each person once: the same folded name and birth date twice is a rejected row.
    seen: set[tuple[str, str]] = set()
    for name, id_number, birth_date, birth_year, sex, phone in by_id:
        birth = birth_date.strftime("%d/%m/%Y") if birth_date else str(birth_year)
        village = rng.choice(villages) if villages and rng.random() < 0.3 else ""
        if (fold(name), birth) not in seen:
            seen.add((fold(name), birth))
            rows.append(["", name, id_number, birth, sex_text(sex), national(phone), village, *tail()])
    for name, birth_date, sex, phone in by_name:
        birth = birth_date.strftime("%d/%m/%Y")
        if (fold(name), birth) not in seen:
            seen.add((fold(name), birth))
            rows.append(["", name, "", birth, sex_text(sex), national(phone), "", *tail()])
    names = NameMaker(rng)
    new = 0
    while len(rows) < n:
        ethnicity = rng.choice([pools.THAI, pools.MONG, pools.KINH, pools.KHOMU])
        sex = "M" if rng.random() < 0.55 else "F"
        age = rng.randint(18, 50)
        full, key = names.full(ethnicity, sex, names.surname(ethnicity), age)
        birth = today - datetime.timedelta(days=int((age + rng.random()) * 365.25))
        birth_text = birth.strftime("%d/%m/%Y")
        if (key, birth_text) in seen:
            continue
        id_number = ""
        if rng.random() < 0.9:
            while True:
                century_sex = (0 if birth.year < 2000 else 2) + (0 if sex == "M" else 1)
                candidate = f"011{century_sex}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
                if candidate not in used_ids:
                    used_ids.add(candidate)
                    id_number = candidate
                    break
        phone = f"0{rng.choice(['97', '98', '96', '86', '35', '36', '38', '91', '94'])}{rng.randrange(10**7):07d}"
        village = rng.choice(villages) if villages else ""
        seen.add((key, birth_text))
        rows.append(["", full, id_number, birth_text, sex_text(sex), phone, village, *tail()])
        new += 1
    rng.shuffle(rows)
    for i, row in enumerate(rows, start=1):
        row[0] = str(i)
    existing = len(rows) - new
    return rows, {
        "existing_sampled_by_id": len(by_id),
        "existing_sampled_by_name_birth_phone": len(by_name),
        "existing_rows": existing,
        "new": new,
    }


def backend_cpu_seconds() -> float | None:
    """CPU seconds used so far by the PostgreSQL backend of Django's connection, when the
    server runs on this machine (read from /proc), else None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle() -> None:
    """After generating the people (not timed): what autovacuum does to freshly loaded tables within a
    minute or two (statistics, visibility map, hint bits), done at once so that it does not run, at
    random, in the middle of a measurement."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"settle (VACUUM ANALYZE): {time.perf_counter() - started:.1f} s", flush=True)


def run_absent(n: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection, transaction

    from phongdich.core.roles import Role
    from phongdich.demo.users import COMMUNE
    from phongdich.geo.models import AdminUnit, Hierarchy, Level
    from phongdich.people.absent_columns import HEADERS
    from phongdich.people.absent_import import run_import
    from phongdich.people.models import Person, ResidenceRecord

    unit = AdminUnit.objects.get(version=Hierarchy.PRE2025, level=Level.COMMUNE, code=COMMUNE)
    user = bench_user(Role.POLICE, province(), "bench_police")
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    rows, mix = absent_rows(n, unit, rng)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    prepare_seconds = time.perf_counter() - t0
    settings.MAX_UPLOAD_BYTES = max(settings.MAX_UPLOAD_BYTES, len(data) + 1)
    people_before = Person.objects.count()
    records_before = ResidenceRecord.objects.count()

    # The raw COPY of the same file into a bare table with the same columns, same transaction shape.
    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_absent_raw")
        cursor.execute(f"CREATE TABLE bench_absent_raw ({columns})")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy("COPY bench_absent_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
    ):
        copy.write(data)
    copy_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_absent_raw")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_absent_raw")

    print(f"absent: importing {len(rows):,} rows ({len(data) / 1e6:.1f} MB CSV)…", flush=True)
    load_before = os.getloadavg()
    server_cpu = backend_cpu_seconds()
    python_cpu = time.process_time()
    started = time.perf_counter()
    outcome = run_import(user, unit, "bench_absent_list.csv", data)  # what import_absent_list runs
    import_seconds = time.perf_counter() - started
    python_cpu = time.process_time() - python_cpu
    server_cpu = None if server_cpu is None else (backend_cpu_seconds() or 0.0) - server_cpu
    upload = outcome.upload
    if outcome.repeated:
        # With --reuse after an earlier absent run, the same file was already imported: the
        # import returned the earlier upload without doing anything. That is no measurement.
        raise SystemExit("absent: this list was already imported into the bench database: run without --reuse")
    # What the task worker does right after the commit (people.tasks.merge_name_index): merge the
    # new names from the trigram index's pending list. Not part of the import; measured here.
    from phongdich.people.tasks import merge_pending_names

    merge_started = time.perf_counter()
    merged_pages = merge_pending_names()
    merge_seconds = time.perf_counter() - merge_started
    phases: dict[str, float] = {}
    previous = 0.0
    for phase, at in outcome.timings.items():
        if phase != "total":
            phases[phase] = round(at - previous, 3)
            previous = at
    rate = len(rows) / import_seconds
    print(
        f"absent: {rate:,.0f} rows/s ({import_seconds:.2f} s); raw COPY {copy_seconds:.2f} s; "
        f"ratio {import_seconds / copy_seconds:.1f}×",
        flush=True,
    )
    return {
        "rows": len(rows),
        "file_bytes": len(data),
        "file_format": "csv (UTF-8, the template's Vietnamese headers)",
        "row_mix_requested": mix,
        "prepare_seconds": round(prepare_seconds, 2),
        "import_seconds": round(import_seconds, 3),
        "import_rows_per_second": round(rate),
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows": copied,
        "copy_rows_per_second": round(copied / copy_seconds),
        "import_to_copy_ratio": round(import_seconds / copy_seconds, 2),
        # "return": after the commit, until run_import has returned (freeing the rows, the candidates…)
        "import_phases_seconds": phases | {"return": round(import_seconds - previous, 3)},
        # CPU time, which a busy machine does not inflate as much as the elapsed time: this
        # process (all threads) and the PostgreSQL backend serving it (None if not local).
        "import_cpu_seconds": {
            "python": round(python_cpu, 2),
            "postgres_backend": None if server_cpu is None else round(server_cpu, 2),
        },
        "load_average_before_import": [round(x, 2) for x in load_before],
        "after_commit_by_the_worker": {"name_index_merge_seconds": round(merge_seconds, 3), "pages": merged_pages},
        "target_rows_per_second": 10_000,
        "meets_target": rate >= 10_000,
        "outcome": {
            "status": upload.status,
            "row_count": upload.row_count,
            "created": upload.created_count,
            "matched": upload.matched_count,
            "unchanged": upload.unchanged_count,
            "errors": upload.error_count,
            "first_errors": upload.errors[:5],
        },
        "people_before": people_before,
        "people_after": Person.objects.count(),
        "residence_records_added": ResidenceRecord.objects.count() - records_before,
        "unit": f"{unit.name} ({unit.code})",
    }


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="all", help=f"{','.join(ALL_PARTS)} (comma-separated) or all")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=5_000_000, help="tracing: contacts to generate")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use an existing scratch database that has the people")
    parser.add_argument("--out", default=str(RESULTS), help="directory for the JSON results")
    args = parser.parse_args()
    out = Path(args.out)
    parts = set(ALL_PARTS) if args.only in ("all", "") else set(args.only.split(","))
    unknown = parts - set(ALL_PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")

    explicit = os.environ.get("BENCH_DATABASE_URL")
    server = server_url()
    if explicit:
        url = explicit
    else:
        url = with_database(server, SCRATCH_DB)
        if not (args.reuse and database_exists(server, SCRATCH_DB)):
            recreate_database(server, SCRATCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from phongdich.demo.generate import province_people

    t_setup = ensure_units()
    print(f"setup (migrate, load_units): {t_setup:.1f} s", flush=True)
    params = {"people": args.people, "seed": SEED}
    try:
        existing = province_people(province())
        if "demo" in parts or not existing:
            if existing:
                raise SystemExit("the bench database already has people: run without --reuse to start afresh")
            result = run_demo(args.people)
            if "demo" in parts:
                payload = header("demo_generation", params) | {
                    "setup_seconds_migrate_and_load_units": round(t_setup, 2),
                    "target_seconds": 120,
                    "meets_target": result["seconds"] < 120,
                    "result": result,
                }
                print("wrote", write_result("demo", payload, out))
            settle()
        if "search" in parts:
            result = run_search(args.queries, args.warmup)
            payload = header("person_search", params | {"queries": args.queries, "warmup": args.warmup}) | {
                "user": "province-level (police, Tỉnh Điện Biên)",
                "result": result,
            }
            print("wrote", write_result("person_search", payload, out))
        if "absent" in parts:
            result = run_absent(args.rows)
            payload = header("absent_import", params | {"rows": args.rows}) | {"result": result}
            print("wrote", write_result("absent_import", payload, out))
        if "tracing" in parts:  # the tracing engine: benchmarks/tracing.py
            sys.path.insert(0, str(ROOT))
            from benchmarks.tracing import run_tracing

            result = run_tracing(province(), contacts=args.contacts)
            payload = header("tracing", params | {"contacts": args.contacts}) | {"result": result}
            print("wrote", write_result("tracing", payload, out))
        # Issue 4: each area's module returns (result name, params, result); see its docstring.
        for part, module in (
            ("testing", "benchmarks.testing"),
            ("quarantine", "benchmarks.quarantine"),
            ("checkpoints", "benchmarks.checkpoints"),  # issue 5: status lookup at the checkpoint
            ("checkins", "benchmarks.declarations"),  # issue 5: candidates from 10,000,000 check-ins
            ("declarations_http", "benchmarks.arrivals_http"),  # issue 5: submissions over HTTP vs a minimal view
        ):
            if part in parts:
                sys.path.insert(0, str(ROOT))
                name, extra, result = importlib.import_module(module).run(province())
                payload = header(name, params | extra) | {"result": result}
                print("wrote", write_result(name, payload, out))
    finally:
        from django.db import connections

        connections.close_all()
        if not explicit and not args.keep:
            drop_database(server, SCRATCH_DB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
