"""The demo outbreak: made through the real actions, idempotent, and it gives every page something."""

from __future__ import annotations

from django.core.management import call_command

from phongdich.cases.models import Case, Cluster, DetectedBy, ExposureSite
from phongdich.demo.generate import build_demo
from phongdich.geo.models import AdminUnit
from phongdich.tracing.models import Investigation, PersonLevel, TracingTask


def test_outbreak_is_consistent_and_idempotent(units: AdminUnit) -> None:
    build_demo(people=30_000, seed=7)
    call_command("demo_outbreak")
    cases = Case.objects.all()
    assert cases.count() >= 6
    assert Cluster.objects.count() == 2
    assert cases.filter(detected_by=DetectedBy.QUARANTINE).exists()
    assert cases.filter(source_known=False).exists()
    assert sorted(set(cases.values_list("code", flat=True))) == sorted(cases.values_list("code", flat=True))
    # Levels are derived: F1, F2 and F3 all exist, and no F0 has a level.
    levels = set(PersonLevel.objects.values_list("level", flat=True))
    assert levels == {1, 2, 3}
    assert not PersonLevel.objects.filter(person__cases__isnull=False).exists()
    # Every case has its investigation with teams and contacts to find; some were found.
    assert Investigation.objects.count() == cases.count()
    assert not Investigation.objects.filter(teams__isnull=True).exists()
    assert TracingTask.objects.filter(status=TracingTask.Status.FOUND).exists()
    assert TracingTask.objects.filter(status=TracingTask.Status.TO_FIND).exists()
    assert ExposureSite.objects.filter(published=True).count() == 1

    call_command("demo_outbreak")
    assert Case.objects.count() == cases.count()
