#!/usr/bin/env bash
# Refresh the Simplified Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po) from the
# code and templates. Needs GNU gettext (xgettext, msgmerge). New or changed strings come
# out empty or "#, fuzzy": translate them, remove the fuzzy flags, then run
# `make messages` (compile_translations refuses a catalogue with untranslated entries).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-opsdesk.settings.local}"

$BIN/python manage.py makemessages -l zh_Hans \
  --ignore=.venv --ignore=var --ignore=node_modules --ignore=tests \
  --no-obsolete "$@"

if command -v msgfmt >/dev/null; then
  msgfmt --check --statistics -o /dev/null locale/zh_Hans/LC_MESSAGES/django.po
fi
