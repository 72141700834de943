"""Admin units by id, kept in memory by each process (reference data, read on every public form).

Units change only when a hierarchy is loaded or edited: a save or delete in this process empties
the cache (signals below, and ``clear`` after the bulk loads of geo.loading), and entries expire
after ``TTL`` seconds so that a change made by another process is seen within minutes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from phongdich.geo.models import AdminUnit

TTL = 300.0
MAX_ENTRIES = 20_000
MAX_PK = 2**31 - 1  # ids beyond the column's range exist nowhere (and would overflow the query)

_lock = threading.Lock()
_units: dict[int, tuple[float, AdminUnit]] = {}


def units_by_pk(pks: Iterable[int]) -> dict[int, AdminUnit]:
    """{pk: unit} for the ids that exist; one query for those not cached (or expired)."""
    now = time.monotonic()
    wanted = {pk for pk in pks if 0 < pk <= MAX_PK}
    found: dict[int, AdminUnit] = {}
    with _lock:
        for pk in wanted:
            entry = _units.get(pk)
            if entry is not None and now - entry[0] < TTL:
                found[pk] = entry[1]
    missing = wanted - found.keys()
    if missing:
        loaded = AdminUnit.objects.in_bulk(missing)
        with _lock:
            if len(_units) + len(loaded) > MAX_ENTRIES:
                _units.clear()
            for pk, unit in loaded.items():
                _units[pk] = (now, unit)
        found.update(loaded)
    return found


def clear() -> None:
    with _lock:
        _units.clear()


@receiver(post_save, sender=AdminUnit)
@receiver(post_delete, sender=AdminUnit)
def _unit_changed(**kwargs: Any) -> None:
    clear()
