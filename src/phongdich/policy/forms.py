"""Forms of the rule-set pages: copy (name + dates) and adjust (fields + one row per level)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.policy.actions import LevelRuleData
from phongdich.policy.models import ContactSetting, Handling, LevelRule, RuleSet

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


class CopyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    effective_from = forms.DateField(label=gettext_lazy("In force from"), widget=DATE_WIDGET)
    effective_to = forms.DateField(label=gettext_lazy("In force until"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("The end date cannot be before the start date."))
        return data


class RuleSetForm(forms.ModelForm):  # type: ignore[type-arg]
    contact_settings = forms.MultipleChoiceField(
        label=gettext_lazy("Settings that count"),
        choices=ContactSetting.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = RuleSet
        fields = [
            "name",
            "basis",
            "effective_from",
            "effective_to",
            "contact_distance_m",
            "contact_minutes",
            "contact_unmasked_any_duration",
            "contact_settings",
            "contact_definition",
            "tracing_depth",
            "infectious_days_before",
            "infectious_days_after",
            "home_care_allowed",
            "home_care_min_age_months",
            "home_care_max_age_years",
            "home_care_excludes_conditions",
            "home_care_excludes_pregnancy",
            "f0_release_day",
            "f0_release_test",
            "f0_release_ct_min",
            "arrival_pcr_hours",
            "arrival_antigen_hours",
            "arrival_handling",
            "arrival_days",
            "arrival_test_days",
            "notes",
        ]
        widgets = {
            "effective_from": DATE_WIDGET,
            "effective_to": DATE_WIDGET,
            "contact_definition": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        distance = self.fields["contact_distance_m"]
        distance.localize = True  # "1,5" in Vietnamese
        distance.widget.is_localized = True
        distance.widget.input_type = "text"  # type: ignore[attr-defined]
        distance.widget.attrs["inputmode"] = "decimal"
        ct = self.fields["f0_release_ct_min"]
        ct.localize = True
        ct.widget.is_localized = True
        ct.widget.input_type = "text"  # type: ignore[attr-defined]
        ct.widget.attrs["inputmode"] = "decimal"
        days = self.fields["arrival_test_days"] = forms.CharField(
            label=gettext_lazy("arrivals: test days"),
            required=False,
            help_text=gettext_lazy("Day numbers, day 1 = arrival."),
        )
        days.initial = ", ".join(str(d) for d in (self.instance.arrival_test_days or []))

    def clean_arrival_test_days(self) -> list[int]:
        return parse_test_days(self.cleaned_data.get("arrival_test_days") or "")


def parse_test_days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValidationError(_("Write the test days as numbers separated by commas, e.g. 1, 7, 14."))
        days.append(int(part))
    return sorted(set(days))


class LevelRuleForm(forms.Form):
    handling = forms.ChoiceField(label=gettext_lazy("Handling"), choices=Handling.choices)
    days = forms.IntegerField(label=gettext_lazy("Days"), min_value=0, max_value=60)
    test_days = forms.CharField(
        label=gettext_lazy("Test days"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Day numbers, day 1 = the day of the last exposure: 1, 7, 14."),
    )
    monitor_days = forms.IntegerField(label=gettext_lazy("Then self-monitoring (days)"), min_value=0, max_value=60)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, level: int, **kwargs: Any) -> None:
        kwargs["prefix"] = f"level{level}"
        super().__init__(*args, **kwargs)
        self.level = level

    def clean_test_days(self) -> list[int]:
        return parse_test_days(self.cleaned_data.get("test_days") or "")

    def data_for_action(self) -> LevelRuleData:
        d = self.cleaned_data
        return LevelRuleData(
            level=self.level,
            handling=d["handling"],
            days=d["days"],
            test_days=d["test_days"],
            monitor_days=d["monitor_days"],
            note=d["note"],
        )


def level_forms(rule_set: RuleSet, data: Any = None) -> list[LevelRuleForm]:
    rules = {r.level: r for r in rule_set.level_rules.all()}
    out = []
    for level in range(0, 4):
        rule: LevelRule | None = rules.get(level)
        initial = (
            {
                "handling": rule.handling,
                "days": rule.days,
                "test_days": ", ".join(str(d) for d in rule.test_days),
                "monitor_days": rule.monitor_days,
                "note": rule.note,
            }
            if rule
            else {"handling": Handling.NONE, "days": 0, "monitor_days": 0}
        )
        out.append(LevelRuleForm(data, level=level, initial=initial))
    return out
