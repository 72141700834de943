"""API of the high-risk areas, at /api/v1/risk-areas.

- ``GET /risk-areas``: the areas in force on ``date`` (today by default), or every listing with ``all=true``.
- ``GET /risk-areas/level?unit_id=…&date=…``: the risk level of a unit (its own or a unit above it).
- ``POST /risk-areas``: list an area (RULESET_EDIT); ``POST /risk-areas/{id}/end``: end a listing today.
Viewing needs one of CASE_VIEW, DECLARATION_VIEW, CHECKPOINT_OPERATE, QUARANTINE_VIEW or RULESET_EDIT.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit
from phongdich.policy import risk
from phongdich.policy.models import RiskArea
from phongdich.policy.risk_views import require_view

router = Router(tags=["risk areas"])


class RiskAreaOut(Schema):
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    unit_level: str
    version: str
    level: str
    level_label: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    basis: str


class RiskAreaIn(Schema):
    unit_id: int
    level: str = Field("high", description="high or very_high")
    effective_from: datetime.date | None = Field(None, description="Today by default.")
    effective_to: datetime.date | None = None
    basis: str = Field("", max_length=200)


class ListQuery(Schema):
    date: datetime.date | None = None
    all: bool = False


class LevelQuery(Schema):
    unit_id: int
    date: datetime.date | None = None


class RiskLevelOut(Schema):
    unit_id: int
    date: datetime.date
    level: str | None


def _out(area: RiskArea) -> RiskAreaOut:
    return RiskAreaOut(
        id=area.pk,
        unit_id=area.unit_id,
        unit_code=area.unit.code,
        unit_name=area.unit.name,
        unit_level=area.unit.level,
        version=area.unit.version,
        level=area.level,
        level_label=str(area.get_level_display()),
        effective_from=area.effective_from,
        effective_to=area.effective_to,
        basis=area.basis,
    )


def _error(field: str, message: str) -> dict[str, object]:
    return {"loc": ("body", "payload", field), "type": "value_error", "ctx": {"error": message}}


def _invalid(exc: DjangoValidationError) -> NinjaValidationError:
    return NinjaValidationError([_error(field, " ".join(msgs)) for field, msgs in exc.message_dict.items()])


@router.get("", response=list[RiskAreaOut], summary="High-risk areas in force on a date (or all listings)")
def list_areas(request: HttpRequest, filters: Query[ListQuery]) -> list[RiskAreaOut]:
    require_view(current_user(request))
    qs = RiskArea.objects.all() if filters.all else risk.in_force(filters.date or timezone.localdate())
    return [_out(a) for a in qs.select_related("unit")[:2000]]


@router.get("/level", response=RiskLevelOut, summary="The risk level of a unit on a date")
def level_of(request: HttpRequest, q: Query[LevelQuery]) -> RiskLevelOut:
    require_view(current_user(request))
    unit = AdminUnit.objects.filter(pk=q.unit_id).first()
    if unit is None:
        raise Http404(_("Not found."))
    day = q.date or timezone.localdate()
    return RiskLevelOut(unit_id=unit.pk, date=day, level=risk.risk_level_of(unit, day))


@router.post("", response={201: RiskAreaOut}, summary="List an area as high-risk")
def create_area(request: HttpRequest, payload: RiskAreaIn) -> tuple[int, RiskAreaOut]:
    user = current_user(request)
    access.require(user, Perm.RULESET_EDIT)
    unit = AdminUnit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise NinjaValidationError([_error("unit_id", _("Unknown administrative unit."))])
    try:
        area = risk.declare_risk_area(
            user,
            unit,
            level=payload.level,
            effective_from=payload.effective_from,
            effective_to=payload.effective_to,
            basis=payload.basis,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return 201, _out(area)


@router.post("/{area_id}/end", response=RiskAreaOut, summary="End a listing today")
def end_area(request: HttpRequest, area_id: int) -> RiskAreaOut:
    user = current_user(request)
    access.require(user, Perm.RULESET_EDIT)
    area = RiskArea.objects.select_related("unit").filter(pk=area_id).first()
    if area is None:
        raise Http404(_("Not found."))
    try:
        area = risk.end_risk_area(user, area)
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    return _out(RiskArea.objects.select_related("unit").get(pk=area.pk))
