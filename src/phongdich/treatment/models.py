"""Models of the treatment app (issue 4)."""

from __future__ import annotations
