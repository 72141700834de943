"""Template filters of the community pages."""

from __future__ import annotations

from django import template

from phongdich.people.validation import display_phone

register = template.Library()


@register.filter
def national_phone(value: str) -> str:
    """+84912345678 → 0912 345 678."""
    return display_phone(value or "")
