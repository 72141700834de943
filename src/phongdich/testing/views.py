"""Pages of the testing app. Thin: access through core.access, changes through the actions."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.forms import posted_client_uuid
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.people.queries import active_people, search_people, units_in_scope
from phongdich.testing import actions, imports, queries, results
from phongdich.testing.forms import (
    CampaignEditForm,
    CampaignForm,
    ImportForm,
    LabForm,
    RejectForm,
    ResultForm,
    TakingForm,
)
from phongdich.testing.models import Campaign, CaseProposal, Outcome, ResultImport, ResultSource, TubeStatus

MAX_UPLOAD = 20 * 1024 * 1024


def _form_error(form: Any, exc: actions.TestingError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.TEST_VIEW)
    labs = [queries.lab_figures(lab, days=1) for lab in queries.labs_in_scope(user).filter(active=True)]
    context = {
        "labs": labs,
        "pending": queries.proposals_in_scope(user).filter(status=CaseProposal.Status.PENDING).count()
        if user.can(Perm.CASE_VIEW)
        else None,
        "positives": queries.new_positives(user, days=7).count(),
        "queued": queries.queued_tests(user).count(),
        "campaigns": queries.campaigns_in_scope(user).exclude(status=Campaign.Status.CLOSED)[:5],
        "recent": queries.recent_results(user, days=7)[:15],
    }
    return render(request, "testing/index.html", context)


# Results of the area's residents -------------------------------------------------------


@login_required
@require_GET
def area_results(request: HttpRequest) -> HttpResponse:
    """Recent results of the residents of the user's area (a commune sees its own people)."""
    user = current_user(request)
    access.require(user, Perm.TEST_VIEW)
    unit_filter: dict[str, Any] = {}
    unit: AdminUnit | None = None
    if request.GET.get("unit"):
        unit = AdminUnit.objects.filter(pk=request.GET["unit"]).first() if request.GET["unit"].isdigit() else None
        if unit is None or not access.unit_in_scope(user, unit):
            raise Http404(_("Not found."))
        unit_filter = unit.scope_filter()
    only_positive = request.GET.get("positive") == "1"
    try:
        days = max(1, min(int(request.GET.get("days", "14")), 90))
    except ValueError:
        days = 14
    qs = queries.recent_results(user, unit_filter, days=days)
    if only_positive:
        qs = qs.filter(outcome=Outcome.POSITIVE)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    communes = units_in_scope(user, "commune")[:200]
    context = {"page": page, "unit": unit, "only_positive": only_positive, "days": days, "communes": communes}
    return render(request, "testing/area_results.html", context)


# Sample collection ---------------------------------------------------------------------


@login_required
@require_GET
def collect(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.SAMPLE_COLLECT)
    q = request.GET.get("q", "").strip()[:80]
    found = list(search_people(user, q, limit=30)) if q else []
    queued = queries.queued_tests(user).order_by("created_at")[:50]
    return render(request, "testing/collect.html", {"q": q, "found": found, "queued": queued})


def _taking(form: TakingForm) -> actions.Taking:
    d = form.cleaned_data
    return actions.Taking(
        barcode=d["barcode"],
        place_kind=d["place_kind"],
        place_name=d.get("place_name") or "",
        test_kind=d["test_kind"],
        sample_type=d["sample_type"],
        taken_at=d.get("taken_at"),
        campaign=d.get("campaign"),
        lab=d.get("lab"),
    )


def _taking_form(request: HttpRequest, data: Any = None) -> TakingForm:
    user = current_user(request)
    initial = {"place_kind": _default_place(user.role)}
    return TakingForm(
        data,
        initial=initial,
        campaigns=queries.campaigns_in_scope(user).exclude(status=Campaign.Status.CLOSED),
        labs=queries.labs_in_scope(user).filter(active=True),
    )


def _default_place(role: str) -> str:
    return {"checkpoint": "checkpoint", "facility": "quarantine", "health_station": "health_station"}.get(
        role, "health_station"
    )


@login_required
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, person_pk: Any) -> HttpResponse:
    user = current_user(request)
    person = access.get_for_user(user, active_people(user), Perm.SAMPLE_COLLECT, pk=person_pk)
    form = _taking_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.take_sample(user, person, _taking(form), posted_client_uuid(request))
        except actions.TestingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Sample recorded."))
            return redirect("people:detail", person.pk)
    queued = queries.queued_tests(user).filter(person=person).first()
    context = {"person": person, "form": form, "queued": queued, "client_uuid": uuid.uuid4()}
    return render(request, "testing/take.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pool(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.SAMPLE_COLLECT)
    source = request.POST if request.method == "POST" else request.GET
    ids = source.getlist("person")[:20]
    people = active_people(user)
    persons = []
    for pid in ids:
        try:
            persons.append(people.get(pk=pid))
        except (ValueError, ValidationError, people.model.DoesNotExist) as exc:  # type: ignore[misc]
            raise Http404(_("Not found.")) from exc
    form = _taking_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        campaign = form.cleaned_data.get("campaign")
        unit = (campaign.village or campaign.commune) if campaign else user.unit
        try:
            actions.take_pool(user, persons, _taking(form), unit, posted_client_uuid(request))
        except actions.TestingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Pooled sample of %(n)s persons recorded.") % {"n": len(persons)})
            return redirect("testing:collect")
    return render(request, "testing/pool.html", {"persons": persons, "form": form, "client_uuid": uuid.uuid4()})


# Laboratory ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.RESULT_ENTER)
    labs = queries.labs_in_scope(user).filter(active=True)
    lab_id = request.session.get("testing_lab")
    form = ResultForm(request.POST if request.method == "POST" else None, labs=labs, initial={"lab": lab_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        request.session["testing_lab"] = str(d["lab"].pk)
        try:
            entered = results.enter_result(
                user, d["lab"], d["barcode"], d["outcome"], d.get("ct"), d.get("resulted_at"), ResultSource.ENTRY
            )
        except actions.TestingError as exc:
            _form_error(form, exc)
        else:
            if entered.status == "unchanged":
                messages.info(request, _("This result was already recorded: nothing changed."))
            else:
                text = _("Result recorded.")
                if entered.queued:
                    text += " " + _("%(n)s individual tests queued.") % {"n": entered.queued}
                if entered.proposal:
                    text += " " + _("A case proposal was sent for review.")
                messages.success(request, text)
            return redirect("testing:enter")
    return render(request, "testing/enter.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.RESULT_ENTER)
    labs = queries.labs_in_scope(user)
    form = ImportForm(request.POST or None, request.FILES or None, labs=labs.filter(active=True))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is too large (at most 20 MB)."))
        else:
            try:
                record = imports.import_results(user, form.cleaned_data["lab"], upload.name, upload.read())
            except imports.FileProblem as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("testing:import_detail", record.pk)
    recent = ResultImport.objects.filter(lab__in=labs).select_related("lab")[:10]
    return render(request, "testing/import.html", {"form": form, "recent": recent})


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.RESULT_ENTER)
    try:
        record = ResultImport.objects.select_related("lab").get(lab__in=queries.labs_in_scope(user), pk=pk)
    except (ResultImport.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    return render(request, "testing/import_detail.html", {"record": record, "report": imports.report_rows(record)})


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    access.require(current_user(request), Perm.RESULT_ENTER)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mau-ket-qua-xet-nghiem.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def labs(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.TEST_VIEW)
    can_manage = user.can(Perm.LAB_MANAGE)
    form = LabForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        access.require(user, Perm.LAB_MANAGE)
        if form.is_valid() and user.unit is not None:
            try:
                actions.create_lab(user, unit=user.unit, client_uuid=posted_client_uuid(request), **form.cleaned_data)
            except actions.TestingError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Laboratory added."))
                return redirect("testing:labs")
    figures = [queries.lab_figures(lab) for lab in queries.labs_in_scope(user)]
    context = {"figures": figures, "form": form, "can_manage": can_manage, "client_uuid": uuid.uuid4()}
    return render(request, "testing/labs.html", context)


# Case proposals ------------------------------------------------------------------------


@login_required
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    status = request.GET.get("status", CaseProposal.Status.PENDING)
    qs = queries.proposals_in_scope(user).select_related("person", "sample", "commune", "rule_set", "case")
    if status in CaseProposal.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "pk"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": CaseProposal.Status.choices,
        "can_edit": user.can(Perm.CASE_EDIT),
        "reject_form": RejectForm(),
    }
    return render(request, "testing/proposals.html", context)


def _proposal(request: HttpRequest, pk: Any) -> CaseProposal:
    user = current_user(request)
    return access.get_for_user(user, queries.proposals_in_scope(user), Perm.CASE_EDIT, pk=pk)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: Any) -> HttpResponse:
    proposal = _proposal(request, pk)
    try:
        done = actions.confirm_proposal(current_user(request), proposal)
    except actions.TestingError as exc:
        messages.error(request, exc.message)
        return redirect("testing:proposals")
    assert done.case is not None
    messages.success(request, _("Case %(code)s confirmed; its investigation is open.") % {"code": done.case.code})
    return redirect("cases:detail", done.case.pk)


@login_required
@require_POST
def reject(request: HttpRequest, pk: Any) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the proposal is rejected."))
        return redirect("testing:proposals")
    try:
        actions.reject_proposal(current_user(request), proposal, form.cleaned_data["reason"])
    except actions.TestingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Proposal rejected."))
    return redirect("testing:proposals")


# Campaigns -----------------------------------------------------------------------------


def _campaign_units(user: Any) -> list[AdminUnit]:
    communes = list(units_in_scope(user, "commune")[:500])
    villages = list(units_in_scope(user, "village")[:300]) if user.unit and user.unit.level != "province" else []
    return communes + villages


@login_required
@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.TEST_VIEW)
    rows = [(c, queries.campaign_progress(c)) for c in queries.campaigns_in_scope(user).select_related("commune")[:100]]
    return render(request, "testing/campaigns.html", {"rows": rows, "can_manage": user.can(Perm.LAB_MANAGE)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.LAB_MANAGE)
    units = _campaign_units(user)
    form = CampaignForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next((u for u in units if str(u.pk) == d["unit"]), None)
        if unit is None:
            raise Http404(_("Not found."))
        try:
            campaign, _created = actions.create_campaign(
                user,
                name=d["name"],
                unit=unit,
                starts_on=d["starts_on"],
                ends_on=d.get("ends_on"),
                kind=d["kind"],
                place_kind=d.get("place_kind") or "",
                place_name=d.get("place_name") or "",
                test_kind=d["test_kind"],
                target_population=d.get("target_population"),
                sites=(d.get("sites") or "").splitlines(),
                client_uuid=posted_client_uuid(request),
            )
        except actions.TestingError as exc:
            _form_error(form, exc)
        else:
            return redirect("testing:campaign", campaign.pk)
    return render(request, "testing/campaign_form.html", {"form": form, "client_uuid": uuid.uuid4()})


@login_required
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    perm = Perm.LAB_MANAGE if request.method == "POST" else Perm.TEST_VIEW
    obj = access.get_for_user(user, queries.campaigns_in_scope(user).select_related("commune", "village"), perm, pk=pk)
    initial = {
        "name": obj.name,
        "target_population": obj.target_population,
        "ends_on": obj.ends_on,
        "status": obj.status,
        "sites": "\n".join(obj.sites or []),
    }
    form = CampaignEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {**d, "sites": (d.get("sites") or "").splitlines()}
        try:
            actions.update_campaign(user, obj, changes)
        except actions.TestingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Campaign updated."))
            return redirect("testing:campaign", obj.pk)
    context = {
        "campaign": obj,
        "progress": queries.campaign_progress(obj),
        "form": form if user.can(Perm.LAB_MANAGE) else None,
    }
    return render(request, "testing/campaign.html", context)


@login_required
@require_GET
def sample(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    qs = queries.samples_in_scope(user).select_related("person", "lab", "pool", "campaign", "queued_from")
    obj = access.get_for_user(user, qs, Perm.TEST_VIEW, pk=pk)
    record_access(user, obj.person, "web", "sample")
    proposals_ = obj.proposals.all() if user.can(Perm.CASE_VIEW) else []
    return render(request, "testing/sample.html", {"sample": obj, "proposals": proposals_, "TubeStatus": TubeStatus})
