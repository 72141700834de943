"""The person page's "Cases" section: the person's cases and the button to confirm one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phongdich.cases import actions, queries
from phongdich.core.roles import Perm
from phongdich.people.panels import Panel

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person


def person_cases(person: Person, user: User) -> Panel | None:
    if not user.can(Perm.CASE_VIEW):
        return None
    cases = list(queries.cases_of_person(user, person))
    can_confirm = user.can(Perm.CASE_EDIT) and person.merged_into_id is None and actions.active_case(person) is None
    if not cases and not can_confirm:
        return None
    return Panel("cases/_person_cases.html", {"cases": cases, "can_confirm": can_confirm, "person": person}, order=10)
