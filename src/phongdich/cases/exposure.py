"""Exposure sites (R-EXPOSURE): actions and queries.

A site is a place and a time window published by staff with ``Perm.EXPOSURE_PUBLISH``
("Bệnh viện K, cơ sở Tân Triều, từ 22/4"). While it is published (and not withdrawn, and its
window ended less than ``ACTIVE_DAYS_AFTER`` days ago) it is listed on the public page, where
anyone who was there reports themselves. A report:

- finds or creates the person through ``people.actions.intake_person`` (matching by ID number,
  or name + birth + phone); the person's ``source`` is ``Source.MANUAL`` and the channel the
  report came through is kept on the report (``ExposureReport.channel``);
- when the site is linked to a case, proposes a contact candidate between the reporter and the
  case's person (``tracing.candidates.propose``, reason ``EXPOSURE_SITE``); a tracer confirms
  it before it counts. When the site has no case, the report waits on the site's staff page.

Everything public is free of personal data: the public page shows only the place, address,
window and instructions (``public_site_fields``), never a case code or a name.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases.models import Case, Cluster, ExposureReport, ExposureSite
from phongdich.core import access
from phongdich.core.audit import record_change, snapshot
from phongdich.core.roles import Perm
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.scoping import lineage_columns
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person, Source

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.tracing.models import ContactCandidate

# A site stays on the public page this many days after its window ended (the monitoring
# period of people who were there), unless it is withdrawn earlier.
ACTIVE_DAYS_AFTER = 14

SITE_FIELDS = [
    "name",
    "address",
    "starts_at",
    "ends_at",
    "description",
    "case",
    "cluster",
    "published",
    "province",
    "district",
    "commune",
    "village",
]


class ExposureError(Exception):
    """A refused change (nothing written); ``field`` names the input it is about, if any."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# ---------------------------------------------------------------------------------------------
# Staff actions
# ---------------------------------------------------------------------------------------------


@dataclass
class SiteData:
    name: str
    unit: AdminUnit
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    address: str = ""
    description: str = ""
    case: Case | None = None
    cluster: Cluster | None = None


def _check_site(actor: User, data: SiteData) -> None:
    access.require(actor, Perm.EXPOSURE_PUBLISH)
    if not access.unit_in_scope(actor, data.unit) or data.unit.level == Level.VILLAGE:
        raise ExposureError(_("Choose a unit of your area (province, district or commune)."), "unit")
    if not data.name.strip():
        raise ExposureError(_("The place is required."), "name")
    if data.ends_at is not None and data.ends_at < data.starts_at:
        raise ExposureError(_("The end of the window is before its start."), "ends_at")
    if data.starts_at > timezone.now() + datetime.timedelta(days=1):
        raise ExposureError(_("The window cannot start in the future."), "starts_at")


@transaction.atomic
def create_site(actor: User, data: SiteData, *, client_uuid: uuid.UUID | None = None) -> tuple[ExposureSite, bool]:
    """Create an (unpublished) site. A retry with the same ``client_uuid`` returns the first one."""
    access.require(actor, Perm.EXPOSURE_PUBLISH)
    if client_uuid is not None:
        existing = ExposureSite.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if not access.scope(actor, ExposureSite.objects.filter(pk=existing.pk)).exists():
                raise ExposureError(_("This client UUID was already used."), "client_uuid")
            return existing, False
    _check_site(actor, data)
    site = ExposureSite(
        client_uuid=client_uuid,
        name=data.name.strip()[:200],
        address=data.address.strip()[:255],
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        description=data.description.strip(),
        case=data.case,
        cluster=data.cluster,
        created_by=actor,
        **lineage_columns(data.unit),
    )
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:
        again = ExposureSite.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if again is None:
            raise
        return again, False
    record_change(actor, "exposure_site.create", site, None, snapshot(site, SITE_FIELDS))
    return site, True


@transaction.atomic
def update_site(actor: User, site: ExposureSite, data: SiteData) -> ExposureSite:
    _check_site(actor, data)
    before = snapshot(site, SITE_FIELDS)
    site.name = data.name.strip()[:200]
    site.address = data.address.strip()[:255]
    site.starts_at = data.starts_at
    site.ends_at = data.ends_at
    site.description = data.description.strip()
    site.case = data.case
    site.cluster = data.cluster
    for key, value in lineage_columns(data.unit).items():
        setattr(site, key, value)
    site.save()
    record_change(actor, "exposure_site.update", site, before, snapshot(site, SITE_FIELDS))
    return site


@transaction.atomic
def publish_site(actor: User, site: ExposureSite) -> ExposureSite:
    """Show the site on the public page (again, after a withdrawal). Already published: no change."""
    access.require(actor, Perm.EXPOSURE_PUBLISH)
    if site.published and site.withdrawn_at is None:
        return site
    before = snapshot(site, ["published", "published_at", "withdrawn_at"])
    site.published = True
    site.published_at = timezone.now()
    site.withdrawn_at = None
    site.save(update_fields=["published", "published_at", "withdrawn_at"])
    record_change(
        actor, "exposure_site.publish", site, before, snapshot(site, ["published", "published_at", "withdrawn_at"])
    )
    return site


@transaction.atomic
def withdraw_site(actor: User, site: ExposureSite) -> ExposureSite:
    """Take the site off the public page. Reports already made stay."""
    access.require(actor, Perm.EXPOSURE_PUBLISH)
    if not site.published:
        return site
    before = snapshot(site, ["published", "published_at", "withdrawn_at"])
    site.published = False
    site.withdrawn_at = timezone.now()
    site.save(update_fields=["published", "withdrawn_at"])
    record_change(
        actor, "exposure_site.withdraw", site, before, snapshot(site, ["published", "published_at", "withdrawn_at"])
    )
    return site


# ---------------------------------------------------------------------------------------------
# Public self-report
# ---------------------------------------------------------------------------------------------


def window_dates(site: ExposureSite) -> tuple[datetime.date, datetime.date]:
    """The first and last calendar day (local time) of the site's window; open windows end today."""
    first = timezone.localtime(site.starts_at).date()
    last = timezone.localtime(site.ends_at).date() if site.ends_at else timezone.localdate()
    return first, max(first, min(last, timezone.localdate()))


def check_visit_date(site: ExposureSite, visited_on: datetime.date) -> None:
    first, last = window_dates(site)
    if not (first <= visited_on <= last):
        raise ValidationError(
            _("The date you were there must be between %(first)s and %(last)s.")
            % {"first": first.strftime("%d/%m/%Y"), "last": last.strftime("%d/%m/%Y")},
            code="visit_window",
        )


@dataclass
class ReportOutcome:
    report: ExposureReport
    created: bool
    person_created: bool = False
    candidate: ContactCandidate | None = None


@transaction.atomic
def report_exposure(
    site: ExposureSite,
    data: PersonData,
    visited_on: datetime.date,
    *,
    client_uuid: uuid.UUID | None = None,
    channel: str = ExposureReport.Channel.PUBLIC_WEB,
    actor: User | None = None,
) -> ReportOutcome:
    """Someone who was at ``site`` on ``visited_on`` reports themselves.

    ``data`` is already validated (people/validation.py). A retry with the same
    ``client_uuid`` returns the first report and writes nothing. Raises ``ValidationError``
    (code ``visit_window``) when the date is outside the window, ``ExposureError`` when the
    site is not open for reports.
    """
    if client_uuid is not None:
        existing = ExposureReport.objects.filter(client_uuid=client_uuid).select_related("person").first()
        if existing is not None:
            return ReportOutcome(existing, created=False)
    if not is_active(site):
        raise ExposureError(_("This place is no longer listed."))
    check_visit_date(site, visited_on)
    person_uuid = uuid.uuid5(client_uuid, "person") if client_uuid is not None else None
    intake = intake_person(actor, data, client_uuid=person_uuid, source=Source.MANUAL)
    report = ExposureReport(
        client_uuid=client_uuid, site=site, person=intake.person, visited_on=visited_on, channel=channel
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        again = ExposureReport.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if again is None:
            raise
        return ReportOutcome(again, created=False)
    record_change(
        actor,
        "exposure_report.create",
        report,
        None,
        {
            "site": str(site.pk),
            "person": str(intake.person.pk),
            "visited_on": visited_on.isoformat(),
            "channel": channel,
        },
    )
    candidate = None
    case_person = _case_person(site)
    if case_person is not None and case_person.pk != intake.person.pk:
        from phongdich.tracing import candidates
        from phongdich.tracing.models import ContactSource

        candidate = candidates.propose(
            intake.person,
            case_person,
            ContactSource.EXPOSURE_SITE,
            visited_on,
            {"site": str(site.pk), "report": str(report.pk)},
        )
    return ReportOutcome(report, created=True, person_created=intake.created, candidate=candidate)


def _case_person(site: ExposureSite) -> Person | None:
    if site.case_id is None:
        return None
    case = Case.objects.select_related("person").get(pk=site.case_id)
    if case.status != "confirmed":
        return None
    return case.person


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


def active_filter(now: datetime.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(published=True, withdrawn_at__isnull=True) & (
        Q(ends_at__isnull=True) | Q(ends_at__gte=now - datetime.timedelta(days=ACTIVE_DAYS_AFTER))
    )


def is_active(site: ExposureSite) -> bool:
    return ExposureSite.objects.filter(active_filter(), pk=site.pk).exists()


def public_sites(unit: AdminUnit | None = None) -> QuerySet[ExposureSite]:
    """Active published sites (optionally in ``unit``: a district or commune), newest first."""
    qs = ExposureSite.objects.filter(active_filter()).select_related("district", "commune")
    if unit is not None:
        qs = qs.filter(**unit.scope_filter())
    return qs.order_by("-starts_at")


def public_site_fields(site: ExposureSite) -> dict[str, Any]:
    """What the public may know of a site: no case, no cluster, nobody's name."""
    return {
        "id": site.pk,
        "name": site.name,
        "address": site.address,
        "district": site.district.name if site.district else "",
        "commune": site.commune.name if site.commune else "",
        "starts_at": site.starts_at,
        "ends_at": site.ends_at,
        "description": site.description,
    }


def sites_in_scope(user: User) -> QuerySet[ExposureSite]:
    return access.scope(user, ExposureSite.objects.all()).select_related(
        "province", "district", "commune", "case", "cluster"
    )


def get_site(user: User, pk: Any, perm: Perm = Perm.CASE_VIEW) -> ExposureSite:
    return access.get_for_user(user, sites_in_scope(user), perm, pk=pk)


def cases_for_link(user: User, code: str) -> Case | None:
    """The case with this code in the user's area (for linking a site), or None."""
    code = code.strip()
    if not code:
        return None
    # iexact is ASCII-only on SQLite: also try the upper-case form ("đb-0042" → "ĐB-0042").
    return access.scope(user, Case.objects.filter(code__in=[code, code.upper()])).first()


def cluster_for_link(user: User, code: str) -> Cluster | None:
    code = code.strip()
    if not code:
        return None
    return access.scope(user, Cluster.objects.filter(code__in=[code, code.upper()])).first()


@dataclass
class ReportRow:
    report: ExposureReport
    person: Person | None  # None when the person is outside the user's area (or the user may not see people)
    candidate_status: str
    candidate_label: str


def site_reports(user: User, site: ExposureSite) -> list[ReportRow]:
    """The site's reports with the persons the user may see and the candidates' status."""
    from phongdich.tracing.models import ContactCandidate, ContactSource

    reports = list(site.reports.select_related("person__commune", "person__district"))
    visible: set[Any] = set()
    if user.can(Perm.PERSON_VIEW):
        ids = [r.person_id for r in reports if r.person_id]
        in_scope = access.scope(user, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True)
        visible = set(in_scope)
        # Reporters who live in another province have no unit: the site's staff follow them up.
        visible |= {r.person_id for r in reports if r.person is not None and r.person.province_id is None}
    candidates: dict[Any, ContactCandidate] = {}
    cand: ContactCandidate | None
    if reports:
        for cand in ContactCandidate.objects.filter(
            reason=ContactSource.EXPOSURE_SITE, person_id__in=[r.person_id for r in reports if r.person_id]
        ):
            report_id = (cand.evidence or {}).get("report")
            site_id = (cand.evidence or {}).get("site")
            if site_id == str(site.pk):
                candidates[report_id] = cand
                candidates.setdefault((cand.person_id, cand.exposure_date), cand)
    rows = []
    for r in reports:
        cand = candidates.get(str(r.pk)) or candidates.get((r.person_id, r.visited_on))
        if cand is not None:
            status, label = cand.status, str(cand.get_status_display())
        elif site.case_id is None:
            status, label = "no_case", _("No case linked: to check by a tracer")
        else:
            status, label = "none", "—"
        rows.append(ReportRow(r, r.person if r.person_id in visible else None, status, label))
    return rows


# Matching a site against health declarations and venue check-ins (people who were there but
# did not report) belongs to a later issue: it will call tracing.candidates.propose with the
# same reason and evidence {"site": id} so that the site's page shows those candidates too.
