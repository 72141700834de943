"""Forms of the treatment pages (the API takes the same fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy

from phongdich.cases.forms import date_field
from phongdich.cases.models import ClinicalStatus
from phongdich.treatment.models import BedKind, Facility, FacilityKind, HomeCareStatus, Tier, WarningSign

if TYPE_CHECKING:
    from django.db.models import QuerySet


class FacilityChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Facility) -> str:
        state = "" if obj.active else f" ({gettext_lazy('stood down')})"
        return f"{obj.name} · {gettext_lazy('tier')} {obj.tier}{state}"


class _FacilityForm(forms.Form):
    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]


class AdmitForm(_FacilityForm):
    facility = FacilityChoiceField(label=gettext_lazy("Facility"), queryset=Facility.objects.none())
    bed_kind = forms.ChoiceField(label=gettext_lazy("Bed kind"), choices=BedKind.choices)
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=ClinicalStatus.choices)
    on = date_field(gettext_lazy("Date"), required=True)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for admitting below the tier required"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Only when the facility's tier is below the one the severity calls for."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)


class TransferForm(_FacilityForm):
    facility = FacilityChoiceField(label=gettext_lazy("To facility"), queryset=Facility.objects.none())
    bed_kind = forms.ChoiceField(label=gettext_lazy("Bed kind"), choices=BedKind.choices)
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=ClinicalStatus.choices)
    on = date_field(gettext_lazy("Date"), required=True)
    reason = forms.CharField(label=gettext_lazy("Reason for the transfer"), required=False, max_length=255)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for admitting below the tier required"), required=False, max_length=255
    )


class ReassessForm(forms.Form):
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=ClinicalStatus.choices)
    on = date_field(gettext_lazy("Date"), required=True)
    spo2 = forms.IntegerField(label=gettext_lazy("SpO2 (%)"), required=False, min_value=50, max_value=100)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)


class DischargeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Treatment outcome"),
        choices=[(HomeCareStatus.RECOVERED, gettext_lazy("Recovered")), (HomeCareStatus.DIED, gettext_lazy("Died"))],
    )
    on = date_field(gettext_lazy("Date"), required=True)


class HomeCareForm(forms.Form):
    on = date_field(gettext_lazy("Start date"), required=True)
    pregnant = forms.BooleanField(label=gettext_lazy("Pregnant"), required=False)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for home care despite a failed rule"), required=False, max_length=255
    )


class MonitoringForm(forms.Form):
    on = date_field(gettext_lazy("Date"), required=True)
    spo2 = forms.IntegerField(label=gettext_lazy("SpO2 (%)"), required=False, min_value=50, max_value=100)
    temperature = forms.DecimalField(
        label=gettext_lazy("Temperature (°C)"), required=False, min_value=34, max_value=43, decimal_places=1
    )
    symptoms = forms.CharField(
        label=gettext_lazy("Symptoms"), required=False, max_length=255, help_text=gettext_lazy("Separated by commas.")
    )
    warning_signs = forms.MultipleChoiceField(
        label=gettext_lazy("Warning signs"),
        required=False,
        choices=WarningSign.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)


class BedsForm(forms.Form):
    staff_count = forms.IntegerField(label=gettext_lazy("Staff"), min_value=0, max_value=100_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in BedKind.choices:
            self.fields[f"beds_{kind}"] = forms.IntegerField(label=label, min_value=0, max_value=100_000)


class FacilityForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=FacilityKind.choices)
    tier = forms.TypedChoiceField(label=gettext_lazy("Tier"), choices=Tier.choices, coerce=int)
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=255)
    staff_count = forms.IntegerField(label=gettext_lazy("Staff"), min_value=0, max_value=100_000, initial=0)
