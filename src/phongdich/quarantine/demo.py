"""The quarantine part of the demo outbreak (called by `manage.py demo_outbreak`). Idempotent.

Two facilities in Thành phố Điện Biên Phủ: the centralised camp of Trường Cao đẳng Y tế Điện Biên
(men's, women's and family rooms, some beds left empty for spacing) and a paid hotel. The outbreak's
F1 whose level says centralised quarantine are placed through ``place_people`` (a few into the
hotel by choice), by entry day; those whose 14 days ended before 25/08/2021 are released; a few
days of health checks, one violation. A few F2 of Xã Mường Phăng go into home quarantine, so that
the community team has a watch list.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from phongdich.core.models import User
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Person
from phongdich.policy.models import Handling
from phongdich.quarantine import actions
from phongdich.quarantine.models import Facility, FacilityKind, IncidentKind, Placement, PlacementStatus, RoomSex
from phongdich.tracing.models import PersonLevel

CAMP = "Trường Cao đẳng Y tế Điện Biên"
HOTEL = "Khách sạn Mường Thanh Điện Biên Phủ"
RELEASE_BY = datetime.date(2021, 8, 25)
LAST_DAY = datetime.date(2021, 8, 31)


def _facilities(city: AdminUnit, ward: AdminUnit, actor: User | None) -> tuple[Facility, Facility]:
    camp, _ = actions.create_facility(
        actor,
        name=CAMP,
        kind=FacilityKind.CENTRALISED,
        unit=ward,
        address="Tổ dân phố 6, phường Him Lam",
        meal_cost_per_day=80000,
    )
    for i in range(1, 9):
        actions.add_room(actor, camp, name=f"A{100 + i}", beds=6, usable_beds=4, sex=RoomSex.MALE)
        actions.add_room(actor, camp, name=f"B{100 + i}", beds=6, usable_beds=4, sex=RoomSex.FEMALE)
    for i in range(1, 7):
        actions.add_room(actor, camp, name=f"C{100 + i}", beds=4)
    hotel, _ = actions.create_facility(
        actor,
        name=HOTEL,
        kind=FacilityKind.PAID,
        unit=ward,
        address="Đường Trường Chinh, phường Him Lam",
        meal_cost_per_day=150000,
        lodging_cost_per_day=350000,
    )
    for i in range(1, 9):
        actions.add_room(actor, hotel, name=f"{200 + i}", beds=2)
    return camp, hotel


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    """Add this module's demo records to the demo outbreak; return a one-line summary ("" if nothing done)."""
    if Facility.objects.filter(name=CAMP, province=province).exists():
        return ""
    city = AdminUnit.objects.filter(level=Level.DISTRICT, code="094", province=province).first()
    commune = AdminUnit.objects.filter(level=Level.COMMUNE, code="03325", province=province).first()
    if city is None or commune is None:
        return ""
    ward = (
        AdminUnit.objects.filter(level=Level.COMMUNE, district=city, name__icontains="Him Lam").first()
        or AdminUnit.objects.filter(level=Level.COMMUNE, district=city).exclude(pk=commune.pk).order_by("code").first()
        or commune
    )
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    actor = User.objects.filter(username="soyte").first()
    station = User.objects.filter(username="tramyte_muongphang").first() or actor
    camp, hotel = _facilities(city, ward, actor)

    levels = list(
        PersonLevel.objects.filter(person__province=province, level=1, handling=Handling.CENTRALISED)
        .select_related("person")
        .order_by("exposed_on", "person_id")
    )
    by_day: dict[datetime.date, list[Person]] = defaultdict(list)
    for lv in levels:
        by_day[min(lv.exposed_on + datetime.timedelta(days=2), LAST_DAY)].append(lv.person)
    placed: list[Placement] = []
    refused = 0
    hotel_guests = 0
    for entered, people in sorted(by_day.items()):
        if hotel_guests < 2 and people:  # a family that chose the paid hotel
            guest = people.pop(0)
            try:
                p, _ = actions.place_person(actor, guest, hotel, entered_on=entered)
                placed.append(p)
                hotel_guests += 1
            except actions.QuarantineError:
                refused += 1
        if not people:
            continue
        result = actions.place_people(actor, people, [camp], entered_on=entered, all_or_nothing=False)
        placed.extend(result.placements)
        refused += len(result.refused)

    checks = 0
    for p in placed[:24]:
        for d in range(3):
            day = p.entered_on + datetime.timedelta(days=d)
            temp = round(rng.uniform(36.2, 37.2), 1) if rng.random() > 0.1 else 37.9
            symptoms = ["cough"] if temp > 37.5 else []
            actions.record_check(station, p, checked_on=day, temperature=str(temp), symptoms=symptoms)
            checks += 1
    violations = 0
    if len(placed) > 3:
        actions.record_incident(
            station,
            placed[3],
            kind=IncidentKind.VIOLATION,
            occurred_on=placed[3].entered_on + datetime.timedelta(days=2),
            description="Người nhà gửi đồ ăn vào phòng, tiếp xúc trực tiếp qua cửa sổ",
        )
        violations = 1
    released = 0
    for p in placed:
        p.refresh_from_db(fields=["status"])
        if p.status == PlacementStatus.ACTIVE and p.end_date <= RELEASE_BY:
            actions.release(station, p, on=p.end_date)
            released += 1

    home = actions.home_facility_for(commune)
    f2 = list(
        PersonLevel.objects.filter(person__commune=commune, level=2, handling=Handling.HOME)
        .select_related("person")
        .order_by("exposed_on", "person_id")[:8]
    )
    at_home = 0
    for lv in f2:
        try:
            actions.place_person(
                station, lv.person, home, entered_on=min(lv.exposed_on + datetime.timedelta(days=2), LAST_DAY)
            )
            at_home += 1
        except actions.QuarantineError:
            continue
    return (
        f"Quarantine: 2 facilities, {len(placed)} F1 placed ({refused} not), {released} released, "
        f"{checks} health checks, {violations} violation, {at_home} F2 in home quarantine."
    )
