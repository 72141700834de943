"""Pages of the checkpoints app, namespace "checkpoints".

- ``index``: the checkpoints of the user's area with today's figures (passages, vehicles, over
  capacity, officers on duty), recent violations; the management pages are in ``manage_views``;
- ``screen``: the phone-first checkpoint screen (scan or type → status → outcome), installable
  and working offline (``manifest``, ``service_worker`` served at /checkpoints/sw.js so that its
  scope is /checkpoints/; the screen's JavaScript keeps the snapshot and the queue in IndexedDB);
- ``arrivals``: the commune's arrivals of a day, with confirm actions;
- ``report_return`` / ``report_thanks``: the public family form (no account; rate-limited per IP,
  CSRF, honeypot, client UUID; nothing personal is shown back).
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.checkpoints import actions, queries
from phongdich.checkpoints.models import (
    Arrival,
    ArrivalStatus,
    Checkpoint,
    Direction,
    PassageOutcome,
)
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.ratelimit import over_limit
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.queries import deployment_province

SCREEN_ASSETS = [
    "checkpoints/screen.js",
    "checkpoints/screen.css",
    "checkpoints/vendor/jsqr-1.4.0/jsQR.js",
    "checkpoints/icon.svg",
]


def _can_work(user: Any) -> bool:
    return bool(user.can(Perm.CHECKPOINT_OPERATE) or user.can(Perm.CHECKPOINT_MANAGE))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "can_work": _can_work(user),
        "can_operate": user.can(Perm.CHECKPOINT_OPERATE),
        "can_manage": user.can(Perm.CHECKPOINT_MANAGE),
    }
    if context["can_work"]:
        cps = list(queries.checkpoints_in_scope(user))
        figures = queries.figures([cp.pk for cp in cps], today)
        context["checkpoints"] = [(cp, figures[cp.pk]) for cp in cps]
        context["totals"] = queries.Figures(
            passages=sum(f.passages for f in figures.values()),
            vehicles=sum(f.vehicles for f in figures.values()),
            over_capacity=sum(f.over_capacity for f in figures.values()),
            on_duty=sum(f.on_duty for f in figures.values()),
        )
    if user.can(Perm.DECLARATION_VIEW):
        arrivals = queries.arrivals_in_scope(user).filter(arrived_on=today)
        context["arrivals_today"] = arrivals.count()
        context["arrivals_pending"] = arrivals.filter(status=ArrivalStatus.PENDING).count()
    if user.can(Perm.VIOLATION_RECORD):
        start, end = queries.day_bounds(today)
        violations = queries.violations_in_scope(user)
        context["violations"] = list(violations[:10])
        context["violations_today"] = violations.filter(occurred_at__gte=start, occurred_at__lt=end).count()
    return render(request, "checkpoints/index.html", context)


def _province_of(cp: Checkpoint) -> AdminUnit | None:
    return AdminUnit.objects.filter(pk=cp.province_id or 0).first()


@login_required
def screen(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    cp = access.get_for_user(user, Checkpoint.objects.all(), Perm.CHECKPOINT_OPERATE, pk=pk)
    province = _province_of(cp)
    communes = (
        AdminUnit.objects.filter(level=Level.COMMUNE, province=province)
        .select_related("district")
        .order_by("district__code", "name_key")
        if province is not None
        else AdminUnit.objects.none()
    )
    origins = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE).order_by("name_key")
    config = {
        "checkpoint": str(cp.pk),
        "api": "/api/v1/checkpoints",
        "sw": "/checkpoints/sw.js",
        "jsqr": static("checkpoints/vendor/jsqr-1.4.0/jsQR.js"),
        "outcomes": {o.value: str(o.label) for o in PassageOutcome},
        "text": {
            "absent": _("On an absent list: returning home"),
            "quarantine": _("In quarantine"),
            "requested": _("Awaiting quarantine placement"),
            "meets": _("Test meets the arrival rule"),
            "fails": _("No test meeting the arrival rule"),
            "no_rule": _("No test required by the rule set in force"),
            "nothing": _("Nothing on record"),
            "unknown": _("Not known here: enter the name to record the passage."),
            "offline_status": _("Offline: status from the snapshot"),
            "queued": _("Saved on this phone: will be sent when the connection returns."),
            "sent": _("Recorded."),
            "loaded": _("Snapshot loaded"),
            "changes": _("Changes since the snapshot"),
            "rejected": _("Refused by the server"),
            "no_camera": _("The camera cannot be used here: type the ID number."),
            "token_offline": _("A QR code cannot be read offline: type the ID number."),
            "enter_id": _("Enter a 9- or 12-digit ID number."),
            "declared": _("Declared"),
            "not_declared": _("No recent declaration"),
            "online": _("Online"),
            "offline": _("Offline"),
        },
    }
    context = {
        "cp": cp,
        "communes": communes,
        "origins": origins,
        "outcomes": PassageOutcome.choices,
        "directions": Direction.choices,
        "config_json": json.dumps(config, ensure_ascii=False),
    }
    return render(request, "checkpoints/screen.html", context)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "Phòng Dịch · " + _("Checkpoint"),
        "short_name": _("Checkpoint"),
        "start_url": "/checkpoints/",
        "scope": "/checkpoints/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b91c1c",
        "lang": "vi",
        "icons": [{"src": static("checkpoints/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = [static(a) for a in SCREEN_ASSETS]
    response = render(
        request, "checkpoints/sw.js", {"assets_json": json.dumps(assets)}, content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = "/checkpoints/"
    response["Cache-Control"] = "no-cache"
    return response


# Arrivals --------------------------------------------------------------------------------------


def _day(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def arrivals(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.DECLARATION_VIEW)
    day = _day(request.GET.get("day"))
    qs = queries.arrivals_in_scope(user).filter(arrived_on=day)
    context = {
        "day": day,
        "previous": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1) if day < timezone.localdate() else None,
        "arrivals": list(qs[:500]),
        "can_confirm": user.can(Perm.DECLARATION_REVIEW),
    }
    return render(request, "checkpoints/arrivals.html", context)


@login_required
@require_POST
def arrival_confirm(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    arrival = access.get_for_user(user, Arrival.objects.all(), Perm.DECLARATION_REVIEW, pk=pk)
    actions.confirm_arrival(
        user,
        arrival,
        declaration_checked=request.POST.get("declaration_checked") == "on",
        monitoring_arranged=request.POST.get("monitoring_arranged") == "on",
    )
    messages.success(request, _("Arrival confirmed."))
    return redirect(reverse("checkpoints:arrivals") + f"?day={arrival.arrived_on.isoformat()}")


# Public family report --------------------------------------------------------------------------


def _commune_choices() -> list[tuple[Any, Any]]:
    province = deployment_province()
    if province is None:
        return [("", "—")]
    groups: dict[str, list[tuple[str, str]]] = {}
    units = AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, province=province)
    for unit in units.select_related("district").order_by("district__code", "name_key"):
        groups.setdefault(unit.district.name if unit.district else "", []).append((str(unit.pk), unit.name))
    return [("", "—"), *groups.items()]


class ReturnForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Name of the person coming home"), max_length=120)
    id_number = forms.CharField(
        label=gettext_lazy("Their ID number (if known)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Their phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    commune = forms.ChoiceField(label=gettext_lazy("Commune they are coming home to"))
    coming_from = forms.CharField(label=gettext_lazy("Coming from (province)"), max_length=160, required=False)
    arrived_on = forms.DateField(
        label=gettext_lazy("Arriving on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reporter_phone = forms.CharField(
        label=gettext_lazy("Your phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commune = self.fields["commune"]
        assert isinstance(commune, forms.ChoiceField)
        commune.choices = _commune_choices()

    def clean_id_number(self) -> str:
        digits = "".join(ch for ch in self.cleaned_data.get("id_number", "") if ch.isdigit())
        if digits and len(digits) not in (9, 12):
            raise forms.ValidationError(_("Enter a 9- or 12-digit ID number."))
        return digits

    def _phone(self, name: str, required: bool) -> str:
        from phongdich.people.validation import normalize_phone

        value = self.cleaned_data.get(name, "")
        if not value and not required:
            return ""
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise forms.ValidationError(_("Enter a Vietnamese phone number.")) from exc

    def clean_phone(self) -> str:
        return self._phone("phone", False)

    def clean_reporter_phone(self) -> str:
        return self._phone("reporter_phone", True)

    def clean_commune(self) -> AdminUnit:
        unit = AdminUnit.objects.filter(pk=self.cleaned_data.get("commune") or 0, level=Level.COMMUNE).first()
        if unit is None:
            raise forms.ValidationError(_("Choose a commune."))
        return unit


def _rate_limited(request: HttpRequest) -> bool:
    limit, seconds = getattr(settings, "RETURN_REPORT_RATE", (10, 600))
    return over_limit(request, "return-report", limit, seconds)


@require_http_methods(["GET", "POST"])
def report_return(request: HttpRequest) -> HttpResponse:
    template = "checkpoints/report_return.html"
    if request.method == "POST":
        if _rate_limited(request):
            form = ReturnForm(initial={"client_uuid": uuid.uuid4()})
            error = _("Too many reports from your connection. Try again in a few minutes.")
            return render(request, template, {"form": form, "error": error}, status=429)
        if request.POST.get("website"):
            return redirect("checkpoints:report-thanks")  # a bot filled the honeypot: write nothing
        form = ReturnForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.report_return(
                    actions.FamilyReport(
                        full_name=data["full_name"],
                        commune=data["commune"],
                        arrived_on=data["arrived_on"],
                        id_number=data["id_number"],
                        phone=data["phone"],
                        coming_from=data["coming_from"],
                        reporter_phone=data["reporter_phone"],
                    ),
                    client_uuid=data["client_uuid"],
                )
            except actions.CheckpointError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("checkpoints:report-thanks")
        return render(request, template, {"form": form}, status=400)
    return render(request, template, {"form": ReturnForm(initial={"client_uuid": uuid.uuid4()})})


@require_GET
def report_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "checkpoints/report_thanks.html")
