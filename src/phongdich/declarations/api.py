"""API of the declarations app, mounted by api/main.py."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["declarations"])
