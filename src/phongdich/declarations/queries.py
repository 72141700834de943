"""Reads of the declarations app, including the seams the checkpoints app calls.

Seams (signatures kept stable):
- ``declaration_for_token(token)``: the declaration a scanned QR token points at, or None.
- ``latest_declarations(person_ids, since)``: each person's newest declaration since a moment.
Staff reads go through ``declarations_in_scope`` / ``flags_in_scope`` (core.access).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet

from phongdich.core import access
from phongdich.core.roles import Perm
from phongdich.declarations.models import CheckIn, Declaration, DeclarationFlag, Venue
from phongdich.declarations.tokens import reference_from_token

if TYPE_CHECKING:
    from phongdich.core.models import User


def declaration_for_token(token: str) -> Declaration | None:
    """The declaration whose QR ``token`` was scanned, or None.

    A declaration the worker has not processed yet is processed first (matched, flagged).
    Verifies the signature and the expiry (``tokens.TOKEN_VALID_FOR``): a tampered, malformed
    or expired token answers None, never an exception. No access check: the holder of the QR
    shows it to an officer; the caller decides what the officer may see of it.
    """
    from phongdich.declarations.processing import ensure_processed

    reference = reference_from_token(token)
    if reference is None:
        return None
    found = (
        Declaration.objects.select_related("person", "origin_province", "commune").filter(reference=reference).first()
    )
    return ensure_processed(found) if found is not None else None


def latest_declarations(person_ids: Iterable[uuid.UUID], since: datetime.datetime) -> dict[uuid.UUID, Declaration]:
    """The newest declaration of each person declared at or after ``since``: {person_id: Declaration}.

    People without one are absent from the result. One query (ordered, then the first per
    person kept in Python: portable to SQLite and PostgreSQL). No access check (a seam for
    other apps, which scope their own records).
    """
    ids = list(set(person_ids))
    if not ids:
        return {}
    found: dict[uuid.UUID, Declaration] = {}
    qs = Declaration.objects.filter(person_id__in=ids, declared_at__gte=since).order_by("person_id", "-declared_at")
    for declaration in qs:
        assert declaration.person_id is not None
        found.setdefault(declaration.person_id, declaration)
    return found


def declarations_in_scope(user: User) -> QuerySet[Declaration]:
    access.require(user, Perm.DECLARATION_VIEW)
    return access.scope(user, Declaration.objects.all())


def flags_in_scope(user: User) -> QuerySet[DeclarationFlag]:
    access.require(user, Perm.DECLARATION_VIEW)
    return access.scope(user, DeclarationFlag.objects.all())


def venues_in_scope(user: User) -> QuerySet[Venue]:
    access.require(user, Perm.VENUE_MANAGE)
    return access.scope(user, Venue.objects.all())


def checkins_in_scope(user: User) -> QuerySet[CheckIn]:
    access.require(user, Perm.VENUE_MANAGE)
    return access.scope(user, CheckIn.objects.all(), prefix="venue__")


def site_venues(site: Any) -> list[tuple[Venue, int]]:
    """The venues linked to an exposure site, each with its check-ins inside the site's window."""
    from phongdich.declarations.models import SiteVenue

    venue_ids = list(SiteVenue.objects.filter(site=site).values_list("venue_id", flat=True))
    venues = list(Venue.objects.filter(pk__in=venue_ids).select_related("commune").order_by("name"))
    window = checkins_in_site_window(site, venue_ids)
    counts = dict(window.values("venue_id").annotate(n=Count("pk")).values_list("venue_id", "n"))
    return [(venue, counts.get(venue.pk, 0)) for venue in venues]


def checkins_in_site_window(site: Any, venue_ids: list[Any]) -> QuerySet[CheckIn]:
    """Check-ins at these venues inside an exposure site's window (from its start to its end, if any)."""
    window = CheckIn.objects.filter(venue_id__in=venue_ids, checked_in_at__gte=site.starts_at)
    return window.filter(checked_in_at__lte=site.ends_at) if site.ends_at is not None else window


def venues_to_link(user: User, site: Any) -> QuerySet[Venue]:
    """Venues of the user's area in the site's commune (else district, else province), not yet linked."""
    from phongdich.declarations.models import SiteVenue

    qs = venues_in_scope(user).exclude(pk__in=SiteVenue.objects.filter(site=site).values("venue_id"))
    if site.commune_id is not None:
        qs = qs.filter(commune_id=site.commune_id)
    elif site.district_id is not None:
        qs = qs.filter(district_id=site.district_id)
    return qs.order_by("name")
