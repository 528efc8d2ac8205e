#!/usr/bin/env bash
# `make test`: lint, compile translations and run the whole suite. PostgreSQL and Redis are
# used when configured (DATABASE_URL, REDIS_URL) or reachable on 127.0.0.1:5432 / :6379.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=opsdesk.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true
$BIN/ruff check .
# The layers of docs/architecture.md ([tool.importlinter] in pyproject.toml).
$BIN/lint-imports --no-cache
$BIN/python manage.py compile_translations
$BIN/python manage.py makemigrations --check --dry-run
# Two pytest-xdist workers (each with its own test database): the suite mostly waits on
# PostgreSQL, Chromium and the Celery workers, so two halve its time on two cores.
# OPSDESK_TEST_WORKERS=0 runs it in one process (for -s or pdb).
exec $BIN/pytest -n "${OPSDESK_TEST_WORKERS:-2}" "$@"
