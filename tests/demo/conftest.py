"""Fixtures of the demo tests: the real units of Điện Biên and of the provinces workers go to."""

from __future__ import annotations

import pytest

from phongdich.demo import pools
from phongdich.geo.loading import load_units
from phongdich.geo.models import AdminUnit, Hierarchy

# Điện Biên and the destinations of its workers (Bắc Ninh, Bắc Giang, Hà Nội, Thái Nguyên…).
PROVINCES = sorted({"11", *(p for p, _c, _w, _n in pools.DESTINATIONS)})


@pytest.fixture
def units(db: None) -> AdminUnit:
    """The pre-2025 units of those provinces, loaded from vietnam-provinces. Returns province 11."""
    load_units(only=Hierarchy.PRE2025, provinces=PROVINCES)
    return AdminUnit.objects.get(version=Hierarchy.PRE2025, level="province", code="11")
