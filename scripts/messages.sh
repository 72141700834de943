#!/usr/bin/env bash
# Rebuilds each app's Vietnamese catalogue from the source strings, then fills it from the
# translation fragments in locale/vi/LC_MESSAGES/parts/*.po (one per area, so that people
# working on different areas never edit the same file), and compiles it.
# Source strings are English, so English needs no catalogue of its own.
# `bash scripts/messages.sh testing quarantine` rebuilds only those apps' catalogues.
set -euo pipefail
export LC_ALL=C.UTF-8 LANG=C.UTF-8
cd "$(dirname "$0")/.."
root=$PWD
apps=()
if [ $# -gt 0 ]; then for name in "$@"; do apps+=("src/phongdich/$name/"); done; else apps=(src/phongdich/*/); fi
for app in "${apps[@]}"; do
  parts="$app/locale/vi/LC_MESSAGES/parts"
  [ -d "$parts" ] || continue
  (cd "$app" && PYTHONPATH="$root/src" DJANGO_SETTINGS_MODULE=phongdich.settings \
    "$root/.venv/bin/python" -m django makemessages -l vi --no-obsolete --no-location -i "migrations/*" >/dev/null)
  po="$app/locale/vi/LC_MESSAGES/django.po"
  tmp=$(mktemp)
  msgcat --use-first "$parts"/*.po -o "$tmp"
  msgmerge --quiet --no-fuzzy-matching --no-location "$tmp" "$po" -o "$po.new"
  mv "$po.new" "$po"
  rm -f "$tmp"
  msgfmt --check-format -o "${po%.po}.mo" "$po"
done
