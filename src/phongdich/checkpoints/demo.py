"""The checkpoints part of the demo (called by `manage.py demo_outbreak`). Idempotent.

Three checkpoints (Tuần Giáo on National Road 6, the Tây Trang border gate, a ferry landing on
the Đà river at Mường Lay), a shift at each, and August-2021 passages through the real actions:
citizens on the absent lists coming home to Xã Mường Phăng, a coach with passengers, a car over
capacity (its violation), one traveller sent to quarantine, one turned back.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from phongdich.checkpoints import actions
from phongdich.checkpoints.models import Checkpoint, CheckpointKind, PassageOutcome
from phongdich.core.models import User
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Person, ResidenceStatus

TUAN_GIAO = "Chốt kiểm soát Tuần Giáo"
TZ = timezone.get_fixed_timezone(7 * 60)


def _at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2021, 8, day, hour, minute, tzinfo=TZ)


def _district(province: AdminUnit, code: str) -> AdminUnit | None:
    return AdminUnit.objects.filter(level=Level.DISTRICT, code=code, province=province).first()


def _first_commune(district: AdminUnit | None) -> AdminUnit | None:
    if district is None:
        return None
    return AdminUnit.objects.filter(level=Level.COMMUNE, district=district).order_by("code").first()


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    """Add this module's demo records; return a one-line summary ("" if nothing done)."""
    if Checkpoint.objects.filter(name=TUAN_GIAO, province=province).exists():
        return ""
    tuan_giao = _district(province, "099")
    dien_bien = _district(province, "100")
    muong_lay = _district(province, "095")
    commune = AdminUnit.objects.filter(level=Level.COMMUNE, code="03325", province=province).first()
    if tuan_giao is None or commune is None:
        return ""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    officer = User.objects.filter(username="chot_tuangiao").first()
    manager = User.objects.filter(username="soyte").first() or officer
    son_la = AdminUnit.objects.filter(level=Level.PROVINCE, version=province.version, code="14").first()
    ha_noi = AdminUnit.objects.filter(level=Level.PROVINCE, version=province.version, code="01").first()
    binh_duong = AdminUnit.objects.filter(level=Level.PROVINCE, version=province.version, code="74").first()

    road, _ = actions.create_checkpoint(
        manager, name=TUAN_GIAO, kind=CheckpointKind.ROAD, unit=tuan_giao, place="Quốc lộ 6, đèo Pha Đin"
    )
    border = ferry = None
    if dien_bien is not None:
        border, _ = actions.create_checkpoint(
            manager,
            name="Cửa khẩu quốc tế Tây Trang",
            kind=CheckpointKind.BORDER_GATE,
            unit=_first_commune(dien_bien) or dien_bien,
            place="Quốc lộ 279, biên giới Việt Nam – Lào",
        )
    if muong_lay is not None:
        ferry, _ = actions.create_checkpoint(
            manager,
            name="Bến đò sông Đà Mường Lay",
            kind=CheckpointKind.WATERWAY,
            unit=_first_commune(muong_lay) or muong_lay,
            place="Bến đò trên sông Đà",
        )
    officers = [officer] if officer is not None else []
    for cp in (road, border, ferry):
        if cp is not None:
            actions.start_shift(
                manager,
                cp,
                officers if cp is road else [],
                starts_at=_at(10, 6),
                ends_at=_at(31, 22),
                note="Ca trực tháng 8/2021",
            )

    # Citizens on Mường Phăng's absent list coming home through Tuần Giáo.
    away = list(
        Person.objects.filter(
            commune=commune, merged_into__isnull=True, residence_status=ResidenceStatus.TEMPORARILY_ABSENT
        ).order_by("id")[:24]
    )
    if len(away) < 12:  # the demo population keeps few absent residents: some residents come home from work
        away += list(
            Person.objects.filter(commune=commune, merged_into__isnull=True, id_number__isnull=False)
            .exclude(pk__in=[p.pk for p in away])
            .order_by("id")[: 24 - len(away)]
        )
    passages = 0
    origins = [o for o in (binh_duong, ha_noi, son_la) if o is not None]
    for i, person in enumerate(away[:18]):
        day, hour = 10 + i % 18, 7 + rng.randrange(12)
        outcome = PassageOutcome.HOME_MONITORING if i % 3 else PassageOutcome.LET_THROUGH
        if i == 5:
            outcome = PassageOutcome.SENT_FOR_TESTING
        if i == 9 and origins:
            outcome = PassageOutcome.SENT_TO_QUARANTINE
        try:
            actions.record_passage(
                officer,
                road,
                person,
                outcome=outcome,
                passed_at=_at(day, hour, rng.randrange(60)),
                origin=rng.choice(origins) if origins else None,
                destination_commune=commune,
                note="Công dân về địa phương",
            )
            passages += 1
        except actions.CheckpointError:
            continue

    # A coach from Hà Nội with passengers for Mường Phăng, and a car over capacity.
    riders = away[18:24]
    coach_passengers = [actions.Passenger(p, PassageOutcome.HOME_MONITORING, commune) for p in riders[:4]]
    vehicles = 0
    try:
        actions.record_vehicle_passage(
            officer,
            road,
            plate="29B-123.45",
            kind="coach",
            seats=29,
            passengers=coach_passengers,
            people_carried=max(len(coach_passengers), 18),
            origin=ha_noi,
            destination=commune,
            passed_at=_at(14, 16, 20),
        )
        vehicles += 1
        passages += len(coach_passengers)
        car_passengers = [actions.Passenger(p, PassageOutcome.LET_THROUGH, commune) for p in riders[4:6]]
        actions.record_vehicle_passage(
            officer,
            road,
            plate="27A-045.67",
            kind="car",
            seats=4,
            passengers=car_passengers,
            people_carried=7,
            origin=son_la,
            destination=commune,
            passed_at=_at(16, 21, 5),
        )
        vehicles += 1
        passages += len(car_passengers)
    except actions.CheckpointError:
        pass
    if away:
        actions.record_passage(
            officer, road, away[0], outcome=PassageOutcome.TURNED_BACK, direction="out", passed_at=_at(20, 9, 30)
        )
        passages += 1
    count = Checkpoint.objects.filter(province=province).count()
    return f"Checkpoints: {count} checkpoints, {passages} passages, {vehicles} vehicles"
