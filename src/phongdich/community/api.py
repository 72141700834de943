"""API of the community COVID teams, mounted at /api/v1/community/.

Teams and members (COMMUNITY_MANAGE to change, COMMUNITY_VIEW to read)
- ``GET/POST /teams``, ``GET/PATCH /teams/{id}``; ``POST /teams/{id}/members``,
  ``DELETE /teams/{id}/members/{member_id}`` (the member leaves; the visit log keeps them);
  ``POST /teams/{id}/assignments`` (a member watches households of the village),
  ``DELETE /teams/{id}/assignments/{household_id}``.
- ``GET /teams/{id}/watch?on=YYYY-MM-DD&mine=true``: the watch list with last visit, next visit
  due and the overdue flag (names only for roles that may view people; access-logged).
- ``GET /overdue``: overdue visits in your area, per team and per person.

Watch entries added by hand (COMMUNITY_MANAGE): ``GET/POST /watch-entries``, ``POST /watch-entries/{id}/end``.

Visits (COMMUNITY_VISIT): ``POST /visits`` (client_uuid: a resend answers 200 with the first visit),
``POST /visits/bulk`` (the mobile client's queue: each visit needs a client_uuid; the answer says
per visit created / duplicate / refused), ``GET /visits``, ``GET /visits/{id}``.

Findings needing action (symptoms, violations, supplies): ``GET /alerts``,
``POST /alerts/{visit_id}/handle`` (COMMUNITY_MANAGE).

Household groups for cross-monitoring (tổ liên gia): ``GET/POST /groups``, ``GET /groups/{id}``,
``POST /groups/{id}/households``, ``DELETE /groups/{id}/households/{household_id}``.

A record outside your area answers 404; a role without the permission 403.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.community import actions, queries, watchlist
from phongdich.community.models import (
    CommunityMember,
    CommunityTeam,
    Finding,
    HouseholdAssignment,
    HouseholdGroup,
    Position,
    Visit,
    WatchEntry,
    WatchReason,
)
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.models import User
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import Household
from phongdich.people.queries import active_people, households_in_scope

router = Router(tags=["community"])

MAX_BULK = 200


# Helpers -------------------------------------------------------------------------------


def invalid(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}])


def raise_error(exc: actions.CommunityError) -> None:
    if exc.status == 422:
        raise invalid(exc.field or "", exc.message) from exc
    raise HttpError(exc.status, exc.message) from exc


def _team(request: HttpRequest, team_id: uuid.UUID, perm: Perm) -> CommunityTeam:
    user = current_user(request)
    return access.get_for_user(user, queries.teams_in_scope(user), perm, pk=team_id)


def _village(user: User, village_id: int | None, village_code: str | None) -> AdminUnit:
    units = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, level=Level.VILLAGE)
    if village_id is None and not village_code:
        raise invalid("village_id", _("Choose the village or residential group."))
    unit = units.filter(pk=village_id).first() if village_id is not None else units.filter(code=village_code).first()
    if unit is None:
        raise invalid("village_id", _("Unknown village or residential group."))
    if not access.unit_in_scope(user, unit):
        raise PermissionDenied(_("This unit is outside your area."))
    return unit


def _households(user: User, ids: list[uuid.UUID]) -> list[Household]:
    found = {h.pk: h for h in households_in_scope(user).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise invalid("household_ids", _("Unknown household."))
    return [found[i] for i in ids]


def _shows_names(user: User) -> bool:
    return user.can(Perm.PERSON_VIEW)


def _log_list(user: User, count: int, what: str) -> None:
    """One access row per list of people returned (not one per person)."""
    if count and _shows_names(user) and user.unit is not None:
        record_access(user, user.unit, "api", f"{what}: {count}")


def _check_client_uuid(model: Any, in_scope: Any, client_uuid: uuid.UUID | None) -> Any:
    """The first record of a resend (None when new); 409 when the UUID was used outside the area."""
    if client_uuid is None:
        return None
    first = in_scope.filter(client_uuid=client_uuid).first()
    if first is not None:
        return first
    if model.objects.filter(client_uuid=client_uuid).exists():
        raise HttpError(409, _("This client_uuid was already used for a record outside your area."))
    return None


# Schemas -------------------------------------------------------------------------------


class CommunityUnitRef(Schema):
    id: int
    code: str
    name: str


class HouseholdRef(Schema):
    id: uuid.UUID
    code: str


class CommunityMemberOut(Schema):
    id: uuid.UUID
    full_name: str
    position: str
    phone: str
    user_id: int | None
    active: bool
    households: list[HouseholdRef]


class CommunityTeamOut(Schema):
    id: uuid.UUID
    name: str
    active: bool
    village: CommunityUnitRef | None
    commune: CommunityUnitRef | None
    members: list[CommunityMemberOut]
    created_at: datetime.datetime


class CommunityTeamIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="A resend returns the first team.")
    name: str = Field(..., min_length=1, max_length=120)
    village_id: int | None = Field(None, description="The team's village (or give village_code).")
    village_code: str | None = Field(None, max_length=16)
    active: bool = True


class CommunityTeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    active: bool | None = None


class CommunityMemberIn(Schema):
    client_uuid: uuid.UUID | None = None
    full_name: str = Field(..., min_length=1, max_length=120)
    position: Position
    phone: str = Field("", max_length=20)
    user_id: int | None = Field(None, description="The member's user account, if they sign in.")


class AssignIn(Schema):
    member_id: uuid.UUID
    household_ids: list[uuid.UUID] = Field(..., min_length=1, max_length=500)


class WatchRowOut(Schema):
    person_id: uuid.UUID
    person_name: str | None = Field(None, description="Only for roles that may view people.")
    household_id: uuid.UUID | None
    kind: str
    kind_label: str
    label: str
    since: datetime.date
    until: datetime.date | None
    url: str
    visit_every_days: int
    last_visit: datetime.datetime | None
    next_due: datetime.date
    due: bool
    overdue: bool
    member_id: uuid.UUID | None


class WatchOut(Schema):
    team_id: uuid.UUID
    on: datetime.date
    count: int
    overdue: int
    items: list[WatchRowOut]


class TeamCountsOut(Schema):
    team_id: uuid.UUID
    team_name: str
    village: CommunityUnitRef | None
    watched: int
    due_today: int
    overdue: int


class CommunityOverdueOut(Schema):
    on: datetime.date
    teams: list[TeamCountsOut]
    items: list[WatchRowOut]


class EntryIn(Schema):
    client_uuid: uuid.UUID | None = None
    person_id: uuid.UUID
    reason: WatchReason
    note: str = Field("", max_length=255)
    starts_on: datetime.date | None = Field(None, description="Today when omitted.")
    ends_on: datetime.date
    visit_every_days: int = Field(1, ge=1, le=30)


class EntryOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    person_name: str | None
    village: CommunityUnitRef | None
    reason: str
    note: str
    starts_on: datetime.date
    ends_on: datetime.date
    visit_every_days: int
    ended: bool


class VisitIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="Made by the client; a resend returns the first visit.")
    team_id: uuid.UUID
    member_id: uuid.UUID | None = Field(None, description="The member who visited (yours when you are one).")
    person_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    visited_at: datetime.datetime = Field(..., description="With its time zone; not in the future.")
    finding: Finding
    temperature: Decimal | None = Field(None, max_digits=3, decimal_places=1)
    note: str = Field("", max_length=1000)


class VisitOut(Schema):
    id: uuid.UUID
    client_uuid: uuid.UUID | None
    team_id: uuid.UUID
    member_id: uuid.UUID | None
    person_id: uuid.UUID | None
    person_name: str | None
    household_id: uuid.UUID | None
    visited_at: datetime.datetime
    finding: str
    temperature: Decimal | None
    note: str
    needs_action: bool
    handled_at: datetime.datetime | None
    handled_note: str


class CommunityBulkIn(Schema):
    visits: list[VisitIn] = Field(..., min_length=1, max_length=MAX_BULK)


class BulkResult(Schema):
    client_uuid: uuid.UUID | None
    status: Literal["created", "duplicate", "refused"]
    id: uuid.UUID | None = None
    detail: str = ""
    field: str = ""


class BulkOut(Schema):
    created: int
    duplicates: int
    refused: int
    results: list[BulkResult]


class HandleIn(Schema):
    note: str = Field("", max_length=500)


class GroupIn(Schema):
    client_uuid: uuid.UUID | None = None
    name: str = Field(..., min_length=1, max_length=120)
    village_id: int | None = None
    village_code: str | None = Field(None, max_length=16)
    household_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)


class GroupAddIn(Schema):
    household_ids: list[uuid.UUID] = Field(..., min_length=1, max_length=100)


class GroupOut(Schema):
    id: uuid.UUID
    name: str
    active: bool
    village: CommunityUnitRef | None
    leader_id: uuid.UUID | None
    households: list[HouseholdRef]


# Output --------------------------------------------------------------------------------


def unit_ref(unit: AdminUnit | None) -> CommunityUnitRef | None:
    return None if unit is None else CommunityUnitRef(id=unit.pk, code=unit.code, name=unit.name)


def member_out(m: CommunityMember) -> CommunityMemberOut:
    return CommunityMemberOut(
        id=m.pk,
        full_name=m.full_name,
        position=m.position,
        phone=m.phone,
        user_id=m.user_id,
        active=m.active,
        households=[HouseholdRef(id=a.household.pk, code=a.household.code) for a in m.assignments.all()],
    )


def _team_members(team: CommunityTeam) -> list[CommunityMember]:
    assignments = HouseholdAssignment.objects.select_related("household")
    return list(team.members.prefetch_related(Prefetch("assignments", queryset=assignments)))


def team_out(team: CommunityTeam, *, detail: bool = True) -> CommunityTeamOut:
    return CommunityTeamOut(
        id=team.pk,
        name=team.name,
        active=team.active,
        village=unit_ref(team.village),
        commune=unit_ref(team.commune),
        members=[member_out(m) for m in _team_members(team)] if detail else [],
        created_at=team.created_at,
    )


def row_out(row: watchlist.WatchRow, names: bool) -> WatchRowOut:
    i = row.item
    return WatchRowOut(
        person_id=i.person_id,
        person_name=row.person_name if names else None,
        household_id=row.household_id,
        kind=i.kind,
        kind_label=row.kind_label,
        label=i.label,
        since=i.since,
        until=i.until,
        url=i.url,
        visit_every_days=i.visit_every_days,
        last_visit=row.last_visit,
        next_due=row.next_due,
        due=row.due,
        overdue=row.overdue,
        member_id=row.member.pk if row.member else None,
    )


def visit_out(v: Visit, names: bool) -> VisitOut:
    return VisitOut(
        id=v.pk,
        client_uuid=v.client_uuid,
        team_id=v.team_id,
        member_id=v.member_id,
        person_id=v.person_id,
        person_name=v.person.full_name if names and v.person is not None else None,
        household_id=v.household_id,
        visited_at=v.visited_at,
        finding=v.finding,
        temperature=v.temperature,
        note=v.note,
        needs_action=v.needs_action,
        handled_at=v.handled_at,
        handled_note=v.handled_note,
    )


def entry_out(e: WatchEntry, names: bool) -> EntryOut:
    return EntryOut(
        id=e.pk,
        person_id=e.person_id,
        person_name=e.person.full_name if names else None,
        village=unit_ref(e.village),
        reason=e.reason,
        note=e.note,
        starts_on=e.starts_on,
        ends_on=e.ends_on,
        visit_every_days=e.visit_every_days,
        ended=e.ended_at is not None,
    )


def group_out(g: HouseholdGroup) -> GroupOut:
    return GroupOut(
        id=g.pk,
        name=g.name,
        active=g.active,
        village=unit_ref(g.village),
        leader_id=g.leader_id,
        households=[
            HouseholdRef(id=m.household.pk, code=m.household.code)
            for m in g.memberships.select_related("household").order_by("household__code")
        ],
    )


# Teams ---------------------------------------------------------------------------------


@router.get("/teams", response=list[CommunityTeamOut], summary="Community teams in your area")
def list_teams(
    request: HttpRequest,
    village_id: int | None = None,
    active: bool | None = None,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    qs = queries.teams_in_scope(user)
    if village_id is not None:
        qs = qs.filter(village_id=village_id)
    if active is not None:
        qs = qs.filter(active=active)
    return [team_out(t) for t in qs[offset : offset + limit]]


@router.post("/teams", response={200: CommunityTeamOut, 201: CommunityTeamOut}, summary="Create a team of a village")
def create_team(request: HttpRequest, payload: CommunityTeamIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_MANAGE)
    first = _check_client_uuid(CommunityTeam, queries.teams_in_scope(user), payload.client_uuid)
    if first is not None:
        return 200, team_out(first)
    village = _village(user, payload.village_id, payload.village_code)
    try:
        team, created = actions.create_team(
            user, name=payload.name, village=village, active=payload.active, client_uuid=payload.client_uuid
        )
    except actions.CommunityError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), team_out(queries.teams_in_scope(user).get(pk=team.pk))


@router.get("/teams/{team_id}", response=CommunityTeamOut, summary="A team with its members and households")
def get_team(request: HttpRequest, team_id: uuid.UUID) -> Any:
    return team_out(_team(request, team_id, Perm.COMMUNITY_VIEW))


@router.patch("/teams/{team_id}", response=CommunityTeamOut, summary="Rename or (de)activate a team")
def update_team(request: HttpRequest, team_id: uuid.UUID, payload: CommunityTeamPatch) -> Any:
    team = _team(request, team_id, Perm.COMMUNITY_MANAGE)
    try:
        actions.update_team(current_user(request), team, name=payload.name, active=payload.active)
    except actions.CommunityError as exc:
        raise_error(exc)
    return team_out(team)


@router.post(
    "/teams/{team_id}/members", response={200: CommunityMemberOut, 201: CommunityMemberOut}, summary="Add a member"
)
def add_member(request: HttpRequest, team_id: uuid.UUID, payload: CommunityMemberIn) -> tuple[int, Any]:
    user = current_user(request)
    team = _team(request, team_id, Perm.COMMUNITY_MANAGE)
    first = _check_client_uuid(CommunityMember, queries.members_in_scope(user), payload.client_uuid)
    if first is not None:
        return 200, member_out(first)
    account = None
    if payload.user_id is not None:
        account = User.objects.filter(pk=payload.user_id, is_active=True).select_related("unit").first()
        if account is None:
            raise invalid("user_id", _("Unknown user account."))
    try:
        member, created = actions.add_member(
            user,
            team,
            full_name=payload.full_name,
            position=payload.position,
            phone=payload.phone,
            user=account,
            client_uuid=payload.client_uuid,
        )
    except actions.CommunityError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), member_out(member)


@router.delete("/teams/{team_id}/members/{member_id}", response={204: None}, summary="A member leaves the team")
def remove_member(request: HttpRequest, team_id: uuid.UUID, member_id: uuid.UUID) -> tuple[int, None]:
    team = _team(request, team_id, Perm.COMMUNITY_MANAGE)
    member = team.members.filter(pk=member_id).first()
    if member is None:
        raise Http404(_("Not found."))
    actions.remove_member(current_user(request), member)
    return 204, None


@router.post("/teams/{team_id}/assignments", response=CommunityTeamOut, summary="A member watches households")
def assign(request: HttpRequest, team_id: uuid.UUID, payload: AssignIn) -> Any:
    user = current_user(request)
    team = _team(request, team_id, Perm.COMMUNITY_MANAGE)
    member = team.members.filter(pk=payload.member_id).first()
    if member is None:
        raise invalid("member_id", _("Unknown member of this team."))
    households = _households(user, payload.household_ids)
    try:
        actions.assign_households(user, member, households)
    except actions.CommunityError as exc:
        raise_error(exc)
    return team_out(team)


@router.delete("/teams/{team_id}/assignments/{household_id}", response={204: None}, summary="Unassign a household")
def unassign(request: HttpRequest, team_id: uuid.UUID, household_id: uuid.UUID) -> tuple[int, None]:
    user = current_user(request)
    team = _team(request, team_id, Perm.COMMUNITY_MANAGE)
    household = households_in_scope(user).filter(pk=household_id).first()
    if household is None or not actions.unassign_household(user, team, household):
        raise Http404(_("Not found."))
    return 204, None


@router.get("/teams/{team_id}/watch", response=WatchOut, summary="The team's watch list (access is logged)")
def team_watch(request: HttpRequest, team_id: uuid.UUID, on: datetime.date | None = None, mine: bool = False) -> Any:
    user = current_user(request)
    team = _team(request, team_id, Perm.COMMUNITY_VIEW)
    day = on or timezone.localdate()
    rows = watchlist.rows_for_team(team, day)
    if mine:
        rows = [r for r in rows if r.member is not None and r.member.user_id == user.pk]
    names = _shows_names(user)
    if names and rows:
        record_access(user, team, "api", f"watch list: {len(rows)} people")
    return WatchOut(
        team_id=team.pk,
        on=day,
        count=len(rows),
        overdue=sum(r.overdue for r in rows),
        items=[row_out(r, names) for r in rows],
    )


@router.get("/overdue", response=CommunityOverdueOut, summary="Overdue visits in your area, per team and per person")
def overdue(request: HttpRequest, on: datetime.date | None = None, village_id: int | None = None) -> Any:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    day = on or timezone.localdate()
    teams = queries.teams_in_scope(user).filter(active=True)
    if village_id is not None:
        teams = teams.filter(village_id=village_id)
    counts, rows = watchlist.overdue_by_team(list(teams), day)
    names = _shows_names(user)
    if names and rows:
        record_access(user, user.unit or counts[0].team, "api", f"overdue visits: {len(rows)} people")
    return CommunityOverdueOut(
        on=day,
        teams=[
            TeamCountsOut(
                team_id=c.team.pk,
                team_name=c.team.name,
                village=unit_ref(c.team.village),
                watched=c.watched,
                due_today=c.due_today,
                overdue=c.overdue,
            )
            for c in counts
        ],
        items=[row_out(r, names) for r in rows],
    )


# Watch entries -------------------------------------------------------------------------


@router.get("/watch-entries", response=list[EntryOut], summary="People added to watch lists by hand")
def list_entries(request: HttpRequest, current: bool = True, limit: int = Query(200, ge=1, le=1000)) -> Any:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    qs = queries.entries_in_scope(user)
    if current:
        qs = qs.filter(ends_on__gte=timezone.localdate())
    rows = list(qs[:limit])
    _log_list(user, len(rows), "community watch entries")
    return [entry_out(e, _shows_names(user)) for e in rows]


@router.post("/watch-entries", response={200: EntryOut, 201: EntryOut}, summary="Add a person to the watch list")
def add_entry(request: HttpRequest, payload: EntryIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_MANAGE)
    first = _check_client_uuid(WatchEntry, queries.entries_in_scope(user), payload.client_uuid)
    if first is not None:
        return 200, entry_out(first, True)
    person = active_people(user).filter(pk=payload.person_id).first()
    if person is None:
        raise invalid("person_id", _("Unknown person."))
    try:
        entry, created = actions.add_watch_entry(
            user,
            person,
            reason=payload.reason,
            note=payload.note,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            visit_every_days=payload.visit_every_days,
            client_uuid=payload.client_uuid,
        )
    except actions.CommunityError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), entry_out(entry, True)


@router.post("/watch-entries/{entry_id}/end", response=EntryOut, summary="Take a person off the watch list")
def end_entry(request: HttpRequest, entry_id: uuid.UUID) -> Any:
    user = current_user(request)
    entry = access.get_for_user(user, queries.entries_in_scope(user), Perm.COMMUNITY_MANAGE, pk=entry_id)
    actions.end_watch_entry(user, entry)
    return entry_out(entry, True)


# Visits --------------------------------------------------------------------------------


def submit_visit(user: User, payload: VisitIn) -> tuple[Visit, bool]:
    """Resolve a visit's references in the user's area and record it (raises HttpError / 422 / 404)."""
    access.require(user, Perm.COMMUNITY_VISIT)
    first = _check_client_uuid(Visit, queries.visits_in_scope(user), payload.client_uuid)
    if first is not None:
        return first, False
    team = access.get_for_user(user, queries.teams_in_scope(user), Perm.COMMUNITY_VISIT, pk=payload.team_id)
    member = None
    if payload.member_id is not None:
        member = queries.members_in_scope(user).filter(pk=payload.member_id).first()
        if member is None:
            raise invalid("member_id", _("Unknown member of this team."))
    person = household = None
    if payload.person_id is not None:
        person = active_people(user).filter(pk=payload.person_id).first()
        if person is None:
            raise invalid("person_id", _("Unknown person."))
    if payload.household_id is not None:
        household = households_in_scope(user).filter(pk=payload.household_id).first()
        if household is None:
            raise invalid("household_id", _("Unknown household."))
    try:
        return actions.record_visit(
            user,
            team,
            visited_at=payload.visited_at,
            finding=payload.finding,
            person=person,
            household=household,
            member=member,
            temperature=payload.temperature,
            note=payload.note,
            client_uuid=payload.client_uuid,
        )
    except actions.CommunityError as exc:
        raise_error(exc)
        raise


@router.post("/visits", response={200: VisitOut, 201: VisitOut, 409: Any}, summary="Record a visit; idempotent")
def create_visit(request: HttpRequest, payload: VisitIn) -> tuple[int, Any]:
    user = current_user(request)
    visit, created = submit_visit(user, payload)
    return (201 if created else 200), visit_out(visit, _shows_names(user))


def _message(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, NinjaValidationError):
        err = exc.errors[0] if exc.errors else {}
        loc = err.get("loc") or ("",)
        return str((err.get("ctx") or {}).get("error", "")), str(loc[-1])
    if isinstance(exc, HttpError):
        return str(exc), ""
    if isinstance(exc, Http404):
        return _("Not found."), "team_id"
    return str(exc) or _("Your role does not allow this."), ""


@router.post("/visits/bulk", response=BulkOut, summary="Submit a phone's queued visits (each with a client_uuid)")
def bulk_visits(request: HttpRequest, payload: CommunityBulkIn) -> Any:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VISIT)
    if any(v.client_uuid is None for v in payload.visits):
        raise invalid("visits", _("Every visit sent in bulk needs a client_uuid."))
    results = []
    for item in payload.visits:
        try:
            visit, created = submit_visit(user, item)
        except (NinjaValidationError, HttpError, Http404, PermissionDenied) as exc:
            detail, field = _message(exc)
            results.append(BulkResult(client_uuid=item.client_uuid, status="refused", detail=detail, field=field))
            continue
        status: Literal["created", "duplicate"] = "created" if created else "duplicate"
        results.append(BulkResult(client_uuid=item.client_uuid, status=status, id=visit.pk))
    return BulkOut(
        created=sum(r.status == "created" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        refused=sum(r.status == "refused" for r in results),
        results=results,
    )


@router.get("/visits", response=list[VisitOut], summary="Visits in your area, newest first")
def list_visits(
    request: HttpRequest,
    team_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    finding: Finding | None = None,
    date_from: datetime.date | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    qs = queries.visits_in_scope(user).select_related("person")
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if finding is not None:
        qs = qs.filter(finding=finding)
    if date_from is not None:
        qs = qs.filter(visited_at__date__gte=date_from)
    rows = list(qs.order_by("-visited_at")[offset : offset + limit])
    _log_list(user, sum(v.person_id is not None for v in rows), "community visits")
    return [visit_out(v, _shows_names(user)) for v in rows]


@router.get("/visits/{visit_id}", response=VisitOut, summary="A visit (access is logged)")
def get_visit(request: HttpRequest, visit_id: uuid.UUID) -> Any:
    user = current_user(request)
    visit = access.get_for_user(
        user, queries.visits_in_scope(user).select_related("person"), Perm.COMMUNITY_VIEW, pk=visit_id
    )
    if visit.person is not None and _shows_names(user):
        record_access(user, visit.person, "api", "community visit")
    return visit_out(visit, _shows_names(user))


# Alerts --------------------------------------------------------------------------------


@router.get("/alerts", response=list[VisitOut], summary="Findings that need the commune's action")
def list_alerts(request: HttpRequest, handled: bool = False, limit: int = Query(200, ge=1, le=1000)) -> Any:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    qs = queries.visits_in_scope(user).filter(needs_action=True, handled_at__isnull=not handled)
    rows = list(qs.select_related("person").order_by("visited_at")[:limit])
    _log_list(user, sum(v.person_id is not None for v in rows), "community findings")
    return [visit_out(v, _shows_names(user)) for v in rows]


@router.post("/alerts/{visit_id}/handle", response={200: VisitOut, 409: Any}, summary="Mark a finding handled")
def handle_alert(request: HttpRequest, visit_id: uuid.UUID, payload: HandleIn) -> Any:
    user = current_user(request)
    visit = access.get_for_user(
        user, queries.visits_in_scope(user).select_related("person"), Perm.COMMUNITY_FINDING_HANDLE, pk=visit_id
    )
    try:
        actions.handle_alert(user, visit, payload.note)
    except actions.CommunityError as exc:
        raise_error(exc)
    return visit_out(visit, _shows_names(user))


# Household groups ----------------------------------------------------------------------


@router.get("/groups", response=list[GroupOut], summary="Household groups (cross-monitoring) in your area")
def list_groups(request: HttpRequest, village_id: int | None = None) -> Any:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    qs = queries.groups_in_scope(user)
    if village_id is not None:
        qs = qs.filter(village_id=village_id)
    return [group_out(g) for g in qs[:500]]


@router.post("/groups", response={200: GroupOut, 201: GroupOut, 409: Any}, summary="Create a household group")
def create_group(request: HttpRequest, payload: GroupIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_MANAGE)
    first = _check_client_uuid(HouseholdGroup, queries.groups_in_scope(user), payload.client_uuid)
    if first is not None:
        return 200, group_out(first)
    village = _village(user, payload.village_id, payload.village_code)
    households = _households(user, payload.household_ids)
    try:
        group, created = actions.create_group(
            user, name=payload.name, village=village, households=households, client_uuid=payload.client_uuid
        )
    except actions.CommunityError as exc:
        raise_error(exc)
        raise
    return (201 if created else 200), group_out(group)


@router.get("/groups/{group_id}", response=GroupOut, summary="A household group")
def get_group(request: HttpRequest, group_id: uuid.UUID) -> Any:
    user = current_user(request)
    return group_out(access.get_for_user(user, queries.groups_in_scope(user), Perm.COMMUNITY_VIEW, pk=group_id))


@router.post("/groups/{group_id}/households", response={200: GroupOut, 409: Any}, summary="Add households")
def group_add(request: HttpRequest, group_id: uuid.UUID, payload: GroupAddIn) -> Any:
    user = current_user(request)
    group = access.get_for_user(user, queries.groups_in_scope(user), Perm.COMMUNITY_MANAGE, pk=group_id)
    households = _households(user, payload.household_ids)
    try:
        actions.add_to_group(user, group, households)
    except actions.CommunityError as exc:
        raise_error(exc)
    return group_out(group)


@router.delete("/groups/{group_id}/households/{household_id}", response={204: None}, summary="Remove a household")
def group_remove(request: HttpRequest, group_id: uuid.UUID, household_id: uuid.UUID) -> tuple[int, None]:
    user = current_user(request)
    group = access.get_for_user(user, queries.groups_in_scope(user), Perm.COMMUNITY_MANAGE, pk=group_id)
    household = households_in_scope(user).filter(pk=household_id).first()
    if household is None or not actions.remove_from_group(user, group, household):
        raise Http404(_("Not found."))
    return 204, None
