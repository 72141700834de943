"""The declarations part of the demo outbreak: venues, check-ins with candidates, flagged declarations."""

from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from phongdich.declarations.models import CheckIn, Declaration, DeclarationFlag, Venue
from phongdich.demo.generate import build_demo
from phongdich.demo.users import ensure_demo_users
from phongdich.geo.models import AdminUnit
from phongdich.tracing.models import ContactCandidate, ContactSource
from tests.demo.conftest import units  # noqa: F401 - the real units of Điện Biên


def test_demo_venues_checkins_declarations_and_idempotence(units: AdminUnit) -> None:  # noqa: F811
    build_demo(people=30_000, seed=7)
    ensure_demo_users("pw-demo-1234")
    call_command("demo_outbreak")
    assert {v.name for v in Venue.objects.all()} >= {"Chợ Mường Thanh", "Bến xe khách Điện Biên"}
    assert CheckIn.objects.count() >= 250
    assert {timezone.localtime(c.checked_in_at).month for c in CheckIn.objects.all()} == {8}
    assert ContactCandidate.objects.filter(reason=ContactSource.CHECKIN).count() >= 3
    declarations = Declaration.objects.filter(commune__code="03325")
    assert 30 <= declarations.count() <= 50
    assert DeclarationFlag.objects.filter(declaration__commune__code="03325").exists()
    assert DeclarationFlag.objects.filter(kind="absent_returning").exists()
    before = (Venue.objects.count(), CheckIn.objects.count(), Declaration.objects.count())
    call_command("demo_outbreak")
    assert (Venue.objects.count(), CheckIn.objects.count(), Declaration.objects.count()) == before
