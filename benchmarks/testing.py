"""The laboratory-results benchmark (part ``testing`` of benchmarks/run.py → results/testing.json).

On the bench database's demo people:

1. Untimed set-up (COPY): one laboratory, 80,000 single RT-PCR samples and 4,000 pools of
   5 persons (20,000 pooled persons), all taken in August 2021 (rule set 5599/BYT-MT).
2. A lab results CSV with one row per tube (84,000 rows for 100,000 persons), ~2 % positive
   (1,600 positive single samples → case proposals; 80 positive pools → 400 individual tests
   queued) and a few invalid ones (re-tests queued). Timed: ``imports.import_results`` — reading
   the file, validating every row, resolving the pools, queuing the tests, proposing the cases,
   writing the audit rows — in one transaction. Target ≥ 5,000 rows/s.
3. In the same run, a raw COPY of the same file into a bare table (the floor), and the ratio.
4. The same file again (idempotence: every row "unchanged", nothing written), timed too.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from typing import Any

SEED = 2021
SINGLES = 80_000
POOLS = 4_000
POOL_SIZE = 5
POSITIVE_SHARE = 0.02
INVALID_SHARE = 0.002


def _people(province: Any, n: int) -> list[tuple[Any, ...]]:
    from phongdich.people.models import Person

    qs = Person.objects.filter(province=province, merged_into__isnull=True).order_by()
    return list(qs.values_list("pk", "province_id", "district_id", "commune_id", "village_id")[:n])


def _setup(province: Any, rng: random.Random) -> tuple[Any, Any, list[str], float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from phongdich.core.models import User
    from phongdich.core.roles import Role
    from phongdich.testing import bulk
    from phongdich.testing.models import CaseProposal, Laboratory, Pool, ResultImport, Sample, TubeStatus

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # A second run on the same database starts from clean testing tables.
        tables = ", ".join(m._meta.db_table for m in (CaseProposal, Sample, Pool, ResultImport))
        cursor.execute(f"TRUNCATE {tables}")
        Laboratory.objects.filter(code="bench-lab").delete()
    user, _ = User.objects.get_or_create(
        username="bench_lab", defaults={"role": Role.LAB, "unit": province, "is_active": True}
    )
    lab = Laboratory.objects.create(code="bench-lab", name="CDC (bench)", daily_capacity=50_000, province=province)
    people = _people(province, SINGLES + POOLS * POOL_SIZE)
    if len(people) < SINGLES + POOLS * POOL_SIZE:
        raise SystemExit(
            f"testing: needs {SINGLES + POOLS * POOL_SIZE:,} people, the bench database has {len(people):,}"
        )
    rng.shuffle(people)
    now = timezone.now()
    base = datetime.datetime(2021, 8, 10, 1, 0, tzinfo=datetime.UTC)

    def taken() -> datetime.datetime:
        return base + datetime.timedelta(minutes=rng.randrange(0, 6 * 24 * 60))

    def tube(i: int, person: tuple[Any, ...] | None) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "test_kind": "rt_pcr",
            "sample_type": "nasopharyngeal",
            "place_kind": rng.choice(["health_station", "campaign_site", "quarantine", "checkpoint", "home"]),
            "place_name": "",
            "taken_at": taken(),
            "lab_id": lab.pk,
            "received_at": None,
            "status": TubeStatus.RECEIVED,
            "outcome": "",
            "result_source": "",
            "created_at": now,
        }
        if person is not None:
            row |= dict(
                zip(("person_id", "province_id", "district_id", "commune_id", "village_id"), person, strict=True)
            )
        return row

    barcodes: list[str] = []
    singles = []
    for i in range(SINGLES):
        row = tube(i, people[i])
        row["barcode"] = f"DB21{i:07d}"
        row["received_at"] = row["taken_at"] + datetime.timedelta(hours=3)
        barcodes.append(row["barcode"])
        singles.append(row)
    pools, members = [], []
    offset = SINGLES
    for j in range(POOLS):
        row = tube(j, None)
        row |= {"barcode": f"GP21{j:06d}", "size": POOL_SIZE, "province_id": province.pk}
        row["received_at"] = row["taken_at"] + datetime.timedelta(hours=3)
        barcodes.append(row["barcode"])
        pools.append(row)
        for k in range(POOL_SIZE):
            member = tube(j, people[offset + j * POOL_SIZE + k]) | {
                "barcode": None,
                "pool_id": row["id"],
                "taken_at": row["taken_at"],
                "status": TubeStatus.TAKEN,
                "lab_id": lab.pk,
                "place_kind": row["place_kind"],
            }
            members.append(member)
    with transaction.atomic():
        bulk.insert(Sample, singles)
        bulk.insert(Pool, pools)
        bulk.insert(Sample, members)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE testing_sample")
        cursor.execute("VACUUM ANALYZE testing_pool")
    return user, lab, barcodes, time.perf_counter() - started


def _file(barcodes: list[str], rng: random.Random) -> tuple[bytes, dict[str, int]]:
    lines = ["Mã ống mẫu,Kết quả,Giá trị Ct,Thời gian trả kết quả"]
    mix = {"positive": 0, "negative": 0, "invalid": 0}
    for code in barcodes:
        roll = rng.random()
        if roll < POSITIVE_SHARE:
            outcome, ct = "Dương tính", f"{rng.uniform(14, 36):.1f}"
            mix["positive"] += 1
        elif roll < POSITIVE_SHARE + INVALID_SHARE:
            outcome, ct = "Không xác định", ""
            mix["invalid"] += 1
        else:
            outcome, ct = "Âm tính", ""
            mix["negative"] += 1
        lines.append(f"{code},{outcome},{ct},17/08/2021 09:30")
    return ("\n".join(lines) + "\n").encode("utf-8"), mix


def run(province: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    from django.db import connection, transaction

    from phongdich.testing.imports import import_results
    from phongdich.testing.models import CaseProposal, Pool, Sample, TubeStatus

    rng = random.Random(SEED)
    print("testing: setting up 80,000 samples and 4,000 pools of 5…", flush=True)
    user, lab, barcodes, setup_seconds = _setup(province, rng)
    data, mix = _file(barcodes, rng)
    rows = len(barcodes)
    persons = SINGLES + POOLS * POOL_SIZE

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_results_raw")
        cursor.execute("CREATE TABLE bench_results_raw (barcode text, outcome text, ct text, resulted_at text)")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy("COPY bench_results_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,  # type: ignore[attr-defined]
    ):
        copy.write(data)
    copy_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_results_raw")

    print(f"testing: importing {rows:,} result rows ({persons:,} persons)…", flush=True)
    started = time.perf_counter()
    record = import_results(user, lab, "bench_results.csv", data)
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = import_results(user, lab, "bench_results.csv", data)
    again_seconds = time.perf_counter() - started
    rate = rows / import_seconds
    print(
        f"testing: {rate:,.0f} rows/s ({import_seconds:.2f} s); raw COPY {copy_seconds:.3f} s; "
        f"ratio {import_seconds / copy_seconds:.1f}×; same file again {again_seconds:.2f} s",
        flush=True,
    )
    result = {
        "file_rows": rows,
        "persons_resulted_or_resolved": persons,
        "file_bytes": len(data),
        "row_mix": mix,
        "setup_seconds_untimed": round(setup_seconds, 2),
        "import_seconds": round(import_seconds, 3),
        "import_rows_per_second": round(rate),
        "import_persons_per_second": round(persons / import_seconds),
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows_per_second": round(rows / copy_seconds),
        "import_to_copy_ratio": round(import_seconds / copy_seconds, 1),
        "target_rows_per_second": 5_000,
        "meets_target": rate >= 5_000,
        "outcome": {
            "written": record.rows_written,
            "unchanged": record.rows_unchanged,
            "rejected": record.rows_rejected,
            "positives": record.positives,
            "case_proposals": record.proposals,
            "tests_queued": record.queued,
        },
        "same_file_again": {
            "seconds": round(again_seconds, 3),
            "written": again.rows_written,
            "unchanged": again.rows_unchanged,
        },
        "check": {
            "samples_resulted": Sample.objects.filter(status=TubeStatus.RESULTED).count(),
            "pool_members_negative": Sample.objects.filter(pool__isnull=False, outcome="negative").count(),
            "queued": Sample.objects.filter(status=TubeStatus.QUEUED).count(),
            "pools_resulted": Pool.objects.filter(status=TubeStatus.RESULTED).count(),
            "proposals_pending": CaseProposal.objects.filter(status="pending").count(),
        },
    }
    return "testing", {"singles": SINGLES, "pools": POOLS, "pool_size": POOL_SIZE}, result
