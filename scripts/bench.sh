#!/usr/bin/env bash
# `make bench`: the performance benchmarks (bench/__main__.py) on PostgreSQL, with wrk as
# the load tool. Prints a table and writes bench/results.json. BENCH_ARGS passes flags,
# e.g. BENCH_ARGS="--only kpis_one_date,dashboard" make bench.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "bench: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing wrk (the load tool)"
    apt-get install -y -q --no-install-recommends wrk >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends wrk >/dev/null; }
  else
    echo "bench: wrk is missing; install it (apt-get install wrk) for the dashboard benchmark" >&2
  fi
fi
# shellcheck disable=SC2086
exec .venv/bin/python -m bench ${BENCH_ARGS:-} "$@"
