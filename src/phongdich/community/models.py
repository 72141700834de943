"""Models of the community app (issue 4)."""

from __future__ import annotations
