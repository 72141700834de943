"""How person fields are shown: ID numbers masked for view-only roles, dates dd/mm/yyyy."""

from __future__ import annotations

from phongdich.people.models import Person


def mask_id_number(value: str | None, *, full: bool) -> str:
    """``001099012345`` → ``001******345`` unless ``full``; 9 digits keep 2 + 3."""
    if not value:
        return ""
    if full:
        return value
    head = 3 if len(value) == 12 else 2
    return value[:head] + "*" * (len(value) - head - 3) + value[-3:]


def birth_display(person: Person) -> str:
    if person.birth_date:
        return person.birth_date.strftime("%d/%m/%Y")
    if person.birth_year:
        return str(person.birth_year)
    return ""
