"""The person page's "Samples and results" section, timeline events and overview figures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from phongdich.core.overview import Figure
from phongdich.core.roles import Perm
from phongdich.people.panels import Panel
from phongdich.people.timeline import TimelineEvent
from phongdich.testing import queries
from phongdich.testing.models import CaseProposal, TubeStatus

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person


def person_samples(person: Person, user: User) -> Panel | None:
    if not user.can(Perm.TEST_VIEW):
        return None
    samples = queries.samples_of_person(user, person, limit=10)
    can_take = user.can(Perm.SAMPLE_COLLECT) and person.merged_into_id is None
    if not samples and not can_take:
        return None
    return Panel("testing/_person_samples.html", {"samples": samples, "can_take": can_take, "person": person}, order=20)


def sample_events(person: Person, user: User) -> Iterator[TimelineEvent]:
    """Samples taken and results given, on the person's timeline."""
    if not user.can(Perm.TEST_VIEW):
        return
    for s in queries.samples_of_person(user, person, limit=50):
        url = reverse("testing:sample", args=[s.pk])
        kind = s.get_test_kind_display()
        if s.taken_at:
            where = s.get_place_kind_display() + (f": {s.place_name}" if s.place_name else "")
            title = _("Sample taken (%(kind)s, pooled)") if s.pool_id else _("Sample taken (%(kind)s)")
            yield TimelineEvent(at=s.taken_at, kind="test", title=title % {"kind": kind}, detail=where, url=url)
        if s.resulted_at and s.status == TubeStatus.RESULTED:
            result = s.get_outcome_display() + (f", Ct {s.ct}" if s.ct is not None else "")
            title = _("Test result: %(result)s") % {"result": result}
            detail = s.lab.name if s.lab else ""
            yield TimelineEvent(at=s.resulted_at, kind="test", title=title, detail=detail, url=url)
        elif s.status in (TubeStatus.POOL_POSITIVE, TubeStatus.POOL_INVALID) and s.pool and s.pool.resulted_at:
            title = _("Pooled tube positive: individual test queued")
            if s.status == TubeStatus.POOL_INVALID:
                title = _("Pooled tube invalid: re-test queued")
            yield TimelineEvent(at=s.pool.resulted_at, kind="test", title=title, url=url)


def overview_figures(user: User) -> Iterator[Figure]:
    """New positives (last 24 h) and case proposals to review, in the user's area."""
    if not user.can(Perm.TEST_VIEW):
        return
    positives = queries.new_positives(user, days=1).count()
    url = reverse("testing:results") + "?positive=1&days=1"
    yield Figure(positives, _("new positive tests (24 h)"), url, warn=positives > 0)
    if user.can(Perm.CASE_EDIT):
        pending = queries.proposals_in_scope(user).filter(status=CaseProposal.Status.PENDING).count()
        yield Figure(pending, _("case proposals to review"), reverse("testing:proposals"), warn=pending > 0)


__all__ = ["overview_figures", "person_samples", "sample_events"]
