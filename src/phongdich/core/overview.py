"""Figures that modules add to the overview page (their own counts, scoped to the user).

Core never imports the modules: each registers a provider in its app's ``ready()``; a
provider returns the figures it has for this user (none when the role may not see them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phongdich.core.models import User


@dataclass
class Figure:
    value: int
    label: str
    url: str = ""
    warn: bool = False


Provider = Callable[["User"], Iterable[Figure]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def figures_for(user: User) -> list[Figure]:
    return [figure for provider in _providers for figure in provider(user)]
