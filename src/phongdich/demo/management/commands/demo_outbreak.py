from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from phongdich.demo.outbreak import build_outbreak
from phongdich.demo.users import CITY, COMMUNE
from phongdich.geo.models import AdminUnit, Level


class Command(BaseCommand):
    help = "Adds a demo outbreak (August 2021: clusters, cases, contacts, teams) to the demo province."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default=settings.PHONGDICH_PROVINCE_CODE)
        parser.add_argument("--seed", type=int, default=2021)

    def handle(self, *args: Any, **options: Any) -> None:
        province = AdminUnit.objects.get(
            version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE, code=options["province"]
        )
        result = build_outbreak(province, COMMUNE, CITY, seed=options["seed"])
        if result["cases"]:
            self.stdout.write(f"Demo outbreak: {result['cases']} cases, {result['contacts']} contacts.")
        else:
            self.stdout.write("Demo outbreak: the province already has cases (or too few people); nothing done.")
        # Each module adds its part of the outbreak (samples and results, quarantine, treatment, community
        # teams) through its own actions; each is idempotent.
        for module in DEMO_MODULES:
            summary = importlib.import_module(module).load_demo(province, seed=options["seed"])
            if summary:
                self.stdout.write(summary)


DEMO_MODULES = (
    "phongdich.policy.demo",  # high-risk areas first: declarations and checkpoints flag arrivals from them
    "phongdich.testing.demo",
    "phongdich.quarantine.demo",
    "phongdich.treatment.demo",
    "phongdich.community.demo",
    "phongdich.declarations.demo",
    "phongdich.checkpoints.demo",
)
