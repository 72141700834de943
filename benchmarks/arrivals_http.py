"""Declaration submissions over HTTP (gunicorn, 2 cores): the real public endpoint beside a minimal view.

``run(province)`` → ("declarations_http", params, result). It starts gunicorn on a loopback port with
``benchmarks.bench_settings`` (the real settings, the public rate limit lifted, plus the minimal
reference view of ``benchmarks/bench_urls.py``), then, for each of the two URLs in turn, submits
declarations at concurrency 50 for 60 s (``benchmarks.declarations.load``: one request in ten resends
an earlier client UUID) and counts the rows written against the 2xx answers
(``benchmarks.declarations.check``: zero lost, zero duplicated). The figure is the ratio of the real
endpoint's throughput to the minimal view's (target ≥ 0.5).
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


def run(province: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    from benchmarks.declarations import check, load

    from phongdich.geo.models import AdminUnit, Level

    destination = AdminUnit.objects.get(version=province.version, level=Level.COMMUNE, code="03325")
    origin = AdminUnit.objects.filter(version=province.version, level=Level.PROVINCE, code="01").first()
    port = _free_port()
    server = _server(port)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {}
    try:
        _wait(base + "/login/")
        for name, url in (("minimal_view", base + "/bench-minimal"), ("declaration_endpoint", base)):
            load(url, destination.pk, origin_province_id=origin.pk if origin else None, seconds=3)  # warm-up
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
            outcome.pop("ok_client_uuids")
            ok = outcome["created_201"] + outcome["replayed_200"]
            results[name] = outcome | {
                "answered_2xx_per_second": round(ok / outcome["seconds"], 1) if outcome["seconds"] else 0,
                "rows_added": _declarations_now() - before,
                "check": counted,
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratio = results["declaration_endpoint"]["answered_2xx_per_second"] / max(
        results["minimal_view"]["answered_2xx_per_second"], 0.001
    )
    lost = sum(r["check"]["lost"] for r in results.values())
    duplicated = sum(r["check"]["duplicated"] for r in results.values())
    result = results | {
        "throughput_ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "lost": lost,
        "duplicated": duplicated,
        "meets_target": ratio >= TARGET_RATIO and lost == 0 and duplicated == 0,
        "server": f"gunicorn gthread, {WORKERS} workers × {THREADS} threads, loopback",
        "load_average": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None,
    }
    params = {"seconds": SECONDS, "concurrency": CONCURRENCY}
    return "declarations_http", params, result
