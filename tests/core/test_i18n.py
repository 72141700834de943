"""Every Vietnamese catalogue is complete and its compiled .mo matches it."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

from tests.core.po_files import CATALOGUES, read_entries


def parse_po(path: Path) -> list[tuple[str, str, bool, str | None]]:
    """(msgid, msgstr, fuzzy, msgctxt) for every entry but the header. Plural msgstr[0] counts as msgstr."""
    return [(e.msgid, e.msgstr[0] if e.msgstr else "", e.fuzzy, e.msgctxt) for e in read_entries(path)]


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 2


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete(po: Path):
    missing = [msgid for msgid, msgstr, fuzzy, _ctx in parse_po(po) if not msgstr or fuzzy]
    assert missing == [], f"untranslated in {po}: {missing[:10]}"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_compiled_catalogue_is_current(po: Path):
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for msgid, msgstr, _f, ctx in parse_po(po)
        if (compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], f"run `make messages`: {stale[:5]}"
