#!/usr/bin/env bash
# `make bench`: run every benchmark in bench/ in turn; each prints its own figures. Not part of `make test`.
# Extra arguments go to every script (for example `--households 20000`).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.test
status=0
for script in bench/*.py; do
  printf '\n=== %s\n' "$script"
  .venv/bin/python "$script" "$@" || status=$?
done
exit $status
