"""The declarations section of the person page (registered in apps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phongdich.core import access
from phongdich.core.roles import Perm
from phongdich.declarations.models import Declaration
from phongdich.people.panels import Panel

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person


def person_declarations(person: Person, user: User) -> Panel | None:
    """The person's latest declarations the user may see (their area's), with open flags."""
    if not user.can(Perm.DECLARATION_VIEW):
        return None
    declarations = list(
        access.scope(user, Declaration.objects.filter(person=person))
        .select_related("commune", "origin_province")
        .prefetch_related("flags")
        .order_by("-declared_at")[:10]
    )
    if not declarations:
        return None
    return Panel("declarations/_person_declarations.html", {"declarations": declarations}, order=40)
