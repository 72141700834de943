"""API of the rule sets, mounted at /api/v1/rule-sets.

- ``GET /rule-sets``: the national sets and the caller's province's own copies.
- ``GET /rule-sets/in-force?date=YYYY-MM-DD``: the set in force on a date (today by default) for
  the caller's province (its own copy wins over the national set).
- ``GET /rule-sets/{id}``.
- ``POST /rule-sets/{id}/copy``: a copy for the caller's province (RULESET_EDIT), dated as sent
  (else as the source). Overlapping dates of one province answer 422.
- ``PATCH /rule-sets/{id}``: adjust a province's own copy (fields and/or ``level_rules``, which
  replace the level rules). A national set answers 403: copy it first.

Reading needs CASE_VIEW or RULESET_EDIT.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.roles import Perm
from phongdich.policy import actions, queries
from phongdich.policy.models import RuleSet
from phongdich.policy.views import require_view

router = Router(tags=["rule sets"])


class LevelRuleIO(Schema):
    level: int = Field(..., ge=0, le=actions.MAX_DEPTH, description="0 = F0, 1 = F1 …")
    handling: str = Field(..., description="hospital, centralised, home, self_monitor or none.")
    days: int = Field(0, ge=0, le=60, description="Duration counted from the last exposure.")
    test_days: list[int] = Field(default_factory=list, description="Day numbers; day 1 = the last exposure.")
    monitor_days: int = Field(0, ge=0, le=60, description="Self-monitoring days that follow.")
    note: str = Field("", max_length=255)
    confirmed: bool = True


class RuleSetOut(Schema):
    id: int
    code: str
    name: str
    basis: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    confirmed: bool = Field(..., description="False: to be confirmed against the decision text.")
    province_id: int | None
    province_name: str | None
    copied_from_id: int | None
    contact_distance_m: Decimal
    contact_minutes: int
    contact_unmasked_any_duration: bool
    contact_settings: list[str]
    contact_definition: str
    tracing_depth: int
    infectious_days_before: int
    infectious_days_after: int
    home_care_allowed: bool
    home_care_min_age_months: int
    home_care_max_age_years: int
    home_care_excludes_conditions: bool
    home_care_excludes_pregnancy: bool
    f0_release_day: int = Field(..., description="0 = the doctors decide.")
    f0_release_test: str = Field(..., description="rt_pcr, antigen or empty.")
    f0_release_ct_min: Decimal | None = Field(..., description="A positive RT-PCR with Ct at least this releases.")
    arrival_pcr_hours: int = Field(..., description="Arrivals: negative RT-PCR within (hours); 0 = not required.")
    arrival_antigen_hours: int = Field(..., description="Or a negative rapid antigen test within (hours); 0 = no.")
    arrival_handling: str
    arrival_days: int
    arrival_test_days: list[int]
    care_rules_confirmed: bool
    notes: str
    level_rules: list[LevelRuleIO]


class InForceQuery(Schema):
    date: datetime.date | None = Field(None, description="YYYY-MM-DD; today by default.")


class CopyIn(Schema):
    effective_from: datetime.date | None = Field(None, description="Default: the source's.")
    effective_to: datetime.date | None = None
    name: str | None = Field(None, max_length=200)


class RuleSetPatch(Schema):
    name: str | None = Field(None, max_length=200)
    basis: str | None = Field(None, max_length=200)
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None
    contact_distance_m: Decimal | None = None
    contact_minutes: int | None = Field(None, ge=0, le=1440)
    contact_unmasked_any_duration: bool | None = None
    contact_settings: list[str] | None = None
    contact_definition: str | None = None
    tracing_depth: int | None = Field(None, ge=1, le=actions.MAX_DEPTH)
    infectious_days_before: int | None = Field(None, ge=0, le=30)
    infectious_days_after: int | None = Field(None, ge=0, le=30)
    home_care_allowed: bool | None = None
    home_care_min_age_months: int | None = Field(None, ge=0, le=240)
    home_care_max_age_years: int | None = Field(None, ge=1, le=120)
    home_care_excludes_conditions: bool | None = None
    home_care_excludes_pregnancy: bool | None = None
    f0_release_day: int | None = Field(None, ge=0, le=60)
    f0_release_test: str | None = None
    f0_release_ct_min: Decimal | None = Field(None, description="null clears the threshold.")
    arrival_pcr_hours: int | None = Field(None, ge=0, le=240)
    arrival_antigen_hours: int | None = Field(None, ge=0, le=240)
    arrival_handling: str | None = None
    arrival_days: int | None = Field(None, ge=0, le=60)
    arrival_test_days: list[int] | None = None
    notes: str | None = None
    level_rules: list[LevelRuleIO] | None = None


def _out(rs: RuleSet) -> RuleSetOut:
    return RuleSetOut(
        id=rs.pk,
        code=rs.code,
        name=rs.name,
        basis=rs.basis,
        effective_from=rs.effective_from,
        effective_to=rs.effective_to,
        confirmed=rs.confirmed,
        province_id=rs.province_id,
        province_name=rs.province.name if rs.province else None,
        copied_from_id=rs.copied_from_id,
        contact_distance_m=rs.contact_distance_m,
        contact_minutes=rs.contact_minutes,
        contact_unmasked_any_duration=rs.contact_unmasked_any_duration,
        contact_settings=list(rs.contact_settings or []),
        contact_definition=rs.contact_definition,
        tracing_depth=rs.tracing_depth,
        infectious_days_before=rs.infectious_days_before,
        infectious_days_after=rs.infectious_days_after,
        **{name: getattr(rs, name) for name in actions.CARE_FIELDS},
        notes=rs.notes,
        level_rules=[
            LevelRuleIO(
                level=r.level,
                handling=r.handling,
                days=r.days,
                test_days=list(r.test_days),
                monitor_days=r.monitor_days,
                note=r.note,
                confirmed=r.confirmed,
            )
            for r in rs.level_rules.all()
        ],
    )


def _invalid(exc: DjangoValidationError) -> NinjaValidationError:
    return NinjaValidationError(
        [
            {"loc": ("body", "payload", name), "type": "value_error", "ctx": {"error": message}}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    )


def _get(request: HttpRequest, rule_set_id: int) -> RuleSet:
    user = current_user(request)
    require_view(user)
    try:
        return (
            queries.visible_rule_sets(user)
            .select_related("province")
            .prefetch_related("level_rules")
            .get(pk=rule_set_id)
        )
    except RuleSet.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc


@router.get("", response=list[RuleSetOut], summary="Rule sets: the national ones and your province's own")
def list_rule_sets(request: HttpRequest) -> list[RuleSetOut]:
    user = current_user(request)
    require_view(user)
    qs = queries.visible_rule_sets(user).prefetch_related("level_rules").order_by("-effective_from", "code")
    return [_out(rs) for rs in qs]


@router.get("/in-force", response=RuleSetOut, summary="The rule set in force on a date for your province")
def in_force(request: HttpRequest, filters: Query[InForceQuery]) -> RuleSetOut:
    user = current_user(request)
    require_view(user)
    try:
        rs = queries.in_force_for(user, filters.date or timezone.localdate())
    except RuleSet.DoesNotExist as exc:
        raise Http404(_("Not found.")) from exc
    return _out(RuleSet.objects.select_related("province").prefetch_related("level_rules").get(pk=rs.pk))


@router.get("/{rule_set_id}", response=RuleSetOut, summary="One rule set with its level rules")
def get_rule_set(request: HttpRequest, rule_set_id: int) -> RuleSetOut:
    return _out(_get(request, rule_set_id))


@router.post("/{rule_set_id}/copy", response={201: RuleSetOut}, summary="Copy a rule set for your province")
def copy_rule_set(request: HttpRequest, rule_set_id: int, payload: CopyIn) -> tuple[int, RuleSetOut]:
    user = current_user(request)
    source = _get(request, rule_set_id)
    access.require(user, Perm.RULESET_EDIT)
    try:
        copy = actions.copy_rule_set(
            user,
            source,
            province=user.unit,
            effective_from=payload.effective_from,
            effective_to=payload.effective_to,
            name=(payload.name or "").strip() or None,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return 201, _out(RuleSet.objects.select_related("province").prefetch_related("level_rules").get(pk=copy.pk))


@router.patch("/{rule_set_id}", response=RuleSetOut, summary="Adjust your province's own rule set")
def update_rule_set(request: HttpRequest, rule_set_id: int, payload: RuleSetPatch) -> RuleSetOut:
    user = current_user(request)
    rs = _get(request, rule_set_id)
    access.require(user, Perm.RULESET_EDIT)
    if not queries.editable_rule_sets(user).filter(pk=rs.pk).exists():
        raise PermissionDenied(_("A national rule set cannot be changed; copy it for your province."))
    data: dict[str, Any] = payload.dict(exclude_unset=True)
    rules = data.pop("level_rules", None)
    level_rules = (
        [
            actions.LevelRuleData(
                level=r.level,
                handling=r.handling,
                days=r.days,
                test_days=list(r.test_days),
                monitor_days=r.monitor_days,
                note=r.note,
            )
            for r in payload.level_rules or []
        ]
        if rules is not None
        else None
    )
    for key in ("name", "basis", "contact_definition", "notes"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("contact_distance_m", "contact_minutes", "contact_unmasked_any_duration", "contact_settings"):
        if key in data and data[key] is None:
            del data[key]
    for key in ("tracing_depth", "infectious_days_before", "infectious_days_after", "effective_from"):
        if key in data and data[key] is None:
            del data[key]
    for key in actions.CARE_FIELDS:
        if key != "f0_release_ct_min" and key in data and data[key] is None:
            del data[key]
    if data.get("f0_release_test") is not None:
        data["f0_release_test"] = data["f0_release_test"].strip()
    try:
        actions.update_rule_set(user, rs, data, level_rules)
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return _out(RuleSet.objects.select_related("province").prefetch_related("level_rules").get(pk=rs.pk))
