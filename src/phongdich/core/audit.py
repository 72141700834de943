"""Audit rows (every change) and access rows (every read of a person's record)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.forms.models import model_to_dict

from phongdich.core.models import AccessLog, AuditLog

if TYPE_CHECKING:
    from phongdich.core.models import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: Model, fields: list[str] | None = None) -> dict[str, Any]:
    data = model_to_dict(obj, fields=fields)
    for f in obj._meta.concrete_fields:
        if (fields is None or f.name in fields) and not f.editable:
            data[f.name] = getattr(obj, f.attname)
    return {k: _jsonable(v) for k, v in data.items()}


def change_row(
    actor: User | None,
    action: str,
    obj: Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """The audit row of a change, not yet saved (for ``AuditLog.objects.bulk_create`` of a batch)."""
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after.get(k) for k in changed}
    return AuditLog(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def record_change(
    actor: User | None,
    action: str,
    obj: Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    row = change_row(actor, action, obj, before, after)
    row.save(force_insert=True)
    return row


def record_access(user: User, obj: Model, channel: str = "web", detail: str = "") -> None:
    AccessLog.objects.create(
        user=user if user.is_authenticated else None,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        channel=channel,
        detail=detail[:200],
    )
