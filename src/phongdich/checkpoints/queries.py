"""Scoped reads of the checkpoints app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from phongdich.checkpoints.models import Arrival, Checkpoint, Passage
from phongdich.checkpoints.status import find_person
from phongdich.core import access

if TYPE_CHECKING:
    from phongdich.core.models import User
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
    return find_person(id_number), None
