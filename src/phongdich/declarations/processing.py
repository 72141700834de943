"""What happens to a declaration after it is stored: matching, rule set, flags, audit.

A public declaration (web form or API) is stored at once, validated and idempotent by client
UUID, and answered with its QR token: the request does one lookup and one insert. Matching it to
a person (people.actions.intake_person), choosing the rule set in force and computing its flags
(flags.py) happen here, for a batch of declarations at a time, in the task worker
(``declarations.tasks.process_pending_declarations``) about a second later. During a surge the
queue absorbs the peak and the worker works through it in batches, which costs far less per
declaration than doing it in each request.

A declaration an officer makes for a traveller (checkpoint, staff) or the demo writes is processed
at once, in its own transaction, because the officer acts on the result. Whoever reads a
declaration that is still waiting (a checkpoint scanning its QR, staff opening it) gets it
processed first (``ensure_processed``), so nobody acts on a declaration that is half done. With a
task backend that cannot defer (the immediate backend of the tests), declarations are processed in
the request.

``processed_at`` marks a processed declaration. Rows are claimed with ``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so two workers never process the same declaration.
"""

from __future__ import annotations

import datetime
import logging
import threading
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.tasks import default_task_backend
from django.utils import timezone

from phongdich.core.audit import change_row, snapshot
from phongdich.core.models import AuditLog
from phongdich.declarations.flags import compute_flags
from phongdich.declarations.models import Channel, Declaration
from phongdich.geo.models import AdminUnit
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Source
from phongdich.policy.queries import RuleBook

if TYPE_CHECKING:
    from phongdich.core.models import User

log = logging.getLogger(__name__)

BATCH = 200  # declarations per transaction in the worker
DELAY = datetime.timedelta(seconds=1)  # a task waits this long, so that one task takes many declarations

# Channels whose declarations are processed in the request that stores them.
AT_ONCE = (Channel.CHECKPOINT, Channel.STAFF, Channel.DEMO)

DECLARATION_FIELDS = [
    "kind",
    "channel",
    "person",
    "origin_province",
    "origin_unit",
    "origin_country",
    "travel_date",
    "transport",
    "symptoms",
    "exposures",
    "province",
    "district",
    "commune",
    "village",
]


def source_for(channel: str) -> str:
    if channel == Channel.DEMO:
        return Source.DEMO
    return Source.API if channel in (Channel.PUBLIC_WEB, Channel.API) else Source.MANUAL


def person_data(declaration: Declaration, destination: AdminUnit | None) -> PersonData:
    id_number = declaration.id_number
    return PersonData(
        full_name=declaration.full_name,
        id_number=id_number if id_number and id_number.isdigit() else None,
        birth_date=declaration.birth_date,
        birth_year=declaration.birth_year,
        sex=declaration.sex,
        phone=declaration.phone,
        unit=destination,
        address=declaration.address,
        conditions=[c for c in declaration.conditions if c],
    )


def _match(declaration: Declaration, destination: AdminUnit | None, actor: User | None) -> None:
    """Find or create the declaration's person; a failure leaves it unmatched (logged, no personal data)."""
    try:
        with transaction.atomic():
            intake = intake_person(actor, person_data(declaration, destination), source=source_for(declaration.channel))
    except Exception:
        log.exception("declaration %s: matching to a person failed; left unmatched", declaration.pk)
        return
    declaration.person = intake.person


def process(declarations: list[Declaration], actor: User | None = None) -> list[Declaration]:
    """Match, choose the rule set, compute the flags and audit ``declarations``.

    Call it inside a transaction, on rows just created or locked by the caller and not yet
    processed. Queries: a fixed number for the batch, plus the person matching of each row.
    """
    if not declarations:
        return declarations
    unit_ids = {d.village_id or d.commune_id for d in declarations} - {None}
    units = AdminUnit.objects.in_bulk(unit_ids)
    book = RuleBook.load()
    now = timezone.now()
    for declaration in declarations:
        if declaration.person_id is None:
            _match(declaration, units.get(declaration.village_id or declaration.commune_id), actor)
        declaration.rule_set = book.on(timezone.localdate(declaration.declared_at), declaration.province_id)
        declaration.processed_at = now
    Declaration.objects.bulk_update(declarations, ["person", "rule_set", "processed_at"])
    compute_flags(declarations)
    rows: list[AuditLog] = []
    for declaration in declarations:
        row = change_row(actor, "declaration.submit", declaration, None, snapshot(declaration, DECLARATION_FIELDS))
        if row.actor_id is None:
            row.actor_id = declaration.submitted_by_id
        rows.append(row)
    AuditLog.objects.bulk_create(rows)
    return declarations


def _pending() -> Any:
    return Declaration.objects.filter(processed_at__isnull=True)


def drain(batch: int = BATCH) -> int:
    """Process every waiting declaration, oldest first, ``batch`` per transaction; returns how many."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(_pending().order_by("created_at").select_for_update(skip_locked=True)[:batch])
            if not rows:
                return done
            process(rows)
        done += len(rows)


def ensure_processed(declaration: Declaration) -> Declaration:
    """The declaration, processed: at once if the worker has not reached it yet (waits for a worker
    that holds it)."""
    if not declaration.pending:
        return declaration
    with transaction.atomic():
        locked = _pending().select_for_update().filter(pk=declaration.pk).first()
        if locked is not None:
            process([locked])
    declaration.refresh_from_db()
    return declaration


def ensure_processed_for(id_number: str) -> int:
    """Process the waiting declarations made with ``id_number`` (an officer typed it at a checkpoint,
    so that a person who has just declared is known); returns how many."""
    if not id_number:
        return 0
    with transaction.atomic():
        rows = list(_pending().filter(id_number=id_number).select_for_update())
        process(rows)
    return len(rows)


_lock = threading.Lock()
_scheduled_for: datetime.datetime | None = None


def schedule() -> None:
    """Make sure a task will process what was just committed (at most one task per process per DELAY).

    A task enqueued for time T sees every declaration committed before T; a declaration committed
    after T (the task may be running) enqueues the next one.
    """
    global _scheduled_for
    from phongdich.declarations.tasks import process_pending_declarations

    now = timezone.now()
    with _lock:
        if _scheduled_for is not None and _scheduled_for > now:
            return
        run_after = now + DELAY
        process_pending_declarations.using(run_after=run_after).enqueue()
        _scheduled_for = run_after


def at_once(declaration: Declaration) -> bool:
    """Whether ``declaration`` is processed in the request that stores it (see the module docstring)."""
    return declaration.channel in AT_ONCE or not default_task_backend.supports_defer


def after_submit(declaration: Declaration, actor: User | None) -> None:
    """Process ``declaration`` now (``at_once``) or, once it is committed, have the worker do it."""
    if at_once(declaration):
        process([declaration], actor)
    else:
        transaction.on_commit(schedule, robust=True)
