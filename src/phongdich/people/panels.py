"""Sections that other modules add to the person page (their F level, cases, tests…).

The people app never imports those modules: each registers a provider in its app's
``ready()``. A provider returns a ``Panel`` (a template and its context) or None when it has
nothing to show for this person and user. Panels are shown in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.people.models import Person


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


Provider = Callable[["Person", "User"], "Panel | None"]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(person: Person, user: User) -> list[Panel]:
    found = [panel for provider in _providers if (panel := provider(person, user)) is not None]
    return sorted(found, key=lambda p: p.order)
