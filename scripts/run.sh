#!/usr/bin/env bash
# `make run`: migrate, load the demo chain when empty, compute its KPIs, compile translations
# and serve the app. With REDIS_URL set it also starts a Celery worker and beat; Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# The settings read .env too; read it here as well so REDIS_URL there starts the worker.
if [ -f .env ]; then set -a; . ./.env; set +a; fi
PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-opsdesk.settings.local}"

$BIN/python manage.py compile_translations
$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo --if-empty
# The KPIs of the demo history (90 days), once: a restart computes only what is missing.
$BIN/python manage.py compute_kpis --days 90 --missing | tail -n 1

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

if [ -n "${REDIS_URL:-}" ]; then
  mkdir -p var
  $BIN/celery -A opsdesk worker --loglevel=INFO --concurrency=2 &
  pids+=($!)
  $BIN/celery -A opsdesk beat --loglevel=INFO --schedule=var/celerybeat-schedule &
  pids+=($!)
  echo "Celery worker and beat started on $REDIS_URL"
else
  echo "No REDIS_URL: background tasks run in-process."
fi

cat <<MSG

  OpsDesk is at http://127.0.0.1:${PORT}/
  Demo logins (password: ${OPSDESK_DEMO_PASSWORD:-opsdesk-demo}):
    headoffice            head office, every store (and the Django admin)
    regional              regional ops, the first region
    manager, staff        store manager and staff of the first store
    manager-<store code>  the manager of each store, e.g. manager-SH001
    regional-<region>     regional ops of each region, e.g. regional-EC
    admin                 superuser

MSG
$BIN/python manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)
wait "${pids[-1]}"
