"""Declaration submissions over HTTP (gunicorn, 2 cores): the real public endpoint beside a minimal view.

``run(province)`` → ("declarations_http", params, result). It starts gunicorn on a loopback port with
``benchmarks.bench_settings`` (the real settings, the public rate limit lifted, plus the minimal
reference view of ``benchmarks/bench_urls.py``), then, for each of the two URLs in turn, submits
declarations at concurrency 50 for 60 s (``benchmarks.declarations.load``: one request in ten resends
an earlier client UUID) and counts the rows written against the 2xx answers
(``benchmarks.declarations.check``: zero lost, zero duplicated). The figure is the ratio of the real
endpoint's throughput to the minimal view's (target ≥ 0.5).

The endpoint stores a declaration and answers; the task worker matches and flags it
(declarations.processing). The worker runs during the endpoint's run, as ``make run`` runs it, at a
lower CPU priority; after the load the benchmark waits until every declaration answered 2xx is
processed and matched to a person, and reports how many were still waiting when the load ended and
how long the worker took to finish them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "60"))
CONCURRENCY = 50
WORKERS, THREADS = 3, 8
WORKER_NICE = 10
TARGET_RATIO = 0.5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the benchmark server did not start: {url}")


def _server(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        DEBUG="false",
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "phongdich.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _declarations_now() -> int:
    from phongdich.declarations.models import Declaration

    return Declaration.objects.count()


def _worker() -> subprocess.Popen[bytes]:
    """The task worker, as ``make run`` starts it, at a lower CPU priority (``WORKER_NICE``): during a
    surge the server answers first and the queue of declarations to process absorbs the peak."""
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="benchmarks.bench_settings", PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}")
    command = ["nice", "-n", str(WORKER_NICE), sys.executable, str(ROOT / "src" / "manage.py"), "db_worker"]
    command += ["--queue-name", "default", "--interval", "0.5"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def _pending(client_uuids: list[str]) -> dict[str, int]:
    """Of the declarations the endpoint answered 2xx: how many are processed, matched to a person, waiting."""
    from phongdich.declarations.models import Declaration

    counts = {"processed": 0, "matched": 0, "waiting": 0}
    for start in range(0, len(client_uuids), 5000):
        rows = Declaration.objects.filter(client_uuid__in=client_uuids[start : start + 5000])
        for processed_at, person_id in rows.values_list("processed_at", "person_id"):
            counts["processed" if processed_at else "waiting"] += 1
            counts["matched"] += person_id is not None
    return counts


def _drain(client_uuids: list[str], timeout: float = 900) -> dict[str, Any]:
    """Wait for the worker to process what the load left waiting; the time it took and the counts.

    While waiting, only the waiting rows are counted (the partial index of waiting declarations),
    so that the polling does not slow the worker down; the full count by client UUID comes after."""
    from phongdich.declarations.models import Declaration

    t0 = time.perf_counter()
    waiting_at_end = _pending(client_uuids)["waiting"]
    while Declaration.objects.filter(processed_at__isnull=True).exists() and time.perf_counter() - t0 < timeout:
        time.sleep(0.5)
    seconds = time.perf_counter() - t0
    return {
        "waiting_when_the_load_ended": waiting_at_end,
        "drain_seconds": round(seconds, 1),
        "processed_per_second_after_the_load": round(waiting_at_end / seconds, 1) if seconds else None,
    } | _pending(client_uuids)


def run(province: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    from benchmarks.declarations import check, load

    from phongdich.geo.models import AdminUnit, Level

    destination = AdminUnit.objects.get(version=province.version, level=Level.COMMUNE, code="03325")
    origin = AdminUnit.objects.filter(version=province.version, level=Level.PROVINCE, code="01").first()
    from phongdich.declarations.processing import drain

    port = _free_port()
    server = _server(port)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {}
    worker: subprocess.Popen[bytes] | None = None
    try:
        _wait(base + "/login/")
        for name, url in (("minimal_view", base + "/bench-minimal"), ("declaration_endpoint", base)):
            load(url, destination.pk, origin_province_id=origin.pk if origin else None, seconds=3)  # warm-up
            drain()  # the warm-up's declarations, before the measured run
            if name == "declaration_endpoint":
                worker = _worker()  # processes declarations during the run, as in production
            before = _declarations_now()
            outcome = load(
                url,
                destination.pk,
                origin_province_id=origin.pk if origin else None,
                seconds=SECONDS,
                concurrency=CONCURRENCY,
                max_requests=200_000,  # the time bounds the run, not the count
            )
            counted = check(outcome)
            answered = outcome.pop("ok_client_uuids")
            if name == "declaration_endpoint":
                outcome["processing"] = _drain(sorted({str(u) for u in answered}))
            ok = outcome["created_201"] + outcome["replayed_200"]
            results[name] = outcome | {
                "answered_2xx_per_second": round(ok / outcome["seconds"], 1) if outcome["seconds"] else 0,
                "rows_added": _declarations_now() - before,
                "check": counted,
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    ratio = results["declaration_endpoint"]["answered_2xx_per_second"] / max(
        results["minimal_view"]["answered_2xx_per_second"], 0.001
    )
    processing = results["declaration_endpoint"]["processing"]
    processed_all = processing["waiting"] == 0 and processing["processed"] == processing["matched"]
    lost = sum(r["check"]["lost"] for r in results.values())
    duplicated = sum(r["check"]["duplicated"] for r in results.values())
    result = results | {
        "throughput_ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "lost": lost,
        "duplicated": duplicated,
        "meets_target": ratio >= TARGET_RATIO and lost == 0 and duplicated == 0 and processed_all,
        "server": f"gunicorn gthread, {WORKERS} workers × {THREADS} threads, loopback",
        "task_worker": f"django_tasks_db db_worker, one process, nice {WORKER_NICE}, running during the endpoint's run",
        "load_average": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None,
    }
    params = {"seconds": SECONDS, "concurrency": CONCURRENCY}
    return "declarations_http", params, result
