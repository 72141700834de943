"""Models of the testing app (issue 4)."""

from __future__ import annotations
