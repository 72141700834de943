"""Forms of the investigation and tracing-team pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from phongdich.cases.forms import UnitChoiceField, cluster_units
from phongdich.core.models import User
from phongdich.people.validation import normalize_phone
from phongdich.tracing.models import Agency, TracingTask

if TYPE_CHECKING:
    from phongdich.geo.models import AdminUnit


def users_in_scope(user: User) -> QuerySet[User]:
    """Active users whose unit is in the user's area (to link a team member to an account)."""
    qs = User.objects.filter(is_active=True)
    unit: AdminUnit | None = user.unit
    if unit is None:
        return qs if user.is_superuser else qs.none()
    return qs.filter(Q(unit=unit) | Q(**{f"unit__{unit.level}": unit})).order_by("username")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=120)
    unit = UnitChoiceField(label=gettext_lazy("Unit"), queryset=User.objects.none(), empty_label=None)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = cluster_units(user)  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=120)
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), choices=Agency.choices)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    user = UserChoiceField(
        label=gettext_lazy("User account"),
        queryset=User.objects.none(),
        required=False,
        empty_label="—",
        help_text=gettext_lazy("Optional: the member's account in this system."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_in_scope(user)  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        return str(normalize_phone(self.cleaned_data.get("phone") or ""))


class TaskForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TracingTask.Status.choices, required=False)
    team_id = forms.CharField(label=gettext_lazy("Team"), required=False, max_length=40)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=255)
