"""The one NinjaAPI object, versioned under /api/v1/, mounting each app's router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from phongdich.api.auth import api_auth
from phongdich.api.errors import translate_validation_errors
from phongdich.core.access import current_user
from phongdich.core.roles import Perm

api = NinjaAPI(
    title="Phòng Dịch API",
    version="1",
    urls_namespace="api-v1",
    auth=api_auth,
    docs_url="/docs",
    description=(
        "Outbreak-response platform of a Vietnamese province. Authenticate with "
        "`Authorization: Bearer <token>` (tokens are issued on the account page) or a browser "
        "session. Creates accept a client UUID: sending the same one again returns the first "
        "result. Errors answer `{detail, errors?}` in the language of Accept-Language (vi, en)."
    ),
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("The data sent is not valid."), "errors": translate_validation_errors(list(exc.errors))},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Sign in or send a valid API token.")}, status=401)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Your role does not allow this.")}, status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):  # django-ninja's own text
        message = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    unit_id: int | None
    unit_name: str | None
    permissions: list[str]


@api.get("/me", response=MeOut, tags=["account"], summary="The signed-in user, their role, unit and permissions")
def me(request: HttpRequest) -> MeOut:
    user = current_user(request)
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        role=user.role,
        role_label=str(user.get_role_display()),
        unit_id=user.unit_id,
        unit_name=user.unit.name if user.unit else None,
        permissions=[p.value for p in Perm if user.can(p)],
    )


def _mount() -> None:
    from phongdich.geo.api import router as geo_router
    from phongdich.people.absent_api import router as absent_router
    from phongdich.people.api import router as people_router

    api.add_router("/units", geo_router)
    api.add_router("/", people_router)
    api.add_router("/absent", absent_router)
    from phongdich.cases.exposure_api import router as exposure_router
    from phongdich.tracing.notice_api import router as notice_router

    api.add_router("/exposure-sites", exposure_router)
    api.add_router("/notices", notice_router)
    from phongdich.cases.api import clusters_router
    from phongdich.cases.api import router as cases_router
    from phongdich.tracing.api_investigations import router as investigations_router
    from phongdich.tracing.api_investigations import teams_router

    api.add_router("/cases", cases_router)
    api.add_router("/clusters", clusters_router)
    api.add_router("/investigations", investigations_router)
    api.add_router("/teams", teams_router)
    from phongdich.policy.api import router as rule_sets_router  # tracing engine: rule sets

    api.add_router("/rule-sets", rule_sets_router)
    from phongdich.policy.risk_api import router as risk_router

    api.add_router("/risk-areas", risk_router)
    from phongdich.tracing.contacts_api import router as contacts_router  # tracing engine: contacts, F levels

    api.add_router("/tracing", contacts_router)

    from phongdich.tracing.report_api import router as reports_router  # line lists, graphs, figures

    api.add_router("/reports", reports_router)

    from phongdich.community.api import router as community_router
    from phongdich.quarantine.api import router as quarantine_router
    from phongdich.testing.api import router as testing_router
    from phongdich.treatment.api import router as treatment_router

    api.add_router("/testing", testing_router)  # samples, pools, results, labs, campaigns
    api.add_router("/quarantine", quarantine_router)  # facilities, rooms, placements, checks, releases
    api.add_router("/treatment", treatment_router)  # facilities by tier, beds, admissions, home care
    api.add_router("/community", community_router)  # teams, members, watch lists, visits

    from phongdich.checkpoints.api import router as checkpoints_router
    from phongdich.declarations.api import router as declarations_router

    api.add_router("/declarations", declarations_router)  # declarations, venues, check-ins
    api.add_router("/checkpoints", checkpoints_router)  # checkpoints, passages (bulk sync), vehicles, arrivals


_mount()
