"""The checkpoint status benchmark (part ``checkpoints`` of benchmarks/run.py → results/checkpoint_status.json).

On the bench database's demo people (1,000,000 by default):

1. Untimed set-up: open "temporarily absent" residence records for 100,000 people (bulk; the
   ones already there count), and a few F0 with contacts through the real actions, so that some
   people are F1 (levels derived by the tracing engine).
2. Timed: ``checkpoints.queries.lookup(id_number=…)`` (what the status endpoint runs: a waiting
   declaration with that ID number is processed first, then the person is found) +
   ``status_for(person)`` — every module's facts and the arrival test rule in force, as the
   checkpoint screen and the API ask for them — for a mix of
   4,000 lookups after a warm-up: 40 % absent citizens, 10 % F1, 35 % random residents, 15 % ID
   numbers nobody has. Target p95 < 100 ms.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from typing import Any

SEED = 2021
ABSENT = 100_000
LOOKUPS = 4_000
WARMUP = 200
F0 = 20
CONTACTS_PER_F0 = 10
TARGET_P95_MS = 100


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _absent(province: Any, rng: random.Random) -> tuple[int, list[str]]:
    """Make sure ABSENT people of the province are on an absent list: (how many, their ID numbers)."""
    from phongdich.people.models import Person, ResidenceRecord, ResidenceStatus, Source

    open_absent = ResidenceRecord.objects.filter(
        status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on__isnull=True, person__province=province
    )
    have = set(open_absent.values_list("person_id", flat=True))
    missing = ABSENT - len(have)  # new records go to people with an ID number (looked up below)
    if missing > 0:
        candidates = list(
            Person.objects.filter(province=province, id_number__isnull=False, merged_into__isnull=True)
            .exclude(pk__in=have)
            .values_list("pk", flat=True)[: missing * 2]
        )
        chosen = rng.sample(candidates, min(missing, len(candidates)))
        start = datetime.date(2021, 5, 1)
        ResidenceRecord.objects.bulk_create(
            [
                ResidenceRecord(
                    person_id=pk,
                    status=ResidenceStatus.TEMPORARILY_ABSENT,
                    started_on=start + datetime.timedelta(days=rng.randrange(90)),
                    source=Source.IMPORT,
                )
                for pk in chosen
            ],
            batch_size=5000,
        )
        for i in range(0, len(chosen), 5000):
            Person.objects.filter(pk__in=chosen[i : i + 5000]).update(
                residence_status=ResidenceStatus.TEMPORARILY_ABSENT
            )
    ids = list(
        Person.objects.filter(
            residence_records__status=ResidenceStatus.TEMPORARILY_ABSENT,
            residence_records__ended_on__isnull=True,
            province=province,
            id_number__isnull=False,
        ).values_list("id_number", flat=True)[:ABSENT]
    )
    return open_absent.values("person_id").distinct().count(), ids


def _f1(province: Any, rng: random.Random) -> list[str]:
    """ID numbers of F1 people; a few F0 with contacts are made when there are none."""
    from django.utils import timezone

    from phongdich.cases.actions import create_case
    from phongdich.people.models import Person
    from phongdich.policy.models import ContactSetting
    from phongdich.tracing.contacts import add_contact
    from phongdich.tracing.models import ContactSource, PersonLevel, Proximity

    def found() -> list[str]:
        return list(
            PersonLevel.objects.filter(level=1, person__id_number__isnull=False).values_list(
                "person__id_number", flat=True
            )[:5000]
        )

    ids = found()
    if len(ids) >= F0 * CONTACTS_PER_F0 // 2:
        return ids
    pool = list(
        Person.objects.filter(province=province, id_number__isnull=False, merged_into__isnull=True).values_list(
            "pk", flat=True
        )[: F0 * (CONTACTS_PER_F0 + 1) * 3]
    )
    rng.shuffle(pool)
    today = timezone.localdate()
    day = today - datetime.timedelta(days=2)
    for i in range(F0):
        group = pool[i * (CONTACTS_PER_F0 + 1) : (i + 1) * (CONTACTS_PER_F0 + 1)]
        people = {p.pk: p for p in Person.objects.filter(pk__in=group)}
        f0 = people[group[0]]
        for other in group[1:]:
            add_contact(
                None,
                f0,
                people[other],
                first_date=day,
                last_date=day,
                setting=ContactSetting.WORKPLACE,
                proximity=Proximity.DIRECT,
                source=ContactSource.INTERVIEW,
            )
        create_case(None, f0, confirmed_on=today)
    return found()


def run(province: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from phongdich.checkpoints.queries import lookup
    from phongdich.checkpoints.status import status_for
    from phongdich.people.models import Person

    rng = random.Random(SEED)
    t0 = time.perf_counter()
    absent_count, absent = _absent(province, rng)
    f1 = _f1(province, rng)
    residents = list(
        Person.objects.filter(province=province, id_number__isnull=False)
        .order_by("?")
        .values_list("id_number", flat=True)[:20000]
        if connection.vendor != "postgresql"
        else Person.objects.raw(
            "SELECT id, id_number FROM people_person TABLESAMPLE SYSTEM (5) WHERE id_number IS NOT NULL LIMIT 20000"
        )
    )
    residents = [getattr(r, "id_number", r) for r in residents]
    setup = time.perf_counter() - t0
    total_people = Person.objects.count()

    mix = []
    for _ in range(LOOKUPS + WARMUP):
        r = rng.random()
        if r < 0.40 and absent:
            mix.append(("absent", rng.choice(absent)))
        elif r < 0.50 and f1:
            mix.append(("f1", rng.choice(f1)))
        elif r < 0.85 and residents:
            mix.append(("resident", rng.choice(residents)))
        else:
            mix.append(("unknown", f"9{rng.randrange(10**10, 10**11)}"))

    times: dict[str, list[float]] = {"absent": [], "f1": [], "resident": [], "unknown": []}
    checks = {"absent_shown": 0, "f1_shown": 0, "unknown_not_found": 0}
    for i, (kind, id_number) in enumerate(mix):
        started = time.perf_counter()
        person, _declaration = lookup(id_number=id_number)
        status = status_for(person, province=province) if person is not None else None
        ms = (time.perf_counter() - started) * 1000
        if i < WARMUP:
            continue
        times[kind].append(ms)
        if kind == "absent" and status is not None and status.absent:
            checks["absent_shown"] += 1
        if kind == "f1" and status is not None and status.level == 1:
            checks["f1_shown"] += 1
        if kind == "unknown" and person is None:
            checks["unknown_not_found"] += 1
    values = [v for vs in times.values() for v in vs]
    p95 = _percentile(values, 95)
    print(f"checkpoint status: p50 {_percentile(values, 50):.1f} ms, p95 {p95:.1f} ms over {len(values)}", flush=True)
    result = {
        "lookups": len(values),
        "p50_ms": round(_percentile(values, 50), 2),
        "p95_ms": round(p95, 2),
        "p99_ms": round(_percentile(values, 99), 2),
        "mean_ms": round(statistics.fmean(values), 2) if values else 0,
        "by_kind": {
            k: {"n": len(v), "p50_ms": round(_percentile(v, 50), 2), "p95_ms": round(_percentile(v, 95), 2)}
            for k, v in times.items()
        },
        "checks": checks,
        "setup_seconds": round(setup, 1),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": p95 < TARGET_P95_MS,
    }
    params = {
        "persons": total_people,
        "absent_citizens": absent_count,
        "absent_with_id_number": len(absent),
        "f1": len(f1),
        "mix": {"absent": 0.40, "f1": 0.10, "resident": 0.35, "unknown": 0.15},
        "warmup": WARMUP,
    }
    return "checkpoint_status", params, result
