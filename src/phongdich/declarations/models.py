"""Models of the declarations app (issue 5)."""

from __future__ import annotations
