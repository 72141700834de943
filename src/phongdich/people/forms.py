"""Forms of the person registry: every field cleaned by people/validation.py."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.core import access
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.actions import PersonData
from phongdich.people.models import Household, Person, ResidenceStatus, Sex
from phongdich.people.queries import units_in_scope
from phongdich.people.validation import normalize_id_number, normalize_name, normalize_phone, parse_birth

if TYPE_CHECKING:
    from phongdich.core.models import User


def _conditions(text: str) -> list[str]:
    items = [c.strip() for c in text.replace(";", ",").replace("\n", ",").split(",")]
    return list(dict.fromkeys(c for c in items if c))


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


class PersonForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    id_number = forms.CharField(
        label=gettext_lazy("ID number (CCCD/CMND)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("12 digits (CCCD) or 9 digits (CMND)."),
    )
    birth = forms.CharField(
        label=gettext_lazy("Date of birth"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("dd/mm/yyyy, or the year alone."),
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    commune = UnitChoiceField(label=gettext_lazy("Commune / ward"), queryset=AdminUnit.objects.none(), empty_label="—")
    village = UnitChoiceField(
        label=gettext_lazy("Village / residential group"),
        queryset=AdminUnit.objects.none(),
        required=False,
        empty_label="—",
    )
    address = forms.CharField(label=gettext_lazy("Address (house, street)"), max_length=255, required=False)
    household_code = forms.CharField(
        label=gettext_lazy("Household code"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("The household is found by its code in the commune, or created with this code."),
    )
    household_role = forms.CharField(label=gettext_lazy("Relation to household head"), max_length=40, required=False)
    ethnicity = forms.CharField(label=gettext_lazy("Ethnicity"), max_length=40, required=False)
    occupation = forms.CharField(label=gettext_lazy("Occupation"), max_length=120, required=False)
    workplace = forms.CharField(label=gettext_lazy("Workplace"), max_length=255, required=False)
    conditions = forms.CharField(
        label=gettext_lazy("Underlying conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Separated by commas, e.g. diabetes, hypertension."),
    )
    pregnant = forms.BooleanField(label=gettext_lazy("Pregnant"), required=False)

    def __init__(self, *args: Any, user: User, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = person
        communes = units_in_scope(user, Level.COMMUNE).order_by("name_key")
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        villages = units_in_scope(user, Level.VILLAGE)
        commune_id = self.data.get("commune") if self.is_bound else self.initial.get("commune")
        if isinstance(commune_id, AdminUnit):
            commune_id = commune_id.pk
        if self.is_bound:
            # Validate against every village of the user's area; show those of the chosen commune.
            self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        else:
            shown = villages.filter(commune_id=commune_id) if commune_id else villages.none()
            self.fields["village"].queryset = shown.order_by("name_key")  # type: ignore[attr-defined]
        self.fields["commune"].widget.attrs.update(
            {"hx-get": reverse("people:villages"), "hx-target": "#id_village", "hx-trigger": "change"}
        )

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        birth = ""
        if person.birth_date:
            birth = person.birth_date.strftime("%d/%m/%Y")
        elif person.birth_year:
            birth = str(person.birth_year)
        return {
            "full_name": person.full_name,
            "id_number": person.id_number or "",
            "birth": birth,
            "sex": person.sex,
            "phone": person.phone,
            "commune": person.commune_id,
            "village": person.village_id,
            "address": person.address,
            "household_code": person.household.code if person.household else "",
            "household_role": person.household_role,
            "ethnicity": person.ethnicity,
            "occupation": person.occupation,
            "workplace": person.workplace,
            "conditions": ", ".join(person.conditions or []),
            "pregnant": person.pregnant,
        }

    def clean_full_name(self) -> str:
        return normalize_name(self.cleaned_data["full_name"])

    def clean_id_number(self) -> str | None:
        return normalize_id_number(self.cleaned_data.get("id_number"))

    def clean_birth(self) -> tuple[datetime.date | None, int | None]:
        return parse_birth(self.cleaned_data.get("birth", "").strip())

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone"))

    def clean_conditions(self) -> list[str]:
        return _conditions(self.cleaned_data.get("conditions", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        commune = data.get("commune")
        village = data.get("village")
        if commune is not None and village is not None and village.commune_id != commune.pk:
            self.add_error("village", _("This village is not in the chosen commune."))
        unit = village or commune
        if unit is not None and not access.unit_in_scope(self.user, unit):
            self.add_error("village" if village else "commune", _("This unit is outside your area."))
        data["unit"] = unit
        id_number = data.get("id_number")
        if id_number and self.person is not None:
            clash = Person.objects.filter(id_number=id_number, merged_into__isnull=True).exclude(pk=self.person.pk)
            if clash.exists():
                self.add_error("id_number", _("Another record already has this ID number."))
        return data

    def person_data(self, household: Household | None) -> PersonData:
        d = self.cleaned_data
        birth_date, birth_year = d["birth"]
        return PersonData(
            full_name=d["full_name"],
            id_number=d["id_number"],
            birth_date=birth_date,
            birth_year=birth_year,
            sex=d["sex"],
            phone=d["phone"],
            unit=d["unit"],
            address=d["address"],
            household=household,
            household_role=d["household_role"],
            ethnicity=d["ethnicity"],
            occupation=d["occupation"],
            workplace=d["workplace"],
            conditions=d["conditions"],
            pregnant=d["pregnant"],
        )

    def changes(self, person: Person, household: Household | None) -> dict[str, Any]:
        """Field → new value for what differs from ``person`` (``unit`` when the address unit moved)."""
        data = self.person_data(household)
        out: dict[str, Any] = {}
        for name in (
            "full_name",
            "id_number",
            "sex",
            "phone",
            "address",
            "household_role",
            "ethnicity",
            "occupation",
            "workplace",
            "conditions",
            "pregnant",
        ):
            if getattr(person, name) != getattr(data, name):
                out[name] = getattr(data, name)
        if person.birth_date != data.birth_date:
            out["birth_date"] = data.birth_date
        if data.birth_date is None and person.birth_year != data.birth_year:
            out["birth_year"] = data.birth_year
        if person.household_id != (household.pk if household else None):
            out["household"] = household
        unit = data.unit
        current = person.village_id or person.commune_id
        if unit is not None and unit.pk != current:
            out["unit"] = unit
        return out


class ResidenceForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Residence status"), choices=ResidenceStatus.choices)
    started_on = forms.DateField(
        label=gettext_lazy("Starting on"), required=False, help_text=gettext_lazy("dd/mm/yyyy; today if empty.")
    )
    temp_address = forms.CharField(label=gettext_lazy("Temporary address"), max_length=255, required=False)
    temp_province = UnitChoiceField(
        label=gettext_lazy("Province stayed in"), queryset=AdminUnit.objects.none(), required=False, empty_label="—"
    )
    temp_commune = UnitChoiceField(
        label=gettext_lazy("Commune stayed in"), queryset=AdminUnit.objects.none(), required=False, empty_label="—"
    )
    workplace = forms.CharField(label=gettext_lazy("Workplace while away"), max_length=255, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone while away"), max_length=20, required=False)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        units = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY)
        self.fields["temp_province"].queryset = units.filter(level=Level.PROVINCE).order_by("name_key")  # type: ignore[attr-defined]
        province_id = self.data.get("temp_province") if self.is_bound else self.initial.get("temp_province")
        communes = units.filter(level=Level.COMMUNE)
        if self.is_bound:
            self.fields["temp_commune"].queryset = communes  # type: ignore[attr-defined]
        else:
            shown = communes.filter(province_id=province_id) if province_id else communes.none()
            self.fields["temp_commune"].queryset = shown.order_by("name_key")  # type: ignore[attr-defined]
        self.fields["temp_province"].widget.attrs.update(
            {"hx-get": reverse("people:communes"), "hx-target": "#id_temp_commune", "hx-trigger": "change"}
        )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone"))

    def clean_started_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("started_on")
        return check_residence_start(self.person, day)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        province = data.get("temp_province")
        commune = data.get("temp_commune")
        if commune is not None and province is not None and commune.province_id != province.pk:
            self.add_error("temp_commune", _("This commune is not in the chosen province."))
        if commune is not None and province is None:
            data["temp_province"] = commune.province
        if data.get("status") != ResidenceStatus.TEMPORARILY_ABSENT:
            for name in ("temp_address", "workplace", "phone"):
                data[name] = ""
            data["temp_province"] = data["temp_commune"] = None
        return data


def check_residence_start(person: Person, day: datetime.date | None) -> datetime.date | None:
    """A new residence period starts neither in the future nor before the current one."""
    if day is None:
        return None
    if day > timezone.localdate():
        raise ValidationError(_("The date is in the future."), code="future")
    current = person.residence_records.filter(ended_on__isnull=True).order_by("-created_at").first()
    if current is not None and current.started_on and day < current.started_on:
        raise ValidationError(
            _("The date is before the start of the current residence status (%(date)s).")
            % {"date": current.started_on.strftime("%d/%m/%Y")},
            code="before_current",
        )
    return day


class MergeForm(forms.Form):
    survivor = forms.UUIDField(label=gettext_lazy("Record to keep"))
