"""The community part of the demo outbreak (called by `manage.py demo_outbreak`). Idempotent.

In Xã Mường Phăng (03325): one Tổ COVID cộng đồng per bản, five to seven members with the usual
positions (Party cell secretary, village head, police, health worker, youth, veterans, elders), every
household of the bản assigned to a member, a few household groups (tổ liên gia), two citizens back
from Bắc Ninh, elderly people living alone added by the commune, and door-to-door visits from 20 to
31 August 2021 (the watch lists then include the home-quarantine and home-care people of the
quarantine and treatment demos). Some visits are missed on the last days, so the commune sees
overdue visits on 31/08/2021 (open the pages with ``?on=2021-08-31``); one visit finds symptoms.
The demo user ``toCOVID_muongphang`` is the village head of the first bản's team.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from phongdich.community import actions, watchlist
from phongdich.community.models import CommunityMember, CommunityTeam, Finding, Position, WatchReason
from phongdich.core.models import User
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.actions import set_residence
from phongdich.people.models import Household, Person, ResidenceStatus

COMMUNE_CODE = "03325"
DEMO_USER = "toCOVID_muongphang"
FIRST_DAY = datetime.date(2021, 8, 20)
LAST_DAY = datetime.date(2021, 8, 31)
MAX_VILLAGES = 60  # every bản of the commune (17 in the demo)
GROUP_SIZE = 5

FAMILY = ["Lò Văn", "Lò Thị", "Lường Văn", "Lường Thị", "Quàng Văn", "Quàng Thị", "Cà Văn", "Cà Thị",
          "Tòng Văn", "Tòng Thị", "Vì Văn", "Vì Thị", "Điêu Chính", "Hoàng Văn", "Nguyễn Thị"]  # fmt: skip
GIVEN = ["Pằn", "Xiêng", "Thoong", "Panh", "Khăm", "Hom", "Ỏn", "Inh", "Chiến", "Bun", "Hương", "Duyên",
         "Mai", "Thanh", "Ngoan", "Pọm", "Sương", "Lả", "Piếng", "Xuân", "Tiến", "Sơn", "Hùng", "Ánh"]  # fmt: skip
POSITIONS = [
    Position.VILLAGE_HEAD,
    Position.PARTY_SECRETARY,
    Position.POLICE,
    Position.HEALTH_WORKER,
    Position.YOUTH,
    Position.VETERANS,
    Position.ELDERS,
]
PHONE_PREFIXES = ["097", "098", "086", "091", "094", "088", "035", "036", "039"]
NOTES_SYMPTOMS = "Sốt, ho khan từ tối qua; đã báo trạm y tế xã."
NOTES_SUPPLIES = "Hộ cách ly cần gạo và rau, nhờ Đoàn thanh niên mang đến."
NOTES_VIOLATION = "Ra khỏi nhà đi nương trong thời gian cách ly, đã nhắc nhở."


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    t = datetime.time(rng.randint(7, 16), rng.choice([0, 10, 20, 30, 40, 50]))
    return timezone.make_aware(datetime.datetime.combine(day, t))


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(7))


def _members(rng: random.Random, team: CommunityTeam, demo_user: User | None) -> list[CommunityMember]:
    size = rng.randint(5, 7)
    members = []
    for i, position in enumerate(POSITIONS[:size]):
        if i == 0 and demo_user is not None:
            name, user = "Lò Văn Ún", demo_user
        else:
            name, user = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}", None
        member, _c = actions.add_member(None, team, full_name=name, position=position, phone=_phone(rng), user=user)
        members.append(member)
    return members


def _link_demo_user(team: CommunityTeam) -> str:
    user = User.objects.filter(username=DEMO_USER, is_active=True).select_related("unit").first()
    if user is None or user.unit_id != team.village_id or team.members.filter(user=user, active=True).exists():
        return ""
    head = team.members.filter(position=Position.VILLAGE_HEAD, active=True, user__isnull=True).first()
    if head is not None:
        actions.remove_member(None, head)
    actions.add_member(None, team, full_name="Lò Văn Ún", position=Position.VILLAGE_HEAD, phone="0912345678", user=user)
    return f"{DEMO_USER} linked to {team.name}."


def _returns(rng: random.Random, villages: list[AdminUnit]) -> int:
    """Two temporarily absent citizens come back from the provinces they worked in."""
    absent = list(
        Person.objects.filter(
            village__in=villages, residence_status=ResidenceStatus.TEMPORARILY_ABSENT, merged_into__isnull=True
        ).order_by("name_key", "id")[:40]
    )
    back = rng.sample(absent, min(2, len(absent)))
    for i, person in enumerate(back):
        set_residence(None, person, ResidenceStatus.PERMANENT, started_on=datetime.date(2021, 8, 24 + 3 * i))
    return len(back)


def _elderly(villages: list[AdminUnit]) -> int:
    old = Person.objects.filter(
        village__in=villages, birth_date__lte=datetime.date(1944, 1, 1), merged_into__isnull=True
    ).order_by("birth_date", "id")[:4]
    n = 0
    for person in old:
        _e, created = actions.add_watch_entry(
            None,
            person,
            reason=WatchReason.ELDERLY_ALONE,
            note="Sống một mình, cần hỗ trợ khi có dịch",
            starts_on=datetime.date(2021, 8, 18),
            ends_on=datetime.date(2021, 9, 30),
            visit_every_days=3,
        )
        n += int(created)
    return n


def _visits(
    rng: random.Random, teams: list[CommunityTeam], members: dict[object, list[CommunityMember]]
) -> tuple[int, int]:
    villages = [t.village for t in teams if t.village is not None]
    team_of = {t.village_id: t for t in teams}
    clock = timezone.make_aware(datetime.datetime.combine(LAST_DAY, datetime.time(20)))
    visits = findings = 0
    symptoms_done = False
    day = FIRST_DAY
    while day <= LAST_DAY:
        due = [row for row in watchlist.rows_for(villages, day) if row.due]
        for index, row in enumerate(due):
            # Most visits are made; on 30/08 every third one is missed and not caught up on 31/08,
            # so the commune sees overdue visits on the last day.
            if day == LAST_DAY - datetime.timedelta(days=1) and index % 3 == 0:
                continue
            if day == LAST_DAY and row.overdue:
                continue
            if day < LAST_DAY - datetime.timedelta(days=1) and rng.random() < 0.08:
                continue
            team = team_of[row.item.village_id]
            member = row.member or rng.choice(members[team.pk])
            temperature: Decimal | None = Decimal(rng.choice(["36.5", "36.6", "36.8", "37.0"]))
            finding, note = Finding.ALL_WELL, ""
            roll = rng.random()
            if not symptoms_done and row.item.kind == "home_quarantine" and day >= datetime.date(2021, 8, 28):
                finding, temperature, note, symptoms_done = Finding.SYMPTOMS, Decimal("38.4"), NOTES_SYMPTOMS, True
            elif roll < 0.03:
                finding, temperature, note = Finding.NOT_HOME, None, "Gọi điện không nghe máy."
            elif roll < 0.05:
                finding, note = Finding.NEEDS_SUPPLIES, NOTES_SUPPLIES
            elif roll < 0.06 and row.item.kind == "home_quarantine":
                finding, note = Finding.VIOLATION, NOTES_VIOLATION
            actions.record_visit(
                None,
                team,
                visited_at=_at(day, rng),
                finding=finding,
                person=Person.objects.get(pk=row.item.person_id),
                member=member,
                temperature=temperature,
                note=note,
                now=clock,
            )
            visits += 1
            findings += int(finding in (Finding.SYMPTOMS, Finding.VIOLATION, Finding.NEEDS_SUPPLIES))
        day += datetime.timedelta(days=1)
    if not symptoms_done and teams:
        # Nobody in home quarantine here: the health worker finds a fever at a door-to-door round.
        team = teams[0]
        person = Person.objects.filter(village_id=team.village_id, merged_into__isnull=True).order_by("id").first()
        if person is not None:
            actions.record_visit(
                None,
                team,
                visited_at=_at(datetime.date(2021, 8, 29), rng),
                finding=Finding.SYMPTOMS,
                person=person,
                temperature=Decimal("38.4"),
                note=NOTES_SYMPTOMS,
                now=clock,
            )
            visits, findings = visits + 1, findings + 1
    return visits, findings


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    """Add this module's demo records to the demo outbreak; return a one-line summary ("" if nothing done)."""
    commune = AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, code=COMMUNE_CODE).first()
    if commune is None or commune.province_id != province.pk:
        return ""
    villages = list(AdminUnit.objects.filter(level=Level.VILLAGE, parent=commune).order_by("code")[:MAX_VILLAGES])
    if not villages:
        return ""
    existing = list(CommunityTeam.objects.filter(commune=commune).order_by("village__code"))
    if existing:
        return _link_demo_user(existing[0])  # the demo users may have been created since
    return _build(random.Random(seed), villages)  # noqa: S311 - demo data, not secrets


@transaction.atomic
def _build(rng: random.Random, villages: list[AdminUnit]) -> str:
    demo_user = User.objects.filter(username=DEMO_USER, is_active=True, unit=villages[0]).first()
    teams: list[CommunityTeam] = []
    members: dict[object, list[CommunityMember]] = {}
    groups = 0
    for i, village in enumerate(villages):
        team, _c = actions.create_team(None, name=f"Tổ COVID cộng đồng {village.name}", village=village)
        teams.append(team)
        crew = _members(rng, team, demo_user if i == 0 else None)
        members[team.pk] = list(crew)
        households = list(Household.objects.filter(village=village).order_by("code"))
        for j, member in enumerate(crew):
            mine = households[j :: len(crew)]
            if mine:
                actions.assign_households(None, member, mine)
        if i < 4:
            for k in range(0, min(len(households), 4 * GROUP_SIZE), GROUP_SIZE):
                chunk = households[k : k + GROUP_SIZE]
                actions.create_group(
                    None, name=f"Tổ liên gia số {k // GROUP_SIZE + 1}", village=village, households=chunk
                )
                groups += 1
    returned = _returns(rng, villages)
    elderly = _elderly(villages)
    visits, findings = _visits(rng, teams, members)
    n_members = sum(len(m) for m in members.values())
    overdue = len(watchlist.overdue_by_team(teams, LAST_DAY)[1])
    return (
        f"Community: {len(teams)} teams, {n_members} members, {groups} household groups, {returned} returns, "
        f"{elderly} elderly added, {visits} visits ({findings} findings), {overdue} overdue on 31/08/2021."
    )
