"""High-risk areas declared by the province (placeholder until the RiskArea list is built)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phongdich.geo.models import AdminUnit


def risk_level_of(unit: AdminUnit | None, on: datetime.date) -> str | None:
    return None
