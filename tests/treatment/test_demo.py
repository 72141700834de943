"""The treatment demo: made through the actions on top of the demo outbreak, idempotent."""

from __future__ import annotations

from phongdich.demo.generate import build_demo
from phongdich.demo.outbreak import build_outbreak
from phongdich.demo.users import CITY, COMMUNE
from phongdich.geo.models import AdminUnit
from phongdich.treatment import demo
from phongdich.treatment.models import Admission, Facility, HomeCare, MonitoringEntry
from phongdich.treatment.queries import cases_awaiting_care
from tests.demo.conftest import units  # noqa: F401 (fixture)


def test_demo_admits_at_the_right_tiers_and_is_idempotent(units: AdminUnit) -> None:  # noqa: F811
    build_demo(people=30_000, seed=7)
    build_outbreak(units, COMMUNE, CITY, seed=2021)
    summary = demo.load_demo(units, seed=2021)
    assert summary.startswith("Treatment: 5 facilities")
    assert Facility.objects.filter(active=False).count() == 1  # the field hospital, not yet activated
    stays = Admission.objects.all()
    assert stays.exists() and not stays.filter(override_reason__gt="").exists()
    assert all(s.tier >= s.required_tier for s in stays)
    assert stays.filter(direction="up").count() == 1
    assert stays.filter(ended_by="recovered").exists()
    assert HomeCare.objects.filter(commune__code=COMMUNE).exists() and MonitoringEntry.objects.exists()
    assert HomeCare.objects.filter(status="escalated").count() == 1
    from phongdich.core.models import User

    admin = User.objects.create_superuser("t_root", password="pw-test-1234")
    assert not cases_awaiting_care(admin).exists()
    counts = (Facility.objects.count(), Admission.objects.count(), HomeCare.objects.count())
    assert demo.load_demo(units, seed=2021) == ""
    assert (Facility.objects.count(), Admission.objects.count(), HomeCare.objects.count()) == counts
