"""Investigations of new F0s: the task list of contacts to find, teams, deadlines, overdue work.

An investigation opens with each case (``cases.actions.create_case`` → ``open_investigation``).
Its task list holds one :class:`~phongdich.tracing.models.TracingTask` per person whose current
derived level (``PersonLevel``) comes from this case at a level in ``TASK_LEVELS``:

- F1 and F2 are put on the list (they must be found and placed in quarantine); F3 only
  self-monitor, so they are not (``TASK_LEVELS``).
- Deadlines (``DEADLINE_HOURS``): F1 within 24 h, F2 within 48 h, counted from when the person
  is put on the list — for the contacts known at confirmation, the confirmation itself. The
  RuleSet model (owned by the policy module) has no field for these, so they are the module
  defaults here; if a rule set later carries them, ``deadline_hours`` is the one place to read it.
- ``sync_tasks`` keeps the list true after levels change: new F1/F2 get a task; a person who is
  no longer a contact of this case loses their task only while it is untouched (status "to
  find"), otherwise the work done stays on record. A person who moves from F2 to F1 gets the
  shorter deadline. Call ``sync_for_persons`` with the persons whose level changed (the level
  engine or the contact actions), or ``sync_tasks`` on one investigation.
- Overdue: a task still open (to find, or not reachable yet) past its deadline, in an open
  investigation.

Visibility: an investigation is scoped by its case's jurisdiction columns; a task is visible
to users of the investigation's area **or** of the area where the contact lives (the commune
that must find them).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core import access
from phongdich.core.audit import record_change, snapshot
from phongdich.tracing.models import Investigation, PersonLevel, TracingTask, TracingTeam

if TYPE_CHECKING:
    from phongdich.cases.models import Case
    from phongdich.core.models import User

TASK_LEVELS: tuple[int, ...] = (1, 2)
DEADLINE_HOURS: dict[int, int] = {1: 24, 2: 48}
OPEN_TASK_STATUSES = (TracingTask.Status.TO_FIND, TracingTask.Status.UNREACHABLE)
DONE_TASK_STATUSES = (
    TracingTask.Status.FOUND,
    TracingTask.Status.OUT_OF_PROVINCE,
    TracingTask.Status.ALREADY_ISOLATED,
)
TASK_FIELDS = ["status", "team", "note", "done_at", "due_at", "level"]
INVESTIGATION_FIELDS = ["status", "note", "closed_at"]


class TracingError(Exception):
    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


@dataclass
class SyncResult:
    added: int = 0
    removed: int = 0
    updated: int = 0


def deadline_hours(level: int) -> int:
    return DEADLINE_HOURS.get(level, max(DEADLINE_HOURS.values()))


# Task list -----------------------------------------------------------------------------


def persons_near(case: Case) -> set[uuid.UUID]:
    """The persons whose task lists may change with this case: its contacts (derived and listed)."""
    ids = set(PersonLevel.objects.filter(case_id=case.pk).values_list("person_id", flat=True))
    ids |= set(TracingTask.objects.filter(investigation__case_id=case.pk).values_list("person_id", flat=True))
    ids.add(case.person_id)
    return ids


def open_investigation(actor: User | None, case: Case) -> Investigation:
    """The case's investigation (created open, with its task list, if it had none)."""
    inv, created = Investigation.objects.get_or_create(
        case=case,
        defaults={
            "province_id": case.province_id,
            "district_id": case.district_id,
            "commune_id": case.commune_id,
            "village_id": case.village_id,
        },
    )
    if created:
        record_change(actor, "investigation.open", inv, None, snapshot(inv, INVESTIGATION_FIELDS))
    sync_tasks(inv)
    return inv


def sync_tasks(investigation: Investigation, now: datetime.datetime | None = None) -> SyncResult:
    """Make the task list match the case's current F1/F2 (see the module docstring)."""
    result = SyncResult()
    if investigation.status != Investigation.Status.OPEN:
        return result
    now = now or timezone.now()
    wanted = dict(
        PersonLevel.objects.filter(case_id=investigation.case_id, level__in=TASK_LEVELS)
        .exclude(person_id=investigation.case.person_id)
        .values_list("person_id", "level")
    )
    existing = {t.person_id: t for t in TracingTask.objects.filter(investigation=investigation)}
    new = [
        TracingTask(
            investigation=investigation,
            person_id=pid,
            level=level,
            due_at=now + datetime.timedelta(hours=deadline_hours(level)),
        )
        for pid, level in wanted.items()
        if pid not in existing
    ]
    if new:
        TracingTask.objects.bulk_create(new, ignore_conflicts=True)
        result.added = len(new)
    for pid, task in existing.items():
        level = wanted.get(pid)
        if level is not None and level != task.level:
            task.level = level
            fields = ["level"]
            due = now + datetime.timedelta(hours=deadline_hours(level))
            if task.status in OPEN_TASK_STATUSES and due < task.due_at:
                task.due_at = due
                fields.append("due_at")
            task.save(update_fields=fields)
            result.updated += 1
    stale = [t.pk for pid, t in existing.items() if pid not in wanted and t.status == TracingTask.Status.TO_FIND]
    if stale:
        TracingTask.objects.filter(pk__in=stale).delete()
        result.removed = len(stale)
    return result


def sync_for_persons(person_ids: Iterable[uuid.UUID], skip: Any = None) -> int:
    """Re-sync every open investigation a change of these persons' levels may touch.

    Those that list one of them, and those of the cases they are now F1/F2 of. Returns how many
    investigations were synced. ``skip``: an investigation id just synced.
    """
    ids = list(set(person_ids))
    if not ids:
        return 0
    inv_ids = set(
        TracingTask.objects.filter(person_id__in=ids, investigation__status=Investigation.Status.OPEN).values_list(
            "investigation_id", flat=True
        )
    )
    case_ids = PersonLevel.objects.filter(person_id__in=ids, level__in=TASK_LEVELS).values_list("case_id", flat=True)
    inv_ids |= set(
        Investigation.objects.filter(case_id__in=case_ids, status=Investigation.Status.OPEN).values_list(
            "id", flat=True
        )
    )
    inv_ids.discard(skip)
    count = 0
    for inv in Investigation.objects.filter(pk__in=inv_ids).select_related("case"):
        sync_tasks(inv)
        count += 1
    return count


# Investigation actions -----------------------------------------------------------------


def close_for_case(actor: User | None, case: Case, note: str) -> None:
    inv = Investigation.objects.filter(case=case).first()
    if inv is not None and inv.status == Investigation.Status.OPEN:
        close_investigation(actor, inv, note)


@transaction.atomic
def close_investigation(actor: User | None, investigation: Investigation, note: str = "") -> Investigation:
    if investigation.status == Investigation.Status.CLOSED:
        raise TracingError(_("This investigation is already closed."), 409)
    before = snapshot(investigation, INVESTIGATION_FIELDS)
    investigation.status = Investigation.Status.CLOSED
    investigation.closed_at = timezone.now()
    if note:
        investigation.note = (investigation.note + "\n" + note).strip()
    investigation.save(update_fields=["status", "closed_at", "note"])
    record_change(actor, "investigation.close", investigation, before, snapshot(investigation, INVESTIGATION_FIELDS))
    return investigation


@transaction.atomic
def reopen_investigation(actor: User | None, investigation: Investigation) -> Investigation:
    from phongdich.cases.models import CaseStatus

    if investigation.status == Investigation.Status.OPEN:
        raise TracingError(_("This investigation is already open."), 409)
    if investigation.case.status == CaseStatus.RULED_OUT:
        raise TracingError(_("The case was ruled out: its investigation stays closed."), 409)
    before = snapshot(investigation, INVESTIGATION_FIELDS)
    investigation.status = Investigation.Status.OPEN
    investigation.closed_at = None
    investigation.save(update_fields=["status", "closed_at"])
    record_change(actor, "investigation.reopen", investigation, before, snapshot(investigation, INVESTIGATION_FIELDS))
    sync_tasks(investigation)
    return investigation


@transaction.atomic
def assign_teams(actor: User | None, investigation: Investigation, teams: Iterable[TracingTeam]) -> Investigation:
    """Set the investigation's teams. Tasks of a team taken off are left without a team."""
    team_list = list(teams)
    if any(not t.active for t in team_list):
        raise TracingError(_("An inactive team cannot be assigned."), field="team_ids")
    before = sorted(str(pk) for pk in investigation.teams.values_list("pk", flat=True))
    new_ids = {t.pk for t in team_list}
    investigation.teams.set(team_list)
    after = sorted(str(pk) for pk in new_ids)
    if before != after:
        unassigned = TracingTask.objects.filter(investigation=investigation, team__isnull=False).exclude(
            team_id__in=new_ids
        )
        unassigned.update(team=None)
        record_change(actor, "investigation.teams", investigation, {"teams": before}, {"teams": after})
    return investigation


_UNSET: Any = object()


@transaction.atomic
def update_task(
    actor: User | None,
    task: TracingTask,
    *,
    status: str | None = None,
    team: TracingTeam | None = _UNSET,
    note: str | None = None,
) -> TracingTask:
    """Record the result of finding a contact, the team in charge, a note."""
    task = TracingTask.objects.select_for_update().select_related("investigation").get(pk=task.pk)
    if task.investigation.status != Investigation.Status.OPEN:
        raise TracingError(_("This investigation is closed: reopen it to change its tasks."), 409)
    before = snapshot(task, TASK_FIELDS)
    fields: list[str] = []
    if status is not None and status != task.status:
        if status not in TracingTask.Status.values:
            raise TracingError(_("Unknown task status."), field="status")
        task.status = status
        task.done_at = timezone.now() if status in DONE_TASK_STATUSES else None
        fields += ["status", "done_at"]
    if team is not _UNSET and (team.pk if team else None) != task.team_id:
        if team is not None and not task.investigation.teams.filter(pk=team.pk).exists():
            raise TracingError(_("Assign this team to the investigation first."), field="team_id")
        task.team = team
        fields.append("team")
    if note is not None and note.strip()[:255] != task.note:
        task.note = note.strip()[:255]
        fields.append("note")
    if fields:
        task.save(update_fields=fields)
        record_change(actor, "task.update", task, before, snapshot(task, TASK_FIELDS))
    return task


# Queries -------------------------------------------------------------------------------


def investigations_in_scope(user: User) -> QuerySet[Investigation]:
    return access.scope(user, Investigation.objects.all())


def tasks_in_scope(user: User) -> QuerySet[TracingTask]:
    """Tasks of investigations in the user's area, and tasks to find people living in it."""
    qs = TracingTask.objects.all()
    return access.scope(user, qs, "investigation__") | access.scope(user, qs, "person__")


def overdue_tasks(user: User, now: datetime.datetime | None = None) -> QuerySet[TracingTask]:
    now = now or timezone.now()
    return tasks_in_scope(user).filter(
        status__in=OPEN_TASK_STATUSES, due_at__lt=now, investigation__status=Investigation.Status.OPEN
    )


def overdue_counts(user: User, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Overdue tasks by the district and commune where the contact lives."""
    rows = (
        overdue_tasks(user, now)
        .values("person__district_id", "person__district__name", "person__commune_id", "person__commune__name")
        .annotate(n=Count("pk"))
        .order_by("person__district__name", "person__commune__name")
    )
    return [
        {
            "district_id": r["person__district_id"],
            "district": r["person__district__name"],
            "commune_id": r["person__commune_id"],
            "commune": r["person__commune__name"],
            "count": r["n"],
        }
        for r in rows
    ]


def task_counts(investigation: Investigation, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    tasks = TracingTask.objects.filter(investigation=investigation)
    agg = tasks.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES, due_at__lt=now)),
    )
    out = {k: int(v or 0) for k, v in agg.items()}
    if investigation.status != Investigation.Status.OPEN:
        out["overdue"] = 0
    return out


def is_overdue(task: TracingTask, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return task.status in OPEN_TASK_STATUSES and task.due_at < now
