"""Display helpers for person records: masked ID numbers, phones, birth dates."""

from __future__ import annotations

from collections.abc import Collection

from django import template

from phongdich.people.display import birth_display, mask_id_number
from phongdich.people.models import Person
from phongdich.people.validation import display_phone

register = template.Library()


@register.filter
def id_number_for(value: str | None, perms: Collection[str]) -> str:
    """The full ID number for roles that edit people; the middle digits masked for the others."""
    return mask_id_number(value, full="person_edit" in perms)


@register.filter
def phone(value: str) -> str:
    return display_phone(value or "")


@register.filter
def birth(person: Person) -> str:
    return birth_display(person)
