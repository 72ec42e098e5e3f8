#!/usr/bin/env bash
# `make test`: ruff, migrations check, the whole pytest suite on SQLite, then again on
# PostgreSQL when DATABASE_URL points at one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1

scripts/ensure-system-packages.sh

echo "== ruff"
$BIN/ruff check .
echo "== migrations are up to date"
DMS_DEV=1 $BIN/python manage.py makemigrations --check --dry-run -v0

PG_URL="${DATABASE_URL:-}"
echo "== pytest on SQLite (concurrency tests need PostgreSQL: they run in the PostgreSQL pass)"
env -u DATABASE_URL $BIN/pytest -n "${PYTEST_WORKERS:-2}" -q -m "not postgres" "$@"
if [[ "$PG_URL" == postgres* ]]; then
  echo "== pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $BIN/pytest -n "${PYTEST_WORKERS:-2}" -q "$@"
fi
