"""``manage.py demo``: build the demo province (Điện Biên) with villages, households and people."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongdich.demo.generate import DEFAULT_PROVINCE, DemoError, build_demo, find_province, province_people, reset_demo
from phongdich.geo.models import AdminUnit, Hierarchy


class Command(BaseCommand):
    help = "Build the demo province: villages, households and about N people (deterministic for a seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=100_000, help="How many people (default 100000).")
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (default 2021).")
        parser.add_argument("--province", default=DEFAULT_PROVINCE, help="Province code (default 11, Điện Biên).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the province already has people.")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the earlier demo people of the province first."
        )
        parser.add_argument("--duplicates", type=int, default=None, help="Likely-duplicate pairs to queue.")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["province"]).zfill(2)
        people = options["people"]
        if people < 2:
            raise CommandError("--people must be at least 2.")
        province = find_province(code)
        if province is None and not AdminUnit.objects.filter(version=Hierarchy.PRE2025).exists():
            self.stdout.write("Admin units not loaded yet: running load_units…")
            call_command("load_units", stdout=self.stdout, stderr=self.stderr)
            province = find_province(code)
        if province is None:
            raise CommandError(f"Province {code} does not exist in the pre-2025 hierarchy.")
        existing = province_people(province)
        if existing:
            if options["if_empty"]:
                self.stdout.write(f"{province.name} already has {existing:,} people: demo left as it is.")
                return
            if not options["reset"]:
                raise CommandError(
                    f"{province.name} already has {existing:,} people. Use --reset to rebuild the demo "
                    "(it deletes the demo people) or --if-empty to keep them."
                )
            deleted = reset_demo(province)
            self.stdout.write(f"Deleted {deleted:,} demo people of {province.name}.")
            if province_people(province):
                raise CommandError(f"{province.name} still has people that are not demo data; not rebuilding.")
        try:
            stats = build_demo(
                people=people,
                seed=options["seed"],
                province_code=code,
                duplicates=options["duplicates"],
                progress=lambda msg: self.stdout.write(f"  {msg}") if options["verbosity"] > 1 else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo {province.name}: {stats.people:,} people in {stats.households:,} households, "
                f"{stats.villages:,} villages ({stats.villages_created:,} new) of {stats.communes} communes; "
                f"{stats.absent:,} temporarily absent, {stats.temporary_residents:,} temporary residents, "
                f"{stats.duplicates} likely duplicates queued; {stats.seconds:.1f} s"
            )
        )
