"""Forms of the community pages (validation of the data itself stays in actions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from phongdich.community.models import CommunityMember, Finding, Position, WatchReason
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Household

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=120)
    village = forms.ModelChoiceField(
        label=gettext_lazy("Village / residential group"), queryset=AdminUnit.objects.none()
    )

    def __init__(self, *args: Any, villages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=120)
    position = forms.ChoiceField(label=gettext_lazy("Position in the team"), choices=Position.choices)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    username = forms.CharField(
        label=gettext_lazy("User account (optional)"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("The member's login name, when they use the app."),
    )


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Member"), queryset=CommunityMember.objects.none())
    households = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Households"), queryset=Household.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: Any = None, households: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["households"].queryset = households  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    finding = forms.ChoiceField(label=gettext_lazy("Finding"), choices=Finding.choices)
    temperature = forms.DecimalField(
        label=gettext_lazy("Temperature (°C)"), required=False, max_digits=3, decimal_places=1
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=1000, required=False)


class WatchEntryForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=WatchReason.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)
    starts_on = date_field(gettext_lazy("From"))
    ends_on = date_field(gettext_lazy("Until"))
    visit_every_days = forms.IntegerField(label=gettext_lazy("Visit every (days)"), min_value=1, max_value=30)


class HandleForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=500, required=False)


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Group name"), max_length=120)
    village = forms.ModelChoiceField(
        label=gettext_lazy("Village / residential group"), queryset=AdminUnit.objects.none()
    )

    def __init__(self, *args: Any, villages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
