"""Text helpers for Vietnamese: diacritic-insensitive keys for matching and search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), collapse spaces: "Lò Văn  Đức" → "lo van duc"."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = text.replace("đ", "d")
    return _SPACES.sub(" ", text).strip()


def clean_name(text: str) -> str:
    """Normalise a person's name as typed: NFC, single spaces, each word capitalised."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))
