#!/usr/bin/env bash
# Set up the embedded database, build the demo county once, print the demo users and serve the platform.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=config.settings.dev
mkdir -p data
bash scripts/ensure-system-packages.sh

$PY manage.py migrate --no-input
users_file=data/demo-users.txt
if [ "$($PY manage.py shell --no-imports -c 'from mps.registry.models import Household; print(Household.objects.exists())' 2>/dev/null | tail -n 1)" = "False" ]; then
  echo "Building the demo county (Bacău) ..."
  $PY manage.py build_demo --seed 42 | tee "$users_file"
fi
if [ -f "$users_file" ]; then
  echo
  echo "Demo users (also in $users_file):"
  cat "$users_file"
fi
# Dashboards read per-locality aggregates that this worker rolls forward every 30 seconds; it stops with us.
$PY manage.py monitoring_refresh --loop --every 30 > data/monitoring-refresh.log 2>&1 &
refresher=$!
trap 'kill $refresher 2>/dev/null' EXIT INT TERM
echo
echo "Serving at http://127.0.0.1:8000  (Ctrl+C stops)"
$PY manage.py runserver 127.0.0.1:8000
