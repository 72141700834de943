"""What other modules do when a case changes: listeners registered from their app's ``ready()``.

- ``confirmed(case)``: a person became F0 (quarantine ends their stay as F0 and flags the room);
- ``closed(case)``: the case was ruled out or got its outcome (recovered, died), wherever that was
  recorded (treatment ends the patient's open stay, freeing the bed).

Listeners run inside the case action's transaction, after the case row is written: if one fails,
the change is not made. A listener must tolerate being called for a case it has nothing to do with,
and must not re-enter the same event (treatment's own discharge sets the outcome after closing its
stay, so its listener then finds no open stay).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phongdich.cases.models import Case
    from phongdich.core.models import User

Listener = Callable[["User | None", "Case"], object]
_confirmed: list[Listener] = []
_closed: list[Listener] = []


def on_confirmed(listener: Listener) -> Listener:
    if listener not in _confirmed:
        _confirmed.append(listener)
    return listener


def on_closed(listener: Listener) -> Listener:
    if listener not in _closed:
        _closed.append(listener)
    return listener


def confirmed(actor: User | None, case: Case) -> None:
    for listener in _confirmed:
        listener(actor, case)


def closed(actor: User | None, case: Case) -> None:
    for listener in _closed:
        listener(actor, case)
