"""Pages of exposure sites: the staff list, create/edit, detail with reports, publish/withdraw,
and the public page (no sign-in) where people who were at a site report themselves.

The public views carry no personal data out: they list places and windows only, and the
confirmation page says nothing about who reported. Abuse resistance: CSRF (Django's
middleware), a per-IP rate limit in the cache (``EXPOSURE_REPORT_RATE``: reports per window of
seconds, 10 per 10 minutes by default), a honeypot field that bots fill and people do not see,
and a client UUID generated on page render so that a retry never duplicates a report.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.cases import exposure
from phongdich.cases.models import ExposureSite
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.ratelimit import over_limit
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.queries import deployment_province, subtree
from phongdich.people.actions import PersonData
from phongdich.people.validation import normalize_id_number, normalize_name, normalize_phone, parse_birth

OTHER_PROVINCE = "other"
DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"]


# ---------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------


def _deployment_units(level: str) -> Any:
    province = deployment_province()
    if province is None:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(version=province.version, level=level, province=province)


def commune_choices() -> list[tuple[Any, Any]]:
    """The province's communes grouped by district, then "I live in another province"."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for unit in _deployment_units(Level.COMMUNE).select_related("district").order_by("district__code", "name_key"):
        groups.setdefault(unit.district.name if unit.district else "", []).append((str(unit.pk), unit.name))
    choices: list[tuple[Any, Any]] = [("", "—")]
    choices += [(district, options) for district, options in groups.items()]
    choices.append((OTHER_PROVINCE, _("I live in another province")))
    return choices


class ReportForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    phone = forms.CharField(
        label=gettext_lazy("Phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    birth = forms.CharField(
        label=gettext_lazy("Date of birth"), max_length=20, help_text=gettext_lazy("dd/mm/yyyy, or the year alone.")
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number (CCCD/CMND)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Optional. 12 digits (CCCD) or 9 digits (CMND)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    commune = forms.ChoiceField(label=gettext_lazy("Commune / ward where you live"))
    address = forms.CharField(label=gettext_lazy("Address (house, street, village)"), max_length=255, required=False)
    visited_on = forms.DateField(
        label=gettext_lazy("Date you were there"),
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    # Honeypot: hidden from people by CSS, filled by bots.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))

    def __init__(self, *args: Any, site: ExposureSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["commune"].choices = commune_choices()  # type: ignore[attr-defined]
        first, last = exposure.window_dates(site)
        self.fields["visited_on"].widget.attrs.update({"min": first.isoformat(), "max": last.isoformat()})

    def clean_full_name(self) -> str:
        return normalize_name(self.cleaned_data["full_name"])

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data.get("phone"))
        if not phone:
            raise ValidationError(_("The phone number is required."), code="phone_required")
        return phone

    def clean_id_number(self) -> str | None:
        return normalize_id_number(self.cleaned_data.get("id_number"))

    def clean_birth(self) -> tuple[datetime.date | None, int | None]:
        birth = parse_birth(self.cleaned_data.get("birth", "").strip())
        if birth == (None, None):
            raise ValidationError(_("The date of birth (or the year of birth) is required."), code="birth_required")
        return birth

    def clean_commune(self) -> AdminUnit | None:
        value = self.cleaned_data.get("commune")
        if value == OTHER_PROVINCE:
            return None
        unit = _deployment_units(Level.COMMUNE).filter(pk=value).first() if str(value).isdigit() else None
        if unit is None:
            raise ValidationError(_("Choose your commune or ward."), code="commune_required")
        return unit

    def clean_visited_on(self) -> datetime.date:
        visited: datetime.date = self.cleaned_data["visited_on"]
        exposure.check_visit_date(self.site, visited)
        return visited

    def person_data(self) -> PersonData:
        data = self.cleaned_data
        birth_date, birth_year = data["birth"]
        return PersonData(
            full_name=data["full_name"],
            id_number=data.get("id_number"),
            birth_date=birth_date,
            birth_year=birth_year,
            phone=data["phone"],
            unit=data["commune"],
            address=data.get("address", "").strip(),
        )


class UnitField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: AdminUnit) -> str:
        if obj.level == Level.COMMUNE and obj.district is not None:
            return f"{obj.name} ({obj.district.name})"
        return obj.name


class SiteForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        help_text=gettext_lazy("E.g. Chợ trung tâm 1, Bệnh viện K cơ sở Tân Triều."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=255, required=False)
    unit = UnitField(label=gettext_lazy("Unit"), queryset=AdminUnit.objects.none(), empty_label=None)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"),
        input_formats=DATETIME_INPUTS,
        required=False,
        help_text=gettext_lazy("Empty: still open."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(
        label=gettext_lazy("What people who were there should do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    case_code = forms.CharField(
        label=gettext_lazy("Linked case (code)"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Not shown to the public. Reports become contact candidates of this case."),
    )
    cluster_code = forms.CharField(label=gettext_lazy("Linked cluster (code)"), max_length=32, required=False)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = site_units(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        code = data.get("case_code", "")
        if code:
            data["case"] = exposure.cases_for_link(self.user, code)
            if data["case"] is None:
                self.add_error("case_code", _("No case with this code in your area."))
        else:
            data["case"] = None
        code = data.get("cluster_code", "")
        if code:
            data["cluster"] = exposure.cluster_for_link(self.user, code)
            if data["cluster"] is None:
                self.add_error("cluster_code", _("No cluster with this code in your area."))
        else:
            data["cluster"] = None
        return data

    def site_data(self) -> exposure.SiteData:
        d = self.cleaned_data
        return exposure.SiteData(
            name=d["name"],
            unit=d["unit"],
            starts_at=d["starts_at"],
            ends_at=d.get("ends_at"),
            address=d.get("address", ""),
            description=d.get("description", ""),
            case=d.get("case"),
            cluster=d.get("cluster"),
        )

    @staticmethod
    def initial_for(site: ExposureSite) -> dict[str, Any]:
        return {
            "name": site.name,
            "address": site.address,
            "unit": site.commune_id or site.district_id or site.province_id,
            "starts_at": timezone.localtime(site.starts_at),
            "ends_at": timezone.localtime(site.ends_at) if site.ends_at else None,
            "description": site.description,
            "case_code": site.case.code if site.case else "",
            "cluster_code": site.cluster.code if site.cluster else "",
        }


def site_units(user: Any) -> Any:
    """Province, districts and communes of the user's area (where a site may be placed)."""
    qs = AdminUnit.objects.filter(
        version=settings.PHONGDICH_HIERARCHY, level__in=[Level.PROVINCE, Level.DISTRICT, Level.COMMUNE]
    ).select_related("district")
    if user.unit is not None:
        qs = qs.filter(subtree(user.unit))
    elif not user.is_superuser:
        return qs.none()
    return qs.order_by("level", "code")


# ---------------------------------------------------------------------------------------------
# Staff pages
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    qs = exposure.sites_in_scope(user)
    state = request.GET.get("state", "")
    if state == "active":
        qs = qs.filter(exposure.active_filter())
    elif state == "draft":
        qs = qs.filter(published=False, withdrawn_at__isnull=True)
    elif state == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    page = Paginator(qs.order_by("-starts_at"), 50).get_page(request.GET.get("page"))
    active_ids = set(
        ExposureSite.objects.filter(exposure.active_filter(), pk__in=[s.pk for s in page]).values_list("pk", flat=True)
    )
    return render(
        request,
        "cases/exposure_list.html",
        {
            "page": page,
            "state": state,
            "active_ids": active_ids,
            "can_publish": user.can(Perm.EXPOSURE_PUBLISH),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.EXPOSURE_PUBLISH)
    if request.method == "POST":
        form = SiteForm(request.POST, user=user)
        if form.is_valid():
            try:
                site, _created = exposure.create_site(
                    user, form.site_data(), client_uuid=form.cleaned_data.get("client_uuid")
                )
            except exposure.ExposureError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The exposure site was saved. Publish it to show it on the public page."))
                return redirect("exposure:detail", pk=site.pk)
        return render(request, "cases/exposure_form.html", {"form": form, "site": None}, status=400)
    form = SiteForm(user=user, initial={"client_uuid": uuid.uuid4(), "unit": user.unit_id})
    return render(request, "cases/exposure_form.html", {"form": form, "site": None})


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    site = exposure.get_site(user, pk, Perm.EXPOSURE_PUBLISH)
    if request.method == "POST":
        form = SiteForm(request.POST, user=user)
        if form.is_valid():
            try:
                exposure.update_site(user, site, form.site_data())
            except exposure.ExposureError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The exposure site was saved."))
                return redirect("exposure:detail", pk=site.pk)
        return render(request, "cases/exposure_form.html", {"form": form, "site": site}, status=400)
    form = SiteForm(user=user, initial=SiteForm.initial_for(site))
    return render(request, "cases/exposure_form.html", {"form": form, "site": site})


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    site = exposure.get_site(user, pk)
    rows = exposure.site_reports(user, site)
    first, last = exposure.window_dates(site)
    return render(
        request,
        "cases/exposure_detail.html",
        {
            "site": site,
            "rows": rows,
            "active": exposure.is_active(site),
            "can_publish": user.can(Perm.EXPOSURE_PUBLISH),
            "first": first,
            "last": last,
        },
    )


@login_required
@require_POST
def site_publish(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    site = exposure.get_site(user, pk, Perm.EXPOSURE_PUBLISH)
    exposure.publish_site(user, site)
    messages.success(request, _("The site is on the public page."))
    return redirect("exposure:detail", pk=site.pk)


@login_required
@require_POST
def site_withdraw(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    site = exposure.get_site(user, pk, Perm.EXPOSURE_PUBLISH)
    exposure.withdraw_site(user, site)
    messages.success(request, _("The site was withdrawn from the public page."))
    return redirect("exposure:detail", pk=site.pk)


# ---------------------------------------------------------------------------------------------
# Public pages (no sign-in)
# ---------------------------------------------------------------------------------------------


def _public_unit(value: str | None) -> AdminUnit | None:
    if not value or not value.isdigit():
        return None
    return (
        _deployment_units(Level.DISTRICT).filter(pk=int(value)).first()
        or _deployment_units(Level.COMMUNE).filter(pk=int(value)).first()
    )


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    district = _public_unit(request.GET.get("district"))
    commune = _public_unit(request.GET.get("commune"))
    if district is not None and district.level != Level.DISTRICT:
        district = None
    if commune is not None and (commune.level != Level.COMMUNE or (district and commune.district_id != district.pk)):
        commune = None
    sites = [exposure.public_site_fields(s) for s in exposure.public_sites(commune or district)[:200]]
    communes = _deployment_units(Level.COMMUNE).filter(district=district).order_by("name_key") if district else []
    return render(
        request,
        "cases/exposure_public_list.html",
        {
            "sites": sites,
            "districts": _deployment_units(Level.DISTRICT).order_by("code"),
            "communes": communes,
            "district": district,
            "commune": commune,
            "province": deployment_province(),
        },
    )


def _public_site(pk: Any) -> ExposureSite:
    try:
        return exposure.public_sites().get(pk=pk)
    except (ExposureSite.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404(_("Not found.")) from exc


def rate_limited(request: HttpRequest) -> bool:
    """Count this request against its IP; True when over the limit (EXPOSURE_REPORT_RATE)."""
    limit, seconds = getattr(settings, "EXPOSURE_REPORT_RATE", (10, 600))
    return over_limit(request, "exposure-report", limit, seconds)


@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, pk: Any) -> HttpResponse:
    site = _public_site(pk)
    public = exposure.public_site_fields(site)
    if request.method == "POST":
        if rate_limited(request):
            form = ReportForm(site=site, initial={"client_uuid": uuid.uuid4()})
            context = {
                "site": public,
                "form": form,
                "error": _("Too many reports from your connection. Try again in a few minutes."),
            }
            return render(request, "cases/exposure_public_report.html", context, status=429)
        if request.POST.get("website"):
            # A bot filled the honeypot: answer as if all went well, write nothing.
            return redirect("exposure-public:thanks", pk=site.pk)
        form = ReportForm(request.POST, site=site)
        if form.is_valid():
            try:
                exposure.report_exposure(
                    site,
                    form.person_data(),
                    form.cleaned_data["visited_on"],
                    client_uuid=form.cleaned_data["client_uuid"],
                )
            except exposure.ExposureError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error("visited_on", exc)
            else:
                return redirect("exposure-public:thanks", pk=site.pk)
        return render(request, "cases/exposure_public_report.html", {"site": public, "form": form}, status=400)
    form = ReportForm(site=site, initial={"client_uuid": uuid.uuid4()})
    return render(request, "cases/exposure_public_report.html", {"site": public, "form": form})


@require_GET
def public_thanks(request: HttpRequest, pk: Any) -> HttpResponse:
    site = _public_site(pk)
    return render(request, "cases/exposure_public_thanks.html", {"site": exposure.public_site_fields(site)})
