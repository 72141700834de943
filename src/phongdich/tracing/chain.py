"""A person's F level on their page: the level, the chain that explains it, the handling due.

- ``person_level_context(person, user)``: what the snippet ``tracing/_person_level.html`` shows.
- ``render_person_level(person, user)``: the snippet as HTML; the template tag
  ``{% load tracing_levels %}{% person_level person %}`` does the same inside a page.
- Timeline providers (registered from ``TracingConfig.ready``): the person's level and the
  contacts recorded with them, for users who may see cases and contacts (CASE_VIEW).

People of the chain outside the user's area are not named ("a person outside your area").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from phongdich.cases.models import Case, CaseStatus
from phongdich.core.access import scope
from phongdich.core.roles import Perm
from phongdich.people import timeline
from phongdich.people.models import Person
from phongdich.tracing import levels
from phongdich.tracing.models import Contact

if TYPE_CHECKING:
    from phongdich.core.models import User


@dataclass(frozen=True)
class StepView:
    level: int
    name: str
    url: str | None
    contact_date: datetime.date | None
    case_code: str
    case_url: str | None


def _case_url(case_id: Any) -> str | None:
    try:
        return reverse("cases:detail", args=[case_id])
    except NoReverseMatch:
        return None


def person_level_context(person: Person, user: User) -> dict[str, Any]:
    """The level, chain and handling of a person, as the user may see them."""
    if not user.is_authenticated or not user.can(Perm.CASE_VIEW):
        return {"visible": False}
    active = person
    while active.merged_into_id is not None and active.merged_into is not None and active != active.merged_into:
        active = active.merged_into
    f0_case = Case.objects.filter(person_id=active.pk, status=CaseStatus.CONFIRMED).order_by("-confirmed_on").first()
    level = None if f0_case else levels.level_for(active)
    steps: list[StepView] = []
    if level is not None:
        chain = levels.explain(active)
        ids = [s.person_id for s in chain]
        visible = set(scope(user, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        for s in chain:
            shown = s.person_id in visible
            steps.append(
                StepView(
                    level=s.level,
                    name=s.person_name if shown else _("a person outside your area"),
                    url=reverse("people:detail", args=[s.person_id]) if shown else None,
                    contact_date=s.contact_date,
                    case_code=s.case_code,
                    case_url=_case_url(s.case_id),
                )
            )
    today = timezone.localdate()
    tests = []
    if level is not None:
        for text in level.test_dates:
            try:
                day = datetime.date.fromisoformat(text)
            except (TypeError, ValueError):
                continue
            tests.append({"date": day, "past": day < today})
    return {
        "visible": True,
        "person": active,
        "f0_case": f0_case,
        "f0_case_url": _case_url(f0_case.pk) if f0_case else None,
        "level": level,
        "steps": steps,
        "via_steps": steps[1:-1],
        "root": steps[-1] if steps else None,
        "tests": tests,
        "active_measure": level is not None and level.handling_until is not None and level.handling_until >= today,
        "chain_text": levels.chain_text(active) if level is not None else "",
    }


def render_person_level(person: Person, user: User) -> SafeString:
    return SafeString(render_to_string("tracing/_person_level.html", person_level_context(person, user)))


# Timeline ------------------------------------------------------------------------------------


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def level_event(person: Person, user: User) -> Iterable[timeline.TimelineEvent]:
    if not user.can(Perm.CASE_VIEW):
        return
    level = levels.level_for(person)
    if level is None or level.person_id != person.pk:
        return
    detail = str(level.get_handling_display())
    if level.handling_until:
        detail = _("%(handling)s until %(date)s") % {
            "handling": detail,
            "date": level.handling_until.strftime("%d/%m/%Y"),
        }
    yield timeline.TimelineEvent(
        at=_at(level.exposed_on),
        kind="level",
        title=levels.chain_text(person),
        detail=f"{detail} · {level.rule_set.name}",
    )


def contact_events(person: Person, user: User) -> Iterable[timeline.TimelineEvent]:
    if not user.can(Perm.CASE_VIEW):
        return
    rows = (
        Contact.objects.filter(Q(person_a=person) | Q(person_b=person))
        .select_related("person_a", "person_b")
        .order_by("-first_date")[:200]
    )
    contacts = list(rows)
    others = {c.person_b_id if c.person_a_id == person.pk else c.person_a_id for c in contacts}
    visible = set(scope(user, Person.objects.filter(pk__in=others)).values_list("pk", flat=True))
    for c in contacts:
        other = c.person_b if c.person_a_id == person.pk else c.person_a
        shown = other.pk in visible
        name = other.full_name if shown else _("a person outside your area")
        title = _("Contact with %(name)s") % {"name": name}
        period = c.first_date.strftime("%d/%m/%Y")
        if c.last_date != c.first_date:
            period = f"{period} – {c.last_date.strftime('%d/%m/%Y')}"
        detail = f"{c.get_setting_display()} · {period}"
        if c.removed_at:
            detail = _("%(detail)s · removed") % {"detail": detail}
        url = reverse("people:detail", args=[other.pk]) if shown else None
        yield timeline.TimelineEvent(at=_at(c.first_date), kind="contact", title=title, detail=detail, url=url)


def register() -> None:
    timeline.register(level_event)
    timeline.register(contact_events)
