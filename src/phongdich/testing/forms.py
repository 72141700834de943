"""Forms of the testing pages (validation of the shape; the rules live in the actions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phongdich.policy.models import TestKind
from phongdich.testing.models import Campaign, CampaignKind, CampaignPlace, Laboratory, Outcome, PlaceKind, SampleType


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kw)


class TakingForm(forms.Form):
    barcode = forms.CharField(label=_("Tube barcode"), max_length=32, widget=forms.TextInput(attrs={"autofocus": True}))
    test_kind = forms.ChoiceField(label=_("Test"), choices=TestKind.choices, initial=TestKind.RT_PCR)
    sample_type = forms.ChoiceField(label=_("Sample type"), choices=SampleType.choices)
    place_kind = forms.ChoiceField(label=_("Kind of place"), choices=PlaceKind.choices)
    place_name = forms.CharField(label=_("Place"), max_length=200, required=False)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    lab = forms.ModelChoiceField(label=_("Laboratory"), queryset=Laboratory.objects.none(), required=False)
    taken_at = forms.DateTimeField(
        label=_("Taken at"), required=False, widget=DateTimeInput(), help_text=_("Now when left empty.")
    )

    def __init__(self, *args: Any, campaigns: Any = None, labs: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        if labs is not None:
            self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class ResultForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Laboratory"), queryset=Laboratory.objects.none())
    barcode = forms.CharField(label=_("Tube barcode"), max_length=40, widget=forms.TextInput(attrs={"autofocus": True}))
    outcome = forms.ChoiceField(label=_("Result"), choices=Outcome.choices)
    ct = forms.DecimalField(label=_("Ct value"), required=False, max_digits=4, decimal_places=1)
    resulted_at = forms.DateTimeField(
        label=_("Result time"), required=False, widget=DateTimeInput(), help_text=_("Now when left empty.")
    )

    def __init__(self, *args: Any, labs: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if labs is not None:
            self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    lab = forms.ModelChoiceField(label=_("Laboratory"), queryset=Laboratory.objects.none())
    file = forms.FileField(label=_("Results file (Excel or CSV)"))

    def __init__(self, *args: Any, labs: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if labs is not None:
            self.fields["lab"].queryset = labs  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.ChoiceField(label=_("Commune or village"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    place_kind = forms.ChoiceField(label=_("Place"), choices=CampaignPlace.choices, required=False)
    place_name = forms.CharField(label=_("Place name"), max_length=200, required=False)
    test_kind = forms.ChoiceField(label=_("Test"), choices=TestKind.choices)
    target_population = forms.IntegerField(
        label=_("Target population"), required=False, min_value=0, help_text=_("The unit's population when empty.")
    )
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    sites = forms.CharField(
        label=_("Testing sites"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One per line.")
    )

    def __init__(self, *args: Any, units: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]


class LabForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    daily_capacity = forms.IntegerField(label=_("Tests per day"), min_value=0, max_value=1_000_000, initial=0)


class CampaignEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    target_population = forms.IntegerField(label=_("Target population"), min_value=0)
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=Campaign.Status.choices)
    sites = forms.CharField(
        label=_("Testing sites"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One per line.")
    )
