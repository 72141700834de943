"""F-level derivation (owned by the tracing-engine work; this is the agreed interface).

Other modules call only these functions; they keep PersonLevel rows true after each event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phongdich.cases.models import Case
    from phongdich.tracing.models import Contact


def on_case_confirmed(case: Case) -> None:
    """A person became F0 (or a case was re-confirmed): their contacts move up."""


def on_case_ruled_out(case: Case) -> None:
    """A case was ruled out: the levels that came only from it move down or go."""


def on_contact_changed(contact: Contact) -> None:
    """A contact was added or removed (removed_at set)."""
