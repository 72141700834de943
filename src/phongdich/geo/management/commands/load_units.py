"""``manage.py load_units``: load both administrative hierarchies from vietnam-provinces (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from phongdich.geo.loading import load_units
from phongdich.geo.models import Hierarchy


class Command(BaseCommand):
    help = "Load (or update) the pre-2025 and 2025 administrative units, crosswalk and neighbours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=[h.value for h in Hierarchy], help="Load one hierarchy only.")
        parser.add_argument(
            "--province", action="append", dest="provinces", metavar="CODE", help="Only this province (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        only = Hierarchy(options["only"]) if options.get("only") else None
        stats = load_units(only=only, provinces=options.get("provinces"))
        for note in stats.notes[:20]:
            self.stderr.write(note)
        created = sum(stats.created.values())
        updated = sum(stats.updated.values())
        self.stdout.write(
            f"Admin units: {created} created, {updated} updated; crosswalk {stats.crosswalk_created} created, "
            f"{stats.crosswalk_updated} updated, {stats.crosswalk_deleted} removed; neighbour pairs "
            f"{stats.neighbour_pairs}; {time.monotonic() - started:.1f} s"
        )
