"""Pages of cases (F0) and clusters. Thin: access through core.access, changes through actions."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.cases import actions, queries
from phongdich.cases.forms import CaseFilterForm, CaseForm, ClusterForm, OutcomeForm, RuleOutForm
from phongdich.cases.models import Case, CaseStatus, Cluster
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.forms import posted_client_uuid
from phongdich.core.roles import Perm
from phongdich.people.models import Person
from phongdich.people.queries import active_people
from phongdich.tracing import investigations
from phongdich.tracing.models import Investigation, TracingTask
from phongdich.tracing.teams import teams_visible


def _case(request: HttpRequest, pk: Any, perm: Perm = Perm.CASE_VIEW) -> Case:
    user = current_user(request)
    qs = queries.cases_in_scope(user).select_related(*queries.CASE_RELATED)
    return access.get_for_user(user, qs, perm, pk=pk)


def _cluster(request: HttpRequest, pk: Any, perm: Perm = Perm.CASE_VIEW) -> Cluster:
    user = current_user(request)
    qs = queries.clusters_in_scope(user).select_related("province", "district", "commune", "village")
    return access.get_for_user(user, qs, perm, pk=pk)


# Cases ---------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    form = CaseFilterForm(request.GET or None, user=user)
    f = queries.CaseFilter()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        f = queries.CaseFilter(
            q=d.get("q") or "",
            status=d.get("status") or "",
            detected_by=d.get("detected_by") or "",
            unit=d.get("unit"),
            cluster_id=d["cluster"].pk if d.get("cluster") else None,
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
        )
    cases = queries.filter_cases(user, f).select_related("person", "commune", "cluster")
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"form": form, "page": page, "can_edit": user.can(Perm.CASE_EDIT)})


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, person_pk: Any) -> HttpResponse:
    user = current_user(request)
    person: Person = access.get_for_user(
        user, active_people(user).select_related("commune", "village"), Perm.CASE_EDIT, pk=person_pk
    )
    current = actions.active_case(person)
    form = CaseForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case, created = actions.create_case(user, person, client_uuid=posted_client_uuid(request), **form.values())
        except actions.CaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status if exc.status >= 400 else 422
        else:
            if created:
                messages.success(
                    request, _("Case %(code)s confirmed. The investigation is open.") % {"code": case.code}
                )
            else:
                messages.info(request, _("This case was already saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/form.html",
        {"form": form, "person": person, "case": None, "current": current, "client_uuid": uuid.uuid4()},
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    case = _case(request, pk)
    record_access(user, case, "web")
    investigation = Investigation.objects.filter(case=case).prefetch_related("teams").first()
    tasks: list[TracingTask] = []
    counts: dict[str, int] = {}
    if investigation is not None:
        tasks = list(
            TracingTask.objects.filter(investigation=investigation)
            .select_related("person", "person__commune", "person__village", "team")
            .order_by("status", "due_at")
        )
        counts = investigations.task_counts(investigation)
        is_open = investigation.status == Investigation.Status.OPEN
        for t in tasks:
            t.overdue = is_open and investigations.is_overdue(t)  # type: ignore[attr-defined]
    assignable = teams_visible(user).filter(active=True).order_by("name") if user.can(Perm.INVESTIGATION_MANAGE) else []
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "symptoms": [actions.symptom_label(s) for s in case.symptoms],
            "levels": queries.level_counts(case),
            "investigation": investigation,
            "tasks": tasks,
            "task_counts": counts,
            "task_statuses": TracingTask.Status.choices,
            "assignable_teams": assignable,
            "other_cases": queries.cases_of_person(user, case.person).exclude(pk=case.pk),
            "can_edit": user.can(Perm.CASE_EDIT) and case.status == CaseStatus.CONFIRMED,
            "can_trace": user.can(Perm.TRACE_EDIT),
            "can_manage": user.can(Perm.INVESTIGATION_MANAGE),
            "rule_out_form": RuleOutForm(),
            "outcome_form": OutcomeForm(initial={"outcome": case.outcome, "date": case.outcome_date}),
            "person_visible": active_people(user).filter(pk=case.person_id).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    case = _case(request, pk, Perm.CASE_EDIT)
    if case.status == CaseStatus.RULED_OUT:
        messages.error(request, _("A ruled-out case cannot be changed."))
        return redirect("cases:detail", pk=case.pk)
    if request.method == "POST":
        form = CaseForm(request.POST, user=user, case=case)
        if form.is_valid():
            try:
                actions.update_case(user, case, form.values())
            except actions.CaseError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("cases:detail", pk=case.pk)
    else:
        form = CaseForm(initial=CaseForm.initial_for(case), user=user, case=case)
    return render(request, "cases/form.html", {"form": form, "person": case.person, "case": case})


@login_required
@require_http_methods(["GET", "POST"])
def case_rule_out(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    case = _case(request, pk, Perm.CASE_EDIT)
    form = RuleOutForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.rule_out_case(user, case, form.cleaned_data["reason"])
        except actions.CaseError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(
                request, _("Case %(code)s ruled out. Its contacts' levels were recomputed.") % {"code": case.code}
            )
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/rule_out.html", {"form": form, "case": case}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_outcome(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    case = _case(request, pk, Perm.CASE_EDIT)
    form = OutcomeForm(request.POST or None, initial={"outcome": case.outcome, "date": case.outcome_date})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_outcome(user, case, form.cleaned_data["outcome"], form.cleaned_data.get("date"))
        except actions.CaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Outcome saved."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/outcome.html", {"form": form, "case": case}, status=status)


# Clusters ------------------------------------------------------------------------------


@login_required
@require_GET
def cluster_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    status = request.GET.get("status", "")
    clusters = queries.clusters_with_counts(user).select_related("district", "commune")
    if status in Cluster.Status.values:
        clusters = clusters.filter(status=status)
    page = Paginator(clusters.order_by("-first_date", "code"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/cluster_list.html",
        {"page": page, "status": status, "statuses": Cluster.Status.choices, "can_edit": user.can(Perm.CASE_EDIT)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cluster_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_EDIT)
    form = ClusterForm(request.POST or None, user=user, initial={"unit": user.unit_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            cluster = actions.create_cluster(
                user,
                name=d["name"],
                unit=d["unit"],
                place=d["place"],
                first_date=d.get("first_date"),
                status=d["status"],
                description=d["description"],
            )
        except actions.CaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Cluster %(code)s created.") % {"code": cluster.code})
            return redirect("cases:cluster", pk=cluster.pk)
    return render(request, "cases/cluster_form.html", {"form": form, "cluster": None})


@login_required
@require_http_methods(["GET", "POST"])
def cluster_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cluster = _cluster(request, pk, Perm.CASE_EDIT)
    unit = cluster.village or cluster.commune or cluster.district or cluster.province
    initial = {
        "name": cluster.name,
        "unit": unit.pk if unit else None,
        "place": cluster.place,
        "first_date": cluster.first_date,
        "status": cluster.status,
        "description": cluster.description,
    }
    form = ClusterForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes: dict[str, Any] = {k: d[k] for k in ("name", "place", "first_date", "status", "description")}
        if d["unit"] != unit:
            changes["unit"] = d["unit"]
        try:
            actions.update_cluster(user, cluster, changes)
        except actions.CaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:cluster", pk=cluster.pk)
    return render(request, "cases/cluster_form.html", {"form": form, "cluster": cluster})


@login_required
@require_GET
def cluster_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cluster = _cluster(request, pk)
    cases = (
        queries.cases_in_scope(user)
        .filter(cluster=cluster)
        .select_related("person", "commune")
        .order_by("confirmed_on", "code")
    )
    contacts = queries.cluster_contacts(user, cluster).order_by("level", "person__name_key")
    contact_page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/cluster_detail.html",
        {
            "cluster": cluster,
            "cases": cases,
            "counts": queries.cluster_counts(user, cluster),
            "page": contact_page,
            "can_edit": user.can(Perm.CASE_EDIT),
        },
    )


@login_required
@require_POST
def cluster_delete(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cluster = _cluster(request, pk, Perm.CASE_EDIT)
    try:
        actions.delete_cluster(user, cluster)
    except actions.CaseError as exc:
        messages.error(request, exc.message)
        return redirect("cases:cluster", pk=cluster.pk)
    messages.success(request, _("Cluster deleted."))
    return redirect("cases:clusters")
