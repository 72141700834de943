"""The testing part of the demo outbreak: through the actions, idempotent."""

from __future__ import annotations

from django.core.management import call_command

from phongdich.demo.generate import build_demo
from phongdich.geo.models import AdminUnit
from phongdich.testing import demo
from phongdich.testing.models import Campaign, CaseProposal, Laboratory, Pool, Sample
from tests.demo.conftest import units  # noqa: F401 - the fixture


def test_demo_is_complete_and_idempotent(units: AdminUnit) -> None:  # noqa: F811
    build_demo(people=30_000, seed=7)
    call_command("demo_outbreak")
    assert set(Laboratory.objects.values_list("name", flat=True)) == {
        "CDC Điện Biên",
        "Bệnh viện Đa khoa tỉnh Điện Biên",
    }
    assert Sample.objects.filter(place_kind="quarantine", outcome="negative").exists()
    assert Sample.objects.filter(place_kind="checkpoint").exists()
    assert Pool.objects.filter(outcome="positive").count() == 1
    positive_pool = Pool.objects.get(outcome="positive")
    assert Sample.objects.filter(queued_from=positive_pool, status="resulted").count() == positive_pool.size
    pending = CaseProposal.objects.filter(status="pending")
    assert pending.count() == 2 and pending.filter(confirmation_advised=True).count() == 1
    campaign = Campaign.objects.get()
    assert campaign.commune is not None and campaign.commune.code == "03325"
    assert campaign.target_population > 0
    before = Sample.objects.count()
    assert demo.load_demo(units) == ""
    assert Sample.objects.count() == before
