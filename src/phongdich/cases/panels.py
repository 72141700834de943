"""The person page's "Cases" section: the person's cases and the button to confirm one."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases import actions, queries
from phongdich.cases.models import CaseStatus, Outcome
from phongdich.core import access
from phongdich.core.overview import Figure
from phongdich.core.roles import Perm
from phongdich.people.panels import Panel
from phongdich.people.timeline import TimelineEvent

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person


def person_cases(person: Person, user: User) -> Panel | None:
    if not user.can(Perm.CASE_VIEW):
        return None
    cases = list(queries.cases_of_person(user, person))
    can_confirm = user.can(Perm.CASE_EDIT) and person.merged_into_id is None and actions.active_case(person) is None
    if not cases and not can_confirm:
        return None
    return Panel("cases/_person_cases.html", {"cases": cases, "can_confirm": can_confirm, "person": person}, order=10)


def case_events(person: Person, user: User) -> Iterator[TimelineEvent]:
    """The person's cases on their timeline: confirmation, ruling out, outcome."""
    if not user.can(Perm.CASE_VIEW):
        return
    tz = timezone.get_current_timezone()
    for case in queries.cases_of_person(user, person):
        url = reverse("cases:detail", args=[case.pk])
        at = datetime.datetime.combine(case.confirmed_on, datetime.time(), tzinfo=tz)
        yield TimelineEvent(at=at, kind="case", title=_("Confirmed as F0 (%(code)s)") % {"code": case.code}, url=url)
        if case.ruled_out_on:
            at = datetime.datetime.combine(case.ruled_out_on, datetime.time(), tzinfo=tz)
            yield TimelineEvent(at=at, kind="case", title=_("Case %(code)s ruled out") % {"code": case.code}, url=url)
        if case.outcome_date and case.outcome != Outcome.UNDER_TREATMENT:
            at = datetime.datetime.combine(case.outcome_date, datetime.time(), tzinfo=tz)
            title = f"{case.code}: {case.get_outcome_display()}"
            yield TimelineEvent(at=at, kind="case", title=title, url=url)


def overview_figures(user: User) -> Iterator[Figure]:
    """Active F0, F1–F3 under management today, and overdue tracing work, in the user's area."""
    if not user.can(Perm.CASE_VIEW):
        return
    from phongdich.tracing import investigations
    from phongdich.tracing.models import PersonLevel

    active = queries.cases_in_scope(user).filter(status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
    yield Figure(active.count(), _("F0 under treatment"), reverse("cases:list"), warn=False)
    today = timezone.localdate()
    managed = access.scope(user, PersonLevel.objects.filter(handling_until__gte=today), "person__")
    yield Figure(managed.count(), _("F1–F3 under management today"), reverse("reports:contacts"))
    overdue = investigations.overdue_tasks(user).count()
    yield Figure(overdue, _("contacts not found in time"), reverse("investigations:overdue"), warn=overdue > 0)
