"""Models of the quarantine app (issue 4)."""

from __future__ import annotations
