"""The checkpoints app on the person page: passages, arrivals and violations on the timeline."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.checkpoints.models import Arrival, ArrivalSource, Passage, Violation
from phongdich.core import access
from phongdich.core.roles import Perm
from phongdich.people.timeline import TimelineEvent

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person


def checkpoint_events(person: Person, user: User) -> Iterator[TimelineEvent]:
    """Passages at checkpoints (the officer's area, or arrivals in the commune's), family reports, violations."""
    if user.can(Perm.CHECKPOINT_OPERATE) or user.can(Perm.CHECKPOINT_MANAGE) or user.can(Perm.DECLARATION_VIEW):
        arrivals = access.scope(user, Arrival.objects.filter(person=person)).values("passage_id")
        passages = Passage.objects.filter(person=person).filter(
            Q(pk__in=access.scope(user, Passage.objects.filter(person=person)).values("pk")) | Q(pk__in=arrivals)
        )
        for p in passages.select_related("checkpoint", "origin", "destination_commune")[:50]:
            detail = " → ".join(u.name for u in (p.origin, p.destination_commune) if u is not None)
            title = _("%(checkpoint)s: %(outcome)s") % {
                "checkpoint": p.checkpoint.name,
                "outcome": p.get_outcome_display(),
            }
            yield TimelineEvent(at=p.passed_at, kind="checkpoint", title=title, detail=detail)
    if user.can(Perm.DECLARATION_VIEW):
        tz = timezone.get_current_timezone()
        family = access.scope(user, Arrival.objects.filter(person=person, source=ArrivalSource.FAMILY))
        for a in family[:20]:
            at = datetime.datetime.combine(a.arrived_on, datetime.time(), tzinfo=tz)
            yield TimelineEvent(
                at=at, kind="checkpoint", title=_("Family reported the return home"), detail=a.reported_from
            )
    if user.can(Perm.VIOLATION_RECORD):
        own = Q(person=person) | Q(owner=person) | Q(driver=person)
        for v in access.scope(user, Violation.objects.filter(own).select_related("vehicle"))[:20]:
            detail = " · ".join(x for x in (v.vehicle.plate_display if v.vehicle else "", v.note) if x)
            yield TimelineEvent(
                at=v.occurred_at,
                kind="violation",
                title=_("Violation: %(kind)s") % {"kind": v.get_kind_display()},
                detail=detail,
            )
