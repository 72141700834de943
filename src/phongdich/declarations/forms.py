"""Forms of the declarations app: the public declaration form, the check-in form, the venue form."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.declarations.actions import (
    MAX_PLACES,
    CheckInData,
    DeclarationData,
    PlaceVisit,
    VenueData,
)
from phongdich.declarations.models import Condition, DeclarationKind, Exposure, Symptom, Transport, VenueKind
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.queries import deployment_province, subtree
from phongdich.people.models import Sex
from phongdich.people.validation import normalize_id_number, normalize_name, normalize_phone, parse_birth

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]
MAX_PLACES_TEXT = 4000


def deployment_communes() -> Any:
    province = deployment_province()
    if province is None:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, province=province)


def destination_choices() -> list[tuple[Any, Any]]:
    """The province's communes grouped by district."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for unit in deployment_communes().select_related("district").order_by("district__code", "name_key"):
        groups.setdefault(unit.district.name if unit.district else "", []).append((str(unit.pk), unit.name))
    return [("", "—"), *groups.items()]


def provinces() -> Any:
    return AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE).order_by("name_key")


class ProvinceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


class ProvincesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


def parse_places(text: str) -> list[PlaceVisit]:
    """One place a line: "Chợ Mường Thanh, 12/08/2021" (the date is optional)."""
    if len(text) > MAX_PLACES_TEXT:
        raise ValidationError(_("The list of places is too long."), code="places_long")
    places: list[PlaceVisit] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        name, date = line, None
        if "," in line:
            head, tail = line.rsplit(",", 1)
            for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m"):
                try:
                    parsed = datetime.datetime.strptime(tail.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
                except ValueError:
                    continue
                if fmt == "%d/%m":
                    parsed = parsed.replace(year=datetime.date.today().year)  # noqa: DTZ011 - a calendar date
                name, date = head.strip(), parsed
                break
        places.append(PlaceVisit(name=name[:201], date=date))
    if len(places) > MAX_PLACES:
        raise ValidationError(_("At most %(n)d places can be declared.") % {"n": MAX_PLACES}, code="places_many")
    return places


class DeclarationForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of declaration"), choices=DeclarationKind.choices, widget=forms.RadioSelect
    )
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=120)
    birth = forms.CharField(
        label=gettext_lazy("Date of birth"), max_length=20, help_text=gettext_lazy("dd/mm/yyyy, or the year alone.")
    )
    sex = forms.ChoiceField(
        label=gettext_lazy("Sex"),
        choices=[(Sex.MALE, gettext_lazy("Male")), (Sex.FEMALE, gettext_lazy("Female"))],
        widget=forms.RadioSelect,
        required=False,
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number (CCCD/CMND) or passport"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("12 digits (CCCD) or 9 digits (CMND); a passport number for arrivals from abroad."),
    )
    nationality = forms.CharField(label=gettext_lazy("Nationality"), max_length=60, required=False, initial="Việt Nam")
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    destination = forms.ChoiceField(label=gettext_lazy("Commune / ward you are going to or live in"))
    address = forms.CharField(label=gettext_lazy("Address (house, street, village)"), max_length=255, required=False)
    origin_province = ProvinceField(
        label=gettext_lazy("Coming from (province)"), queryset=AdminUnit.objects.none(), required=False
    )
    origin_country = forms.CharField(label=gettext_lazy("Coming from (country)"), max_length=60, required=False)
    travel_date = forms.DateField(
        label=gettext_lazy("Date of travel"),
        input_formats=DATE_INPUTS,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    transport = forms.ChoiceField(
        label=gettext_lazy("Transport"), choices=[("", "—"), *Transport.choices], required=False
    )
    vehicle_number = forms.CharField(label=gettext_lazy("Vehicle or flight number"), max_length=32, required=False)
    seat = forms.CharField(label=gettext_lazy("Seat"), max_length=16, required=False)
    provinces_visited = ProvincesField(
        label=gettext_lazy("Provinces you passed through in the last 14 days"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    places = forms.CharField(
        label=gettext_lazy("Places visited in the last 14 days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One place a line, with the date: Chợ Mường Thanh, 12/08/2021"),
    )
    symptoms = forms.MultipleChoiceField(
        label=gettext_lazy("In the last 14 days, have you had"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exposures = forms.MultipleChoiceField(
        label=gettext_lazy("In the last 14 days, have you had"),
        choices=Exposure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions = forms.MultipleChoiceField(
        label=gettext_lazy("Chronic conditions"),
        choices=Condition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    # Honeypot: hidden from people by CSS, filled by bots.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = destination_choices()  # type: ignore[attr-defined]
        self.fields["origin_province"].queryset = provinces()  # type: ignore[attr-defined]
        self.fields["provinces_visited"].queryset = provinces()  # type: ignore[attr-defined]

    def clean_full_name(self) -> str:
        return normalize_name(self.cleaned_data["full_name"])

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data.get("phone"))
        if not phone:
            raise ValidationError(_("The phone number is required."), code="phone_required")
        return phone

    def clean_birth(self) -> tuple[datetime.date | None, int | None]:
        birth = parse_birth(self.cleaned_data.get("birth", "").strip())
        if birth == (None, None):
            raise ValidationError(_("The date of birth (or the year of birth) is required."), code="birth_required")
        return birth

    def clean_destination(self) -> AdminUnit:
        value = self.cleaned_data.get("destination")
        unit = deployment_communes().filter(pk=value).first() if str(value).isdigit() else None
        if unit is None:
            raise ValidationError(_("Choose the commune or ward you are going to."), code="destination")
        return unit

    def clean_places(self) -> list[PlaceVisit]:
        return parse_places(self.cleaned_data.get("places", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        raw = (data.get("id_number") or "").strip()
        kind = data.get("kind")
        if raw:
            passport = raw.replace(" ", "").upper()
            if kind == DeclarationKind.ARRIVAL_ABROAD and not passport.isdigit():
                if not (passport.isalnum() and 6 <= len(passport) <= 12):
                    self.add_error("id_number", _("The passport number is not valid."))
                data["id_number"] = passport
            else:
                try:
                    data["id_number"] = normalize_id_number(raw)
                except ValidationError as exc:
                    self.add_error("id_number", exc)
        else:
            data["id_number"] = None
            if kind != DeclarationKind.ARRIVAL_ABROAD:
                self.add_error("id_number", _("The ID number is required."))
        return data

    def declaration_data(self) -> DeclarationData:
        d = self.cleaned_data
        birth_date, birth_year = d["birth"]
        return DeclarationData(
            kind=d["kind"],
            full_name=d["full_name"],
            phone=d["phone"],
            destination=d["destination"],
            id_number=d.get("id_number"),
            birth_date=birth_date,
            birth_year=birth_year,
            sex=d.get("sex") or Sex.UNKNOWN,
            nationality=d.get("nationality") or "Việt Nam",
            address=d.get("address", ""),
            origin_province=d.get("origin_province"),
            origin_country=d.get("origin_country", ""),
            travel_date=d.get("travel_date"),
            transport=d.get("transport", ""),
            vehicle_number=d.get("vehicle_number", ""),
            seat=d.get("seat", ""),
            places=d.get("places", []),
            provinces_visited=list(d.get("provinces_visited") or []),
            symptoms=list(d.get("symptoms", [])),
            exposures=list(d.get("exposures", [])),
            conditions=list(d.get("conditions", [])),
        )


class CheckInForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("or ID number (CCCD/CMND)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    full_name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Needed the first time only."),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"))

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone"))

    def clean_id_number(self) -> str | None:
        return normalize_id_number(self.cleaned_data.get("id_number"))

    def clean_full_name(self) -> str:
        value = self.cleaned_data.get("full_name", "")
        return normalize_name(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if not self.errors and not data.get("phone") and not data.get("id_number"):
            self.add_error("phone", _("Enter your phone number or your ID number."))
        return data

    def checkin_data(self) -> CheckInData:
        d = self.cleaned_data
        return CheckInData(phone=d.get("phone", ""), id_number=d.get("id_number"), full_name=d.get("full_name", ""))


class UnitField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: AdminUnit) -> str:
        if obj.level == Level.VILLAGE and obj.parent is not None:
            return f"{obj.name} ({obj.parent.name})"
        return obj.name


def venue_units(user: Any) -> Any:
    """Communes and villages of the user's area (where a venue may be)."""
    qs = AdminUnit.objects.filter(
        version=settings.PHONGDICH_HIERARCHY, level__in=[Level.COMMUNE, Level.VILLAGE]
    ).select_related("parent")
    if user.unit is not None:
        qs = qs.filter(subtree(user.unit))
    elif not user.is_superuser:
        return qs.none()
    return qs.order_by("code")


class VenueForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=VenueKind.choices)
    unit = UnitField(label=gettext_lazy("Commune / ward"), queryset=AdminUnit.objects.none(), empty_label=None)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=255, required=False)
    active = forms.BooleanField(label=gettext_lazy("Takes check-ins"), required=False, initial=True)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = venue_units(user)  # type: ignore[attr-defined]

    def venue_data(self) -> VenueData:
        d = self.cleaned_data
        return VenueData(
            name=d["name"], unit=d["unit"], kind=d["kind"], address=d.get("address", ""), active=d.get("active", False)
        )
