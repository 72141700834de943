"""Pages of investigations (teams, task list), overdue tracing work and tracing teams.

The task list itself is shown on the case page (cases/detail.html includes
tracing/investigation_panel.html); the forms there post here and come back.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.tracing import investigations as inv_actions
from phongdich.tracing import teams as team_actions
from phongdich.tracing.forms_investigations import MemberForm, TaskForm, TeamForm
from phongdich.tracing.models import Investigation, TeamMember, TracingTask, TracingTeam


def _investigation(request: HttpRequest, pk: Any, perm: Perm) -> Investigation:
    user = current_user(request)
    qs = inv_actions.investigations_in_scope(user).select_related("case")
    return access.get_for_user(user, qs, perm, pk=pk)


def _task(request: HttpRequest, pk: Any, perm: Perm) -> TracingTask:
    user = current_user(request)
    access.require(user, perm)
    qs = inv_actions.tasks_in_scope(user).select_related("investigation", "investigation__case", "person", "team")
    try:
        return qs.get(pk=pk)
    except (TracingTask.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc


def _team(request: HttpRequest, pk: Any, perm: Perm, *, manage: bool = False) -> TracingTeam:
    user = current_user(request)
    access.require(user, perm)
    qs = team_actions.teams_in_scope(user) if manage else team_actions.teams_visible(user)
    try:
        return qs.select_related("province", "district", "commune", "village").get(pk=pk)
    except (TracingTeam.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc


def _back_to_case(investigation: Investigation) -> HttpResponse:
    return redirect("cases:detail", pk=investigation.case_id)


# Investigations ------------------------------------------------------------------------


@login_required
@require_GET
def investigation_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    now = timezone.now()
    status = request.GET.get("status", Investigation.Status.OPEN)
    qs = inv_actions.investigations_in_scope(user).select_related("case", "case__person", "commune")
    if status in Investigation.Status.values:
        qs = qs.filter(status=status)
    qs = qs.annotate(
        n_tasks=Count("tasks", distinct=True),
        n_open=Count("tasks", filter=Q(tasks__status__in=inv_actions.OPEN_TASK_STATUSES), distinct=True),
        n_overdue=Count(
            "tasks",
            filter=Q(tasks__status__in=inv_actions.OPEN_TASK_STATUSES, tasks__due_at__lt=now),
            distinct=True,
        ),
        n_teams=Count("teams", distinct=True),
    ).order_by("-opened_at")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "tracing/investigation_list.html",
        {"page": page, "status": status, "statuses": Investigation.Status.choices},
    )


@login_required
@require_POST
def investigation_teams(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    inv = _investigation(request, pk, Perm.INVESTIGATION_MANAGE)
    visible = team_actions.teams_visible(user)
    ids = request.POST.getlist("team_ids")
    try:
        wanted = [uuid.UUID(i) for i in ids]
    except ValueError:
        wanted = []
        messages.error(request, _("Unknown team."))
        return _back_to_case(inv)
    teams = list(visible.filter(pk__in=wanted))
    if len(teams) != len(set(wanted)):
        messages.error(request, _("Unknown team."))
        return _back_to_case(inv)
    try:
        inv_actions.assign_teams(user, inv, teams)
    except inv_actions.TracingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Teams saved."))
    return _back_to_case(inv)


@login_required
@require_POST
def investigation_sync(request: HttpRequest, pk: Any) -> HttpResponse:
    inv = _investigation(request, pk, Perm.TRACE_EDIT)
    result = inv_actions.sync_tasks(inv)
    messages.success(
        request,
        _("Task list refreshed: %(added)s added, %(removed)s removed.")
        % {"added": result.added, "removed": result.removed},
    )
    return _back_to_case(inv)


@login_required
@require_POST
def investigation_close(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    inv = _investigation(request, pk, Perm.INVESTIGATION_MANAGE)
    try:
        if request.POST.get("reopen"):
            inv_actions.reopen_investigation(user, inv)
            messages.success(request, _("Investigation reopened."))
        else:
            inv_actions.close_investigation(user, inv, request.POST.get("note", "").strip()[:500])
            messages.success(request, _("Investigation closed."))
    except inv_actions.TracingError as exc:
        messages.error(request, exc.message)
    return _back_to_case(inv)


@login_required
@require_POST
def task_update(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    task = _task(request, pk, Perm.TRACE_EDIT)
    form = TaskForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(str(m) for errs in form.errors.values() for m in errs)
    else:
        d = form.cleaned_data
        kwargs: dict[str, Any] = {"status": d.get("status") or None}
        if "note" in request.POST:
            kwargs["note"] = d.get("note", "")
        if "team_id" in request.POST and (d.get("team_id") or None) != (str(task.team_id) if task.team_id else None):
            if not user.can(Perm.INVESTIGATION_MANAGE):
                error = _("Your role does not allow assigning teams.")
            else:
                team = None
                if d.get("team_id"):
                    team = task.investigation.teams.filter(pk__in=_uuid_or_none(d["team_id"])).first()
                    if team is None:
                        error = _("Assign this team to the investigation first.")
                kwargs["team"] = team
        if not error:
            try:
                task = inv_actions.update_task(user, task, **kwargs)
            except inv_actions.TracingError as exc:
                error = exc.message
    status = 422 if error else 200
    if request.headers.get("HX-Request"):
        task = TracingTask.objects.select_related(
            "investigation", "person", "person__commune", "person__village", "team"
        ).get(pk=task.pk)
        task.overdue = (  # type: ignore[attr-defined]
            task.investigation.status == Investigation.Status.OPEN and inv_actions.is_overdue(task)
        )
        return render(
            request,
            "tracing/task_row.html",
            {
                "t": task,
                "investigation": task.investigation,
                "task_statuses": TracingTask.Status.choices,
                "can_trace": True,
                "can_manage": user.can(Perm.INVESTIGATION_MANAGE),
                "error": error,
                "now": timezone.now(),
            },
            status=status,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Task saved."))
    if access.scope(user, Investigation.objects.filter(pk=task.investigation_id)).exists():
        return _back_to_case(task.investigation)
    return redirect("investigations:overdue")


def _uuid_or_none(value: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(value)]
    except ValueError:
        return []


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    now = timezone.now()
    counts = inv_actions.overdue_counts(user, now)
    tasks = inv_actions.overdue_tasks(user, now).select_related(
        "person", "person__commune", "person__district", "investigation__case", "team"
    )
    unit = None
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        unit = AdminUnit.objects.filter(pk=int(unit_id)).first()
        if unit is not None and access.unit_in_scope(user, unit):
            tasks = tasks.filter(**unit.scope_filter("person__"))
        else:
            unit = None
    page = Paginator(tasks.order_by("due_at"), 50).get_page(request.GET.get("page"))
    for t in page:
        t.late_hours = int((now - t.due_at).total_seconds() // 3600)  # type: ignore[attr-defined]
    visible_invs = set(
        inv_actions.investigations_in_scope(user)
        .filter(pk__in={t.investigation_id for t in page})
        .values_list("pk", flat=True)
    )
    by_district: dict[Any, dict[str, Any]] = {}
    for row in counts:
        d = by_district.setdefault(
            row["district_id"], {"name": row["district"], "id": row["district_id"], "count": 0, "communes": []}
        )
        d["count"] += row["count"]
        d["communes"].append(row)
    return render(
        request,
        "tracing/task_overdue.html",
        {
            "districts": list(by_district.values()),
            "total": sum(r["count"] for r in counts),
            "page": page,
            "unit": unit,
            "visible_invs": visible_invs,
            "now": now,
        },
    )


# Teams ---------------------------------------------------------------------------------


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    teams = (
        team_actions.teams_visible(user)
        .select_related("province", "district", "commune", "village")
        .annotate(
            n_members=Count("members", distinct=True),
            n_open=Count("investigations", filter=Q(investigations__status=Investigation.Status.OPEN), distinct=True),
        )
        .order_by("-active", "name")
    )
    managed = set(team_actions.teams_in_scope(user).values_list("pk", flat=True))
    page = Paginator(teams, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tracing/team_list.html",
        {"page": page, "managed": managed, "can_manage": user.can(Perm.INVESTIGATION_MANAGE)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.INVESTIGATION_MANAGE)
    form = TeamForm(request.POST or None, user=user, initial={"unit": user.unit_id, "active": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            team = team_actions.create_team(user, name=d["name"], unit=d["unit"], active=d["active"])
        except inv_actions.TracingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Team created. Add its members."))
            return redirect("investigations:team", pk=team.pk)
    return render(request, "tracing/team_form.html", {"form": form, "team": None})


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    team = _team(request, pk, Perm.INVESTIGATION_MANAGE, manage=True)
    unit = team_actions.team_unit(team)
    form = TeamForm(
        request.POST or None,
        user=user,
        initial={"name": team.name, "unit": unit.pk if unit else None, "active": team.active},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes: dict[str, Any] = {"name": d["name"], "active": d["active"]}
        if d["unit"] != unit:
            changes["unit"] = d["unit"]
        try:
            team_actions.update_team(user, team, changes)
        except inv_actions.TracingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("investigations:team", pk=team.pk)
    return render(request, "tracing/team_form.html", {"form": form, "team": team})


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    team = _team(request, pk, Perm.CASE_VIEW)
    can_manage = user.can(Perm.INVESTIGATION_MANAGE) and team_actions.teams_in_scope(user).filter(pk=team.pk).exists()
    investigations = (
        inv_actions.investigations_in_scope(user)
        .filter(teams=team, status=Investigation.Status.OPEN)
        .select_related("case", "commune")
        .order_by("-opened_at")[:50]
    )
    tasks = inv_actions.tasks_in_scope(user).filter(team=team, status__in=inv_actions.OPEN_TASK_STATUSES)
    return render(
        request,
        "tracing/team_detail.html",
        {
            "team": team,
            "unit": team_actions.team_unit(team),
            "members": team.members.select_related("user"),
            "investigations": investigations,
            "open_tasks": tasks.count(),
            "overdue_tasks": tasks.filter(due_at__lt=timezone.now()).count(),
            "can_manage": can_manage,
            "member_form": MemberForm(user=user) if can_manage else None,
        },
    )


@login_required
@require_POST
def member_add(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    team = _team(request, pk, Perm.INVESTIGATION_MANAGE, manage=True)
    form = MemberForm(request.POST, user=user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            team_actions.add_member(
                user, team, full_name=d["full_name"], agency=d["agency"], phone=d["phone"], user=d.get("user")
            )
        except inv_actions.TracingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Member added."))
        return redirect("investigations:team", pk=team.pk)
    return render(
        request,
        "tracing/team_detail.html",
        {
            "team": team,
            "unit": team_actions.team_unit(team),
            "members": team.members.select_related("user"),
            "investigations": [],
            "open_tasks": 0,
            "overdue_tasks": 0,
            "can_manage": True,
            "member_form": form,
        },
        status=422,
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: Any, member_pk: int) -> HttpResponse:
    user = current_user(request)
    team = _team(request, pk, Perm.INVESTIGATION_MANAGE, manage=True)
    try:
        member = team.members.get(pk=member_pk)
    except TeamMember.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
    team_actions.remove_member(user, member)
    messages.success(request, _("Member removed."))
    return redirect("investigations:team", pk=team.pk)
