"""Laboratory results: one entered by lab staff (``enter_result``) or many at once (``apply_rows``,
behind the file import and the API's bulk submission). Both give the same records.

A result on a single sample makes it resulted; a positive proposes a case (a
:class:`~phongdich.testing.models.CaseProposal`, unless the person has an active case or a
pending proposal); an invalid one queues a re-test. A result on a pool resolves its members:
negative → each member's sample is negative; positive → each member's sample is marked
"pool positive" and an individual test is queued for the member; invalid → a re-test is queued
for each member. The same result again changes nothing (``unchanged``); a different result on
a resulted tube is refused (a correction is not an import).

``enter_result`` works row by row with the ORM; ``apply_rows`` is set-based (a few queries for
the whole file, COPY on PostgreSQL) and is tested to give exactly the same state.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases.models import Case, CaseStatus
from phongdich.cases.models import Outcome as CaseOutcome
from phongdich.core.audit import record_change
from phongdich.core.models import AuditLog
from phongdich.testing import bulk, rules
from phongdich.testing.actions import TestingError
from phongdich.testing.models import (
    CaseProposal,
    Laboratory,
    Outcome,
    Pool,
    ResultSource,
    Sample,
    TubeStatus,
)

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.policy.models import RuleSet

IN_CHUNK = 5000
_RESULTED = (TubeStatus.RESULTED, TubeStatus.POOL_POSITIVE, TubeStatus.POOL_INVALID)


@dataclass(frozen=True)
class ResultRow:
    barcode: str
    outcome: str
    ct: Decimal | None = None
    resulted_at: datetime.datetime | None = None
    row: int = 0  # the row number in the file (0 when not from a file)


@dataclass
class Problem:
    row: int
    field: str
    code: str
    params: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "field": self.field, "code": self.code}
        if self.params:
            out["params"] = self.params
        return out


@dataclass
class Applied:
    written: int = 0
    unchanged: int = 0
    positives: int = 0
    proposals: int = 0
    queued: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Tube:
    kind: str  # "sample" | "pool"
    pk: uuid.UUID
    barcode: str
    test_kind: str
    taken_ts: float | None  # when taken, as a POSIX timestamp (cheap to load in bulk)
    lab_id: uuid.UUID | None
    status: str
    outcome: str
    ct: Decimal | None
    received: bool  # the lab's receipt is recorded (else the result time stands for it)


_TUBE_VALUES = ("pk", "barcode", "test_kind", "taken_at", "lab_id", "status", "outcome", "ct", "received_at")
_OUTCOMES = frozenset(Outcome.values)


def _tube_from(kind: str, values: Sequence[Any]) -> _Tube:
    pk, barcode, test_kind, taken_at, lab_id, status, outcome, ct, received_at = values
    taken = taken_at.timestamp() if taken_at is not None else None
    return _Tube(kind, pk, barcode or "", test_kind, taken, lab_id, status, outcome, ct, received_at is not None)


def _judge(tube: _Tube | None, row: ResultRow, lab: Laboratory, now: datetime.datetime) -> Problem | str | None:
    """None: write it; "unchanged": already so; a Problem: refuse the row."""
    if tube is None:
        return Problem(row.row, "barcode", "barcode_unknown")
    if tube.status == TubeStatus.QUEUED:
        return Problem(row.row, "barcode", "not_taken")
    code = rules.ct_error(row.ct, tube.test_kind)
    if code is not None:
        params = {"min": rules.CT_MIN, "max": rules.CT_MAX} if code == "ct_range" else None
        return Problem(row.row, "ct", code, {k: str(v) for k, v in params.items()} if params else None)
    if tube.lab_id is not None and tube.lab_id != lab.pk:
        name = Laboratory.objects.filter(pk=tube.lab_id).values_list("name", flat=True).first() or ""
        return Problem(row.row, "barcode", "other_lab", {"lab": name})
    if tube.status in _RESULTED:
        if tube.outcome == row.outcome and tube.ct == row.ct:
            return "unchanged"
        shown = str(Outcome(tube.outcome).label) if tube.outcome in _OUTCOMES else tube.outcome
        if tube.ct is not None:
            shown = f"{shown}, Ct {tube.ct}"
        return Problem(row.row, "outcome", "already_resulted", {"result": shown})
    when = row.resulted_at or now
    if when > now + datetime.timedelta(minutes=5):
        return Problem(row.row, "resulted_at", "when_future")
    if tube.taken_ts is not None and when.timestamp() < tube.taken_ts:
        return Problem(row.row, "resulted_at", "when_before_taken")
    return None


def check_row(row: ResultRow) -> Problem | None:
    """What can be said of a row without the database: barcode, result word, Ct."""
    code = rules.barcode_error(row.barcode)
    if code is not None:
        return Problem(row.row, "barcode", code)
    if row.outcome not in _OUTCOMES:
        return Problem(row.row, "outcome", "outcome_required" if not row.outcome else "outcome_invalid")
    return None


# Case proposals (shared by both paths) ----------------------------------------------------


@dataclass(frozen=True)
class _Positive:
    sample_id: uuid.UUID
    person_id: uuid.UUID
    test_kind: str
    taken_on: datetime.date
    place_kind: str
    campaign_id: uuid.UUID | None
    cols: tuple[int | None, int | None, int | None, int | None]


def _chunks[T](items: Sequence[T], size: int = IN_CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rule_set(day: datetime.date, province_id: int | None, cache: dict[Any, RuleSet | None]) -> RuleSet | None:
    key = (day, province_id)
    if key not in cache:
        from phongdich.policy.queries import rule_set_on

        try:
            cache[key] = rule_set_on(day, province_id)
        except LookupError:
            cache[key] = None
        except Exception:  # no rule set loaded: the proposal says so
            cache[key] = None
    return cache[key]


def _propose(actor: User | None, positives: Sequence[_Positive], now: datetime.datetime) -> list[dict[str, Any]]:
    """Proposal rows for the positives whose person has no active case and no pending proposal."""
    persons = list({p.person_id for p in positives})
    busy: set[uuid.UUID] = set()
    for part in _chunks(persons):
        busy.update(
            Case.objects.filter(
                person_id__in=part, status=CaseStatus.CONFIRMED, outcome=CaseOutcome.UNDER_TREATMENT
            ).values_list("person_id", flat=True)
        )
        busy.update(
            CaseProposal.objects.filter(person_id__in=part, status=CaseProposal.Status.PENDING).values_list(
                "person_id", flat=True
            )
        )
    cache: dict[Any, RuleSet | None] = {}
    out: list[dict[str, Any]] = []
    for p in positives:
        if p.person_id in busy:
            continue
        busy.add(p.person_id)
        rule_set = _rule_set(p.taken_on, p.cols[0], cache)
        out.append(
            {
                "id": uuid.uuid4(),
                "person_id": p.person_id,
                "sample_id": p.sample_id,
                "status": CaseProposal.Status.PENDING,
                "test_kind": p.test_kind,
                "sample_date": p.taken_on,
                "detected_by": rules.detected_by_for(p.place_kind, p.campaign_id),
                "confirmation_advised": rules.confirmation_advised(p.test_kind, rule_set),
                "rule_set_id": rule_set.pk if rule_set else None,
                "created_at": now,
                "province_id": p.cols[0],
                "district_id": p.cols[1],
                "commune_id": p.cols[2],
                "village_id": p.cols[3],
            }
        )
    return out


def _local_day(when: datetime.datetime | None) -> datetime.date:
    return timezone.localtime(when).date() if when is not None else timezone.localdate()


def _queued_row(template: dict[str, Any], person_id: uuid.UUID, cols: Sequence[Any], pool_id: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "person_id": person_id,
        "queued_from_id": pool_id,
        "status": TubeStatus.QUEUED,
        "test_kind": template["test_kind"],
        "sample_type": template["sample_type"],
        "place_kind": template["place_kind"],
        "place_name": template["place_name"],
        "campaign_id": template["campaign_id"],
        "created_at": template["now"],
        "outcome": "",
        "result_source": "",
        "province_id": cols[0],
        "district_id": cols[1],
        "commune_id": cols[2],
        "village_id": cols[3],
    }


# One by one -------------------------------------------------------------------------------


@dataclass
class Entered:
    status: str  # "written" | "unchanged"
    kind: str  # "sample" | "pool"
    tube_id: uuid.UUID
    proposal: CaseProposal | None = None
    queued: int = 0


def _tube_of(obj: Sample | Pool, kind: str) -> _Tube:
    values = (obj.pk, obj.barcode, obj.test_kind, obj.taken_at, obj.lab_id, obj.status, obj.outcome, obj.ct,
              obj.received_at)  # fmt: skip
    return _tube_from(kind, values)


def enter_result(
    actor: User | None,
    lab: Laboratory,
    barcode: str,
    outcome: str,
    ct: Decimal | None = None,
    resulted_at: datetime.datetime | None = None,
    source: str = ResultSource.ENTRY,
) -> Entered:
    """One result, by barcode. Raises TestingError (with the field) for a refused result."""
    row = ResultRow(rules.clean_barcode(barcode), outcome, ct, resulted_at)
    problem = check_row(row)
    if problem is not None:
        raise TestingError(rules.row_message(problem.code, problem.params), field=problem.field)
    now = timezone.now()
    with transaction.atomic():
        sample = Sample.objects.select_for_update().filter(barcode=row.barcode).first()
        pool = None if sample is not None else Pool.objects.select_for_update().filter(barcode=row.barcode).first()
        obj: Sample | Pool | None = sample or pool
        kind = "sample" if sample is not None else "pool"
        verdict = _judge(_tube_of(obj, kind) if obj is not None else None, row, lab, now)
        if isinstance(verdict, Problem):
            raise TestingError(
                rules.row_message(verdict.code, verdict.params),
                409 if verdict.code == "already_resulted" else 422,
                verdict.field,
            )
        assert obj is not None
        if verdict == "unchanged":
            return Entered("unchanged", kind, obj.pk)
        when = row.resulted_at or now
        _set_result(obj, lab, row.outcome, row.ct, when, actor, source)
        obj.save()
        record_change(actor, f"{kind}.result", obj, None, _result_audit(obj))
        template = _template_of(obj, now)
        if sample is not None:
            return _after_sample(actor, sample, template, now)
        assert pool is not None
        return _after_pool(actor, pool, lab, when, template, now)


def _set_result(
    obj: Sample | Pool,
    lab: Laboratory,
    outcome: str,
    ct: Decimal | None,
    when: datetime.datetime,
    actor: User | None,
    source: str,
    receipt: bool = True,
) -> None:
    obj.status = TubeStatus.RESULTED
    obj.outcome = outcome
    obj.ct = ct
    obj.resulted_at = when
    obj.resulted_by = actor if actor is not None and actor.is_authenticated else None
    obj.result_source = source
    obj.lab = lab
    if receipt and obj.received_at is None:
        obj.received_at = when


def _result_audit(obj: Sample | Pool) -> dict[str, Any]:
    return {"outcome": obj.outcome, "ct": str(obj.ct) if obj.ct is not None else None, "lab": str(obj.lab_id)}


def _template_of(obj: Sample | Pool, now: datetime.datetime) -> dict[str, Any]:
    return {
        "test_kind": obj.test_kind,
        "sample_type": obj.sample_type,
        "place_kind": obj.place_kind,
        "place_name": obj.place_name,
        "campaign_id": obj.campaign_id,
        "now": now,
    }


def _cols(obj: Sample) -> tuple[int | None, int | None, int | None, int | None]:
    return (obj.province_id, obj.district_id, obj.commune_id, obj.village_id)


def _queue_one(actor: User | None, person_id: uuid.UUID, cols: Sequence[Any], pool_id: Any, t: dict[str, Any]) -> None:
    values = _queued_row(t, person_id, cols, pool_id)
    values.pop("created_at")
    queued = Sample(**values)
    queued.save()
    record_change(actor, "sample.queue", queued, None, {"person": str(person_id), "pool": str(pool_id or "")})


def _after_sample(actor: User | None, sample: Sample, template: dict[str, Any], now: datetime.datetime) -> Entered:
    entered = Entered("written", "sample", sample.pk)
    if sample.outcome == Outcome.POSITIVE:
        rows = _propose(actor, [_positive_of(sample)], now)
        if rows:
            values = rows[0]
            values.pop("created_at")
            proposal = CaseProposal(**values)
            proposal.save()
            record_change(actor, "proposal.create", proposal, None, {"sample": str(sample.pk)})
            entered.proposal = proposal
    elif sample.outcome == Outcome.INVALID:
        _queue_one(actor, sample.person_id, _cols(sample), None, template)
        entered.queued = 1
    return entered


def _positive_of(sample: Sample) -> _Positive:
    return _Positive(
        sample.pk,
        sample.person_id,
        sample.test_kind,
        _local_day(sample.taken_at),
        sample.place_kind,
        sample.campaign_id,
        _cols(sample),
    )


def _after_pool(
    actor: User | None,
    pool: Pool,
    lab: Laboratory,
    when: datetime.datetime,
    template: dict[str, Any],
    now: datetime.datetime,
) -> Entered:
    entered = Entered("written", "pool", pool.pk)
    for member in Sample.objects.select_for_update().filter(pool=pool).order_by("pk"):
        if pool.outcome == Outcome.NEGATIVE:
            _set_result(member, lab, Outcome.NEGATIVE, None, when, actor, ResultSource.POOL, receipt=False)
            member.save()
        else:
            member.status = TubeStatus.POOL_POSITIVE if pool.outcome == Outcome.POSITIVE else TubeStatus.POOL_INVALID
            member.lab = lab
            member.save(update_fields=["status", "lab"])
            _queue_one(actor, member.person_id, _cols(member), pool.pk, template)
            entered.queued += 1
            # (A negative pool's members are covered by the pool's own audit row.)
            record_change(actor, "sample.pool_result", member, None, {"pool": str(pool.pk), "status": member.status})
    return entered


# Many at once -----------------------------------------------------------------------------


def _load_tubes(barcodes: Sequence[str]) -> dict[str, _Tube]:
    """The tubes with these barcodes (singles first: a barcode names one tube)."""
    tubes: dict[str, _Tube] = {}
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of IN placeholders (much cheaper to send).
        for model, kind in ((Pool, "pool"), (Sample, "sample")):
            table = connection.ops.quote_name(model._meta.db_table)
            # Barcodes were checked (letters, digits, . _ -): joined by commas, one text parameter.
            # Times come back as epoch numbers: Django's time-zone loader costs ~10 µs a value.
            sql = (
                "SELECT id, barcode, test_kind, extract(epoch FROM taken_at)::float8, lab_id, status, outcome, ct, "  # noqa: S608
                f"received_at IS NOT NULL FROM {table} WHERE barcode = ANY(string_to_array(%s, ','))"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [",".join(barcodes)])
                for values in cursor.fetchall():
                    tubes[values[1]] = _Tube(kind, *values)
        return tubes
    for part in _chunks(list(barcodes)):
        for values in Sample.objects.filter(barcode__in=part).values_list(*_TUBE_VALUES):
            tubes[values[1]] = _tube_from("sample", values)
        for values in Pool.objects.filter(barcode__in=part).values_list(*_TUBE_VALUES):
            tubes.setdefault(values[1], _tube_from("pool", values))
    return tubes


def _lock(lab: Laboratory) -> None:
    """Serialise the imports of one laboratory (PostgreSQL), so two uploads never resolve a pool twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [4242, str(lab.pk)])


@transaction.atomic
def apply_rows(actor: User | None, lab: Laboratory, rows: Sequence[ResultRow], source: str) -> Applied:
    """Apply many results at once; bad rows are reported (nothing written for them)."""
    _lock(lab)
    now = timezone.now()
    done = Applied()
    first_row: dict[str, int] = {}
    candidates: list[ResultRow] = []
    for row in rows:
        problem = check_row(row)
        if problem is None and row.barcode in first_row:
            problem = Problem(row.row, "barcode", "duplicate_row", {"row": first_row[row.barcode]})
        if problem is not None:
            done.problems.append(problem)
            continue
        first_row[row.barcode] = row.row
        candidates.append(row)
    tubes = _load_tubes([r.barcode for r in candidates])
    good: list[tuple[ResultRow, _Tube]] = []
    for row in candidates:
        tube = tubes.get(row.barcode)
        verdict = _judge(tube, row, lab, now)
        if isinstance(verdict, Problem):
            done.problems.append(verdict)
        elif verdict == "unchanged":
            done.unchanged += 1
        else:
            assert tube is not None
            good.append((row, tube))
    if good:
        _write(actor, lab, good, source, now, done)
    done.problems.sort(key=lambda p: p.row)
    return done


_RESULT_COLS = ("status", "outcome", "ct", "resulted_at", "resulted_by_id", "result_source", "lab_id", "received_at")
_SAMPLE_INFO = (
    "pk",
    "person_id",
    "pool_id",
    "test_kind",
    "sample_type",
    "place_kind",
    "place_name",
    "campaign_id",
    "taken_at",
    "province_id",
    "district_id",
    "commune_id",
    "village_id",
)


def _write(
    actor: User | None,
    lab: Laboratory,
    good: list[tuple[ResultRow, _Tube]],
    source: str,
    now: datetime.datetime,
    done: Applied,
) -> None:
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    sample_updates: list[tuple[Any, ...]] = []
    pool_updates: list[tuple[Any, ...]] = []
    sample_kept: list[tuple[Any, ...]] = []  # received already: the receipt time is kept
    pool_kept: list[tuple[Any, ...]] = []
    member_status: list[tuple[Any, ...]] = []
    pool_result: dict[uuid.UUID, tuple[str, datetime.datetime]] = {}
    audit: list[dict[str, Any]] = []
    sample_label, pool_label = Sample._meta.label, Pool._meta.label
    positives_ids: list[uuid.UUID] = []
    invalid_ids: list[uuid.UUID] = []
    lab_id = lab.pk
    afters: dict[tuple[str, Decimal | None], bulk.RawJson] = {}
    for row, tube in good:
        when = row.resulted_at or now
        values = (tube.pk, TubeStatus.RESULTED, row.outcome, row.ct, when, actor_id, source, lab_id, when)
        key = (row.outcome, row.ct)
        after = afters.get(key)
        if after is None:
            ct = str(row.ct) if row.ct is not None else None
            after = afters[key] = bulk.RawJson(json.dumps({"outcome": row.outcome, "ct": ct, "lab": str(lab_id)}))
        if tube.kind == "sample":
            (sample_kept if tube.received else sample_updates).append(values[:-1] if tube.received else values)
            audit.append(_audit(actor_id, now, "sample.result", sample_label, tube.pk, after))
            if row.outcome == Outcome.POSITIVE:
                positives_ids.append(tube.pk)
            elif row.outcome == Outcome.INVALID:
                invalid_ids.append(tube.pk)
        else:
            (pool_kept if tube.received else pool_updates).append(values[:-1] if tube.received else values)
            pool_result[tube.pk] = (row.outcome, when)
            audit.append(_audit(actor_id, now, "pool.result", pool_label, tube.pk, after))
    done.written = len(good)
    done.positives = len(positives_ids) + sum(1 for o, _w in pool_result.values() if o == Outcome.POSITIVE)
    queued: list[dict[str, Any]] = []
    # Pool members: negative → negative (set-based, after the pools below); positive / invalid →
    # each member's sample marked and an individual test queued.
    negative_pools = [pk for pk, (outcome, _w) in pool_result.items() if outcome == Outcome.NEGATIVE]
    other_pools = [pk for pk, (outcome, _w) in pool_result.items() if outcome != Outcome.NEGATIVE]
    members: list[tuple[Any, ...]] = []
    for part in _chunks(other_pools):
        members.extend(Sample.objects.filter(pool_id__in=part).order_by("pk").values_list(*_SAMPLE_INFO))
    for info in members:
        pk, person_id, pool_id = info[0], info[1], info[2]
        outcome, _when = pool_result[pool_id]
        status = TubeStatus.POOL_POSITIVE if outcome == Outcome.POSITIVE else TubeStatus.POOL_INVALID
        member_status.append((pk, status, lab.pk))
        queued.append(_queued_row(_template(info, now), person_id, info[9:13], pool_id))
        member_after = {"pool": str(pool_id), "status": status}
        audit.append(_audit(actor_id, now, "sample.pool_result", sample_label, pk, member_after))
    # Invalid single samples: a re-test is queued.
    if invalid_ids:
        for part in _chunks(invalid_ids):
            infos = Sample.objects.filter(pk__in=part).order_by("pk").values_list(*_SAMPLE_INFO)
            queued.extend(_queued_row(_template(info, now), info[1], info[9:13], None) for info in infos)
    bulk.update(Sample, _RESULT_COLS, sample_updates)
    bulk.update(Sample, _RESULT_COLS[:-1], sample_kept)
    bulk.update(Pool, _RESULT_COLS, pool_updates)
    bulk.update(Pool, _RESULT_COLS[:-1], pool_kept)
    _resolve_negative_members(negative_pools, lab, actor_id)
    bulk.update(Sample, ("status", "lab_id"), member_status)
    audit.extend(
        _audit(actor_id, now, "sample.queue", sample_label, q["id"], {"person": str(q["person_id"]), "pool": _s(q)})
        for q in queued
    )
    bulk.insert(Sample, queued)
    done.queued = len(queued)
    # Positive single samples: case proposals.
    if positives_ids:
        positives: list[_Positive] = []
        for part in _chunks(positives_ids):
            infos = Sample.objects.filter(pk__in=part).values_list(*_SAMPLE_INFO)
            positives.extend(
                _Positive(i[0], i[1], i[3], _local_day(i[8]), i[5], i[7], (i[9], i[10], i[11], i[12])) for i in infos
            )
        positives.sort(key=lambda p: (p.taken_on, str(p.sample_id)))
        proposals = _propose(actor, positives, now)
        bulk.insert(CaseProposal, proposals)
        label = CaseProposal._meta.label
        audit.extend(
            _audit(actor_id, now, "proposal.create", label, p["id"], {"sample": str(p["sample_id"])}) for p in proposals
        )
        done.proposals = len(proposals)
    bulk.insert(AuditLog, audit)


def _resolve_negative_members(pool_ids: Sequence[uuid.UUID], lab: Laboratory, actor_id: Any) -> None:
    """Each member of these (now negative) pools is negative at the pool's result time.

    No receipt time: the pool's tube was received (and counts in the lab's figures).
    """
    resulted_at = Subquery(Pool.objects.filter(pk=OuterRef("pool_id")).values("resulted_at")[:1])
    for part in _chunks(pool_ids):
        Sample.objects.filter(pool_id__in=part).update(
            status=TubeStatus.RESULTED,
            outcome=Outcome.NEGATIVE,
            ct=None,
            resulted_at=resulted_at,
            resulted_by_id=actor_id,
            result_source=ResultSource.POOL,
            lab_id=lab.pk,
        )


def _s(queued: dict[str, Any]) -> str:
    return str(queued["queued_from_id"] or "")


def _template(info: Sequence[Any], now: datetime.datetime) -> dict[str, Any]:
    return {
        "test_kind": info[3],
        "sample_type": info[4],
        "place_kind": info[5],
        "place_name": info[6],
        "campaign_id": info[7],
        "now": now,
    }


def _audit(actor_id: Any, now: datetime.datetime, action: str, label: str, pk: Any, after: Any) -> dict[str, Any]:
    return {
        "actor_id": actor_id,
        "at": now,
        "action": action,
        "object_type": label,
        "object_id": str(pk),
        "before": None,
        "after": after,
    }


def refusal_message(problem: Problem) -> str:
    return rules.row_message(problem.code, problem.params)


def results_summary(applied: Applied) -> str:
    return _("%(w)s written, %(u)s unchanged, %(r)s refused") % {
        "w": applied.written,
        "u": applied.unchanged,
        "r": len(applied.problems),
    }
