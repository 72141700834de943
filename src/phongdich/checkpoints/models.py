"""Models of the checkpoints app (issue 5)."""

from __future__ import annotations
