"""Forms of the checkpoint management pages: they read and check input, the actions decide.

A plate is checked with ``actions.normalise_plate`` (biensoxe), a person is named by their ID
number (``status.find_person``), a unit is chosen from the user's area (checkpoint) or from the
checkpoint's province and the other provinces (where a vehicle comes from or goes to).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.checkpoints import actions, queries
from phongdich.checkpoints.models import (
    Checkpoint,
    CheckpointKind,
    Direction,
    PassageOutcome,
    VehicleKind,
    ViolationKind,
)
from phongdich.checkpoints.status import find_person
from phongdich.core import access
from phongdich.core.models import User
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.queries import deployment_province, subtree, units_for
from phongdich.people.models import Person

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ID_WIDGET = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
Choices = list[tuple[Any, Any]]


def _unit_choices(units: list[AdminUnit]) -> Choices:
    """Districts as groups, each the district itself ("whole district") then its communes."""
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for u in units:
        if u.level == Level.DISTRICT:
            groups.setdefault(u.pk, (u.name, []))[1].insert(0, (str(u.pk), _("%(name)s (whole)") % {"name": u.name}))
    for u in units:
        if u.level == Level.COMMUNE and u.district_id is not None:
            district = u.district
            label = district.name if district is not None else ""
            groups.setdefault(u.district_id, (label, []))[1].append((str(u.pk), u.name))
    return [("", "—"), *groups.values()]


def _pick(units: dict[str, AdminUnit], value: str | None) -> AdminUnit | None:
    if not value:
        return None
    unit = units.get(str(value))
    if unit is None:
        raise forms.ValidationError(_("Choose a place from the list."))
    return unit


# Checkpoints ---------------------------------------------------------------------------------------


def checkpoint_units(user: User) -> list[AdminUnit]:
    """Districts and communes of the user's area, where a checkpoint may be set up."""
    if user.unit is None and user.is_superuser:
        province = deployment_province()
        qs = AdminUnit.objects.filter(subtree(province)) if province is not None else AdminUnit.objects.none()
    else:
        qs = units_for(user, settings.PHONGDICH_HIERARCHY)
    qs = qs.filter(level__in=[Level.DISTRICT, Level.COMMUNE]).select_related("district")
    return list(qs.order_by("code")[:2000])


class CheckpointForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=160)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CheckpointKind.choices)
    unit = forms.ChoiceField(
        label=gettext_lazy("District or commune"), help_text=gettext_lazy("Where the checkpoint is, in your area.")
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Road, kilometre, landing…"),
    )
    active = forms.BooleanField(
        label=gettext_lazy("Open (takes passages)"),
        required=False,
        initial=True,
        help_text=gettext_lazy("A closed checkpoint keeps its records but takes no new passages."),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, checkpoint: Checkpoint | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checkpoint = checkpoint
        if checkpoint is not None:  # the unit stays (see actions.update_checkpoint)
            del self.fields["unit"]
            self.units: dict[str, AdminUnit] = {}
        else:
            del self.fields["active"]
            units = checkpoint_units(user)
            self.units = {str(u.pk): u for u in units}
            field = self.fields["unit"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = _unit_choices(units)

    def clean_unit(self) -> AdminUnit:
        unit = _pick(self.units, self.cleaned_data.get("unit"))
        if unit is None:
            raise forms.ValidationError(_("Choose the district or commune where the checkpoint is."))
        return unit


# Shifts --------------------------------------------------------------------------------------------


class OfficerField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.username
        unit = obj.unit.name if obj.unit is not None else ""
        return f"{name} · {obj.get_role_display()}{' · ' + unit if unit else ''}"


class ShiftForm(forms.Form):
    officers = OfficerField(
        label=gettext_lazy("Officers on duty"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_WIDGET,
        help_text=gettext_lazy("Empty: now."),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_WIDGET,
        help_text=gettext_lazy("Empty: until the shift is ended."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, checkpoint: Checkpoint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = queries.shift_officers(checkpoint)


# Vehicles ------------------------------------------------------------------------------------------


def place_units(checkpoint: Checkpoint) -> list[AdminUnit]:
    """Where a vehicle may come from or go to: the checkpoint province's districts and communes, and provinces."""
    qs = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE)
    if checkpoint.province_id is not None:
        inside = AdminUnit.objects.filter(province_id=checkpoint.province_id, level__in=[Level.DISTRICT, Level.COMMUNE])
        qs = qs | inside
    return list(qs.select_related("district").order_by("code"))


def _place_choices(units: list[AdminUnit], province_id: int | None) -> Choices:
    inside = [u for u in units if u.level != Level.PROVINCE]
    provinces = [(str(u.pk), u.name) for u in sorted(units, key=lambda u: u.name_key) if u.level == Level.PROVINCE]
    own = [c for c in provinces if c[0] == str(province_id)]
    others = [c for c in provinces if c[0] != str(province_id)]
    return [*_unit_choices(inside), (_("This province"), own), (_("Other provinces"), others)]


_ID_SPLIT = re.compile(r"[\n,;]+")


def person_by_id_number(value: str) -> Person | None:
    """The person with this ID number, None when empty; a form error when malformed or unknown."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if not digits:
        return None
    if len(digits) not in (9, 12):
        raise forms.ValidationError(_("Enter a 9- or 12-digit ID number."))
    person = find_person(digits)
    if person is None:
        raise forms.ValidationError(_("No record with this ID number: record the person first."))
    return person


def _clean_plate(value: str) -> str:
    try:
        actions.normalise_plate(value)
    except actions.CheckpointError as exc:
        raise forms.ValidationError(exc.message) from exc
    return value.strip()


class VehiclePassageForm(forms.Form):
    plate = forms.CharField(
        label=gettext_lazy("Plate number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=gettext_lazy("e.g. 27B-012.34"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of vehicle"),
        choices=[("", gettext_lazy("— unchanged (car if new)")), *VehicleKind.choices],
        required=False,
    )
    seats = forms.IntegerField(
        label=gettext_lazy("Seats"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=gettext_lazy("Empty: as recorded before."),
    )
    direction = forms.ChoiceField(label=gettext_lazy("Direction of travel"), choices=Direction.choices)
    origin = forms.ChoiceField(label=gettext_lazy("Coming from"), required=False)
    destination = forms.ChoiceField(label=gettext_lazy("Going to"), required=False)
    driver = forms.CharField(label=gettext_lazy("Driver's ID number"), max_length=20, required=False, widget=ID_WIDGET)
    owner = forms.CharField(label=gettext_lazy("Owner's ID number"), max_length=20, required=False, widget=ID_WIDGET)
    passengers = forms.CharField(
        label=gettext_lazy("Passengers' ID numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric"}),
        help_text=gettext_lazy("One per line. Each passenger's passage is recorded and linked to the vehicle."),
    )
    passenger_outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome for the listed passengers"),
        choices=PassageOutcome.choices,
        initial=PassageOutcome.LET_THROUGH,
    )
    people_carried = forms.IntegerField(
        label=gettext_lazy("People carried"),
        min_value=0,
        max_value=1000,
        required=False,
        help_text=gettext_lazy("Everyone on board; empty: the passengers listed."),
    )
    passed_at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_WIDGET,
        help_text=gettext_lazy("Empty: now."),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, checkpoint: Checkpoint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checkpoint = checkpoint
        units = place_units(checkpoint)
        self.units = {str(u.pk): u for u in units}
        choices = _place_choices(units, checkpoint.province_id)
        for name in ("origin", "destination"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def clean_plate(self) -> str:
        return _clean_plate(self.cleaned_data.get("plate", ""))

    def clean_origin(self) -> AdminUnit | None:
        return _pick(self.units, self.cleaned_data.get("origin"))

    def clean_destination(self) -> AdminUnit | None:
        return _pick(self.units, self.cleaned_data.get("destination"))

    def clean_driver(self) -> Person | None:
        return person_by_id_number(self.cleaned_data.get("driver", ""))

    def clean_owner(self) -> Person | None:
        return person_by_id_number(self.cleaned_data.get("owner", ""))

    def clean_passengers(self) -> list[Person]:
        numbers = [n.strip() for n in _ID_SPLIT.split(self.cleaned_data.get("passengers", "")) if n.strip()]
        if len(numbers) > actions.MAX_PASSENGERS:
            raise forms.ValidationError(_("Too many passengers."))
        people, errors = [], []
        for n in numbers:
            try:
                person = person_by_id_number(n)
            except forms.ValidationError as exc:
                errors.append(f"{n}: {' '.join(exc.messages)}")
                continue
            if person is not None:
                people.append(person)
        if errors:
            raise forms.ValidationError(errors)
        return people

    def passengers_for_action(self) -> list[actions.Passenger]:
        """Each listed passenger, going to the vehicle's destination when it is a commune."""
        d = self.cleaned_data
        dest = d.get("destination")
        commune = dest if dest is not None and dest.level in (Level.COMMUNE, Level.VILLAGE) else None
        return [actions.Passenger(p, d["passenger_outcome"], commune) for p in d.get("passengers", [])]


# Violations ----------------------------------------------------------------------------------------


class ViolationForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of violation"), choices=[("", "—"), *ViolationKind.choices])
    person = forms.CharField(label=gettext_lazy("Person's ID number"), max_length=20, required=False, widget=ID_WIDGET)
    plate = forms.CharField(
        label=gettext_lazy("Vehicle's plate number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=gettext_lazy("e.g. 27B-012.34"),
    )
    owner = forms.CharField(
        label=gettext_lazy("Vehicle owner's ID number"), max_length=20, required=False, widget=ID_WIDGET
    )
    driver = forms.CharField(label=gettext_lazy("Driver's ID number"), max_length=20, required=False, widget=ID_WIDGET)
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_WIDGET,
        help_text=gettext_lazy("Empty: now."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, linked: bool = False, **kwargs: Any) -> None:
        """``linked``: the violation is on a vehicle passage of the user's area (its people were seen there)."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.linked = linked

    def clean_plate(self) -> str:
        value = self.cleaned_data.get("plate", "")
        return _clean_plate(value) if value.strip() else ""

    def _person(self, name: str) -> Person | None:
        person = person_by_id_number(self.cleaned_data.get(name, ""))
        # Someone of another area only on a vehicle passage of yours, or by a checkpoint officer
        # (who looks anyone up at the screen anyway).
        if person is None or self.linked or self.user.can(Perm.CHECKPOINT_OPERATE):
            return person
        if not access.scope(self.user, Person.objects.filter(pk=person.pk)).exists():
            raise forms.ValidationError(_("No record with this ID number in your area."))
        return person

    def clean_person(self) -> Person | None:
        return self._person("person")

    def clean_owner(self) -> Person | None:
        return self._person("owner")

    def clean_driver(self) -> Person | None:
        return self._person("driver")


class ViolationFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", gettext_lazy("All kinds")), *ViolationKind.choices], required=False
    )
    since = forms.DateField(
        label=gettext_lazy("First day"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET
    )
    until = forms.DateField(
        label=gettext_lazy("Last day"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first day must come before the last."))
        return data


class VehicleFilterForm(forms.Form):
    plate = forms.CharField(label=gettext_lazy("Plate number"), max_length=20, required=False)
    checkpoint = forms.ChoiceField(label=gettext_lazy("Checkpoint"), required=False)
    day = forms.DateField(label=gettext_lazy("Day"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    over_capacity = forms.BooleanField(label=gettext_lazy("Over capacity only"), required=False)

    def __init__(self, *args: Any, checkpoints: list[Checkpoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["checkpoint"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext_lazy("All checkpoints")), *((str(cp.pk), cp.name) for cp in checkpoints)]

    def clean_plate(self) -> str:
        value = self.cleaned_data.get("plate", "").strip()
        if not value:
            return ""
        try:
            compact, _display = actions.normalise_plate(value)
        except actions.CheckpointError as exc:
            raise forms.ValidationError(exc.message) from exc
        return compact

    def clean_checkpoint(self) -> uuid.UUID | None:
        value = self.cleaned_data.get("checkpoint")
        return uuid.UUID(value) if value else None
