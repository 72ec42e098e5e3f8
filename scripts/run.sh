#!/usr/bin/env bash
# `make run`: migrate, load demo data, then serve with gunicorn and run the Celery
# worker with its beat scheduler alongside. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export DMS_DEV="${DMS_DEV:-1}"
export DJANGO_SETTINGS_MODULE=config.settings.base
PORT="${PORT:-8000}"
BIN=.venv/bin
mkdir -p var

$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py createcachetable
$BIN/python manage.py collectstatic --noinput -v0
$BIN/python manage.py seed_demo

# Celery worker + embedded beat. Without CELERY_BROKER_URL the broker is kombu's filesystem
# transport under var/celery/ (no broker process needed).
mkdir -p var/log
$BIN/celery -A config worker --beat --loglevel=INFO --concurrency=1 \
  --schedule="var/celerybeat-schedule" --pidfile= >> var/log/worker.log 2>&1 &
CELERY_PID=$!
trap 'kill $CELERY_PID 2>/dev/null || true; wait $CELERY_PID 2>/dev/null || true' EXIT INT TERM

echo "Celery worker + beat running; its log (and the console e-mails) in var/log/worker.log"
echo "Serving on http://127.0.0.1:${PORT}/  (Ctrl-C to stop)"
$BIN/gunicorn config.wsgi:application --bind "127.0.0.1:${PORT}" --workers "${WEB_WORKERS:-2}" \
  --worker-class gthread --threads "${WEB_THREADS:-2}" --reuse-port \
  --access-logfile - --log-level warning &
GUNICORN_PID=$!
trap 'kill $GUNICORN_PID $CELERY_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM
wait $GUNICORN_PID
