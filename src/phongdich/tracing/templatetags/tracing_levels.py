"""``{% load tracing_levels %}{% person_level person %}``: the person's F level, chain and handling."""

from __future__ import annotations

from typing import Any

from django import template

from phongdich.tracing.chain import person_level_context

register = template.Library()


@register.inclusion_tag("tracing/_person_level.html", takes_context=True)
def person_level(context: dict[str, Any], person: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:
        return {"visible": False}
    return person_level_context(person, user)
