"""The checkpoints part of the demo (called by `manage.py demo_outbreak`). Idempotent."""

from __future__ import annotations

from phongdich.geo.models import AdminUnit


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    """Add this module's demo records; return a one-line summary ("" if nothing done)."""
    return ""
