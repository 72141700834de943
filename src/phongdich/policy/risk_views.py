"""The list of high-risk areas: see it (staff who handle cases, arrivals or quarantine), add and end (RULESET_EDIT)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.forms import UnitChoiceField
from phongdich.policy import risk
from phongdich.policy.models import RiskArea, RiskLevel

VIEW_PERMS = (Perm.CASE_VIEW, Perm.DECLARATION_VIEW, Perm.CHECKPOINT_OPERATE, Perm.QUARANTINE_VIEW, Perm.RULESET_EDIT)
DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


def require_view(user: Any) -> None:
    if not (user.is_authenticated and any(user.can(p) for p in VIEW_PERMS)):
        raise PermissionDenied(_("Your role does not allow this."))


class RiskAreaForm(forms.Form):
    province = UnitChoiceField(label=gettext_lazy("Province"), queryset=AdminUnit.objects.none(), empty_label="—")
    code = forms.CharField(
        label=gettext_lazy("District or commune code"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("Empty: the whole province. The official code, e.g. 03325."),
    )
    level = forms.ChoiceField(label=gettext_lazy("Risk level"), choices=RiskLevel.choices)
    effective_from = forms.DateField(label=gettext_lazy("From"), input_formats=["%d/%m/%Y"], widget=DATE_INPUT)
    effective_to = forms.DateField(
        label=gettext_lazy("Until"), input_formats=["%d/%m/%Y"], widget=DATE_INPUT, required=False
    )
    basis = forms.CharField(label=gettext_lazy("Basis"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE)
        self.fields["province"].queryset = provinces.order_by("name_key")  # type: ignore[attr-defined]

    def unit(self) -> AdminUnit | None:
        province: AdminUnit = self.cleaned_data["province"]
        code = (self.cleaned_data.get("code") or "").strip()
        if not code:
            return province
        found = AdminUnit.objects.filter(version=province.version, code=code, province=province).exclude(
            level=Level.VILLAGE
        )
        return found.first()


@login_required
@require_http_methods(["GET", "POST"])
def risk_area_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_view(user)
    can_edit = user.can(Perm.RULESET_EDIT)
    form = RiskAreaForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST":
        access.require(user, Perm.RULESET_EDIT)
        if form.is_valid():
            unit = form.unit()
            if unit is None:
                form.add_error("code", _("No district or commune with this code in the province."))
            else:
                try:
                    risk.declare_risk_area(
                        user,
                        unit,
                        level=form.cleaned_data["level"],
                        effective_from=form.cleaned_data["effective_from"],
                        effective_to=form.cleaned_data["effective_to"],
                        basis=form.cleaned_data["basis"],
                    )
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error("code" if field == "unit" else field if field in form.fields else None, errors)
                else:
                    messages.success(request, _("Area listed as high-risk."))
                    return redirect("policy:risk-areas")
    today = timezone.localdate()
    show = request.GET.get("show", "current")
    areas = RiskArea.objects.select_related("unit", "unit__province", "unit__district")
    if show != "all":
        areas = risk.in_force(today).select_related("unit", "unit__province", "unit__district")
    context = {
        "areas": areas[:500],
        "form": form,
        "can_edit": can_edit,
        "show": show,
        "today": today,
    }
    return render(request, "policy/risk_areas.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def risk_area_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.RULESET_EDIT)
    try:
        area = RiskArea.objects.get(pk=pk)
    except RiskArea.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
    try:
        risk.end_risk_area(user, area)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The listing ends today."))
    return redirect("policy:risk-areas")
