"""Pages of the quarantine app: thin, every read through ``queries``, every change through ``actions``."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from phongdich.cases.actions import SYMPTOMS
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.people.queries import active_people
from phongdich.quarantine import actions, documents, queries
from phongdich.quarantine.models import (
    Facility,
    FacilityKind,
    IncidentKind,
    Payer,
    PlacementStatus,
    RiskGroup,
    Room,
    RoomSex,
)
from phongdich.quarantine.placement import OVERRIDABLE


def _date(value: str | None, default: datetime.date | None = None) -> datetime.date | None:
    if not value:
        return default
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise actions.QuarantineError(_("Enter a date as dd/mm/yyyy."))


def _int(value: str | None, field: str) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise actions.QuarantineError(_("Enter a whole number."), field=field) from exc


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    active = queries.active_placements(user)
    context = {
        "occupancy": queries.occupancy(user),
        "in_quarantine": active.count(),
        "at_home": active.filter(facility__kind=FacilityKind.HOME).count(),
        "awaiting_count": len(queries.awaiting(user)),
        "overdue_count": len(queries.overdue_tests(user)),
        "can_manage": user.can(Perm.FACILITY_MANAGE),
        "groups": RiskGroup.choices,
    }
    return render(request, "quarantine/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def awaiting(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    can_edit = user.can(Perm.QUARANTINE_EDIT)
    facilities = list(
        queries.facilities_in_scope(user).filter(active=True).exclude(kind=FacilityKind.HOME).order_by("name")
    )
    result = None
    if request.method == "POST":
        access.require(user, Perm.QUARANTINE_EDIT)
        ids = request.POST.getlist("person")
        try:
            person_ids = [uuid.UUID(i) for i in ids]
            chosen = [f for f in facilities if str(f.pk) in request.POST.getlist("facility")]
            people = list(active_people(user).filter(pk__in=person_ids))
            if len(people) != len(set(person_ids)):
                raise actions.QuarantineError(_("Some people are unknown or outside your area."))
            entered = _date(request.POST.get("entered_on"), timezone.localdate())
            result = actions.place_people(
                user, people, chosen, entered_on=entered, all_or_nothing=request.POST.get("partial") != "1"
            )
        except ValueError:
            messages.error(request, _("Choose the people to place."))
        except actions.QuarantineError as exc:
            messages.error(request, exc.message)
        else:
            if result.written:
                messages.success(request, _("%(n)d people placed.") % {"n": result.placed_count})
                if not result.refused:
                    return redirect("quarantine:awaiting")
            else:
                messages.warning(request, _("Nobody was placed: not everyone fits (see below)."))
    rows = queries.awaiting(user)
    names = {a.person.pk: a.person.full_name for a in rows}
    refused = [
        (names.get(pk, str(pk)), "; ".join(actions.rule_label(r) for r in reasons))
        for pk, reasons in (result.refused.items() if result else [])
    ]
    context = {"rows": rows, "facilities": facilities, "can_edit": can_edit, "refused": refused}
    return render(request, "quarantine/awaiting.html", context)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    return render(request, "quarantine/overdue.html", {"rows": queries.overdue_tests(user)})


@login_required
def placements(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_VIEW)
    status = request.GET.get("status", PlacementStatus.ACTIVE)
    facility_id = None
    try:
        facility_id = uuid.UUID(request.GET["facility"]) if request.GET.get("facility") else None
    except ValueError:
        facility_id = None
    qs = queries.placements_filter(user, status=status, facility_id=facility_id, q=request.GET.get("q", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": PlacementStatus.choices, "today": timezone.localdate()}
    return render(request, "quarantine/placements.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def placement_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    placement = queries.get_placement(user, pk)
    can_edit = user.can(Perm.QUARANTINE_EDIT)
    if request.method == "POST":
        access.require(user, Perm.QUARANTINE_EDIT)
        try:
            _post_on_placement(request, user, placement)
        except actions.QuarantineError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("quarantine:placement", pk=placement.pk)
    record_access(user, placement.person, "web", "quarantine placement")
    today = timezone.localdate()
    context = {
        "p": placement,
        "today": today,
        "can_edit": can_edit and placement.is_active,
        "tests": queries.test_schedule(placement),
        "checks": placement.checks.all()[:60],
        "incidents": placement.incidents.all(),
        "symptoms": SYMPTOMS.items(),
        "kinds": IncidentKind.choices,
        "early": today < placement.end_date,
        "days_so_far": placement.days_on(min(today, placement.end_date)),
        "cost_so_far": placement.cost_on(min(today, placement.end_date)),
    }
    return render(request, "quarantine/placement.html", context)


def _post_on_placement(request: HttpRequest, user: Any, placement: Any) -> None:
    what = request.POST.get("action")
    today = timezone.localdate()
    if what == "check":
        actions.record_check(
            user,
            placement,
            checked_on=_date(request.POST.get("checked_on"), today) or today,
            temperature=request.POST.get("temperature") or None,
            symptoms=request.POST.getlist("symptoms"),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Health check recorded."))
    elif what == "incident":
        actions.record_incident(
            user,
            placement,
            kind=request.POST.get("kind", ""),
            occurred_on=_date(request.POST.get("occurred_on"), today) or today,
            description=request.POST.get("description", ""),
        )
        messages.success(request, _("Incident recorded."))
    elif what == "release":
        actions.release(
            user,
            placement,
            on=_date(request.POST.get("released_on"), today) or today,
            early_reason=request.POST.get("early_reason", ""),
        )
        messages.success(request, _("Released."))
    elif what == "f0":
        actions.end_as_f0(user, placement, on=_date(request.POST.get("on"), today) or today)
        messages.success(request, _("The stay ended and the room is flagged."))
    else:
        raise actions.QuarantineError(_("Unknown action."))


@login_required
def order_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    placement = queries.get_placement(user, pk)
    record_access(user, placement.person, "web", "quarantine order")
    response = HttpResponse(documents.order_pdf(placement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="quyet-dinh-cach-ly-{str(placement.pk)[:8]}.pdf"'
    return response


@login_required
def certificate_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    placement = queries.get_placement(user, pk)
    if placement.status != PlacementStatus.RELEASED:
        raise Http404
    record_access(user, placement.person, "web", "quarantine certificate")
    response = HttpResponse(documents.certificate_pdf(placement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="xac-nhan-cach-ly-{str(placement.pk)[:8]}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def place_one(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.QUARANTINE_EDIT)
    person = access.get_for_user(user, active_people(user), Perm.PERSON_VIEW, pk=person_id)
    facilities = list(queries.facilities_in_scope(user).filter(active=True).exclude(kind=FacilityKind.HOME))
    if request.method == "POST":
        try:
            placement = _place_from_form(request, user, person, facilities)
        except actions.QuarantineError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Placed."))
            return redirect("quarantine:placement", pk=placement.pk)
    rooms = Room.objects.filter(facility__in=facilities, active=True).select_related("facility")
    context = {
        "person": person,
        "facilities": facilities,
        "rooms": rooms,
        "groups": RiskGroup.choices,
        "rules": sorted(OVERRIDABLE),
        "labels": {r: actions.rule_label(r) for r in OVERRIDABLE},
    }
    return render(request, "quarantine/place.html", context)


def _place_from_form(request: HttpRequest, user: Any, person: Any, facilities: list[Facility]) -> Any:
    where = request.POST.get("facility", "")
    if where == "home":
        if person.commune is None:
            raise actions.QuarantineError(_("The person has no commune: home quarantine needs one."))
        facility = actions.home_facility_for(person.commune)
    else:
        facility = next((f for f in facilities if str(f.pk) == where), None)  # type: ignore[assignment]
        if facility is None:
            raise actions.QuarantineError(_("Choose a facility."))
    room = None
    if request.POST.get("room"):
        room = Room.objects.filter(pk=_int(request.POST.get("room"), "room"), facility=facility).first()
        if room is None:
            raise actions.QuarantineError(_("The room is not in that facility."))
    overrides = {str(r): request.POST.get(f"reason_{r}", "") for r in OVERRIDABLE if request.POST.get(f"override_{r}")}
    group = request.POST.get("risk_group") or None
    placement, _created = actions.place_person(
        user,
        person,
        facility,
        room=room,
        overrides=overrides,
        entered_on=_date(request.POST.get("entered_on"), timezone.localdate()),
        risk_group=group,
        day_one=_date(request.POST.get("day_one")) if group else None,
    )
    return placement


@login_required
@require_http_methods(["GET", "POST"])
def facility_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.FACILITY_MANAGE)
    units = list(access.scope(user, AdminUnit.objects.filter(level__in=["district", "commune"])).order_by("name")[:500])
    if user.unit is not None and user.unit.level in ("district", "commune"):
        units = [user.unit, *[u for u in units if u.pk != user.unit.pk]]
    if request.method == "POST":
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        try:
            if unit is None:
                raise actions.QuarantineError(_("Choose where the facility is."))
            facility, _created = actions.create_facility(
                user,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                unit=unit,
                address=request.POST.get("address", ""),
                meal_cost_per_day=request.POST.get("meal_cost_per_day") or "0",
                lodging_cost_per_day=request.POST.get("lodging_cost_per_day") or "0",
                payer=request.POST.get("payer", Payer.STATE),
            )
        except actions.QuarantineError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("quarantine:facility", pk=facility.pk)
    kinds = [c for c in FacilityKind.choices if c[0] != FacilityKind.HOME]
    return render(request, "quarantine/facility_form.html", {"units": units, "kinds": kinds, "payers": Payer.choices})


@login_required
@require_http_methods(["GET", "POST"])
def facility_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    facility = queries.get_facility(user, pk)
    if request.method == "POST":
        try:
            _post_on_facility(request, user, facility)
        except actions.QuarantineError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("quarantine:facility", pk=facility.pk)
    rooms = queries.facility_rooms(facility)
    context = {
        "facility": facility,
        "rooms": rooms,
        "free": sum(r.free for r in rooms),
        "usable": sum(r.usable for r in rooms),
        "occupied": sum(r.occupied for r in rooms),
        "can_manage": user.can(Perm.FACILITY_MANAGE),
        "can_edit": user.can(Perm.QUARANTINE_EDIT),
        "sexes": RoomSex.choices,
        "home_count": facility.placements.filter(status=PlacementStatus.ACTIVE).count() if facility.is_home else 0,
    }
    return render(request, "quarantine/facility.html", context)


def _post_on_facility(request: HttpRequest, user: Any, facility: Facility) -> None:
    what = request.POST.get("action")
    if what == "room":
        access.require(user, Perm.FACILITY_MANAGE)
        usable = request.POST.get("usable_beds")
        actions.add_room(
            user,
            facility,
            name=request.POST.get("name", ""),
            beds=_int(request.POST.get("beds"), "beds"),
            usable_beds=_int(usable, "usable_beds") if usable else None,
            sex=request.POST.get("sex", RoomSex.ANY),
        )
        messages.success(request, _("Room added."))
    elif what in ("flag", "unflag"):
        access.require(user, Perm.QUARANTINE_EDIT)
        room = Room.objects.filter(pk=_int(request.POST.get("room"), "room"), facility=facility).first()
        if room is None:
            raise Http404
        if what == "flag":
            actions.flag_room(user, room, request.POST.get("reason", ""))
        else:
            actions.clear_room_flag(user, room)
    else:
        raise actions.QuarantineError(_("Unknown action."))
