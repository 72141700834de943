"""The person page's F-level section (level, chain, handling due), shown to CASE_VIEW roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phongdich.core.roles import Perm
from phongdich.people.panels import Panel

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person


def person_level_panel(person: Person, user: User) -> Panel | None:
    if not user.can(Perm.CASE_VIEW):
        return None
    return Panel("tracing/_person_level_panel.html", {"person": person}, order=5)
