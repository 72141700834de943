"""The testing part of the demo outbreak (called by `manage.py demo_outbreak`). Idempotent.

Through the real actions: two laboratories (CDC Điện Biên, Bệnh viện Đa khoa tỉnh); RT-PCR
samples of the outbreak's F1 in centralised quarantine on their first test day (negative);
samples at a checkpoint, one rapid antigen positive (its proposal advises an RT-PCR
confirmation: 5599/BYT-MT is in force); a mass-testing campaign in Xã Mường Phăng with pooled
samples of 5, one pool positive whose members got individual tests — one of them positive,
which leaves a pending case proposal for ``soyte`` to review.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction

from phongdich.core.models import User
from phongdich.demo.users import CITY, COMMUNE
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Person
from phongdich.policy.models import TestKind
from phongdich.testing import actions
from phongdich.testing.models import CaseProposal, Laboratory, Outcome, PlaceKind, Sample
from phongdich.testing.results import enter_result

TZ = datetime.timezone(datetime.timedelta(hours=7))
QUARANTINE_PLACE = "Khu cách ly tập trung Trường Cao đẳng Y tế Điện Biên"
CHECKPOINT_PLACE = "Chốt kiểm soát dịch Tuần Giáo (Quốc lộ 6)"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


class _Codes:
    def __init__(self) -> None:
        self.n = 0

    def next(self, prefix: str = "DB21") -> str:
        self.n += 1
        return f"{prefix}-{self.n:05d}"


def _first_test_day(level: Any) -> datetime.date:
    for value in level.test_dates or []:
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            continue
    return level.exposed_on + datetime.timedelta(days=1)


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    """Add this module's demo records to the demo outbreak; return a one-line summary ("" if nothing done)."""
    if Laboratory.objects.filter(code="cdc-dienbien").exists():
        return ""
    commune = AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, code=COMMUNE).first()
    city = AdminUnit.objects.filter(version=province.version, level=Level.DISTRICT, code=CITY).first()
    if commune is None or city is None:
        return ""
    with transaction.atomic():
        return _load(province, city, commune, random.Random(seed))  # noqa: S311 - demo data


def _load(province: AdminUnit, city: AdminUnit, commune: AdminUnit, rng: random.Random) -> str:
    from phongdich.tracing.models import PersonLevel

    soyte, lab_user = _user("soyte"), _user("xetnghiem")
    station, facility, checkpoint = _user("tramyte_muongphang"), _user("cosoyte"), _user("chot_tuangiao")
    cdc, _ = actions.create_lab(soyte, code="cdc-dienbien", name="CDC Điện Biên", unit=province, daily_capacity=2000)
    hospital, _ = actions.create_lab(
        soyte, code="bvdk-dienbien", name="Bệnh viện Đa khoa tỉnh Điện Biên", unit=city, daily_capacity=800
    )
    codes = _Codes()
    samples = results = 0

    # F1 of the outbreak in centralised quarantine: RT-PCR on their first test day, negative.
    f1 = list(
        PersonLevel.objects.filter(level=1, person__merged_into__isnull=True)
        .select_related("person")
        .order_by("person_id")[:24]
    )
    for level in f1:
        day = _first_test_day(level)
        if day > datetime.date(2021, 8, 31):
            continue
        taking = actions.Taking(
            barcode=codes.next(),
            place_kind=PlaceKind.QUARANTINE,
            place_name=QUARANTINE_PLACE,
            taken_at=_at(day, 8, rng.randrange(0, 59)),
            lab=cdc,
        )
        sample, _ = actions.take_sample(facility, level.person, taking)
        samples += 1
        enter_result(lab_user, cdc, sample.barcode or "", Outcome.NEGATIVE, None, _at(day, 19, rng.randrange(0, 59)))
        results += 1

    # Travellers at the checkpoint: rapid antigen tests; one positive (RT-PCR confirmation advised).
    ward_people = list(
        Person.objects.filter(district=city, merged_into__isnull=True, level__isnull=True, cases__isnull=True)
        .exclude(commune=commune)
        .order_by("id")[:6]
    )
    day = datetime.date(2021, 8, 16)
    for i, person in enumerate(ward_people):
        taking = actions.Taking(
            barcode=codes.next("TN21"),
            place_kind=PlaceKind.CHECKPOINT,
            place_name=CHECKPOINT_PLACE,
            test_kind=TestKind.ANTIGEN,
            taken_at=_at(day, 9 + i),
            lab=hospital,
        )
        sample, _ = actions.take_sample(checkpoint, person, taking)
        samples += 1
        outcome = Outcome.POSITIVE if i == 2 else Outcome.NEGATIVE
        enter_result(lab_user, hospital, sample.barcode or "", outcome, None, _at(day, 9 + i, 30))
        results += 1

    # Mass testing in Xã Mường Phăng: pools of 5 residents; one pool positive.
    campaign, _ = actions.create_campaign(
        soyte,
        name="Xét nghiệm diện rộng xã Mường Phăng",
        unit=commune,
        starts_on=datetime.date(2021, 8, 14),
        ends_on=datetime.date(2021, 8, 16),
        sites=["Trạm Y tế xã Mường Phăng", "Nhà văn hóa bản Phăng", "Điểm trường bản Kéo"],
    )
    residents = list(
        Person.objects.filter(
            commune=commune, merged_into__isnull=True, level__isnull=True, cases__isnull=True
        ).order_by("id")[:40]
    )
    pools = []
    for k in range(0, len(residents) - 4, 5):
        members = residents[k : k + 5]
        day = datetime.date(2021, 8, 14) + datetime.timedelta(days=(k // 5) % 3)
        taking = actions.Taking(
            barcode=codes.next("GP21"),
            place_kind=PlaceKind.CAMPAIGN_SITE,
            place_name=rng.choice(campaign.sites),
            taken_at=_at(day, 7, rng.randrange(0, 59)),
            campaign=campaign,
            lab=cdc,
        )
        pool, _ = actions.take_pool(station, members, taking, commune)
        pools.append((pool, members, day))
        samples += len(members)
    positive_pool = pools[1] if len(pools) > 1 else None
    for pool, _members, day in pools:
        outcome = Outcome.POSITIVE if positive_pool and pool.pk == positive_pool[0].pk else Outcome.NEGATIVE
        ct = rng.choice([28.4, 30.1, 31.7]) if outcome == Outcome.POSITIVE else None
        enter_result(lab_user, cdc, pool.barcode or "", outcome, _dec(ct), _at(day, 20))
        results += 1
    # The positive pool's members: individual samples the next day; one is positive.
    if positive_pool is not None:
        pool, members, day = positive_pool
        next_day = day + datetime.timedelta(days=1)
        for i, person in enumerate(members):
            taking = actions.Taking(
                barcode=codes.next(),
                place_kind=PlaceKind.HOME,
                place_name="",
                taken_at=_at(next_day, 8, 10 * i),
                lab=cdc,
            )
            sample, _ = actions.take_sample(station, person, taking)
            samples += 1
            outcome = Outcome.POSITIVE if i == 3 else Outcome.NEGATIVE
            enter_result(
                lab_user, cdc, sample.barcode or "", outcome, _dec(24.6 if i == 3 else None), _at(next_day, 18)
            )
            results += 1
    pending = CaseProposal.objects.filter(status=CaseProposal.Status.PENDING).count()
    queued = Sample.objects.filter(status="queued").count()
    return (
        f"Testing: 2 labs, {samples} persons sampled, {results} results, {len(pools)} pools, "
        f"{pending} case proposals to review, {queued} tests still queued."
    )


def _dec(value: float | None) -> Any:
    from decimal import Decimal

    return None if value is None else Decimal(str(value))
