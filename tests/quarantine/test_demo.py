"""The quarantine demo: made through the actions on top of the demo outbreak, idempotent."""

from __future__ import annotations

import datetime

from phongdich.community import watch
from phongdich.demo.generate import build_demo
from phongdich.demo.outbreak import build_outbreak
from phongdich.demo.users import CITY, COMMUNE
from phongdich.geo.models import AdminUnit
from phongdich.quarantine import demo
from phongdich.quarantine.models import Facility, HealthCheck, Incident, Placement, PlacementStatus
from tests.demo.conftest import units  # noqa: F401 (fixture)


def test_demo_places_the_outbreak_and_is_idempotent(units: AdminUnit) -> None:  # noqa: F811
    build_demo(people=30_000, seed=7)
    build_outbreak(units, COMMUNE, CITY, seed=2021)
    summary = demo.load_demo(units, seed=2021)
    print(summary)
    assert summary.startswith("Quarantine: 2 facilities")
    placements = Placement.objects.exclude(facility__kind="home")
    assert placements.exists()
    assert placements.filter(status=PlacementStatus.RELEASED).exists()
    assert placements.filter(facility__kind="paid", payer="person").exists()
    assert HealthCheck.objects.exists() and Incident.objects.count() == 1
    for room_id in placements.values_list("room_id", flat=True).distinct():
        assert placements.filter(room_id=room_id).values("risk_group").distinct().count() == 1
    home = Placement.objects.filter(facility__kind="home")
    assert home.exists() and {p.commune.code for p in home} == {COMMUNE}
    villages = [p.village for p in home if p.village is not None]
    day = min(p.entered_on for p in home) + datetime.timedelta(days=1)
    assert [i for i in watch.items_for(villages, day) if i.kind == "home_quarantine"]
    counts = (Facility.objects.count(), Placement.objects.count(), HealthCheck.objects.count())
    assert demo.load_demo(units, seed=2021) == ""
    assert (Facility.objects.count(), Placement.objects.count(), HealthCheck.objects.count()) == counts
