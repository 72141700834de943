"""Pages of the person registry: search, person page, create/edit, residence, duplicate review.

Thin: access through core.access, reads through people/queries.py, changes through
people/actions.py and people/merging.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.people import actions, merging, panels, queries, timeline
from phongdich.people.forms import PersonForm, ResidenceForm
from phongdich.people.models import DuplicateCandidate, Person, PersonMerge, ResidenceStatus


def _person(request: HttpRequest, pk: Any, perm: Perm = Perm.PERSON_VIEW, *, active: bool = False) -> Person:
    qs = queries.active_people(current_user(request)) if active else queries.people_in_scope(current_user(request))
    qs = qs.select_related("province", "district", "commune", "village", "household", "merged_into")
    return access.get_for_user(current_user(request), qs, perm, pk=pk)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    access.require(current_user(request), Perm.PERSON_VIEW)
    q = request.GET.get("q", "").strip()[:120]
    result = queries.search_people_page(current_user(request), q) if q else None
    return render(request, "people/search.html", {"q": q, "result": result})


@login_required
@require_GET
def detail(request: HttpRequest, pk: Any) -> HttpResponse:
    person = _person(request, pk)
    user = current_user(request)
    record_access(user, person, "web")
    survivor = None
    if person.merged_into_id is not None:
        target = actions.active_record(person)
        survivor = target if queries.person_in_scope(user, target) else None
    members: list[Person] = []
    if person.household_id:
        members = list(
            queries.active_people(user)
            .filter(household_id=person.household_id)
            .exclude(pk=person.pk)
            .select_related("village")
        )
    residence = person.residence_records.select_related("temp_province", "temp_commune", "upload", "created_by")
    lineage = [u for u in (person.province, person.district, person.commune, person.village) if u is not None]
    merges = []
    if user.can(Perm.DUPLICATE_REVIEW):
        merges = list(
            PersonMerge.objects.filter(survivor=person, undone_at__isnull=True).select_related("merged", "performed_by")
        )
    pending = 0
    if user.can(Perm.DUPLICATE_REVIEW) and person.merged_into_id is None:
        pending = (
            queries.pending_duplicates(user).filter(person_a=person).count()
            + queries.pending_duplicates(user).filter(person_b=person).count()
        )
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "survivor": survivor,
            "members": members,
            "residence": residence,
            "lineage": lineage,
            "events": timeline.events_for(person, user),
            "panels": panels.panels_for(person, user),
            "merges": merges,
            "pending_duplicates": pending,
            "can_edit": user.can(Perm.PERSON_EDIT) and person.merged_into_id is None,
            "residence_form": ResidenceForm(person=person, initial={"status": person.residence_status}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.PERSON_EDIT)
    form = PersonForm(request.POST or None, user=user, initial={"commune": _default_commune(user)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with transaction.atomic():
            household = actions.ensure_household(user, d["household_code"], d["unit"], d["address"])
            intake = actions.intake_person(user, form.person_data(household), fill_missing=False)
            if not intake.created:
                transaction.set_rollback(True)
        if not intake.created:
            existing = intake.person
            if queries.person_in_scope(user, existing):
                messages.warning(request, _("This person is already registered: here is the existing record."))
                return redirect("people:detail", pk=existing.pk)
            form.add_error(None, _("This person is already registered in another area. Ask that area to update it."))
        else:
            actions.set_residence(user, intake.person, ResidenceStatus.PERMANENT)
            if intake.duplicates_queued:
                messages.warning(
                    request, _("Saved. Records that may be the same person were sent to the duplicate review.")
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("people:detail", pk=intake.person.pk)
    return render(request, "people/form.html", {"form": form, "person": None})


def _default_commune(user: Any) -> int | None:
    unit = user.unit
    if unit is None:
        return None
    if unit.level == Level.COMMUNE:
        return int(unit.pk)
    if unit.level == Level.VILLAGE:
        return unit.commune_id
    return None


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    person = _person(request, pk, Perm.PERSON_EDIT, active=True)
    if request.method == "POST":
        form = PersonForm(request.POST, user=user, person=person)
        if form.is_valid():
            d = form.cleaned_data
            with transaction.atomic():
                household = actions.ensure_household(user, d["household_code"], d["unit"], d["address"])
                changes = form.changes(person, household)
                actions.update_person(user, person, changes)
            messages.success(request, _("Saved.") if changes else _("Nothing changed."))
            return redirect("people:detail", pk=person.pk)
    else:
        form = PersonForm(initial=PersonForm.initial_for(person), user=user, person=person)
    return render(request, "people/form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def residence(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    person = _person(request, pk, Perm.PERSON_EDIT, active=True)
    if request.method == "POST":
        form = ResidenceForm(request.POST, person=person)
        if form.is_valid():
            d = form.cleaned_data
            record = actions.set_residence(
                user,
                person,
                d["status"],
                started_on=d["started_on"],
                temp_address=d["temp_address"],
                temp_province=d["temp_province"],
                temp_commune=d["temp_commune"],
                workplace=d["workplace"],
                phone=d["phone"],
            )
            messages.success(request, _("Residence status saved.") if record else _("Nothing changed."))
            return redirect("people:detail", pk=person.pk)
    else:
        form = ResidenceForm(person=person, initial={"status": person.residence_status})
    return render(request, "people/residence.html", {"form": form, "person": person})


@login_required
@require_GET
def village_options(request: HttpRequest) -> HttpResponse:
    """HTMX: the <option>s of the villages of a commune in the user's area."""
    access.require(current_user(request), Perm.PERSON_VIEW)
    commune = request.GET.get("commune", "")
    units = AdminUnit.objects.none()
    if commune.isdigit():
        units = queries.units_in_scope(current_user(request), Level.VILLAGE).filter(commune_id=int(commune))
    return render(request, "people/unit_options.html", {"units": units.order_by("name_key")})


@login_required
@require_GET
def commune_options(request: HttpRequest) -> HttpResponse:
    """HTMX: the <option>s of the communes of a province (where an absent citizen stays)."""
    from django.conf import settings

    province = request.GET.get("temp_province", "")
    units = AdminUnit.objects.none()
    if province.isdigit():
        units = AdminUnit.objects.filter(
            version=settings.PHONGDICH_HIERARCHY, level=Level.COMMUNE, province_id=int(province)
        )
    return render(request, "people/unit_options.html", {"units": units.order_by("name_key")})


# Duplicate review ---------------------------------------------------------------------


def _candidate(request: HttpRequest, pk: int) -> DuplicateCandidate:
    access.require(current_user(request), Perm.DUPLICATE_REVIEW)
    qs = queries.visible_duplicates(current_user(request)).select_related(
        "person_a__commune", "person_b__commune", "person_a__village", "person_b__village"
    )
    try:
        return qs.get(pk=pk)
    except DuplicateCandidate.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc


@login_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.DUPLICATE_REVIEW)
    from django.core.paginator import Paginator

    pairs = queries.pending_duplicates(user).select_related(
        "person_a__commune", "person_b__commune", "person_a__village", "person_b__village"
    )
    page = Paginator(pairs, 25).get_page(request.GET.get("page"))
    in_scope = set(
        queries.people_in_scope(user)
        .filter(pk__in=[p.person_a_id for p in page] + [p.person_b_id for p in page])
        .values_list("pk", flat=True)
    )
    rows = [(pair, pair.person_a_id in in_scope, pair.person_b_id in in_scope) for pair in page]
    merges = (
        PersonMerge.objects.filter(survivor__in=queries.people_in_scope(user), undone_at__isnull=True)
        .select_related("survivor", "merged", "performed_by")
        .order_by("-performed_at")[:10]
    )
    return render(request, "people/duplicates.html", {"page": page, "rows": rows, "merges": merges})


@login_required
@require_GET
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    pair = _candidate(request, pk)
    sides = []
    both = True
    for person in (pair.person_a, pair.person_b):
        visible = queries.person_in_scope(user, person)
        both = both and visible
        if visible:
            record_access(user, person, "web", "duplicate review")
        sides.append((person, visible))
    return render(request, "people/duplicate.html", {"pair": pair, "sides": sides, "can_merge": both})


def _both_in_scope(request: HttpRequest, pair: DuplicateCandidate) -> None:
    user = current_user(request)
    if not (queries.person_in_scope(user, pair.person_a) and queries.person_in_scope(user, pair.person_b)):
        raise PermissionDenied(_("Both records must be in your area: ask the level above to review this pair."))


@login_required
@require_POST
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _candidate(request, pk)
    _both_in_scope(request, pair)
    survivor_id = request.POST.get("survivor", "")
    survivor = {str(pair.person_a_id): pair.person_a, str(pair.person_b_id): pair.person_b}.get(survivor_id)
    if survivor is None:
        messages.error(request, _("Choose the record to keep."))
        return redirect("people:duplicate", pk=pair.pk)
    try:
        merge = merging.merge_candidate(current_user(request), pair, survivor)
    except merging.MergeError as exc:
        messages.error(request, exc.message)
        return redirect("people:duplicates")
    messages.success(request, _("The records were merged. You can undo this from the person page."))
    return redirect("people:detail", pk=merge.survivor_id)


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _candidate(request, pk)
    _both_in_scope(request, pair)
    try:
        merging.dismiss_candidate(current_user(request), pair)
    except merging.MergeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as not the same person."))
    return redirect("people:duplicates")


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.DUPLICATE_REVIEW)
    merge = _merge_for(user, pk)
    try:
        merging.undo_merge(user, merge)
    except merging.MergeError as exc:
        messages.error(request, exc.message)
        return redirect("people:detail", pk=merge.survivor_id)
    messages.success(request, _("The merge was undone."))
    return redirect("people:detail", pk=merge.merged_id)


def _merge_for(user: Any, pk: int) -> PersonMerge:
    """A merge whose two records are both in the user's area, else 404."""
    try:
        return queries.merges_in_scope(user).get(pk=pk)
    except PersonMerge.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
