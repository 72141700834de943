"""Merging two records of one person, and undoing it.

A merge re-points every link to the merged record onto the survivor. The links are found
generically from ``Person._meta`` (foreign keys and one-to-ones of every installed app,
including the ones later modules add), so nothing needs registering here. What was moved is
kept on the ``PersonMerge`` row (``{"app_label.Model.field": [pk, ...]}``) so that an undo
moves exactly those rows back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.audit import _jsonable, record_change
from phongdich.people.actions import queue_duplicate
from phongdich.people.models import DuplicateCandidate, Person, PersonMerge, Sex

if TYPE_CHECKING:
    from phongdich.core.models import User

# Fields of the survivor filled from the merged record when the survivor lacks them.
FILL_FIELDS = [
    "id_number",
    "birth_date",
    "birth_year",
    "phone",
    "address",
    "household",
    "household_role",
    "ethnicity",
    "occupation",
    "workplace",
    "conditions",
]
UNIT_FIELDS = ["province", "district", "commune", "village"]
# Models whose links to a person are about the merge itself, not about the person.
_SKIPPED_MODELS = (DuplicateCandidate, PersonMerge)


class MergeError(Exception):
    """A merge or undo that cannot be done; the message is for the user."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# Modules whose derived data depends on who is who (F levels…) register here in their app's
# ready(); they are called inside the merge/undo transaction with the people concerned.
MergeListener = Callable[[list[uuid.UUID]], None]
_listeners: list[MergeListener] = []


def on_merge_change(listener: MergeListener) -> MergeListener:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def _notify(person_ids: list[uuid.UUID]) -> None:
    for listener in _listeners:
        listener(person_ids)


def person_links() -> list[models.ForeignKey[Any, Any]]:
    """Every foreign key / one-to-one (from any app) pointing at Person, except merge bookkeeping."""
    fields: list[models.ForeignKey[Any, Any]] = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        field = rel.field  # type: ignore[union-attr]
        model = field.model
        if model is Person and field.name == "merged_into":
            continue
        if issubclass(model, _SKIPPED_MODELS):
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        fields.append(field)  # type: ignore[arg-type]
    return fields


def _link_key(field: models.Field[Any, Any]) -> str:
    return f"{field.model._meta.app_label}.{field.model.__name__}.{field.name}"


def _field_for_key(key: str) -> models.ForeignKey[Any, Any] | None:
    for field in person_links():
        if _link_key(field) == key:
            return field
    return None


def _values(person: Person, names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        field = Person._meta.get_field(name)
        out[name] = _jsonable(getattr(person, field.attname))  # type: ignore[union-attr]
    return out


def _set_values(person: Person, values: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        field = Person._meta.get_field(name)
        attname = field.attname  # type: ignore[union-attr]
        if isinstance(field, models.DateField) and isinstance(value, str):
            import datetime

            value = datetime.date.fromisoformat(value)
        if isinstance(field, models.ForeignKey) and value is not None and field.related_model is not Person:
            target = field.related_model._meta.pk
            value = target.to_python(value) if target is not None else value
        setattr(person, attname, value)
        changed.append(name)
    return changed


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


@transaction.atomic
def merge_people(
    actor: User | None, survivor: Person, merged: Person, candidate: DuplicateCandidate | None = None
) -> PersonMerge:
    """Merge ``merged`` into ``survivor``: move every link, fill the survivor's gaps, mark merged."""
    if survivor.pk == merged.pk:
        raise MergeError(_("A record cannot be merged into itself."))
    # Lock both rows in primary-key order, then re-read them.
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=sorted([survivor.pk, merged.pk]))}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise MergeError(_("One of these records has already been merged into another."))

    moved: dict[str, list[Any]] = {}
    for field in person_links():
        model = field.model
        rows = model._default_manager.filter(**{field.attname: merged.pk})
        pks = list(rows.values_list("pk", flat=True))
        if not pks:
            continue
        moved_pks: list[Any] = []
        try:
            with transaction.atomic():
                model._default_manager.filter(pk__in=pks).update(**{field.attname: survivor.pk})
            moved_pks = pks
        except IntegrityError:
            # A unique link (one-to-one, unique together) the survivor already has: keep that
            # row on the merged record and move the others one by one.
            for pk in pks:
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk=pk).update(**{field.attname: survivor.pk})
                    moved_pks.append(pk)
                except IntegrityError:
                    continue
        if moved_pks:
            moved[_link_key(field)] = [_jsonable(pk) for pk in moved_pks]

    # Fill the survivor's gaps from the merged record.
    survivor_before = _values(survivor, [*FILL_FIELDS, "sex", *UNIT_FIELDS])
    fills: dict[str, Any] = {}
    for name in FILL_FIELDS:
        attname = Person._meta.get_field(name).attname  # type: ignore[union-attr]
        if _is_empty(getattr(survivor, attname)) and not _is_empty(getattr(merged, attname)):
            fills[attname] = getattr(merged, attname)
    if survivor.sex == Sex.UNKNOWN and merged.sex != Sex.UNKNOWN:
        fills["sex"] = merged.sex
    if survivor.commune_id is None and merged.commune_id is not None:
        for name in UNIT_FIELDS:
            fills[f"{name}_id"] = getattr(merged, f"{name}_id")

    merged_before = _values(merged, ["merged_into"])
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    if fills:
        for attname, value in fills.items():
            setattr(survivor, attname, value)
        names = [n for n in survivor_before if Person._meta.get_field(n).attname in fills]  # type: ignore[union-attr]
        survivor.save(update_fields=[*fills.keys(), "updated_at"])
        survivor_before = {k: v for k, v in survivor_before.items() if k in names}
    else:
        survivor_before = {}

    # The reviewed pair is merged; other pending pairs of the merged record move to the survivor.
    now = timezone.now()
    reviewer = actor if actor is not None and actor.is_authenticated else None
    closed: list[int] = []
    created: list[int] = []
    pending = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.PENDING)
    for cand in pending.filter(models.Q(person_a=merged) | models.Q(person_b=merged)).select_related(
        "person_a", "person_b"
    ):
        other = cand.person_b if cand.person_a_id == merged.pk else cand.person_a
        if (
            other.pk != survivor.pk
            and other.merged_into_id is None
            and queue_duplicate(survivor, other, cand.score, list(cand.reasons))
        ):
            first, second = sorted([survivor.pk, other.pk], key=str)
            created.append(DuplicateCandidate.objects.get(person_a_id=first, person_b_id=second).pk)
        cand.status = DuplicateCandidate.Status.MERGED
        cand.reviewed_by = reviewer
        cand.reviewed_at = now
        cand.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        closed.append(cand.pk)
    if candidate is not None and candidate.pk not in closed:
        candidate.status = DuplicateCandidate.Status.MERGED
        candidate.reviewed_by = reviewer
        candidate.reviewed_at = now
        candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])

    merge = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        candidate=candidate,
        moved=moved,
        survivor_before=survivor_before,
        merged_before={**merged_before, "_candidates": {"closed": closed, "created": created}},
        performed_by=reviewer,
    )
    after = _values(survivor, list(survivor_before))
    record_change(actor, "person.merge", survivor, survivor_before, {**after, "merged": str(merged.pk), "moved": moved})
    record_change(actor, "person.merge", merged, {"merged_into": None}, {"merged_into": str(survivor.pk)})
    _notify([survivor.pk, merged.pk])
    return merge


def later_merges(merge: PersonMerge) -> models.QuerySet[PersonMerge]:
    """Merges done after ``merge`` that involve its records and are not undone."""
    people = [merge.survivor_id, merge.merged_id]
    return PersonMerge.objects.filter(
        models.Q(survivor_id__in=people) | models.Q(merged_id__in=people),
        undone_at__isnull=True,
        performed_at__gte=merge.performed_at,
    ).exclude(pk=merge.pk)


@transaction.atomic
def undo_merge(actor: User | None, merge: PersonMerge) -> PersonMerge:
    """Move back exactly what the merge moved, restore both records, un-mark the merged one."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeError(_("This merge has already been undone."))
    if later_merges(merge).exists():
        raise MergeError(_("A later merge involves these records: undo that one first."))
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=sorted([merge.survivor_id, merge.merged_id]))
    }
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    if merged.merged_into_id != survivor.pk:
        raise MergeError(_("The merged record no longer points to the surviving one."))

    # Move the links back (only rows that still point at the survivor).
    for key, pks in (merge.moved or {}).items():
        field = _field_for_key(key)
        if field is None:
            continue
        field.model._default_manager.filter(pk__in=pks, **{field.attname: survivor.pk}).update(
            **{field.attname: merged.pk}
        )

    # Restore the survivor's filled fields, unless someone has changed them since.
    before = merge.survivor_before or {}
    current = _values(survivor, list(before))
    merged_values = _values(merged, list(before))
    restore = {name: old for name, old in before.items() if current.get(name) == merged_values.get(name)}
    survivor_now = _values(survivor, list(restore))
    if restore:
        changed = _set_values(survivor, restore)
        attnames = [Person._meta.get_field(n).attname for n in changed]  # type: ignore[union-attr]
        survivor.save(update_fields=[*attnames, "updated_at"])
    merged.merged_into = None
    try:
        with transaction.atomic():
            merged.save(update_fields=["merged_into", "updated_at"])
    except IntegrityError as exc:
        raise MergeError(_("Another active record now has this ID number; the merge cannot be undone.")) from exc

    candidates = (merge.merged_before or {}).get("_candidates", {})
    DuplicateCandidate.objects.filter(
        pk__in=candidates.get("created", []), status=DuplicateCandidate.Status.PENDING
    ).delete()
    reopen = [*candidates.get("closed", []), *([merge.candidate_id] if merge.candidate_id else [])]
    DuplicateCandidate.objects.filter(pk__in=reopen).update(
        status=DuplicateCandidate.Status.PENDING, reviewed_by=None, reviewed_at=None
    )

    merge.undone_at = timezone.now()
    merge.undone_by = actor if actor is not None and actor.is_authenticated else None
    merge.save(update_fields=["undone_at", "undone_by"])
    record_change(actor, "person.merge_undo", survivor, survivor_now, _values(survivor, list(restore)))
    record_change(actor, "person.merge_undo", merged, {"merged_into": str(survivor.pk)}, {"merged_into": None})
    _notify([survivor.pk, merged.pk])
    return merge


@transaction.atomic
def dismiss_candidate(actor: User | None, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Record that the two records of a pair are not the same person."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.PENDING:
        raise MergeError(_("This pair has already been reviewed."))
    candidate.status = DuplicateCandidate.Status.DISMISSED
    candidate.reviewed_by = actor if actor is not None and actor.is_authenticated else None
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    record_change(
        actor,
        "duplicate.dismiss",
        candidate,
        {"status": DuplicateCandidate.Status.PENDING},
        {"status": DuplicateCandidate.Status.DISMISSED},
    )
    return candidate


@transaction.atomic
def merge_candidate(actor: User | None, candidate: DuplicateCandidate, survivor: Person) -> PersonMerge:
    """Merge a reviewed pair, keeping ``survivor`` (one of the two records)."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != DuplicateCandidate.Status.PENDING:
        raise MergeError(_("This pair has already been reviewed."))
    if survivor.pk == candidate.person_a_id:
        merged = candidate.person_b
    elif survivor.pk == candidate.person_b_id:
        merged = candidate.person_a
    else:
        raise MergeError(_("The record to keep must be one of the pair."), status=422)
    return merge_people(actor, survivor, merged, candidate)
