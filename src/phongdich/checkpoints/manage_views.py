"""Management pages of the checkpoints app (namespace "checkpoints"): thin, reads through ``queries``,
changes through ``actions``, every record fetched through ``core.access``.

- ``checkpoint_create`` / ``checkpoint_edit`` (CHECKPOINT_MANAGE), ``checkpoint_detail`` (OPERATE or
  MANAGE): the checkpoint, today's figures, its shifts newest first; ``shift_start`` / ``shift_end``
  (MANAGE, the API's rules: ``actions.start_shift`` / ``end_shift``);
- ``vehicles`` (vehicle passages of the area), ``vehicle_detail`` (OPERATE or MANAGE) and
  ``vehicle_passage_create`` (OPERATE at the checkpoint: ``actions.record_vehicle_passage``);
- ``violations`` and ``violation_create`` (VIOLATION_RECORD: ``actions.record_violation``).

A record outside the user's area answers 404, a role without the permission 403. Creating forms
carry a client UUID, so that a double submit finds the first record instead of writing a second.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.checkpoints import actions, queries
from phongdich.checkpoints.forms import (
    CheckpointForm,
    ShiftForm,
    VehicleFilterForm,
    VehiclePassageForm,
    ViolationFilterForm,
    ViolationForm,
)
from phongdich.checkpoints.models import (
    Checkpoint,
    CheckpointKind,
    Direction,
    Passage,
    PassageOutcome,
    Shift,
    Vehicle,
    VehiclePassage,
    Violation,
)
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.models import User
from phongdich.core.roles import Perm

PAGE_SIZE = 50


def work_perm(user: User) -> Perm:
    """The permission under which the user sees checkpoints and vehicles (either one will do).

    ``access.require`` / ``access.get_for_user`` then answer 403 when the role has neither.
    """
    return Perm.CHECKPOINT_MANAGE if user.can(Perm.CHECKPOINT_MANAGE) else Perm.CHECKPOINT_OPERATE


def _form_error(form: forms.Form, exc: actions.CheckpointError, fields: dict[str, str] | None = None) -> None:
    """An action's refusal shown on the form, next to the field it is about when there is one."""
    name = (fields or {}).get(exc.field or "", exc.field or "")
    form.add_error(name if name in form.fields else None, exc.message)


# Checkpoints ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CHECKPOINT_MANAGE)
    template = "checkpoints/checkpoint_form.html"
    if request.method == "POST":
        form = CheckpointForm(request.POST, user=user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                cp, _created = actions.create_checkpoint(
                    user,
                    name=d["name"],
                    kind=d["kind"],
                    unit=d["unit"],
                    place=d["place"],
                    client_uuid=d["client_uuid"],
                )
            except actions.CheckpointError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The checkpoint was created."))
                return redirect("checkpoints:detail", pk=cp.pk)
        return render(request, template, {"form": form, "cp": None}, status=400)
    initial = {"client_uuid": uuid.uuid4(), "kind": CheckpointKind.ROAD, "unit": user.unit_id}
    return render(request, template, {"form": CheckpointForm(user=user, initial=initial), "cp": None})


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cp = access.get_for_user(user, queries.checkpoints_in_scope(user), Perm.CHECKPOINT_MANAGE, pk=pk)
    template = "checkpoints/checkpoint_form.html"
    if request.method == "POST":
        form = CheckpointForm(request.POST, user=user, checkpoint=cp)
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.update_checkpoint(
                    user, cp, name=d["name"], kind=d["kind"], place=d["place"], active=d["active"]
                )
            except actions.CheckpointError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("The checkpoint was saved."))
                return redirect("checkpoints:detail", pk=cp.pk)
        return render(request, template, {"form": form, "cp": cp}, status=400)
    initial = {"name": cp.name, "kind": cp.kind, "place": cp.place, "active": cp.active}
    return render(request, template, {"form": CheckpointForm(user=user, checkpoint=cp, initial=initial), "cp": cp})


def _shift_state(shift: Shift, now: datetime.datetime) -> str:
    if shift.starts_at > now:
        return "planned"
    if shift.ends_at is not None and shift.ends_at <= now:
        return "ended"
    return "on_duty"


def _detail(request: HttpRequest, user: User, cp: Checkpoint, shift_form: ShiftForm | None = None) -> dict[str, Any]:
    can_manage = user.can(Perm.CHECKPOINT_MANAGE)
    if can_manage and shift_form is None:
        shift_form = ShiftForm(checkpoint=cp, initial={"client_uuid": uuid.uuid4()})
    now = timezone.now()
    return {
        "cp": cp,
        "figures": queries.figures([cp.pk])[cp.pk],
        "shifts": [(s, _shift_state(s, now)) for s in cp.shifts.prefetch_related("officers")[:50]],
        "vehicle_passages": list(queries.vehicle_passages_in_scope(user).filter(checkpoint=cp)[:10]),
        "shift_form": shift_form,
        "can_manage": can_manage,
        "can_operate": user.can(Perm.CHECKPOINT_OPERATE),
    }


@login_required
@require_GET
def checkpoint_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cp = access.get_for_user(user, queries.checkpoints_in_scope(user), work_perm(user), pk=pk)
    return render(request, "checkpoints/checkpoint.html", _detail(request, user, cp))


@login_required
@require_POST
def shift_start(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cp = access.get_for_user(user, queries.checkpoints_in_scope(user), Perm.CHECKPOINT_MANAGE, pk=pk)
    form = ShiftForm(request.POST, checkpoint=cp)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.start_shift(
                user,
                cp,
                list(d["officers"]),
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                note=d["note"],
                client_uuid=d["client_uuid"],
            )
        except actions.CheckpointError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The shift was started."))
            return redirect("checkpoints:detail", pk=cp.pk)
    return render(request, "checkpoints/checkpoint.html", _detail(request, user, cp, form), status=400)


@login_required
@require_POST
def shift_end(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    shift = access.get_for_user(user, Shift.objects.all(), Perm.CHECKPOINT_MANAGE, "checkpoint__", pk=pk)
    try:
        actions.end_shift(user, shift)
    except actions.CheckpointError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The shift was ended."))
    return redirect("checkpoints:detail", pk=shift.checkpoint_id)


# Vehicles ------------------------------------------------------------------------------------------


def _operated(user: User) -> list[Checkpoint]:
    """Open checkpoints where the user may record vehicles."""
    if not user.can(Perm.CHECKPOINT_OPERATE):
        return []
    return list(queries.checkpoints_in_scope(user).filter(active=True))


@login_required
@require_GET
def vehicles(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, work_perm(user))
    checkpoints = list(queries.checkpoints_in_scope(user))
    form = VehicleFilterForm(request.GET or None, checkpoints=checkpoints)
    qs = queries.vehicle_passages_in_scope(user)
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound:
        d = form.cleaned_data
        if d["plate"]:
            qs = qs.filter(vehicle__plate=d["plate"])
        if d["checkpoint"]:
            qs = qs.filter(checkpoint_id=d["checkpoint"])
        if d["day"]:
            start, end = queries.day_bounds(d["day"])
            qs = qs.filter(passed_at__gte=start, passed_at__lt=end)
        if d["over_capacity"]:
            qs = qs.filter(over_capacity=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "operated": _operated(user)}
    return render(request, "checkpoints/vehicles.html", context, status=status)


@login_required
@require_GET
def vehicle_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    # A vehicle belongs to no area: it is seen where it went through a checkpoint.
    vehicle = access.get_for_user(
        user, Vehicle.objects.select_related("owner").distinct(), work_perm(user), "passages__", pk=pk
    )
    people = Prefetch("people", queryset=Passage.objects.select_related("person", "destination_commune"))
    passages = queries.vehicle_passages_in_scope(user).filter(vehicle=vehicle)
    context = {
        "vehicle": vehicle,
        "passages": list(passages.prefetch_related(people)[:100]),
        "passage_count": passages.count(),
        "violations": list(queries.violations_in_scope(user).filter(vehicle=vehicle)[:50]),
        "can_record_violation": user.can(Perm.VIOLATION_RECORD),
        "operated": _operated(user),
    }
    return render(request, "checkpoints/vehicle.html", context)


_VEHICLE_FIELDS = {"outcome": "passenger_outcome", "destination_commune": "destination", "person_id": "passengers"}


@login_required
@require_http_methods(["GET", "POST"])
def vehicle_passage_create(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cp = access.get_for_user(user, queries.checkpoints_in_scope(user), Perm.CHECKPOINT_OPERATE, pk=pk)
    template = "checkpoints/vehicle_passage_form.html"
    if request.method == "POST":
        form = VehiclePassageForm(request.POST, checkpoint=cp)
        if form.is_valid():
            d = form.cleaned_data
            try:
                vp, _created = actions.record_vehicle_passage(
                    user,
                    cp,
                    plate=d["plate"],
                    kind=d["kind"],
                    seats=d["seats"],
                    passengers=form.passengers_for_action(),
                    people_carried=d["people_carried"],
                    driver=d["driver"],
                    owner=d["owner"],
                    origin=d["origin"],
                    destination=d["destination"],
                    direction=d["direction"],
                    passed_at=d["passed_at"],
                    client_uuid=d["client_uuid"],
                )
            except actions.CheckpointError as exc:
                _form_error(form, exc, _VEHICLE_FIELDS)
            else:
                messages.success(request, _("The vehicle passage was recorded."))
                if vp.over_capacity:
                    messages.warning(request, _("Over capacity: a violation was recorded against the vehicle."))
                return redirect("checkpoints:vehicle", pk=vp.vehicle_id)
        return render(request, template, {"form": form, "cp": cp}, status=400)
    initial = {
        "client_uuid": uuid.uuid4(),
        "direction": Direction.INBOUND,
        "passenger_outcome": PassageOutcome.LET_THROUGH,
    }
    return render(request, template, {"form": VehiclePassageForm(checkpoint=cp, initial=initial), "cp": cp})


# Violations ----------------------------------------------------------------------------------------


@login_required
@require_GET
def violations(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.VIOLATION_RECORD)
    form = ViolationFilterForm(request.GET or None)
    qs = queries.violations_in_scope(user)
    status = 200
    if form.is_bound and not form.is_valid():
        qs, status = qs.none(), 400
    elif form.is_bound:
        d = form.cleaned_data
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["since"]:
            qs = qs.filter(occurred_at__gte=queries.day_bounds(d["since"])[0])
        if d["until"]:
            qs = qs.filter(occurred_at__lt=queries.day_bounds(d["until"])[1])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "checkpoints/violations.html", {"page": page, "form": form}, status=status)


_VIOLATION_FIELDS = {"person_id": "person"}


@login_required
@require_http_methods(["GET", "POST"])
def violation_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.VIOLATION_RECORD)
    vp: VehiclePassage | None = None
    if request.GET.get("vehicle_passage"):
        vp = access.get_for_user(
            user,
            VehiclePassage.objects.select_related("vehicle", "checkpoint", "owner", "driver"),
            Perm.VIOLATION_RECORD,
            pk=request.GET["vehicle_passage"],
        )
    template = "checkpoints/violation_form.html"
    if request.method == "POST":
        form = ViolationForm(request.POST, user=user, linked=vp is not None)
        if form.is_valid():
            d = form.cleaned_data
            found = access.scope(user, Violation.objects.filter(client_uuid=d["client_uuid"])).first()
            if found is not None:  # a double submit: the first one stands
                return redirect("checkpoints:violations")
            try:
                with transaction.atomic():
                    vehicle = actions.register_vehicle(user, d["plate"])[0] if d["plate"] else None
                    actions.record_violation(
                        user,
                        d["kind"],
                        person=d["person"],
                        vehicle=vehicle,
                        vehicle_passage=vp,
                        owner=d["owner"],
                        driver=d["driver"],
                        note=d["note"],
                        unit=user.unit,
                        occurred_at=d["occurred_at"],
                        client_uuid=d["client_uuid"],
                    )
            except actions.CheckpointError as exc:
                _form_error(form, exc, _VIOLATION_FIELDS)
            else:
                messages.success(request, _("The violation was recorded."))
                return redirect("checkpoints:violations")
        return render(request, template, {"form": form, "vp": vp}, status=400)
    initial: dict[str, Any] = {"client_uuid": uuid.uuid4()}
    if vp is not None and vp.over_capacity:
        initial["kind"] = "over_capacity"
    return render(request, template, {"form": ViolationForm(user=user, initial=initial), "vp": vp})
