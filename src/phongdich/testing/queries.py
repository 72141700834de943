"""Scoped reads of the testing app, and what other apps may ask of it.

``sample_dates`` is the seam the quarantine app uses for its test schedule (a due test counts as
done when a sample of the person was taken on or after the due day). Keep its signature.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable


def sample_dates(person_ids: Iterable[uuid.UUID], since: datetime.date) -> dict[uuid.UUID, list[datetime.date]]:
    """The dates (local) on which each person had a sample taken, on or after ``since``, ascending.

    Persons without a sample are left out of the result. (Stub until the testing app has samples.)
    """
    return {}
