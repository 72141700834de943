"""Scoped reads of the checkpoints app."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from phongdich.checkpoints.models import Arrival, Checkpoint, Passage, Shift, Vehicle, VehiclePassage, Violation
from phongdich.checkpoints.status import find_person, typed_id_number
from phongdich.core import access
from phongdich.core.models import User
from phongdich.core.roles import Role

if TYPE_CHECKING:
    from phongdich.people.models import Person


def checkpoints_in_scope(user: User) -> QuerySet[Checkpoint]:
    return access.scope(user, Checkpoint.objects.select_related("district", "commune"))


def arrivals_in_scope(user: User) -> QuerySet[Arrival]:
    return access.scope(
        user,
        Arrival.objects.select_related("person", "passage__checkpoint", "passage__origin", "commune", "village"),
    )


def passages_in_scope(user: User) -> QuerySet[Passage]:
    return access.scope(user, Passage.objects.select_related("person", "checkpoint", "origin", "destination_commune"))


def vehicle_passages_in_scope(user: User) -> QuerySet[VehiclePassage]:
    return access.scope(
        user,
        VehiclePassage.objects.select_related("vehicle", "checkpoint", "driver", "owner", "origin", "destination"),
    )


def violations_in_scope(user: User) -> QuerySet[Violation]:
    return access.scope(
        user,
        Violation.objects.select_related(
            "vehicle", "person", "owner", "driver", "passage__checkpoint", "vehicle_passage__checkpoint"
        ),
    )


def vehicles_seen(user: User) -> QuerySet[Vehicle]:
    """Vehicles that went through a checkpoint of the user's area."""
    return Vehicle.objects.filter(pk__in=access.scope(user, VehiclePassage.objects.all()).values("vehicle_id"))


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The local day as an aware [start, end) range (an indexable filter on a time column)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start, timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


@dataclass
class Figures:
    passages: int = 0
    vehicles: int = 0
    over_capacity: int = 0
    on_duty: int = 0  # officers on a shift right now


def figures(checkpoint_ids: Iterable[uuid.UUID], day: datetime.date | None = None) -> dict[uuid.UUID, Figures]:
    """A day's figures (default today) of each checkpoint: one grouped query per figure."""
    ids = list(checkpoint_ids)
    start, end = day_bounds(day or timezone.localdate())
    out = {cp_id: Figures() for cp_id in ids}
    window = {"checkpoint_id__in": ids, "passed_at__gte": start, "passed_at__lt": end}
    for row in Passage.objects.filter(**window).values("checkpoint_id").annotate(n=Count("id")).order_by():
        out[row["checkpoint_id"]].passages = row["n"]
    vehicles = VehiclePassage.objects.filter(**window).values("checkpoint_id")
    for row in vehicles.annotate(n=Count("id"), over=Count("id", filter=Q(over_capacity=True))).order_by():
        out[row["checkpoint_id"]].vehicles = row["n"]
        out[row["checkpoint_id"]].over_capacity = row["over"]
    now = timezone.now()
    shifts = Shift.objects.filter(checkpoint_id__in=ids, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
    for row in shifts.values("checkpoint_id").annotate(n=Count("officers", distinct=True)).order_by():
        out[row["checkpoint_id"]].on_duty = row["n"]
    return out


def shift_officers(checkpoint: Checkpoint) -> QuerySet[User]:
    """Who may be put on a shift at ``checkpoint``: active users of its unit, of a unit above it or below it."""
    own = checkpoint.village_id or checkpoint.commune_id or checkpoint.district_id or checkpoint.province_id
    level = (
        "village"
        if checkpoint.village_id
        else "commune"
        if checkpoint.commune_id
        else "district"
        if checkpoint.district_id
        else "province"
    )
    above = [u for u in (checkpoint.province_id, checkpoint.district_id, checkpoint.commune_id) if u is not None]
    first = Case(
        When(role=Role.CHECKPOINT, then=Value(0)),
        When(role=Role.POLICE, then=Value(1)),
        When(role=Role.HEALTH, then=Value(2)),
        default=Value(3),
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(unit_id__in=[*above, own]) | Q(**{f"unit__{level}_id": own}))
        .select_related("unit")
        .order_by(first, "role", "last_name", "first_name", "username")
    )


def declaration_for(token: str) -> Any:
    """The declarations app's record for a scanned QR token (None when absent or invalid)."""
    try:
        from phongdich.declarations.queries import declaration_for_token
    except ImportError:  # pragma: no cover - the app is built alongside
        return None
    try:
        return declaration_for_token(token)
    except Exception:
        return None


def recent_declaration(person: Person, days: int = 3) -> Any:
    """The person's latest declaration of the last ``days`` days (declarations app), or None."""
    import datetime

    from django.utils import timezone

    try:
        from phongdich.declarations.queries import latest_declarations
    except ImportError:  # pragma: no cover - the app is built alongside
        return None
    return latest_declarations([person.pk], timezone.now() - datetime.timedelta(days=days)).get(person.pk)


def lookup(*, id_number: str = "", token: str = "") -> tuple[Person | None, Any]:
    """(person, declaration) for a scanned QR token or a typed ID number."""
    if token:
        declaration = declaration_for(token.strip())
        if declaration is None or declaration.person_id is None:
            return None, None
        person = declaration.person
        while person.merged_into_id is not None:
            person = person.merged_into
        return person, declaration
    if id_number:
        from phongdich.declarations.processing import ensure_processed_for

        digits = typed_id_number(id_number)
        if digits is not None:
            ensure_processed_for(digits)  # someone who declared a moment ago is known
    return find_person(id_number), None
