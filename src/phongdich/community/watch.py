"""What a community COVID team watches in its village: registered by other modules.

The community app never imports quarantine or treatment: each registers a provider in its app's
``ready()``. A provider receives the villages (AdminUnit rows of level village) and returns
``WatchItem`` rows for the persons living there that the team must watch: people in home
quarantine, F0 cared for at home, recent arrivals… The community app merges them into the
team's watch list, with each item's visit due date.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phongdich.geo.models import AdminUnit


@dataclass(frozen=True)
class WatchItem:
    person_id: uuid.UUID
    village_id: int | None
    kind: str  # a short code: "home_quarantine", "home_care", "arrival", …
    label: str  # shown to the team, in the current language ("Cách ly tại nhà đến 20/08/2021")
    since: datetime.date
    until: datetime.date | None = None
    url: str = ""  # a page with the details (the placement, the home-care record)
    visit_every_days: int = 1  # how often the team should visit


Provider = Callable[[Sequence["AdminUnit"], datetime.date], Iterable[WatchItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(villages: Sequence[AdminUnit], on: datetime.date) -> list[WatchItem]:
    """Every provider's items for these villages on this date."""
    return [item for provider in _providers for item in provider(villages, on)]
