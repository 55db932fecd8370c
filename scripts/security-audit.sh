#!/usr/bin/env bash
# Known vulnerabilities in the pinned runtime dependencies: pip-audit on requirements.txt, with the transitive
# dependencies pip resolves for it today, against the first vulnerability source that answers (PyPI's JSON
# API, else OSV).
#
#   scripts/security-audit.sh [--require-source] [REQUIREMENTS]   (default requirements.txt)
#
# Exit 0: no known vulnerability. Exit 1: a vulnerability was found, or a dependency could not be audited
# (--strict: an unaudited package is not a clean one). When no source answers (a machine whose only network is
# a package mirror), the audit cannot say anything: it prints why and exits 0, or 3 with --require-source
# (or MPS_AUDIT_REQUIRE_SOURCE=1), so CI fails on findings wherever the sources are reachable and is not
# failed by a network it does not have, unless asked to be.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
require=${MPS_AUDIT_REQUIRE_SOURCE:-0}
requirements=requirements.txt
while [ $# -gt 0 ]; do
  case $1 in
    --require-source) require=1; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) requirements=$1; shift ;;
  esac
done
[ -x $VENV/pip-audit ] || { echo "pip-audit is not installed: $VENV/pip install -r requirements-dev.txt" >&2; exit 2; }

# Ask each source about one pinned package the way pip-audit will. A mirror that serves pip can still lack the
# per-release JSON (pip-audit then skips every package as "not found on PyPI"), so a 200 with the
# `vulnerabilities` field is the test, not merely a connection.
service=$($VENV/python - "$requirements" <<'PY'
import json
import re
import sys
import urllib.request

pin = None
with open(sys.argv[1], encoding="utf-8") as requirements:
    for line in requirements:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^]]*\])?\s*==\s*([^\s;#]+)", line)
        if match:
            pin = match.groups()
            break
if pin is None:
    sys.exit(f"no pinned requirement (name==version) in {sys.argv[1]}")
name, version = pin
problems = []
try:
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/{version}/json", timeout=15) as response:  # noqa: S310
        if "vulnerabilities" in json.load(response):
            print("pypi")
            sys.exit(0)
        problems.append(f"PyPI: https://pypi.org/pypi/{name}/{version}/json has no 'vulnerabilities' field")
except Exception as error:  # noqa: BLE001 -- every failure is reported, none is fatal here
    problems.append(f"PyPI: https://pypi.org/pypi/{name}/{version}/json: {error}")
query = json.dumps({"package": {"name": name, "ecosystem": "PyPI"}, "version": version}).encode()
request = urllib.request.Request(
    "https://api.osv.dev/v1/query", data=query, headers={"Content-Type": "application/json"}
)
try:
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        json.load(response)
        print("osv")
        sys.exit(0)
except Exception as error:  # noqa: BLE001
    problems.append(f"OSV: https://api.osv.dev/v1/query: {error}")
for problem in problems:
    print(f"security-audit: {problem}", file=sys.stderr)
PY
)
if [ -z "$service" ]; then
  echo "security-audit: NOT AUDITED: no vulnerability source answers from this machine (see above)." >&2
  if [ "$require" = 1 ]; then exit 3; fi
  exit 0
fi

echo "security-audit: pip-audit of $requirements against $service" >&2
$VENV/pip-audit --requirement "$requirements" --vulnerability-service "$service" --strict \
  --progress-spinner off --desc on
