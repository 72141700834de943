"""Pages of the community COVID teams. Thin: access through core.access, changes through actions.

- ``index``: the commune's page (teams with their counts, overdue visits, findings waiting);
  a team member without management rights goes straight to their team's "today" page.
- ``today``: the member's phone-first page: who to visit today, one tap per finding.
- ``team`` and its management forms; ``alerts``; ``watch`` (entries added by hand); ``groups``.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.community import actions, queries, watchlist
from phongdich.community.forms import AssignForm, GroupForm, HandleForm, MemberForm, TeamForm, WatchEntryForm
from phongdich.community.models import CommunityTeam, Finding, HouseholdAssignment, HouseholdGroup
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.forms import posted_client_uuid, uuid_or_none
from phongdich.core.models import User
from phongdich.core.roles import Perm
from phongdich.people.models import Household, Person
from phongdich.people.queries import active_people, households_in_scope, units_in_scope


def _team(request: HttpRequest, pk: Any, perm: Perm = Perm.COMMUNITY_VIEW) -> CommunityTeam:
    user = current_user(request)
    return access.get_for_user(user, queries.teams_in_scope(user), perm, pk=pk)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect(default)


def _on(request: HttpRequest) -> datetime.date:
    """The day the lists are computed for: ``?on=YYYY-MM-DD`` (to look back, e.g. at the demo), else today."""
    try:
        return datetime.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def _log_rows(user: User, team: CommunityTeam, rows: list[watchlist.WatchRow], what: str) -> None:
    if rows and user.can(Perm.PERSON_VIEW):
        record_access(user, team, "web", f"{what}: {len(rows)} people")


# The commune's page --------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    mine = list(queries.my_teams(user))
    if mine and not user.can(Perm.COMMUNITY_MANAGE):
        return redirect("community:today", pk=mine[0].pk)
    teams = list(queries.teams_in_scope(user))
    on = _on(request)
    counts, overdue = watchlist.overdue_by_team(teams, on)
    if overdue and user.can(Perm.PERSON_VIEW):
        record_access(user, user.unit or teams[0], "web", f"overdue visits: {len(overdue)} people")
    alerts = queries.open_alerts(user)
    return render(
        request,
        "community/index.html",
        {
            "counts": counts,
            "inactive": [t for t in teams if not t.active],
            "overdue": overdue[:200],
            "overdue_total": len(overdue),
            "alerts": list(alerts[:10]),
            "alert_total": alerts.count(),
            "mine": mine,
            "names": user.can(Perm.PERSON_VIEW),
            "can_manage": user.can(Perm.COMMUNITY_MANAGE),
            "today": on,
        },
    )


# The member's page ---------------------------------------------------------------------


def _today(request: HttpRequest, team: CommunityTeam, status: int = 200, error: str = "") -> HttpResponse:
    user = current_user(request)
    on = _on(request)
    rows = watchlist.rows_for_team(team, on)
    _log_rows(user, team, rows, "watch list")
    for row in rows:
        row.form_uuid = uuid.uuid4()
    mine = [r for r in rows if r.member is not None and r.member.user_id == user.pk]
    others = [r for r in rows if r not in mine]
    return render(
        request,
        "community/today.html",
        {
            "team": team,
            "due_mine": [r for r in mine if r.due],
            "due_others": [r for r in others if r.due],
            "later": [r for r in rows if not r.due],
            "names": user.can(Perm.PERSON_VIEW),
            "can_visit": user.can(Perm.COMMUNITY_VISIT) and team.active,
            "findings": [(v, label) for v, label in Finding.choices if v != Finding.ALL_WELL],
            "error": error,
            "today": on,
        },
        status=status,
    )


@login_required
@require_GET
def today(request: HttpRequest, pk: Any) -> HttpResponse:
    return _today(request, _team(request, pk))


@login_required
@require_POST
def visit(request: HttpRequest, pk: Any) -> HttpResponse:
    """One tap on the today page: record the visit of a person (or a household)."""
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VISIT)
    team = _team(request, pk, Perm.COMMUNITY_VISIT)
    person = household = None
    person_id, household_id = uuid_or_none(request.POST.get("person")), uuid_or_none(request.POST.get("household"))
    if request.POST.get("person"):
        person = active_people(user).filter(pk=person_id).first() if person_id else None
        if person is None:
            return _today(request, team, 422, _("Unknown person."))
    elif request.POST.get("household"):
        household = households_in_scope(user).filter(pk=household_id).first() if household_id else None
        if household is None:
            return _today(request, team, 422, _("Unknown household."))
    temperature = None
    raw = request.POST.get("temperature", "").strip().replace(",", ".")
    if raw:
        try:
            temperature = Decimal(raw)
        except ArithmeticError:
            return _today(request, team, 422, _("The temperature must be between 34 and 43 °C."))
    try:
        _v, created = actions.record_visit(
            user,
            team,
            visited_at=timezone.now(),
            finding=request.POST.get("finding", ""),
            person=person,
            household=household,
            temperature=temperature,
            note=request.POST.get("note", ""),
            client_uuid=posted_client_uuid(request),
        )
    except actions.CommunityError as exc:
        return _today(request, team, exc.status, exc.message)
    messages.success(request, _("Visit recorded.") if created else _("This visit was already saved."))
    return _back(request, reverse("community:today", args=[team.pk]))


# Teams ---------------------------------------------------------------------------------


@login_required
@require_GET
def team(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    t = _team(request, pk)
    rows = watchlist.rows_for_team(t, _on(request))
    _log_rows(user, t, rows, "team page")
    members = list(t.members.prefetch_related("assignments__household"))
    taken = HouseholdAssignment.objects.filter(team=t).values("household_id")
    free = Household.objects.filter(village_id=t.village_id).exclude(pk__in=taken)
    can_manage = user.can(Perm.COMMUNITY_MANAGE)
    active_members = t.members.filter(active=True)
    return render(
        request,
        "community/team.html",
        {
            "team": t,
            "members": members,
            "rows": rows,
            "visits": list(t.visits.select_related("member", "person", "household")[:20]),
            "names": user.can(Perm.PERSON_VIEW),
            "can_manage": can_manage,
            "member_form": MemberForm() if can_manage else None,
            "assign_form": AssignForm(members=active_members, households=free) if can_manage else None,
            "free_count": free.count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_MANAGE)
    villages = units_in_scope(user, "village")
    form = TeamForm(request.POST or None, villages=villages)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                t, _created = actions.create_team(
                    user,
                    name=form.cleaned_data["name"],
                    village=form.cleaned_data["village"],
                    client_uuid=posted_client_uuid(request),
                )
            except actions.CommunityError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Team created."))
                return redirect("community:team", pk=t.pk)
        else:
            status = 422
    return render(request, "community/team_form.html", {"form": form, "client_uuid": uuid.uuid4()}, status=status)


@login_required
@require_POST
def team_toggle(request: HttpRequest, pk: Any) -> HttpResponse:
    t = _team(request, pk, Perm.COMMUNITY_MANAGE)
    actions.update_team(current_user(request), t, active=not t.active)
    messages.success(request, _("Team reactivated.") if t.active else _("Team deactivated."))
    return redirect("community:team", pk=t.pk)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    t = _team(request, pk, Perm.COMMUNITY_MANAGE)
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the member's details."))
        return redirect("community:team", pk=t.pk)
    d = form.cleaned_data
    account = None
    if d.get("username"):
        account = User.objects.filter(username=d["username"], is_active=True).select_related("unit").first()
        if account is None:
            messages.error(request, _("Unknown user account."))
            return redirect("community:team", pk=t.pk)
    try:
        actions.add_member(
            user,
            t,
            full_name=d["full_name"],
            position=d["position"],
            phone=d.get("phone") or "",
            user=account,
            client_uuid=posted_client_uuid(request),
        )
    except actions.CommunityError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Member added."))
    return redirect("community:team", pk=t.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: Any, member_pk: Any) -> HttpResponse:
    t = _team(request, pk, Perm.COMMUNITY_MANAGE)
    member = t.members.filter(pk=member_pk).first()
    if member is None:
        raise Http404(_("Not found."))
    actions.remove_member(current_user(request), member)
    messages.success(request, _("The member left the team."))
    return redirect("community:team", pk=t.pk)


@login_required
@require_POST
def assign(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    t = _team(request, pk, Perm.COMMUNITY_MANAGE)
    form = AssignForm(
        request.POST,
        members=t.members.filter(active=True),
        households=households_in_scope(user).filter(village_id=t.village_id),
    )
    if not form.is_valid():
        messages.error(request, _("Choose a member and at least one household of the village."))
        return redirect("community:team", pk=t.pk)
    try:
        actions.assign_households(user, form.cleaned_data["member"], form.cleaned_data["households"])
    except actions.CommunityError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Households assigned."))
    return redirect("community:team", pk=t.pk)


@login_required
@require_POST
def unassign(request: HttpRequest, pk: Any, household_pk: Any) -> HttpResponse:
    user = current_user(request)
    t = _team(request, pk, Perm.COMMUNITY_MANAGE)
    household = households_in_scope(user).filter(pk=household_pk).first()
    if household is None or not actions.unassign_household(user, t, household):
        raise Http404(_("Not found."))
    messages.success(request, _("Household unassigned."))
    return redirect("community:team", pk=t.pk)


# Findings ------------------------------------------------------------------------------


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    handled = queries.visits_in_scope(user).filter(needs_action=True, handled_at__isnull=False)
    waiting = list(queries.open_alerts(user)[:300])
    if waiting and user.can(Perm.PERSON_VIEW) and user.unit is not None:
        record_access(user, user.unit, "web", f"community findings: {len(waiting)}")
    return render(
        request,
        "community/alerts.html",
        {
            "open": waiting,
            "handled": list(handled.select_related("team", "person", "household").order_by("-handled_at")[:30]),
            "names": user.can(Perm.PERSON_VIEW),
            "can_handle": user.can(Perm.COMMUNITY_FINDING_HANDLE),
            "form": HandleForm(),
        },
    )


@login_required
@require_POST
def alert_handle(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    v = access.get_for_user(user, queries.visits_in_scope(user), Perm.COMMUNITY_FINDING_HANDLE, pk=pk)
    form = HandleForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.handle_alert(user, v, note)
    except actions.CommunityError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as handled."))
    return redirect("community:alerts")


# Watch entries -------------------------------------------------------------------------


@login_required
@require_GET
def watch_entries(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    entries = list(
        queries.entries_in_scope(user).filter(ends_on__gte=timezone.localdate(), ended_at__isnull=True)[:500]
    )
    if entries and user.can(Perm.PERSON_VIEW) and user.unit is not None:
        record_access(user, user.unit, "web", f"community watch entries: {len(entries)} people")
    return render(
        request,
        "community/watch_entries.html",
        {
            "entries": entries,
            "names": user.can(Perm.PERSON_VIEW),
            "can_manage": user.can(Perm.COMMUNITY_MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def watch_add(request: HttpRequest, person_pk: Any) -> HttpResponse:
    user = current_user(request)
    person: Person = access.get_for_user(user, active_people(user), Perm.COMMUNITY_MANAGE, pk=person_pk)
    today_ = timezone.localdate()
    initial = {"starts_on": today_, "ends_on": today_ + datetime.timedelta(days=14), "visit_every_days": 1}
    form = WatchEntryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.add_watch_entry(
                    user,
                    person,
                    reason=d["reason"],
                    note=d.get("note") or "",
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    visit_every_days=d["visit_every_days"],
                    client_uuid=posted_client_uuid(request),
                )
            except actions.CommunityError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Added to the team's watch list."))
                return redirect("people:detail", pk=person.pk)
        else:
            status = 422
    return render(
        request,
        "community/watch_form.html",
        {"form": form, "person": person, "client_uuid": uuid.uuid4()},
        status=status,
    )


@login_required
@require_POST
def watch_end(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    entry = access.get_for_user(user, queries.entries_in_scope(user), Perm.COMMUNITY_MANAGE, pk=pk)
    actions.end_watch_entry(user, entry)
    messages.success(request, _("Taken off the watch list."))
    return redirect("community:watch")


# Household groups ----------------------------------------------------------------------


def _group(request: HttpRequest, pk: Any, perm: Perm = Perm.COMMUNITY_VIEW) -> HouseholdGroup:
    user = current_user(request)
    return access.get_for_user(user, queries.groups_in_scope(user), perm, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def groups(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.COMMUNITY_VIEW)
    can_manage = user.can(Perm.COMMUNITY_MANAGE)
    form = GroupForm(request.POST or None, villages=units_in_scope(user, "village")) if can_manage else None
    status = 200
    if request.method == "POST":
        access.require(user, Perm.COMMUNITY_MANAGE)
        assert form is not None
        if form.is_valid():
            try:
                g, _created = actions.create_group(
                    user,
                    name=form.cleaned_data["name"],
                    village=form.cleaned_data["village"],
                    client_uuid=posted_client_uuid(request),
                )
            except actions.CommunityError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Group created."))
                return redirect("community:group", pk=g.pk)
        else:
            status = 422
    rows = queries.groups_in_scope(user).prefetch_related("memberships__household")
    return render(
        request,
        "community/groups.html",
        {"groups": list(rows[:500]), "form": form, "client_uuid": uuid.uuid4()},
        status=status,
    )


@login_required
@require_GET
def group(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    g = _group(request, pk)
    members = list(g.memberships.select_related("household"))
    free = (
        households_in_scope(user)
        .filter(village_id=g.village_id, community_group_membership__isnull=True)
        .order_by("code")
    )
    return render(
        request,
        "community/group.html",
        {"group": g, "members": members, "free": list(free[:300]), "can_manage": user.can(Perm.COMMUNITY_MANAGE)},
    )


@login_required
@require_POST
def group_add(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    g = _group(request, pk, Perm.COMMUNITY_MANAGE)
    ids = [u for u in (uuid_or_none(v) for v in request.POST.getlist("households")) if u is not None]
    households = list(households_in_scope(user).filter(pk__in=ids))
    if not households or len(households) != len(set(ids)):
        messages.error(request, _("Unknown household."))
        return redirect("community:group", pk=g.pk)
    try:
        actions.add_to_group(user, g, households)
    except actions.CommunityError as exc:
        messages.error(request, exc.message)
    return redirect("community:group", pk=g.pk)


@login_required
@require_POST
def group_remove(request: HttpRequest, pk: Any, household_pk: Any) -> HttpResponse:
    user = current_user(request)
    g = _group(request, pk, Perm.COMMUNITY_MANAGE)
    household = households_in_scope(user).filter(pk=household_pk).first()
    if household is None or not actions.remove_from_group(user, g, household):
        raise Http404(_("Not found."))
    return redirect("community:group", pk=g.pk)
