"""Reading the Vietnamese catalogues for the i18n tests: one parser of .po files."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "phongdich"
CATALOGUES = sorted(SRC.glob("*/locale/vi/LC_MESSAGES/django.po"))
FRAGMENT_DIRS = sorted(SRC.glob("*/locale/vi/LC_MESSAGES/parts"))

FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(".*")$')


@dataclass(frozen=True)
class Entry:
    msgctxt: str | None
    msgid: str
    msgstr: tuple[str, ...]  # (msgstr,), or a plural entry's msgstr[0], msgstr[1]… in order
    fuzzy: bool


def read_entries(path: Path) -> list[Entry]:
    """Every entry but the header and the obsolete (#~) ones, translated or not."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#"):  # comments, flags and obsolete (#~) entries
                fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
                current = None
                continue
            m = FIELD.match(line)
            if m:
                current = m.group(1)
                fields[current] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        msgid = fields.get("msgid")
        if not msgid:
            continue
        if "msgid_plural" in fields:
            forms = sorted((k for k in fields if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))
            msgstr = tuple(fields[k] for k in forms)
        else:
            msgstr = (fields.get("msgstr", ""),)
        entries.append(Entry(fields.get("msgctxt"), msgid, msgstr, fuzzy))
    return entries
