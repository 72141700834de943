"""The treatment part of the demo outbreak (called by `manage.py demo_outbreak`). Idempotent.

Facilities of Thành phố Điện Biên Phủ (the provincial hospital with its ICU and ventilators, the
city health centre, a collection facility opened on 6 August 2021, the provincial ICU unit, and
a field hospital in Mường Phăng not yet activated). The outbreak's F0 are admitted at the tier
their severity calls for, or — asymptomatic or mild, and eligible under 5599/BYT-MT — cared
for at home in Xã Mường Phăng by the commune health station with daily checks. One moderate
patient worsens and is transferred up to the ICU; one patient at home shows warning signs and
is moved to the health centre; the earliest cases recover and are discharged after 14 days.
Everything goes through ``treatment.actions``; a second call finds the facilities and does nothing.
"""

from __future__ import annotations

import datetime
import random
import uuid
from decimal import Decimal

from django.db import transaction

from phongdich.cases.models import Case, CaseStatus, ClinicalStatus, Outcome
from phongdich.core.models import User
from phongdich.geo.models import AdminUnit, Level
from phongdich.treatment import actions
from phongdich.treatment.models import BedKind, Facility, FacilityKind, HomeCare, tier_for

D = datetime.date
NS = uuid.UUID("6f1f0d1e-6a4e-4c1e-9c55-2021081100aa")
CITY_CODE = "094"
COMMUNE_CODE = "03325"

# (key, name, kind, tier, beds, staff, active from)
FACILITIES: list[tuple[str, str, str, int, dict[str, int], int, datetime.date | None]] = [
    (
        "bvdk",
        "Bệnh viện Đa khoa tỉnh Điện Biên",
        FacilityKind.PROVINCIAL_HOSPITAL,
        3,
        {BedKind.ORDINARY: 120, BedKind.OXYGEN: 40, BedKind.ICU: 12, BedKind.VENTILATOR: 6},
        480,
        None,
    ),
    (
        "ttyt",
        "Trung tâm Y tế thành phố Điện Biên Phủ",
        FacilityKind.HEALTH_CENTRE,
        2,
        {BedKind.ORDINARY: 60, BedKind.OXYGEN: 15},
        130,
        None,
    ),
    (
        "thudung",
        "Cơ sở thu dung, điều trị COVID-19 số 1 (Trường Cao đẳng Y tế Điện Biên)",
        FacilityKind.COLLECTION,
        1,
        {BedKind.ORDINARY: 200, BedKind.OXYGEN: 10},
        40,
        D(2021, 8, 6),
    ),
    (
        "icu",
        "Khu Hồi sức tích cực COVID-19 (Bệnh viện Đa khoa tỉnh)",
        FacilityKind.ICU_CENTRE,
        3,
        {BedKind.ICU: 10, BedKind.VENTILATOR: 8},
        65,
        None,
    ),
    (
        "dachien",
        "Bệnh viện dã chiến Mường Phăng",
        FacilityKind.FIELD_HOSPITAL,
        1,
        {BedKind.ORDINARY: 100},
        0,
        None,
    ),
]


def _key(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NS, "/".join(str(p) for p in parts))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    """Add this module's demo records to the demo outbreak; return a one-line summary ("" if nothing done)."""
    if Facility.objects.filter(client_uuid=_key("facility", "bvdk")).exists():
        return ""
    city = AdminUnit.objects.filter(version=province.version, level=Level.DISTRICT, code=CITY_CODE).first()
    commune = AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, code=COMMUNE_CODE).first()
    if city is None or commune is None or city.province_id != province.pk:
        return ""
    with transaction.atomic():
        return _load(province, city, commune, random.Random(seed))  # noqa: S311 (demo data)


def _load(province: AdminUnit, city: AdminUnit, commune: AdminUnit, rng: random.Random) -> str:
    manager = _user("soyte")
    staff = _user("cosoyte")
    station = _user("tramyte_muongphang")
    f: dict[str, Facility] = {}
    for key, name, kind, tier, beds, staff_count, opened in FACILITIES:
        unit = commune if key == "dachien" else city
        f[key], _ = actions.create_facility(
            manager,
            name=name,
            kind=kind,
            tier=tier,
            unit=unit,
            beds={str(k): v for k, v in beds.items()},
            staff_count=staff_count,
            active=opened is not None if kind in (FacilityKind.COLLECTION, FacilityKind.FIELD_HOSPITAL) else None,
            activated_on=opened,
            client_uuid=_key("facility", key),
        )
    cases = list(
        Case.objects.filter(province=province, status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
        .select_related("person")
        .order_by("confirmed_on", "code")
    )
    admitted = home_care = transfers = recovered = entries = 0
    stays = []
    homes: list[HomeCare] = []
    for case in cases:
        day = case.confirmed_on
        at_home = case.commune_id == commune.pk and case.clinical_status in (
            ClinicalStatus.ASYMPTOMATIC,
            ClinicalStatus.MILD,
        )
        if at_home:  # eligible F0 of Mường Phăng at home; the others in the collection facility
            try:
                home, _ = actions.start_home_care(station, case, on=day, client_uuid=_key("home", case.pk))
            except actions.TreatmentError:  # not eligible (age, condition): admitted instead
                pass
            else:
                homes.append(home)
                home_care += 1
                continue
        required = tier_for(case.clinical_status)
        target, bed = {1: (f["thudung"], BedKind.ORDINARY), 2: (f["ttyt"], BedKind.OXYGEN)}.get(
            required, (f["icu"], BedKind.ICU)
        )
        stay, _ = actions.admit(staff, case, target, bed_kind=bed, on=day, client_uuid=_key("admit", case.pk))
        stays.append(stay)
        admitted += 1

    # One moderate patient worsens on day 3 and goes up to the ICU.
    moderate = next((s for s in stays if s.severity == ClinicalStatus.MODERATE), None)
    if moderate is not None:
        worse = moderate.admitted_on + datetime.timedelta(days=2)
        actions.reassess(staff, moderate, severity=ClinicalStatus.SEVERE, on=worse, spo2=91, client_uuid=_key("re", 1))
        up, _ = actions.transfer(
            staff,
            moderate,
            f["icu"],
            bed_kind=BedKind.ICU,
            on=worse,
            reason="SpO2 91 %, thở nhanh",
            client_uuid=_key("transfer", 1),
        )
        stays[stays.index(moderate)] = up
        transfers += 1

    # Daily checks at home for the first week; one patient shows warning signs on day 4.
    for n, home in enumerate(homes):
        warn_on = 4 if n == 0 and len(homes) > 1 else None
        for d in range(1, 8):
            on = home.started_on + datetime.timedelta(days=d)
            if on > D(2021, 8, 31):
                break
            signs = ["breathless"] if d == warn_on else []
            spo2 = 94 if signs else rng.randint(96, 99)
            temperature = Decimal("38.4") if signs else Decimal(f"{rng.choice([36.6, 36.8, 37.0, 37.2, 37.5])}")
            actions.record_monitoring(
                station,
                home,
                on=on,
                spo2=spo2,
                temperature=temperature,
                symptoms=["ho"] if d < 3 or signs else [],
                warning_signs=signs,
                client_uuid=_key("check", home.pk, d),
            )
            entries += 1
            if signs:
                actions.escalate_home_care(
                    station,
                    home,
                    f["ttyt"],
                    bed_kind=BedKind.OXYGEN,
                    severity=ClinicalStatus.MODERATE,
                    on=on,
                    client_uuid=_key("escalate", home.pk),
                )
                break

    # The earliest cases recover after 14 days (a negative RT-PCR) and leave.
    for stay in [s for s in stays if s.ended_on is None][:3]:
        actions.discharge(staff, stay, outcome="recovered", on=stay.case.confirmed_on + datetime.timedelta(days=14))
        recovered += 1
    still_home = HomeCare.objects.filter(pk__in=[h.pk for h in homes], status="active").order_by("started_on", "pk")
    for home in list(still_home)[: max(len(still_home) - 2, 0)]:  # keep two at home for the station's pages
        actions.end_home_care(station, home, outcome="recovered", on=home.started_on + datetime.timedelta(days=10))
        recovered += 1
    return (
        f"Treatment: {len(f)} facilities, {admitted} admitted, {home_care} at home ({entries} checks), "
        f"{transfers} transferred up, {recovered} recovered."
    )
