"""API of investigations and tracing teams: ``router`` at /api/v1/investigations,
``teams_router`` at /api/v1/teams.

Investigations (one per case, opened when the case is confirmed)
- ``GET /investigations`` (``status`` open/closed), ``GET /investigations/{id}`` with its task list.
- ``GET /investigations/overdue``: tasks still to find (or not reachable) past their deadline in
  open investigations, with counts by the district and commune where the contact lives.
- ``POST /investigations/{id}/teams`` ``{"team_ids": [...]}``: set the assigned teams
  (INVESTIGATION_MANAGE); ``POST /investigations/{id}/sync``: rebuild the task list from the
  current F levels (TRACE_EDIT); ``POST /investigations/{id}/close`` and ``/reopen``.
- ``PATCH /investigations/{id}/tasks/{task_id}``: ``status`` (found, unreachable,
  out_of_province, already_isolated, to_find) and ``note`` need TRACE_EDIT; ``team_id`` needs
  INVESTIGATION_MANAGE and must be a team assigned to the investigation.

Teams: ``GET/POST /teams``, ``GET/PATCH /teams/{id}``, ``POST /teams/{id}/members``,
``DELETE /teams/{id}/members/{member_id}`` (INVESTIGATION_MANAGE to change).

Deadlines: F1 within 24 h, F2 within 48 h of being put on the list (see tracing.investigations).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import field_validator

from phongdich.cases.api import CaseUnitRef, ErrorOut, invalid, resolve_unit, unit_ref
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.models import User
from phongdich.core.roles import Perm
from phongdich.people.validation import normalize_phone
from phongdich.tracing import investigations as inv
from phongdich.tracing import teams as team_actions
from phongdich.tracing.models import Agency, Investigation, TeamMember, TracingTask, TracingTeam

router = Router(tags=["investigations"])
teams_router = Router(tags=["teams"])


def _raise(exc: inv.TracingError) -> None:
    if exc.status == 422:
        raise invalid(exc.field or "", exc.message) from exc
    raise HttpError(exc.status, exc.message) from exc


# Schemas -------------------------------------------------------------------------------


class TeamRef(Schema):
    id: uuid.UUID
    name: str


class CaseRef(Schema):
    id: uuid.UUID
    code: str
    status: str


class InvestigationPersonRef(Schema):
    id: uuid.UUID
    full_name: str
    commune: CaseUnitRef | None


class TaskOut(Schema):
    id: uuid.UUID
    investigation_id: uuid.UUID
    case_code: str
    person: InvestigationPersonRef
    level: int
    status: str
    team: TeamRef | None
    due_at: datetime.datetime
    done_at: datetime.datetime | None
    overdue: bool
    note: str


class TaskCounts(Schema):
    total: int
    open: int
    overdue: int


class InvestigationOut(Schema):
    id: uuid.UUID
    case: CaseRef
    status: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    note: str
    teams: list[TeamRef]
    counts: TaskCounts
    tasks: list[TaskOut] | None = Field(None, description="Detail only.")


class OverdueUnit(Schema):
    district_id: int | None
    district: str | None
    commune_id: int | None
    commune: str | None
    count: int


class OverdueOut(Schema):
    total: int
    by_unit: list[OverdueUnit]
    tasks: list[TaskOut]


class TeamsIn(Schema):
    team_ids: list[uuid.UUID] = Field(..., description="The full list of teams (replaces the current one).")


class TaskPatch(Schema):
    status: TracingTask.Status | None = None
    team_id: uuid.UUID | None = Field(None, description="null to take the team off the task.")
    note: str | None = Field(None, max_length=255)


class CloseIn(Schema):
    note: str = Field("", max_length=500)


class SyncOut(Schema):
    added: int
    removed: int
    updated: int


class MemberOut(Schema):
    id: int
    full_name: str
    agency: str
    phone: str
    user_id: int | None


class TeamOut(Schema):
    id: uuid.UUID
    name: str
    active: bool
    unit: CaseUnitRef | None
    members: list[MemberOut]
    open_investigations: int


class TeamIn(Schema):
    client_uuid: uuid.UUID | None = Field(None, description="A resend returns the first team.")
    name: str = Field(..., min_length=1, max_length=120)
    unit_id: int | None = Field(None, description="The team's unit (in your area); yours when omitted.")
    unit_code: str | None = Field(None, max_length=16)
    active: bool = True


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    unit_id: int | None = None
    unit_code: str | None = Field(None, max_length=16)
    active: bool | None = None


class MemberIn(Schema):
    full_name: str = Field(..., min_length=1, max_length=120)
    agency: Agency
    phone: str = Field("", max_length=20)
    user_id: int | None = Field(None, description="The member's account, if any (a user of your area).")

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            return str(normalize_phone(v))
        except DjangoValidationError as exc:
            raise ValueError(" ".join(str(m) for m in exc.messages)) from exc


# Output --------------------------------------------------------------------------------


def task_out(t: TracingTask, now: datetime.datetime) -> TaskOut:
    return TaskOut(
        id=t.pk,
        investigation_id=t.investigation_id,
        case_code=t.investigation.case.code,
        person=InvestigationPersonRef(id=t.person.pk, full_name=t.person.full_name, commune=unit_ref(t.person.commune)),
        level=t.level,
        status=t.status,
        team=TeamRef(id=t.team.pk, name=t.team.name) if t.team else None,
        due_at=t.due_at,
        done_at=t.done_at,
        overdue=t.investigation.status == Investigation.Status.OPEN and inv.is_overdue(t, now),
        note=t.note,
    )


_TASK_RELATED = ("investigation", "investigation__case", "person", "person__commune", "team")


def investigation_out(i: Investigation, *, detail: bool = False) -> InvestigationOut:
    now = timezone.now()
    tasks = None
    if detail:
        qs = TracingTask.objects.filter(investigation=i).select_related(*_TASK_RELATED).order_by("due_at")
        tasks = [task_out(t, now) for t in qs]
    return InvestigationOut(
        id=i.pk,
        case=CaseRef(id=i.case.pk, code=i.case.code, status=i.case.status),
        status=i.status,
        opened_at=i.opened_at,
        closed_at=i.closed_at,
        note=i.note,
        teams=[TeamRef(id=t.pk, name=t.name) for t in i.teams.all()],
        counts=TaskCounts(**inv.task_counts(i, now)),
        tasks=tasks,
    )


def team_out(t: TracingTeam) -> TeamOut:
    return TeamOut(
        id=t.pk,
        name=t.name,
        active=t.active,
        unit=unit_ref(team_actions.team_unit(t)),
        members=[
            MemberOut(id=m.pk, full_name=m.full_name, agency=m.agency, phone=m.phone, user_id=m.user_id)
            for m in t.members.all()
        ],
        open_investigations=t.investigations.filter(status=Investigation.Status.OPEN).count(),
    )


# Lookups -------------------------------------------------------------------------------


def _investigation(request: HttpRequest, pk: uuid.UUID, perm: Perm) -> Investigation:
    user = current_user(request)
    qs = inv.investigations_in_scope(user).select_related("case")
    return access.get_for_user(user, qs, perm, pk=pk)


def _team(request: HttpRequest, pk: uuid.UUID, perm: Perm, *, manage: bool) -> TracingTeam:
    user = current_user(request)
    access.require(user, perm)
    qs: QuerySet[TracingTeam] = team_actions.teams_in_scope(user) if manage else team_actions.teams_visible(user)
    try:
        return qs.select_related("province", "district", "commune", "village").get(pk=pk)
    except TracingTeam.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc


# Investigations ------------------------------------------------------------------------


@router.get("", response=list[InvestigationOut], summary="Investigations in your area")
def list_investigations(
    request: HttpRequest,
    status: Investigation.Status | None = Investigation.Status.OPEN,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    qs = inv.investigations_in_scope(user).select_related("case").prefetch_related("teams")
    if status:
        qs = qs.filter(status=status)
    return [investigation_out(i) for i in qs.order_by("-opened_at")[offset : offset + limit]]


@router.get("/overdue", response=OverdueOut, summary="Overdue tracing tasks, with counts by district and commune")
def overdue(request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)) -> Any:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    now = timezone.now()
    counts = inv.overdue_counts(user, now)
    tasks = inv.overdue_tasks(user, now).select_related(*_TASK_RELATED).order_by("due_at")
    return OverdueOut(
        total=sum(c["count"] for c in counts),
        by_unit=[OverdueUnit(**c) for c in counts],
        tasks=[task_out(t, now) for t in tasks[offset : offset + limit]],
    )


@router.get("/{investigation_id}", response=InvestigationOut, summary="An investigation with its task list")
def get_investigation(request: HttpRequest, investigation_id: uuid.UUID) -> Any:
    return investigation_out(_investigation(request, investigation_id, Perm.CASE_VIEW), detail=True)


@router.post("/{investigation_id}/teams", response={200: InvestigationOut, 409: ErrorOut}, summary="Assign teams")
def assign_teams(request: HttpRequest, investigation_id: uuid.UUID, payload: TeamsIn) -> Any:
    user = current_user(request)
    i = _investigation(request, investigation_id, Perm.INVESTIGATION_MANAGE)
    wanted = set(payload.team_ids)
    teams = list(team_actions.teams_visible(user).filter(pk__in=wanted))
    if len(teams) != len(wanted):
        raise invalid("team_ids", _("Unknown team."))
    try:
        inv.assign_teams(user, i, teams)
    except inv.TracingError as exc:
        _raise(exc)
    return investigation_out(i, detail=True)


@router.post("/{investigation_id}/sync", response=SyncOut, summary="Rebuild the task list from the current F levels")
def sync(request: HttpRequest, investigation_id: uuid.UUID) -> Any:
    i = _investigation(request, investigation_id, Perm.TRACE_EDIT)
    r = inv.sync_tasks(i)
    return SyncOut(added=r.added, removed=r.removed, updated=r.updated)


@router.post("/{investigation_id}/close", response={200: InvestigationOut, 409: ErrorOut}, summary="Close")
def close(request: HttpRequest, investigation_id: uuid.UUID, payload: CloseIn) -> Any:
    i = _investigation(request, investigation_id, Perm.INVESTIGATION_MANAGE)
    try:
        inv.close_investigation(current_user(request), i, payload.note.strip())
    except inv.TracingError as exc:
        _raise(exc)
    return investigation_out(i, detail=True)


@router.post("/{investigation_id}/reopen", response={200: InvestigationOut, 409: ErrorOut}, summary="Reopen")
def reopen(request: HttpRequest, investigation_id: uuid.UUID) -> Any:
    i = _investigation(request, investigation_id, Perm.INVESTIGATION_MANAGE)
    try:
        inv.reopen_investigation(current_user(request), i)
    except inv.TracingError as exc:
        _raise(exc)
    return investigation_out(i, detail=True)


@router.patch(
    "/{investigation_id}/tasks/{task_id}",
    response={200: TaskOut, 409: ErrorOut},
    summary="Record the result of finding a contact, the team, a note",
)
def update_task(request: HttpRequest, investigation_id: uuid.UUID, task_id: uuid.UUID, payload: TaskPatch) -> Any:
    user = current_user(request)
    access.require(user, Perm.TRACE_EDIT)
    try:
        task = (
            inv.tasks_in_scope(user).select_related(*_TASK_RELATED).get(pk=task_id, investigation_id=investigation_id)
        )
    except TracingTask.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
    sent = payload.model_dump(exclude_unset=True)
    kwargs: dict[str, Any] = {}
    if sent.get("status") is not None:
        kwargs["status"] = sent["status"]
    if "note" in sent:
        kwargs["note"] = sent["note"] or ""
    if "team_id" in sent:
        if not user.can(Perm.INVESTIGATION_MANAGE):
            raise PermissionDenied(_("Your role does not allow assigning teams."))
        team = None
        if sent["team_id"] is not None:
            team = task.investigation.teams.filter(pk=sent["team_id"]).first()
            if team is None:
                raise invalid("team_id", _("Assign this team to the investigation first."))
        kwargs["team"] = team
    try:
        inv.update_task(user, task, **kwargs)
    except inv.TracingError as exc:
        _raise(exc)
    task = TracingTask.objects.select_related(*_TASK_RELATED).get(pk=task.pk)
    return task_out(task, timezone.now())


# Teams ---------------------------------------------------------------------------------


@teams_router.get("", response=list[TeamOut], summary="Tracing teams of your area and of the units above it")
def list_teams(
    request: HttpRequest,
    active: bool | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> Any:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    qs = team_actions.teams_visible(user).select_related("province", "district", "commune", "village")
    if active is not None:
        qs = qs.filter(active=active)
    return [team_out(t) for t in qs.prefetch_related("members").order_by("name")[offset : offset + limit]]


@teams_router.post("", response={200: TeamOut, 201: TeamOut}, summary="Create a tracing team")
def create_team(request: HttpRequest, payload: TeamIn) -> tuple[int, Any]:
    user = current_user(request)
    access.require(user, Perm.INVESTIGATION_MANAGE)
    if payload.client_uuid is not None:
        first = team_actions.teams_in_scope(user).filter(client_uuid=payload.client_uuid).first()
        if first is not None:
            return 200, team_out(first)
        if TracingTeam.objects.filter(client_uuid=payload.client_uuid).exists():
            raise HttpError(409, _("This client_uuid was already used for a record outside your area."))
    field = "unit_id" if payload.unit_id is not None else "unit_code"
    unit = resolve_unit(user, field, payload.unit_id, payload.unit_code) or user.unit
    if unit is None:
        raise invalid("unit_id", _("Choose the unit the team belongs to."))
    try:
        team = team_actions.create_team(
            user, name=payload.name, unit=unit, active=payload.active, client_uuid=payload.client_uuid
        )
    except inv.TracingError as exc:
        _raise(exc)
        raise
    return 201, team_out(team)


@teams_router.get("/{team_id}", response=TeamOut, summary="A tracing team and its members")
def get_team(request: HttpRequest, team_id: uuid.UUID) -> Any:
    return team_out(_team(request, team_id, Perm.CASE_VIEW, manage=False))


@teams_router.patch("/{team_id}", response=TeamOut, summary="Rename, move or deactivate a team")
def update_team(request: HttpRequest, team_id: uuid.UUID, payload: TeamPatch) -> Any:
    user = current_user(request)
    team = _team(request, team_id, Perm.INVESTIGATION_MANAGE, manage=True)
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if sent.get("unit_id") is not None or sent.get("unit_code"):
        field = "unit_id" if sent.get("unit_id") is not None else "unit_code"
        changes["unit"] = resolve_unit(user, field, sent.get("unit_id"), sent.get("unit_code"))
    for key in ("name", "active"):
        if key in sent:
            if sent[key] is None:
                raise invalid(key, _("This field cannot be empty."))
            changes[key] = sent[key]
    try:
        team_actions.update_team(user, team, changes)
    except inv.TracingError as exc:
        _raise(exc)
    return team_out(team)


@teams_router.post("/{team_id}/members", response={201: MemberOut, 409: ErrorOut}, summary="Add a member")
def add_member(request: HttpRequest, team_id: uuid.UUID, payload: MemberIn) -> tuple[int, Any]:
    from phongdich.tracing.forms_investigations import users_in_scope

    user = current_user(request)
    team = _team(request, team_id, Perm.INVESTIGATION_MANAGE, manage=True)
    account: User | None = None
    if payload.user_id is not None:
        account = users_in_scope(user).filter(pk=payload.user_id).first()
        if account is None:
            raise invalid("user_id", _("Unknown user."))
    try:
        m = team_actions.add_member(
            user, team, full_name=payload.full_name, agency=payload.agency, phone=payload.phone, user=account
        )
    except inv.TracingError as exc:
        _raise(exc)
        raise
    return 201, MemberOut(id=m.pk, full_name=m.full_name, agency=m.agency, phone=m.phone, user_id=m.user_id)


@teams_router.delete("/{team_id}/members/{member_id}", response={204: None}, summary="Remove a member")
def remove_member(request: HttpRequest, team_id: uuid.UUID, member_id: int) -> tuple[int, None]:
    team = _team(request, team_id, Perm.INVESTIGATION_MANAGE, manage=True)
    try:
        member = team.members.get(pk=member_id)
    except TeamMember.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
    team_actions.remove_member(current_user(request), member)
    return 204, None
