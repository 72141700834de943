"""Every change of the community app: teams, members, households watched, watch entries, visits, alerts.

Each function is atomic and writes an audit row. The callers (pages, API) have already checked the
permission and fetched the records through ``core.access``; these functions check what the data
itself must satisfy (a member of this team, a person of this village, a visit not in the future)
and raise :class:`CommunityError` — nothing is written then.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.community.models import (
    ACTION_FINDINGS,
    CommunityMember,
    CommunityTeam,
    Finding,
    HouseholdAssignment,
    HouseholdGroup,
    HouseholdGroupMember,
    Position,
    Visit,
    WatchEntry,
    WatchReason,
)
from phongdich.core.audit import record_change, snapshot
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Household, Person
from phongdich.people.validation import normalize_phone

if TYPE_CHECKING:
    from phongdich.core.models import User

TEAM_FIELDS = ["name", "active", "province", "district", "commune", "village"]
MEMBER_FIELDS = ["team", "full_name", "position", "phone", "user", "active"]
ENTRY_FIELDS = ["person", "reason", "note", "starts_on", "ends_on", "visit_every_days", "ended_at", "village"]
VISIT_FIELDS = [
    "team",
    "member",
    "person",
    "household",
    "visited_at",
    "finding",
    "temperature",
    "note",
    "needs_action",
    "handled_at",
    "handled_note",
]
GROUP_FIELDS = ["name", "leader", "active", "village"]

# A visit may be recorded this long after it happened (a phone offline for days), and a clock
# this far ahead of the server's is tolerated.
MAX_VISIT_AGE = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(minutes=10)
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))
MAX_WATCH_DAYS = 366
MAX_VISIT_EVERY_DAYS = 30


class CommunityError(Exception):
    """A refused change: a message for the user, the HTTP status, the field at fault (if any)."""

    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def _clean_name(value: str, field: str, message: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise CommunityError(message, field=field)
    return value[:120]


def _phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise CommunityError(_("Not a valid phone number."), field="phone") from exc


def _require_village(unit: AdminUnit | None) -> AdminUnit:
    if unit is None or unit.level != Level.VILLAGE:
        raise CommunityError(_("A community team belongs to a village or residential group."), field="village_id")
    return unit


# Teams ---------------------------------------------------------------------------------


@transaction.atomic
def create_team(
    actor: User | None,
    *,
    name: str,
    village: AdminUnit,
    active: bool = True,
    client_uuid: uuid.UUID | None = None,
) -> tuple[CommunityTeam, bool]:
    """A new team of a village; a retry with the same ``client_uuid`` returns the first one."""
    if client_uuid is not None:
        existing = CommunityTeam.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    village = _require_village(village)
    name = _clean_name(name, "name", _("Give the team a name."))
    team = CommunityTeam(
        client_uuid=client_uuid,
        name=name,
        active=active,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **lineage_columns(village),
    )
    team.save()
    record_change(actor, "community.team_create", team, None, snapshot(team, TEAM_FIELDS))
    return team, True


@transaction.atomic
def update_team(
    actor: User | None, team: CommunityTeam, *, name: str | None = None, active: bool | None = None
) -> None:
    before = snapshot(team, TEAM_FIELDS)
    fields = []
    if name is not None:
        team.name = _clean_name(name, "name", _("Give the team a name."))
        fields.append("name")
    if active is not None:
        team.active = active
        fields.append("active")
    if fields:
        team.save(update_fields=fields)
        record_change(actor, "community.team_update", team, before, snapshot(team, TEAM_FIELDS))


@transaction.atomic
def add_member(
    actor: User | None,
    team: CommunityTeam,
    *,
    full_name: str,
    position: str,
    phone: str = "",
    user: User | None = None,
    client_uuid: uuid.UUID | None = None,
) -> tuple[CommunityMember, bool]:
    """Add a member; ``user`` links the member's account (a community user of the team's village)."""
    if client_uuid is not None:
        existing = CommunityMember.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    full_name = _clean_name(full_name, "full_name", _("Give the member's name."))
    if position not in Position.values:
        raise CommunityError(_("Unknown position in the team."), field="position")
    phone = _phone(phone)
    if user is not None:
        if user.unit is None or team.village is None or not user.unit.contains(team.village):
            raise CommunityError(_("This user account works outside the team's village."), field="user_id")
        if team.members.filter(user=user, active=True).exists():
            raise CommunityError(_("This user is already a member of the team."), 409, field="user_id")
    member = CommunityMember.objects.create(
        client_uuid=client_uuid, team=team, full_name=full_name, position=position, phone=phone, user=user
    )
    record_change(actor, "community.member_add", member, None, snapshot(member, MEMBER_FIELDS))
    return member, True


@transaction.atomic
def remove_member(actor: User | None, member: CommunityMember) -> None:
    """Take a member off the team (kept for the visit log); their households become unassigned."""
    if not member.active:
        return
    before = snapshot(member, MEMBER_FIELDS)
    member.active = False
    member.save(update_fields=["active"])
    released = list(member.assignments.values_list("household_id", flat=True))
    member.assignments.all().delete()
    record_change(
        actor,
        "community.member_remove",
        member,
        {**before, "households": [str(h) for h in released]},
        {**snapshot(member, MEMBER_FIELDS), "households": []},
    )


@transaction.atomic
def assign_households(
    actor: User | None, member: CommunityMember, households: Iterable[Household]
) -> list[HouseholdAssignment]:
    """The member watches these households of the team's village (moved from another member or team)."""
    team = member.team
    if not member.active:
        raise CommunityError(_("This member has left the team."), field="member_id")
    rows = list(households)
    for h in rows:
        if h.village_id != team.village_id:
            raise CommunityError(
                _("Household %(code)s is not in the team's village.") % {"code": h.code or str(h.pk)[:8]},
                field="household_ids",
            )
    done = []
    for h in rows:
        current = HouseholdAssignment.objects.filter(household=h).first()
        if current is not None and current.member_id == member.pk:
            done.append(current)
            continue
        before = {"team": str(current.team_id), "member": str(current.member_id)} if current is not None else None
        if current is not None:
            current.team = team
            current.member = member
            current.save(update_fields=["team", "member"])
            assignment = current
        else:
            assignment = HouseholdAssignment.objects.create(team=team, member=member, household=h)
        after = {"team": str(team.pk), "member": str(member.pk)}
        record_change(actor, "community.household_assign", assignment, before, after)
        done.append(assignment)
    return done


@transaction.atomic
def unassign_household(actor: User | None, team: CommunityTeam, household: Household) -> bool:
    assignment = HouseholdAssignment.objects.filter(team=team, household=household).first()
    if assignment is None:
        return False
    record_change(actor, "community.household_unassign", assignment, {"member": str(assignment.member_id)}, None)
    assignment.delete()
    return True


# Watch entries (added by hand) ---------------------------------------------------------


@transaction.atomic
def add_watch_entry(
    actor: User | None,
    person: Person,
    *,
    reason: str,
    ends_on: datetime.date,
    starts_on: datetime.date | None = None,
    note: str = "",
    visit_every_days: int = 1,
    client_uuid: uuid.UUID | None = None,
) -> tuple[WatchEntry, bool]:
    if client_uuid is not None:
        existing = WatchEntry.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    if person.merged_into_id is not None:
        raise CommunityError(_("This record was merged into another one."), field="person_id")
    if person.village_id is None:
        raise CommunityError(_("This person has no village: no team can watch them."), field="person_id")
    if reason not in WatchReason.values:
        raise CommunityError(_("Unknown reason."), field="reason")
    starts_on = starts_on or timezone.localdate()
    if ends_on < starts_on:
        raise CommunityError(_("The end date is before the start date."), field="ends_on")
    if (ends_on - starts_on).days > MAX_WATCH_DAYS:
        raise CommunityError(_("At most one year on the watch list; add the person again later."), field="ends_on")
    if not 1 <= visit_every_days <= MAX_VISIT_EVERY_DAYS:
        raise CommunityError(_("Visit every 1 to 30 days."), field="visit_every_days")
    entry = WatchEntry.objects.create(
        client_uuid=client_uuid,
        person=person,
        reason=reason,
        note=note.strip()[:255],
        starts_on=starts_on,
        ends_on=ends_on,
        visit_every_days=visit_every_days,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        province_id=person.province_id,
        district_id=person.district_id,
        commune_id=person.commune_id,
        village_id=person.village_id,
    )
    record_change(actor, "community.watch_add", entry, None, snapshot(entry, ENTRY_FIELDS))
    return entry, True


@transaction.atomic
def end_watch_entry(actor: User | None, entry: WatchEntry, on: datetime.date | None = None) -> None:
    """Take the person off the watch list from ``on`` (today): the entry ends the day before."""
    if entry.ended_at is not None:
        return
    on = on or timezone.localdate()
    before = snapshot(entry, ENTRY_FIELDS)
    entry.ended_at = timezone.now()
    entry.ends_on = min(entry.ends_on, max(entry.starts_on, on - datetime.timedelta(days=1)))
    entry.save(update_fields=["ended_at", "ends_on"])
    record_change(actor, "community.watch_end", entry, before, snapshot(entry, ENTRY_FIELDS))


# Visits --------------------------------------------------------------------------------


def _clean_visit(
    team: CommunityTeam,
    member: CommunityMember | None,
    person: Person | None,
    household: Household | None,
    visited_at: datetime.datetime,
    finding: str,
    temperature: Decimal | None,
    now: datetime.datetime,
) -> None:
    if not team.active:
        raise CommunityError(_("This team is no longer active."), field="team_id")
    if member is not None and (member.team_id != team.pk or not member.active):
        raise CommunityError(_("Unknown member of this team."), field="member_id")
    if (person is None) == (household is None):
        raise CommunityError(_("Choose the person or the household visited (one of them)."), field="person_id")
    if person is not None:
        if person.merged_into_id is not None:
            raise CommunityError(_("This record was merged into another one."), field="person_id")
        if person.village_id != team.village_id:
            raise CommunityError(_("This person does not live in the team's village."), field="person_id")
    if household is not None and household.village_id != team.village_id:
        raise CommunityError(_("This household is not in the team's village."), field="household_id")
    if timezone.is_naive(visited_at):
        raise CommunityError(_("Give the time of the visit with its time zone."), field="visited_at")
    if visited_at > now + CLOCK_SKEW:
        raise CommunityError(_("The visit cannot be in the future."), field="visited_at")
    if visited_at < now - MAX_VISIT_AGE:
        raise CommunityError(_("The visit is more than 30 days old."), field="visited_at")
    if finding not in Finding.values:
        raise CommunityError(_("Unknown finding."), field="finding")
    if temperature is not None and not TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]:
        raise CommunityError(_("The temperature must be between 34 and 43 °C."), field="temperature")


def visit_by_client_uuid(client_uuid: uuid.UUID | None) -> Visit | None:
    if client_uuid is None:
        return None
    return Visit.objects.filter(client_uuid=client_uuid).first()


@transaction.atomic
def record_visit(
    actor: User | None,
    team: CommunityTeam,
    *,
    visited_at: datetime.datetime,
    finding: str,
    person: Person | None = None,
    household: Household | None = None,
    member: CommunityMember | None = None,
    temperature: Decimal | float | None = None,
    note: str = "",
    client_uuid: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Visit, bool]:
    """Log a visit; the same ``client_uuid`` again returns the first visit (``created`` False).

    ``now`` is the clock the visit time is checked against (not in the future, at most 30 days
    old): the server's, except for the demo, which replays August 2021.
    """
    existing = visit_by_client_uuid(client_uuid)
    if existing is not None:
        return existing, False
    if member is None and actor is not None and actor.is_authenticated:
        member = team.members.filter(user=actor, active=True).first()
    temp = None if temperature is None else Decimal(str(temperature)).quantize(Decimal("0.1"))
    _clean_visit(team, member, person, household, visited_at, finding, temp, now or timezone.now())
    visit = Visit(
        client_uuid=client_uuid,
        team=team,
        member=member,
        person=person,
        household=household,
        visited_at=visited_at,
        finding=finding,
        temperature=temp,
        note=(note or "").strip()[:1000],
        needs_action=finding in ACTION_FINDINGS,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        province_id=team.province_id,
        district_id=team.district_id,
        commune_id=team.commune_id,
        village_id=team.village_id,
    )
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        again = visit_by_client_uuid(client_uuid)
        if again is None:
            raise
        return again, False
    record_change(actor, "community.visit", visit, None, snapshot(visit, VISIT_FIELDS))
    return visit, True


@transaction.atomic
def handle_alert(actor: User | None, visit: Visit, note: str = "") -> None:
    """The commune acted on a finding (sent the health station, supplied the household…)."""
    if not visit.needs_action:
        raise CommunityError(_("This visit found nothing that needs action."), 409)
    if visit.handled_at is not None:
        raise CommunityError(_("This finding was already handled."), 409)
    before = snapshot(visit, VISIT_FIELDS)
    visit.handled_at = timezone.now()
    visit.handled_by = actor if actor is not None and actor.is_authenticated else None
    visit.handled_note = (note or "").strip()[:500]
    visit.save(update_fields=["handled_at", "handled_by", "handled_note"])
    record_change(actor, "community.alert_handle", visit, before, snapshot(visit, VISIT_FIELDS))


# Household groups (cross-monitoring) ---------------------------------------------------


@transaction.atomic
def create_group(
    actor: User | None,
    *,
    name: str,
    village: AdminUnit,
    households: Iterable[Household] = (),
    client_uuid: uuid.UUID | None = None,
) -> tuple[HouseholdGroup, bool]:
    if client_uuid is not None:
        existing = HouseholdGroup.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    village = _require_village(village)
    name = _clean_name(name, "name", _("Give the group a name."))
    group = HouseholdGroup.objects.create(client_uuid=client_uuid, name=name, **lineage_columns(village))
    record_change(actor, "community.group_create", group, None, snapshot(group, GROUP_FIELDS))
    add_to_group(actor, group, households)
    return group, True


@transaction.atomic
def add_to_group(actor: User | None, group: HouseholdGroup, households: Iterable[Household]) -> int:
    rows = list(households)
    for h in rows:
        if h.village_id != group.village_id:
            raise CommunityError(
                _("Household %(code)s is not in the group's village.") % {"code": h.code or str(h.pk)[:8]},
                field="household_ids",
            )
        other = HouseholdGroupMember.objects.filter(household=h).exclude(group=group).first()
        if other is not None:
            raise CommunityError(
                _("Household %(code)s is already in another group.") % {"code": h.code or str(h.pk)[:8]},
                409,
                field="household_ids",
            )
    added = 0
    for h in rows:
        _m, created = HouseholdGroupMember.objects.get_or_create(group=group, household=h)
        if created:
            added += 1
            record_change(actor, "community.group_add", group, None, {"household": str(h.pk)})
    if group.leader_id is None and rows:
        group.leader = rows[0]
        group.save(update_fields=["leader"])
    return added


@transaction.atomic
def remove_from_group(actor: User | None, group: HouseholdGroup, household: Household) -> bool:
    deleted, _rows = HouseholdGroupMember.objects.filter(group=group, household=household).delete()
    if not deleted:
        return False
    if group.leader_id == household.pk:
        group.leader = None
        group.save(update_fields=["leader"])
    record_change(actor, "community.group_remove", group, {"household": str(household.pk)}, None)
    return True
