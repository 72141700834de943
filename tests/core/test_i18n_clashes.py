"""No two apps translate the same source string differently.

At run time Django merges every app's catalogue into one per language: for a (msgctxt, msgid)
present in several apps, the translation of the app listed first in INSTALLED_APPS is shown on
every page. Two apps translating the same string differently is therefore a bug: one of them shows
the other's wording. Give the string a more specific English wording, or a context (pgettext), when
the meaning differs between pages; otherwise make the fragments agree.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from tests.core.po_files import CATALOGUES, FRAGMENT_DIRS, read_entries

Key = tuple[str | None, str]  # (msgctxt, msgid)


def parse_po(path: Path) -> dict[Key, tuple[str, ...]]:
    """{(msgctxt, msgid): translations} for every translated entry (see po_files.Entry.msgstr)."""
    return {(e.msgctxt, e.msgid): e.msgstr for e in read_entries(path) if any(e.msgstr)}


def find_clashes(catalogues: dict[str, dict[Key, tuple[str, ...]]]) -> dict[Key, dict[str, tuple[str, ...]]]:
    seen: dict[Key, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for app, catalogue in catalogues.items():
        for key, msgstr in catalogue.items():
            seen[key][app] = msgstr
    return {key: by_app for key, by_app in seen.items() if len(set(by_app.values())) > 1}


def describe(key: Key, by_app: dict[str, tuple[str, ...]]) -> str:
    ctx, msgid = key
    label = f"{msgid!r}" if ctx is None else f"{msgid!r} (context {ctx!r})"
    versions = "; ".join(f"{app}: {' | '.join(msgstr)!r}" for app, msgstr in sorted(by_app.items()))
    return f"  {label}: {versions}"


def test_parser_reads_contexts_and_plurals(tmp_path: Path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "quarantine"\nmsgid "Release"\nmsgstr "Kết thúc cách ly"\n\n'
        'msgid "Release"\nmsgstr "Ra viện"\n\n'
        'msgid "one row"\nmsgid_plural "%(n)s rows"\nmsgstr[0] "%(n)s dòng"\n\n'
        '#, fuzzy\nmsgid ""\n"Long "\n"text"\nmsgstr "Dài"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Mất"\n',
        encoding="utf-8",
    )
    assert parse_po(po) == {
        ("quarantine", "Release"): ("Kết thúc cách ly",),
        (None, "Release"): ("Ra viện",),
        (None, "one row"): ("%(n)s dòng",),
        (None, "Long text"): ("Dài",),
    }
    assert [e.fuzzy for e in read_entries(po)] == [False, False, False, True]  # what test_i18n refuses
    clashes = find_clashes({"a": {(None, "X"): ("x",)}, "b": {(None, "X"): ("y",), ("c", "X"): ("z",)}})
    assert list(clashes) == [(None, "X")]


def test_no_msgid_is_translated_differently_by_two_apps():
    catalogues = {po.parts[-5]: parse_po(po) for po in CATALOGUES}
    clashes = find_clashes(catalogues)
    listing = "\n".join(describe(key, clashes[key]) for key in sorted(clashes, key=lambda k: (k[1], k[0] or "")))
    assert not clashes, (
        f"{len(clashes)} source strings are translated differently by two apps; Django shows one "
        f"translation on every page, so make them agree, or give the string a more specific English "
        f"wording or a context (pgettext) where the meaning differs:\n{listing}"
    )


def test_fragments_of_one_app_agree():
    """scripts/messages.sh merges an app's fragments with `msgcat --use-first`: a second wording is silently lost."""
    problems = []
    for parts in FRAGMENT_DIRS:
        fragments = {po.name: parse_po(po) for po in sorted(parts.glob("*.po"))}
        for key, by_fragment in sorted(find_clashes(fragments).items(), key=lambda kv: (kv[0][1], kv[0][0] or "")):
            problems.append(f"{parts.parts[-5]}/{describe(key, by_fragment).strip()}")
    assert problems == [], "fragments of one app translate a string differently:\n  " + "\n  ".join(problems)


def test_pages_show_our_translation_not_djangos() -> None:
    """Django's own catalogues (admin, auth, humanize…) translate some of our strings too ("Filter",
    "Save", "active"): ours must win, which INSTALLED_APPS ensures by listing our apps first."""
    from django.utils import translation

    wrong: dict[str, tuple[str, str]] = {}
    with translation.override("vi"):
        for path in CATALOGUES:
            for (context, msgid), msgstr in parse_po(path).items():
                if len(msgstr) != 1 or "%" in msgid:
                    continue
                shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                if shown != msgstr[0]:
                    wrong[msgid] = (msgstr[0], shown)
    assert wrong == {}, "\n".join(f"{k!r}: ours {v[0]!r}, shown {v[1]!r}" for k, v in sorted(wrong.items()))
