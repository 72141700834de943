"""``manage.py recompute_levels``: derive every F level again from every confirmed case (repair)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from phongdich.tracing import levels


class Command(BaseCommand):
    help = "Delete every derived F level and derive them all again from the confirmed cases and contacts."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        n = levels.recompute_all()
        self.stdout.write(f"{n} F levels derived in {time.perf_counter() - started:.1f} s")
