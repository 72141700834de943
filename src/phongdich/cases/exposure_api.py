"""API of exposure sites (mounted at /api/v1/exposure-sites).

Staff endpoints need a signed-in user (token or session): reading needs ``case_view``,
creating/publishing/withdrawing needs ``exposure_publish``; a site outside the user's area
answers 404. ``GET /exposure-sites/public`` needs no sign-in and returns exactly what the
public page shows (place, address, window, instructions; no case, no name).

Self-reports are taken only by the public page (``/public/exposure/``), where CSRF, the
per-IP rate limit and the honeypot apply; there is no unauthenticated write endpoint.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from phongdich.cases import exposure
from phongdich.cases.models import ExposureSite
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level

router = Router(tags=["exposure sites"])


class ErrorOut(Schema):
    detail: str


class PublicSiteOut(Schema):
    id: uuid.UUID
    name: str
    address: str
    district: str
    commune: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    description: str


class SiteOut(Schema):
    id: uuid.UUID
    name: str
    address: str
    unit_id: int | None
    unit_name: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    description: str
    case_code: str | None
    cluster_code: str | None
    published: bool
    published_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    active: bool = Field(description="Listed on the public page now.")
    report_count: int


class SiteIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    address: str = Field("", max_length=255)
    unit_id: int = Field(description="The province, district or commune (in your area) the site belongs to.")
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    description: str = Field("", max_length=5000)
    case_code: str = Field("", max_length=32, description="Optional: the linked case (never shown to the public).")
    cluster_code: str = Field("", max_length=32)
    client_uuid: uuid.UUID | None = None


class ReportOut(Schema):
    id: uuid.UUID
    created_at: datetime.datetime
    visited_on: datetime.date
    channel: str
    person_id: uuid.UUID | None = Field(description="Null when the person is outside your area.")
    full_name: str | None
    phone: str | None
    candidate_status: str = Field(description="pending, confirmed, rejected, no_case (no linked case) or none.")


class ExposureListFilters(Schema):
    state: str | None = Field(None, description="active, draft or withdrawn")


class PublicFilters(Schema):
    unit_id: int | None = Field(None, description="A district or commune of the province.")


def _out(site: ExposureSite, active_ids: set[Any] | None = None) -> dict[str, Any]:
    unit = site.commune or site.district or site.province
    active = (site.pk in active_ids) if active_ids is not None else exposure.is_active(site)
    return {
        "id": site.pk,
        "name": site.name,
        "address": site.address,
        "unit_id": unit.pk if unit else None,
        "unit_name": unit.name if unit else "",
        "starts_at": site.starts_at,
        "ends_at": site.ends_at,
        "description": site.description,
        "case_code": site.case.code if site.case else None,
        "cluster_code": site.cluster.code if site.cluster else None,
        "published": site.published,
        "published_at": site.published_at,
        "withdrawn_at": site.withdrawn_at,
        "active": active,
        "report_count": site.reports.count(),
    }


@router.get("/public", response=list[PublicSiteOut], auth=None, summary="Active exposure sites (public, no sign-in)")
def public_list(request: HttpRequest, filters: Query[PublicFilters]) -> list[dict[str, Any]]:
    unit = None
    if filters.unit_id is not None:
        from phongdich.geo.queries import deployment_province

        province = deployment_province()
        unit = AdminUnit.objects.filter(
            pk=filters.unit_id, level__in=[Level.DISTRICT, Level.COMMUNE], province=province
        ).first()
        if unit is None:
            return []
    return [exposure.public_site_fields(s) for s in exposure.public_sites(unit)[:500]]


@router.get("", response=list[SiteOut], summary="Exposure sites in your area")
def site_list(request: HttpRequest, filters: Query[ExposureListFilters]) -> list[dict[str, Any]]:
    user = current_user(request)
    access.require(user, Perm.CASE_VIEW)
    qs = exposure.sites_in_scope(user)
    if filters.state == "active":
        qs = qs.filter(exposure.active_filter())
    elif filters.state == "draft":
        qs = qs.filter(published=False, withdrawn_at__isnull=True)
    elif filters.state == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    sites = list(qs[:500])
    active_ids = set(
        ExposureSite.objects.filter(exposure.active_filter(), pk__in=[s.pk for s in sites]).values_list("pk", flat=True)
    )
    return [_out(s, active_ids) for s in sites]


@router.post(
    "",
    response={200: SiteOut, 201: SiteOut, 403: ErrorOut, 422: ErrorOut},
    summary="Create an exposure site (not yet published); a retry with the same client_uuid returns it",
)
def site_create(request: HttpRequest, body: SiteIn) -> tuple[int, dict[str, Any]]:
    user = current_user(request)
    access.require(user, Perm.EXPOSURE_PUBLISH)
    data = _site_data(user, body)
    try:
        site, created = exposure.create_site(user, data, client_uuid=body.client_uuid)
    except exposure.ExposureError as exc:
        raise HttpError(422, exc.message) from exc
    return (201 if created else 200), _out(site)


def _site_data(user: Any, body: SiteIn) -> exposure.SiteData:
    from django.utils.translation import gettext as _

    unit = AdminUnit.objects.filter(pk=body.unit_id).first()
    if unit is None or not access.unit_in_scope(user, unit):
        raise HttpError(422, _("Choose a unit of your area (province, district or commune)."))
    case = exposure.cases_for_link(user, body.case_code)
    if body.case_code.strip() and case is None:
        raise HttpError(422, _("No case with this code in your area."))
    cluster = exposure.cluster_for_link(user, body.cluster_code)
    if body.cluster_code.strip() and cluster is None:
        raise HttpError(422, _("No cluster with this code in your area."))
    return exposure.SiteData(
        name=body.name,
        unit=unit,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        address=body.address,
        description=body.description,
        case=case,
        cluster=cluster,
    )


@router.get("/{site_id}", response=SiteOut, summary="One exposure site")
def site_detail(request: HttpRequest, site_id: uuid.UUID) -> dict[str, Any]:
    return _out(exposure.get_site(current_user(request), site_id))


@router.put("/{site_id}", response={200: SiteOut, 422: ErrorOut}, summary="Change an exposure site")
def site_update(request: HttpRequest, site_id: uuid.UUID, body: SiteIn) -> dict[str, Any]:
    user = current_user(request)
    site = exposure.get_site(user, site_id, Perm.EXPOSURE_PUBLISH)
    try:
        exposure.update_site(user, site, _site_data(user, body))
    except exposure.ExposureError as exc:
        raise HttpError(422, exc.message) from exc
    return _out(site)


@router.post("/{site_id}/publish", response=SiteOut, summary="Show the site on the public page")
def site_publish(request: HttpRequest, site_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    site = exposure.get_site(user, site_id, Perm.EXPOSURE_PUBLISH)
    return _out(exposure.publish_site(user, site))


@router.post("/{site_id}/withdraw", response=SiteOut, summary="Take the site off the public page")
def site_withdraw(request: HttpRequest, site_id: uuid.UUID) -> dict[str, Any]:
    user = current_user(request)
    site = exposure.get_site(user, site_id, Perm.EXPOSURE_PUBLISH)
    return _out(exposure.withdraw_site(user, site))


@router.get("/{site_id}/reports", response=list[ReportOut], summary="Who reported being at the site")
def site_reports(request: HttpRequest, site_id: uuid.UUID) -> list[dict[str, Any]]:
    user = current_user(request)
    site = exposure.get_site(user, site_id)
    return [
        {
            "id": row.report.pk,
            "created_at": row.report.created_at,
            "visited_on": row.report.visited_on,
            "channel": row.report.channel,
            "person_id": row.person.pk if row.person else None,
            "full_name": row.person.full_name if row.person else None,
            "phone": row.person.phone if row.person else None,
            "candidate_status": row.candidate_status,
        }
        for row in exposure.site_reports(user, site)
    ]
