"""The checkpoints demo: made through the actions on top of the demo outbreak, idempotent."""

from __future__ import annotations

from phongdich.checkpoints import demo
from phongdich.checkpoints.models import Arrival, Checkpoint, Passage, Shift, VehiclePassage, Violation
from phongdich.demo.generate import build_demo
from phongdich.demo.outbreak import build_outbreak
from phongdich.demo.users import CITY, COMMUNE
from phongdich.geo.models import AdminUnit
from tests.demo.conftest import units  # noqa: F401 (fixture)


def test_demo_checkpoints_passages_and_a_violation(units: AdminUnit) -> None:  # noqa: F811
    build_demo(people=10_000, seed=7)
    build_outbreak(units, COMMUNE, CITY, seed=2021)
    summary = demo.load_demo(units, seed=2021)
    print(summary)
    assert Checkpoint.objects.count() == 3 and Shift.objects.count() == 3
    assert {c.kind for c in Checkpoint.objects.all()} == {"road", "border_gate", "waterway"}
    assert Passage.objects.count() >= 20
    assert Passage.objects.filter(passed_at__year=2021, passed_at__month=8).count() == Passage.objects.count()
    assert Arrival.objects.filter(commune__code=COMMUNE).count() >= 15
    assert VehiclePassage.objects.filter(vehicle__kind="coach").exists()
    assert Violation.objects.filter(kind="over_capacity").count() == 1
    counts = (Checkpoint.objects.count(), Passage.objects.count(), Violation.objects.count())
    assert demo.load_demo(units, seed=2021) == ""
    assert (Checkpoint.objects.count(), Passage.objects.count(), Violation.objects.count()) == counts
