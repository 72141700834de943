"""Contact candidates from venue check-ins and exposure sites (the tracing candidate-source seam).

``checkin_candidates(cases)`` is registered with ``tracing.candidates.register_source`` in
apps.py: for each newly confirmed F0 it takes the F0's check-ins inside the case's infectious
window (tracing.levels.infectious_window under the rule set of the case) and proposes everyone
who checked in at the same venue within ``CHECKIN_WINDOW`` of one of them (reason CHECKIN;
evidence = venue code and both times, no names). One query finds the F0's check-ins, one finds
the others (an OR of (venue, time range) pairs on the (venue, checked_in_at) index), two more
drop pairs already linked or queued, and one bulk insert writes the new candidates.

Exposure sites: a venue linked to a published site (``SiteVenue``) turns the check-ins inside
the site's window into candidates of the site's case (reason EXPOSURE_SITE), when the site has
a case (``site_venue_candidates``); declarations that name a place of a site get a flag instead
(flags.py), because free text is no evidence of a contact.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from phongdich.declarations.models import CheckIn, SiteVenue
from phongdich.declarations.queries import checkins_in_site_window
from phongdich.tracing.models import Contact, ContactCandidate, ContactSource

if TYPE_CHECKING:
    from phongdich.cases.models import Case, ExposureSite

# PC-Covid alerted people whose scan was within ±1 hour of an F0's at the same venue (DOMAIN.md §6).
CHECKIN_WINDOW = datetime.timedelta(hours=1)
MAX_F0_CHECKINS = 500  # per case: a bound on the query, far above any real infectious window


def _window_bounds(case: Case) -> tuple[datetime.datetime, datetime.datetime]:
    from phongdich.policy.models import RuleSet
    from phongdich.policy.queries import rule_set_on
    from phongdich.tracing.levels import infectious_window

    rule_set = (RuleSet.objects.filter(pk=case.rule_set_id).first() if case.rule_set_id else None) or rule_set_on(
        case.confirmed_on, case.province_id
    )
    first, last = infectious_window(case, rule_set)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def f0_checkins(case: Case) -> list[tuple[Any, str, datetime.datetime]]:
    """(venue id, venue code, time) of the F0's check-ins inside the case's infectious window."""
    start, end = _window_bounds(case)
    return list(
        CheckIn.objects.filter(person_id=case.person_id, checked_in_at__gte=start, checked_in_at__lt=end)
        .order_by("checked_in_at")
        .values_list("venue_id", "venue__code", "checked_in_at")[:MAX_F0_CHECKINS]
    )


def overlapping_checkins(
    visits: Sequence[tuple[Any, str, datetime.datetime]], exclude_person: Any
) -> list[tuple[Any, Any, datetime.datetime]]:
    """(person id, venue id, time) of the others at the same venues within CHECKIN_WINDOW of a visit."""
    if not visits:
        return []
    window = Q()
    for venue_id, _code, at in visits:
        window |= Q(venue_id=venue_id, checked_in_at__gte=at - CHECKIN_WINDOW, checked_in_at__lte=at + CHECKIN_WINDOW)
    return list(
        CheckIn.objects.filter(window, person__isnull=False)
        .exclude(person_id=exclude_person)
        .values_list("person_id", "venue_id", "checked_in_at")
    )


def candidates_for_case(case: Case) -> list[ContactCandidate]:
    """The unsaved candidates of one case (the query the benchmark measures)."""
    visits = f0_checkins(case)
    others = overlapping_checkins(visits, case.person_id)
    by_venue: dict[Any, list[tuple[str, datetime.datetime]]] = {}
    for venue_id, code, at in visits:
        by_venue.setdefault(venue_id, []).append((code, at))
    found: dict[tuple[Any, datetime.date], ContactCandidate] = {}
    for person_id, venue_id, at in others:
        day = timezone.localdate(at)
        if (person_id, day) in found:
            continue
        code, f0_at = min(by_venue[venue_id], key=lambda v: abs(v[1] - at))
        found[(person_id, day)] = ContactCandidate(
            person_id=case.person_id,
            other_id=person_id,
            reason=ContactSource.CHECKIN,
            exposure_date=day,
            evidence={"case": case.code, "venue": code, "f0_at": f0_at.isoformat(), "at": at.isoformat()},
        )
    return list(found.values())


def _save_new(candidates: list[ContactCandidate]) -> list[ContactCandidate]:
    """Drop pairs already linked by a contact or queued for the same reason and date; insert the rest."""
    if not candidates:
        return []
    ids = list({c.person_id for c in candidates} | {c.other_id for c in candidates})
    linked = {
        frozenset(pair)
        for pair in Contact.objects.filter(
            person_a_id__in=ids, person_b_id__in=ids, removed_at__isnull=True
        ).values_list("person_a_id", "person_b_id")
    }
    reasons = {c.reason for c in candidates}
    queued = {
        (frozenset((a, b)), reason, day)
        for a, b, reason, day in ContactCandidate.objects.filter(
            person_id__in=ids, other_id__in=ids, reason__in=reasons
        ).values_list("person_id", "other_id", "reason", "exposure_date")
    }
    new = []
    for c in candidates:
        key = frozenset((c.person_id, c.other_id))
        if key in linked or (key, c.reason, c.exposure_date) in queued:
            continue
        queued.add((key, c.reason, c.exposure_date))
        new.append(c)
    ContactCandidate.objects.bulk_create(new, ignore_conflicts=True)
    return new


def checkin_candidates(cases: Sequence[Case]) -> list[ContactCandidate]:
    """The registered candidate source: check-ins within ±1 hour of each new F0's (see module doc)."""
    found: list[ContactCandidate] = []
    for case in cases:
        found += candidates_for_case(case)
    return _save_new(found)


def site_venue_candidates(site: ExposureSite) -> list[ContactCandidate]:
    """Check-ins at the site's linked venues inside its window become candidates of its case."""
    if site.case_id is None:
        return []
    case = site.case
    assert case is not None
    venue_ids = list(SiteVenue.objects.filter(site=site).values_list("venue_id", flat=True))
    if not venue_ids:
        return []
    qs = checkins_in_site_window(site, venue_ids).filter(person__isnull=False)
    found: dict[tuple[Any, datetime.date], ContactCandidate] = {}
    for person_id, code, at in qs.exclude(person_id=case.person_id).values_list(
        "person_id", "venue__code", "checked_in_at"
    )[:5000]:
        day = timezone.localdate(at)
        found.setdefault(
            (person_id, day),
            ContactCandidate(
                person_id=case.person_id,
                other_id=person_id,
                reason=ContactSource.EXPOSURE_SITE,
                exposure_date=day,
                evidence={"case": case.code, "site": str(site.pk), "venue": code, "at": at.isoformat()},
            ),
        )
    return _save_new(list(found.values()))
