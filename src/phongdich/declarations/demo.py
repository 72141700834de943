"""The declarations part of the demo (called by `manage.py demo_outbreak`). Idempotent.

Through the real actions: three venues in Thành phố Điện Biên Phủ (chợ Mường Thanh, bến xe khách
Điện Biên, a supermarket) with a few hundred check-ins in August 2021 — some at the same venue
within the hour of a demo F0 (an outbreak case), so the check-in candidate source, run for
those cases, leaves contact candidates for the tracers — and about 50 declarations of workers
returning from the southern and northern hot spots to Xã Mường Phăng (03325), some with
symptoms or exposures, some of them citizens listed as temporarily absent (flag: returning).
"""

from __future__ import annotations

import datetime
import random
import uuid

from django.db import transaction

from phongdich.cases.models import Case, CaseStatus
from phongdich.declarations import actions
from phongdich.declarations.actions import CheckInData, DeclarationData, PlaceVisit, VenueData
from phongdich.declarations.candidates import checkin_candidates
from phongdich.declarations.models import Channel, CheckIn, Declaration, DeclarationKind, Transport, Venue, VenueKind
from phongdich.demo.users import CITY, COMMUNE
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Person, ResidenceStatus

TZ = datetime.timezone(datetime.timedelta(hours=7))
VENUES = (
    ("Chợ Mường Thanh", VenueKind.MARKET, "Phường Mường Thanh", "Đường Hoàng Văn Thái"),
    ("Bến xe khách Điện Biên", VenueKind.BUS_STATION, "Phường Thanh Bình", "Đường Trần Đăng Ninh"),
    ("Siêu thị Điện Biên", VenueKind.SUPERMARKET, "Phường Him Lam", "Đường Võ Nguyên Giáp"),
)
# Where the returning workers come from (province codes): Hà Nội, Bắc Ninh, Bắc Giang, Bình Dương, TP HCM.
ORIGINS = ("01", "27", "24", "74", "79")
NAMESPACE = uuid.UUID("0e7c1c0e-5a43-4a57-9a1b-3c1d2d5e6f70")


def _key(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _ward(city: AdminUnit, name: str) -> AdminUnit | None:
    from phongdich.core.text import fold

    wards = AdminUnit.objects.filter(district=city, level=Level.COMMUNE)
    return wards.filter(name_key=fold(name)).first() or wards.order_by("code").first()


def _venues(city: AdminUnit) -> list[Venue]:
    venues = []
    for name, kind, ward_name, street in VENUES:
        ward = _ward(city, ward_name)
        if ward is None:
            continue
        venue, _created = actions.create_venue(
            None,
            VenueData(name=name, unit=ward, kind=kind, address=f"{street}, {ward.name}"),
            client_uuid=_key("venue", name),
        )
        venues.append(venue)
    return venues


def _checkins(rng: random.Random, venues: list[Venue], people: list[Person], cases: list[Case]) -> int:
    n = 0

    def visit(venue: Venue, person: Person, at: datetime.datetime, tag: str) -> None:
        nonlocal n
        data = CheckInData(phone=person.phone, id_number=person.id_number, full_name=person.full_name, checked_in_at=at)
        _checkin, created = actions.check_in(
            venue, data, client_uuid=_key("checkin", tag), channel=CheckIn.Channel.DEMO
        )
        n += created

    # Background: people shopping and travelling through August 2021.
    for i in range(300):
        day = datetime.date(2021, 8, 1) + datetime.timedelta(days=rng.randrange(25))
        visit(rng.choice(venues), rng.choice(people), _at(day, rng.randint(6, 19), rng.randrange(60)), f"bg{i}")
    # The F0s at the market on the day before their sample, with neighbours around them.
    for j, case in enumerate(cases):
        day = max(datetime.date(2021, 8, 1), (case.sample_date or case.confirmed_on) - datetime.timedelta(days=1))
        venue = venues[j % len(venues)]
        at = _at(day, 9 + j % 4, 15)
        visit(venue, case.person, at, f"f0-{case.pk}")
        for k in range(rng.randint(3, 6)):
            other = rng.choice(people)
            visit(venue, other, at + datetime.timedelta(minutes=rng.randint(-55, 55)), f"near-{case.pk}-{k}")
    return n


def _declarations(rng: random.Random, commune: AdminUnit) -> int:
    origins = list(AdminUnit.objects.filter(version=commune.version, level=Level.PROVINCE, code__in=ORIGINS))
    if not origins:
        return 0
    absent = list(
        Person.objects.filter(
            commune=commune, residence_status=ResidenceStatus.TEMPORARILY_ABSENT, merged_into__isnull=True
        )
        .exclude(phone="")
        .order_by("id")[:30]
    )
    residents = Person.objects.filter(commune=commune, merged_into__isnull=True).exclude(phone="")
    others = list(residents.exclude(pk__in=[p.pk for p in absent]).order_by("id")[: max(0, 50 - len(absent))])
    travellers = absent + others
    n = 0
    for i, person in enumerate(travellers[:50]):
        travel = datetime.date(2021, 8, 2) + datetime.timedelta(days=rng.randrange(20))
        origin = rng.choice(origins)
        declared_at = _at(travel, rng.randint(5, 20), rng.randrange(60))
        data = DeclarationData(
            kind=DeclarationKind.ARRIVAL_PROVINCE,
            full_name=person.full_name,
            phone=person.phone,
            destination=person.village or commune,
            id_number=person.id_number,
            birth_date=person.birth_date,
            birth_year=person.birth_year,
            sex=person.sex,
            address=person.address,
            origin_province=origin,
            travel_date=travel,
            transport=rng.choice([Transport.COACH, Transport.COACH, Transport.MOTORBIKE, Transport.CAR]),
            vehicle_number=f"27B-{rng.randrange(100, 999)}.{rng.randrange(10, 99)}" if rng.random() < 0.6 else "",
            places=[PlaceVisit(name=f"Khu công nghiệp ở {origin.name}", date=travel - datetime.timedelta(days=2))],
            symptoms=rng.sample(["fever", "cough", "sore_throat", "fatigue"], 1) if rng.random() < 0.12 else [],
            exposures=["confirmed_case"] if rng.random() < 0.08 else [],
            declared_at=declared_at,
        )
        try:
            _declaration, created = actions.submit_declaration(
                data, client_uuid=_key("declaration", i), channel=Channel.DEMO
            )
        except actions.DeclarationError:
            continue  # a generated person whose data the form would refuse: skip
        n += created
    return n


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    """Add this module's demo records; return a one-line summary ("" if nothing done)."""
    city = AdminUnit.objects.filter(version=province.version, level=Level.DISTRICT, code=CITY).first()
    commune = AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, code=COMMUNE).first()
    if city is None or commune is None:
        return ""
    if Venue.objects.filter(client_uuid=_key("venue", VENUES[0][0])).exists():
        return ""
    rng = random.Random(seed)  # noqa: S311 - demo data
    people = list(Person.objects.filter(district=city, merged_into__isnull=True).exclude(phone="").order_by("id")[:400])
    if len(people) < 20:
        return ""
    cases = list(
        Case.objects.filter(province=province, status=CaseStatus.CONFIRMED)
        .select_related("person")
        .order_by("confirmed_on", "code")[:4]
    )
    with transaction.atomic():
        venues = _venues(city)
        if not venues:
            return ""
        checkins = _checkins(rng, venues, people, cases)
        # The cases were confirmed before these check-ins existed: run the candidate source now,
        # as it runs inside the confirming transaction of a new case.
        candidates = len(checkin_candidates(cases))
        declarations = _declarations(rng, commune)
    flagged = Declaration.objects.filter(commune=commune, flags__isnull=False).distinct().count()
    return (
        f"Declarations: {len(venues)} venues, {checkins} check-ins, {candidates} check-in contact candidates, "
        f"{declarations} declarations into {commune.name} ({flagged} flagged)"
    )
