"""Forms of the case pages: create/edit a case, rule out, outcome, clusters, list filters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongdich.cases import actions
from phongdich.cases.models import Case, CaseStatus, ClinicalStatus, Cluster, DetectedBy, Outcome
from phongdich.cases.queries import clusters_in_scope
from phongdich.geo.models import AdminUnit, Level

if TYPE_CHECKING:
    from phongdich.core.models import User

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def date_field(label: Any, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUTS,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ClusterChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Cluster) -> str:
        return f"{obj.code} · {obj.name}"


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: AdminUnit) -> str:
        indent = {"province": "", "district": "— ", "commune": "— — ", "village": "— — — "}.get(obj.level, "")
        return f"{indent}{obj.name}"


def _symptom_choices() -> list[tuple[str, Any]]:
    return list(actions.SYMPTOMS.items())


class CaseForm(forms.Form):
    confirmed_on = date_field(gettext_lazy("Confirmed on"), required=True)
    onset_date = date_field(gettext_lazy("Symptom onset"), help_text=gettext_lazy("Empty if no symptoms."))
    sample_date = date_field(gettext_lazy("Sample taken"))
    detected_by = forms.ChoiceField(label=gettext_lazy("How found"), choices=DetectedBy.choices)
    clinical_status = forms.ChoiceField(label=gettext_lazy("Clinical status"), choices=ClinicalStatus.choices)
    symptoms = forms.MultipleChoiceField(
        label=gettext_lazy("Symptoms"), required=False, widget=forms.CheckboxSelectMultiple, choices=_symptom_choices
    )
    other_symptoms = forms.CharField(
        label=gettext_lazy("Other symptoms"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Separated by commas."),
    )
    source_known = forms.BooleanField(label=gettext_lazy("Source of infection known"), required=False)
    source_note = forms.CharField(
        label=gettext_lazy("Source of infection"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("E.g. household member of case ĐB-0012, or travel from a province with cases."),
    )
    national_code = forms.CharField(
        label=gettext_lazy("National number (BN)"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("When the Ministry of Health has given one, e.g. BN12345."),
    )
    cluster = ClusterChoiceField(
        label=gettext_lazy("Cluster"), queryset=Cluster.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, user: User, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.case = case
        clusters = clusters_in_scope(user).exclude(status=Cluster.Status.CLOSED)
        if case is not None and case.cluster_id:
            clusters = clusters | Cluster.objects.filter(pk=case.cluster_id)
        self.fields["cluster"].queryset = clusters.order_by("-first_date", "code")  # type: ignore[attr-defined]
        if case is None:
            self.fields["confirmed_on"].initial = timezone.localdate

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        known = [s for s in case.symptoms if s in actions.SYMPTOMS]
        other = [s for s in case.symptoms if s not in actions.SYMPTOMS]
        return {
            "confirmed_on": case.confirmed_on,
            "onset_date": case.onset_date,
            "sample_date": case.sample_date,
            "detected_by": case.detected_by,
            "clinical_status": case.clinical_status,
            "symptoms": known,
            "other_symptoms": ", ".join(other),
            "source_known": case.source_known,
            "source_note": case.source_note,
            "national_code": case.national_code,
            "cluster": case.cluster_id,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = [s.strip() for s in (data.get("other_symptoms") or "").split(",") if s.strip()]
        data["symptom_list"] = [*data.get("symptoms", []), *other]
        if data.get("confirmed_on"):
            try:
                actions.check_dates(
                    actions.CaseDates(data["confirmed_on"], data.get("onset_date"), data.get("sample_date"))
                )
                actions.clean_symptoms(data["symptom_list"])
            except actions.CaseError as exc:
                field = exc.field if exc.field in self.fields else None
                if field == "symptoms":
                    field = "other_symptoms"
                self.add_error(field, exc.message)
        return data

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "confirmed_on": d["confirmed_on"],
            "onset_date": d.get("onset_date"),
            "sample_date": d.get("sample_date"),
            "detected_by": d["detected_by"],
            "clinical_status": d["clinical_status"],
            "symptoms": d["symptom_list"],
            "source_known": d.get("source_known", False),
            "source_note": d.get("source_note", ""),
            "national_code": d.get("national_code", ""),
            "cluster": d.get("cluster"),
        }


class RuleOutForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        help_text=gettext_lazy("E.g. confirmatory RT-PCR negative on 12/08/2021."),
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Treatment outcome"), choices=Outcome.choices)
    date = date_field(gettext_lazy("Date"), help_text=gettext_lazy("Date of recovery or death."))


class ClusterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    unit = UnitChoiceField(label=gettext_lazy("Area"), queryset=AdminUnit.objects.none(), empty_label=None)
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("E.g. Chợ Mường Thanh, Bản Sín Thầu."),
    )
    first_date = date_field(gettext_lazy("First case on"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Cluster.Status.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = cluster_units(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first = data.get("first_date")
        if first is not None and (first > timezone.localdate() or first < actions.EARLIEST):
            self.add_error("first_date", str(gettext_lazy("The first date is not plausible.")))
        return data


def cluster_units(user: User) -> Any:
    """The user's unit and the districts and communes below it (a cluster's area)."""
    qs = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY)
    unit = user.unit
    if unit is None:
        if user.is_superuser:
            return qs.filter(level__in=[Level.PROVINCE, Level.DISTRICT, Level.COMMUNE]).order_by("code")
        return qs.none()
    below = Q(pk=unit.pk)
    if unit.level in (Level.PROVINCE, Level.DISTRICT):
        below |= Q(**unit.scope_filter(), level__in=[Level.DISTRICT, Level.COMMUNE])
    return qs.filter(below).order_by("code")


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Case code or BN"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("active", gettext_lazy("Under treatment")),
            *CaseStatus.choices,
            (Outcome.RECOVERED.value, Outcome.RECOVERED.label),
            (Outcome.DIED.value, Outcome.DIED.label),
        ],
    )
    detected_by = forms.ChoiceField(
        label=gettext_lazy("How found"), required=False, choices=[("", gettext_lazy("All")), *DetectedBy.choices]
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Area"), queryset=AdminUnit.objects.none(), required=False, empty_label="—"
    )
    cluster = ClusterChoiceField(
        label=gettext_lazy("Cluster"), queryset=Cluster.objects.none(), required=False, empty_label="—"
    )
    date_from = date_field(gettext_lazy("Confirmed from"))
    date_to = date_field(gettext_lazy("until"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = cluster_units(user)  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters_in_scope(user).order_by("-first_date", "code")  # type: ignore[attr-defined]
