#!/usr/bin/env bash
# `make prod-check`: start the production stack (gunicorn + the monitoring worker, production settings) on a
# scratch PostgreSQL database on this machine, probe it as a load balancer and an operator would, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
PG_URL=${MPS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/mps}
DB_URL="${PG_URL%/*}/mps_prodcheck"
PORT=${MPS_PRODCHECK_PORT:-8765}
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT

$VENV/python - "$PG_URL" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
    connection.execute("DROP DATABASE IF EXISTS mps_prodcheck WITH (FORCE)")
    connection.execute("CREATE DATABASE mps_prodcheck")
PY

export DJANGO_SETTINGS_MODULE=config.settings.prod
export DJANGO_SECRET_KEY="prod-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export MPS_PSEUDONYM_KEY="prod-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DATABASE_URL=$DB_URL DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost MPS_SECURE_SSL_REDIRECT=0
export MPS_DATA_DIR=$WORK/data MPS_GUNICORN_BIND=127.0.0.1:$PORT MPS_GUNICORN_WORKERS=2 MPS_LOG_LEVEL=INFO
mkdir -p "$MPS_DATA_DIR"

echo "--- migrate and collectstatic (production settings, PostgreSQL)"
$VENV/python manage.py migrate --no-input -v0
$VENV/python manage.py collectstatic --no-input -v0

echo "--- start gunicorn on 127.0.0.1:$PORT and the monitoring worker"
$VENV/gunicorn -c config/gunicorn.conf.py --pid "$WORK/web.pid" config.wsgi:application \
  >"$WORK/web.log" 2>&1 &
$VENV/python manage.py monitoring_worker --every 2 >"$WORK/worker.log" 2>&1 &
echo $! >"$WORK/worker.pid"

echo "--- probe"
$VENV/python scripts/prod_probe.py "http://127.0.0.1:$PORT" "$WORK/web.log" "$WORK/worker.log"

echo "--- stop both with SIGTERM"
web_pid=$(cat "$WORK/web.pid"); worker_pid=$(cat "$WORK/worker.pid")
kill -TERM "$web_pid" "$worker_pid"
for _ in $(seq 1 60); do
  if ! kill -0 "$web_pid" 2>/dev/null && ! kill -0 "$worker_pid" 2>/dev/null; then break; fi
  sleep 0.5
done
if kill -0 "$web_pid" 2>/dev/null || kill -0 "$worker_pid" 2>/dev/null; then
  echo "prod-check: a process did not stop within 30 s of SIGTERM" >&2; exit 1
fi
grep -q "Monitoring worker stopped" "$WORK/worker.log" || { echo "prod-check: the worker did not stop cleanly" >&2; cat "$WORK/worker.log" >&2; exit 1; }
rm -f "$WORK"/*.pid
echo "prod-check: gunicorn and the worker started, answered and stopped cleanly"
