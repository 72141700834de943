"""A demo outbreak in August 2021, made through the real actions (cases, contacts, teams).

Two clusters in Thành phố Điện Biên Phủ: one in Xã Mường Phăng (where the demo commune users
work) that grows over three generations, found first in the community and then among F1 in
quarantine; one smaller in a ward, found at a checkpoint, source unknown. Each case gets its
household and a few other contacts; some F1 have contacts of their own (F2, F3). Two tracing
teams are assigned, some tasks are marked found, one contact lives in another province (for an
inter-province notice), and one exposure site is published for the last few days so that the
public page has something to show. August 2021 falls under 5599/BYT-MT, so F1 go to
centralised quarantine for 14 days and tracing goes to F3.

Idempotent: nothing is done when the province already has a case.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from phongdich.cases.actions import create_case, create_cluster
from phongdich.cases.models import Case, ClinicalStatus, Cluster, DetectedBy
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Person, ResidenceStatus
from phongdich.policy.models import ContactSetting
from phongdich.tracing.contacts import add_contact
from phongdich.tracing.investigations import assign_teams, update_task
from phongdich.tracing.models import Agency, ContactSource, Proximity, TracingTask
from phongdich.tracing.teams import add_member, create_team

D = datetime.date
START = D(2021, 8, 5)


@dataclass
class Outbreak:
    rng: random.Random
    pool: dict[int, list[Person]]  # commune pk → adults available as contacts
    used: set[Any] = field(default_factory=set)
    cases: list[Case] = field(default_factory=list)
    contacts: int = 0

    def pick(self, commune: AdminUnit, n: int) -> list[Person]:
        free = [p for p in self.pool[commune.pk] if p.pk not in self.used]
        chosen = self.rng.sample(free, min(n, len(free)))
        self.used.update(p.pk for p in chosen)
        return chosen

    def meet(self, a: Person, b: Person, day: datetime.date, setting: str, days: int = 1) -> None:
        proximity = Proximity.WITHIN_2M if setting != ContactSetting.HOUSEHOLD else Proximity.DIRECT
        add_contact(
            None,
            a,
            b,
            first_date=day,
            last_date=day + datetime.timedelta(days=days - 1),
            setting=setting,
            proximity=proximity,
            minutes=self.rng.choice([20, 30, 45, 60, 120]),
            masked=self.rng.random() < 0.4,
            source=ContactSource.INTERVIEW,
        )
        self.contacts += 1


def _adults(commune: AdminUnit, limit: int = 3000) -> list[Person]:
    born_before = D(2003, 8, 1)
    return list(
        Person.objects.filter(
            commune=commune,
            merged_into__isnull=True,
            birth_date__lt=born_before,
            residence_status=ResidenceStatus.PERMANENT,
        ).order_by("id")[:limit]
    )


def _household(person: Person) -> list[Person]:
    if person.household_id is None:
        return []
    return list(Person.objects.filter(household_id=person.household_id, merged_into__isnull=True).exclude(pk=person.pk))


def _spread(ob: Outbreak, case_person: Person, commune: AdminUnit, confirmed: datetime.date, fan: int) -> list[Person]:
    """Contacts of one F0: the household and ``fan`` others; returns the others (possible next cases)."""
    exposure = confirmed - datetime.timedelta(days=2)
    for member in _household(case_person):
        ob.used.add(member.pk)
        ob.meet(case_person, member, exposure - datetime.timedelta(days=2), ContactSetting.HOUSEHOLD, days=3)
    others = ob.pick(commune, fan)
    for other in others:
        setting = ob.rng.choice([ContactSetting.WORKPLACE, ContactSetting.VENUE, ContactSetting.OTHER])
        ob.meet(case_person, other, exposure - datetime.timedelta(days=ob.rng.randint(0, 2)), setting)
        # Some F1 met people of their own afterwards (F2), and some of those met others (F3).
        if ob.rng.random() < 0.5:
            for f2 in ob.pick(commune, ob.rng.randint(1, 3)):
                ob.meet(other, f2, exposure + datetime.timedelta(days=1), ContactSetting.OTHER)
                if ob.rng.random() < 0.4:
                    for f3 in ob.pick(commune, 1):
                        ob.meet(f2, f3, exposure + datetime.timedelta(days=2), ContactSetting.VENUE)
    return others


def _confirm(
    ob: Outbreak, person: Person, confirmed: datetime.date, cluster: Cluster, detected_by: str, source_known: bool
) -> Case:
    case, _created = create_case(
        None,
        person,
        confirmed_on=confirmed,
        onset_date=confirmed - datetime.timedelta(days=ob.rng.randint(1, 3)),
        sample_date=confirmed - datetime.timedelta(days=1),
        detected_by=detected_by,
        source_known=source_known,
        source_note="" if source_known else "Chưa rõ nguồn lây",
        symptoms=ob.rng.sample(["sốt", "ho", "đau họng", "mệt mỏi", "mất vị giác"], ob.rng.randint(0, 3)),
        clinical_status=ob.rng.choice([ClinicalStatus.ASYMPTOMATIC, ClinicalStatus.MILD, ClinicalStatus.MODERATE]),
        cluster=cluster,
    )
    ob.cases.append(case)
    return case


def _teams(commune: AdminUnit, city: AdminUnit) -> list[Any]:
    commune_team = create_team(None, name=f"Tổ truy vết {commune.name}", unit=commune)
    for name, agency in (
        ("Lò Văn Thanh", Agency.POLICE),
        ("Quàng Thị Hoa", Agency.HEALTH),
        ("Lường Văn Dũng", Agency.COMMUNE),
        ("Cà Văn Tuấn", Agency.MILITARY),
    ):
        add_member(None, commune_team, full_name=name, agency=agency)
    city_team = create_team(None, name="Tổ truy vết CDC - Công an TP Điện Biên Phủ", unit=city)
    for name, agency in (
        ("Nguyễn Thị Lan", Agency.CDC),
        ("Trần Văn Hùng", Agency.POLICE),
        ("Giàng A Sử", Agency.BORDER_GUARD),
    ):
        add_member(None, city_team, full_name=name, agency=agency)
    return [commune_team, city_team]


@transaction.atomic
def build_outbreak(province: AdminUnit, commune_code: str, city_code: str, seed: int = 2021) -> dict[str, int]:
    if Case.objects.filter(province=province).exists():
        return {"cases": 0, "contacts": 0}
    commune = AdminUnit.objects.get(version=province.version, level=Level.COMMUNE, code=commune_code)
    city = AdminUnit.objects.get(version=province.version, level=Level.DISTRICT, code=city_code)
    ward = AdminUnit.objects.filter(district=city, level=Level.COMMUNE).exclude(pk=commune.pk).order_by("code").first()
    if ward is None:
        return {"cases": 0, "contacts": 0}
    rng = random.Random(seed)
    ob = Outbreak(rng, {commune.pk: _adults(commune), ward.pk: _adults(ward)})
    if len(ob.pool[commune.pk]) < 80 or len(ob.pool[ward.pk]) < 30:
        return {"cases": 0, "contacts": 0}
    teams = _teams(commune, city)

    # Cluster 1: three generations in Mường Phăng, found in the community, then in quarantine.
    village = AdminUnit.objects.filter(commune=commune, level=Level.VILLAGE).order_by("code").first()
    cluster1 = create_cluster(
        None,
        name=f"Ổ dịch {village.name if village else commune.name}",
        unit=commune,
        place=f"{village.name + ', ' if village else ''}{commune.name}",
        first_date=START,
        description="Ca đầu tiên phát hiện tại cộng đồng, chưa rõ nguồn lây.",
    )
    generation = [(ob.pick(commune, 1)[0], START)]
    for depth in range(3):
        next_generation = []
        for person, confirmed in generation:
            detected = DetectedBy.COMMUNITY if depth == 0 else DetectedBy.QUARANTINE
            _confirm(ob, person, confirmed, cluster1, detected, source_known=depth > 0)
            others = _spread(ob, person, commune, confirmed, fan=rng.randint(4, 7))
            if depth < 2:
                next_cases = rng.sample(others, min(len(others), rng.randint(1, 2)))
                next_generation += [(p, confirmed + datetime.timedelta(days=rng.randint(3, 6))) for p in next_cases]
        generation = next_generation

    # Cluster 2: a ward, found at a checkpoint, source unknown; one contact works in another province.
    cluster2 = create_cluster(
        None,
        name=f"Ổ dịch {ward.name}",
        unit=ward,
        place=ward.name,
        first_date=D(2021, 8, 12),
        description="Phát hiện tại chốt kiểm soát; chưa rõ nguồn lây.",
    )
    first = ob.pick(ward, 1)[0]
    _confirm(ob, first, D(2021, 8, 12), cluster2, DetectedBy.CHECKPOINT, source_known=False)
    others = _spread(ob, first, ward, D(2021, 8, 12), fan=5)
    away = (
        Person.objects.filter(
            commune=ward, merged_into__isnull=True, residence_status=ResidenceStatus.TEMPORARILY_ABSENT
        )
        .order_by("id")
        .first()
    )
    if away is not None:
        ob.meet(first, away, D(2021, 8, 10), ContactSetting.TRANSPORT)
    for infected in others[:2]:
        _confirm(ob, infected, D(2021, 8, 16), cluster2, DetectedBy.QUARANTINE, source_known=True)

    # Teams on every investigation; the first tasks found.
    for case in ob.cases:
        investigation = getattr(case, "investigation", None)
        if investigation is None:
            continue
        assign_teams(None, investigation, teams if case.cluster_id == cluster1.pk else teams[1:])
        for task in TracingTask.objects.filter(investigation=investigation).order_by("due_at")[:3]:
            update_task(None, task, status=TracingTask.Status.FOUND)

    _exposure_site(ward)
    return {"cases": len(ob.cases), "contacts": ob.contacts}


def _exposure_site(ward: AdminUnit) -> None:
    """A recent, published site (no case link: the public page shows only place and time)."""
    from phongdich.cases.models import ExposureSite

    now = timezone.now()
    ExposureSite.objects.create(
        name="Bến xe khách Điện Biên Phủ",
        address="Đường Trần Đăng Ninh, " + ward.name,
        starts_at=now - datetime.timedelta(days=3, hours=2),
        ends_at=now - datetime.timedelta(days=2),
        description=(
            "Người đã có mặt tại đây trong khung giờ trên: tự theo dõi sức khỏe, "
            "khai báo y tế và liên hệ trạm y tế xã/phường nơi cư trú."
        ),
        published=True,
        published_at=now,
        province_id=ward.province_id,
        district_id=ward.district_id,
        commune_id=ward.pk,
    )
