"""The person page's timeline: a registry that every module adds its events to.

A provider is a function ``(person, user) -> Iterable[TimelineEvent]``. Register it once,
e.g. in the app's ``AppConfig.ready()``::

    from phongdich.people import timeline

    @timeline.register
    def tests_of(person, user):
        for t in scope(user, LabTest.objects.filter(person=person), "person__"):
            yield timeline.TimelineEvent(at=t.sampled_at, kind="lab", title=_("Sample taken"), ...)

Providers receive the active record shown on the page; records merged into it have had
their links re-pointed already. The events are shown newest first.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.models import AuditLog
from phongdich.people.models import Person, PersonMerge, ResidenceRecord, ResidenceStatus

if TYPE_CHECKING:
    from phongdich.core.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime.datetime
    kind: str
    title: str
    detail: str = ""
    url: str | None = None


Provider = Callable[[Person, "User"], Iterable[TimelineEvent]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (idempotent; usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def providers() -> list[Provider]:
    return list(_providers)


def events_for(person: Person, user: User) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for provider in _providers:
        events.extend(provider(person, user))
    return sorted(events, key=lambda e: e.at, reverse=True)


def _at_start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def record_created(person: Person, user: User) -> Iterable[TimelineEvent]:
    yield TimelineEvent(
        at=person.created_at,
        kind="created",
        title=_("Record created"),
        detail=str(person.get_source_display()),
    )


_FIELD_LABELS = {f.name: f.verbose_name for f in Person._meta.concrete_fields}


def _changed_fields(row: AuditLog) -> str:
    names = sorted(set(row.before or {}) | set(row.after or {}))
    labels = [str(_FIELD_LABELS.get(n, n)) for n in names if n not in ("name_key", "updated_at")]
    return ", ".join(labels)


def changes(person: Person, user: User) -> Iterable[TimelineEvent]:
    ids = [str(person.pk), *(str(pk) for pk in person.merged_from.values_list("pk", flat=True))]
    titles = {
        "person.update": _("Details changed"),
        "person.fill": _("Missing details filled in"),
    }
    rows = AuditLog.objects.filter(object_type=Person._meta.label, object_id__in=ids).select_related("actor")
    for row in rows.exclude(action__in=["person.create", "person.residence", "person.merge", "person.merge_undo"]):
        who = row.actor.username if row.actor else _("system")
        title = titles.get(row.action, row.action)
        fields = _changed_fields(row)
        yield TimelineEvent(at=row.at, kind="change", title=str(title), detail=f"{fields} · {who}" if fields else who)


def residence_periods(person: Person, user: User) -> Iterable[TimelineEvent]:
    for rec in ResidenceRecord.objects.filter(person=person).select_related("temp_province", "temp_commune"):
        when = _at_start_of(rec.started_on) if rec.started_on else rec.created_at
        where = ", ".join(
            part
            for part in (
                rec.temp_address,
                getattr(rec.temp_commune, "name", ""),
                getattr(rec.temp_province, "name", ""),
            )
            if part
        )
        title = str(rec.get_status_display())
        if rec.status == ResidenceStatus.TEMPORARILY_ABSENT and where:
            title = _("Temporarily absent: %(where)s") % {"where": where}
        detail = str(rec.get_source_display())
        if rec.ended_on:
            detail = _("%(source)s · until %(date)s") % {"source": detail, "date": rec.ended_on.strftime("%d/%m/%Y")}
        yield TimelineEvent(at=when, kind="residence", title=title, detail=detail)


def merges(person: Person, user: User) -> Iterable[TimelineEvent]:
    rows = PersonMerge.objects.filter(survivor=person) | PersonMerge.objects.filter(merged=person)
    for merge in rows.select_related("survivor", "merged", "performed_by", "undone_by"):
        who = merge.performed_by.username if merge.performed_by else _("system")
        if merge.survivor_id == person.pk:
            title = _("Duplicate record merged into this one")
            url = reverse("people:detail", args=[merge.merged_id])
        else:
            title = _("Merged into another record")
            url = reverse("people:detail", args=[merge.survivor_id])
        yield TimelineEvent(at=merge.performed_at, kind="merge", title=str(title), detail=who, url=url)
        if merge.undone_at:
            undo_who = merge.undone_by.username if merge.undone_by else _("system")
            yield TimelineEvent(at=merge.undone_at, kind="merge", title=_("Merge undone"), detail=undo_who, url=url)


for _provider in (record_created, changes, residence_periods, merges):
    register(_provider)
