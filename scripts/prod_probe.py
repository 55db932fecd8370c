"""Probe a running production stack for `scripts/prod-check.sh`: health, login page, static files, JSON logs."""

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

base, web_log, worker_log = sys.argv[1:4]


if not base.startswith("http://127.0.0.1:"):
    raise SystemExit("prod_probe.py probes the local stack only")


def get(path: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(base + path, headers={"X-Forwarded-Proto": "https"})  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def fail(message: str) -> None:
    print(f"prod-check: {message}", file=sys.stderr)
    for log in (web_log, worker_log):
        print(f"--- {log}", file=sys.stderr)
        print(Path(log).read_text(encoding="utf-8")[-4000:], file=sys.stderr)
    sys.exit(1)


deadline = time.monotonic() + 60
health: dict = {}
while time.monotonic() < deadline:
    try:
        status, _headers, body = get("/health/?require=worker")
    except OSError:
        time.sleep(0.5)
        continue
    health = json.loads(body)
    if status == 200 and health["worker"]["ok"] and health["refresh"]["as_of"]:
        break
    time.sleep(0.5)
else:
    fail(f"/health/?require=worker never answered 200 with a fresh worker: {health}")
print(f"  /health/: {health}")

status, _headers, body = get("/cont/autentificare/")
if status != 200 or b"<form" not in body:
    fail(f"the login page answered {status}")
print("  login page: 200")

manifest = json.loads(Path("staticfiles/staticfiles.json").read_text(encoding="utf-8"))["paths"]
original, hashed = next((k, v) for k, v in manifest.items() if k.endswith(".css"))
status, headers, _body = get(f"/static/{hashed}")
cache = headers.get("Cache-Control", "")
if status != 200 or "max-age=315360000" not in cache:
    fail(f"/static/{hashed} answered {status} with Cache-Control {cache!r}")
print(f"  static {original} → {hashed}: 200, {cache}")

time.sleep(1)  # gunicorn writes its access log lines after the response
access = [
    line for line in Path(web_log).read_text(encoding="utf-8").splitlines() if '"gunicorn.access"' in line
]
if not access:
    fail("no access log line")
for line in access:
    entry = json.loads(line)
    if "?" in entry["path"]:
        fail(f"an access log line carries a query string: {line}")
worker_lines = [
    json.loads(line)
    for line in Path(worker_log).read_text(encoding="utf-8").splitlines()
    if line.startswith("{")
]
if not any(entry.get("logger") == "mps.monitoring.worker" for entry in worker_lines):
    fail("the worker wrote no JSON log line")
print(f"  logs: {len(access)} JSON access lines, {len(worker_lines)} JSON worker lines")
