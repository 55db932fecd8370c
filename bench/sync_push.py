"""Benchmark pushing assessments through the sync API on PostgreSQL, findings computed.

Run: .venv/bin/python bench/sync_push.py [--assessments 1000] [--batch-size 100] [--devices 10] [--seed 2024]

A throwaway PostgreSQL database (`mps_bench_sync`, created and dropped here, on MPS_BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432) is migrated; each of `--devices` social workers of the synthetic
localities gets a device token. Every push goes to `POST /api/v1/sync/push` with the whole platform behind it:
the token check, validation, the engine, the registry, the census and case management reacting (cases opened,
goals, referrals, tasks), conflict detection and the kept copy of every item. It prints, in one run:

1. one device pushing `--assessments` seeded synthetic assessments in batches of `--batch-size`, one request
   after the other, through Django's request handler in this process;
2. `--devices` devices pushing as many other assessments at the same moment, each its share in batches, over
   HTTP to gunicorn (one process per core, four threads each), as an evening's sync brings them in;
3. both pushes again: every item must come back `duplicate` and nothing new be stored.

Target: at least 300 assessments a second.
"""

import argparse
import json
import os
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from scratch import PG_SERVER, throwaway_database
from serving import gunicorn

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "mps_bench_sync"
TARGET_PER_SECOND = 300


def main() -> int:
    """Create the database, push, push again, print the figures, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--devices", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2024)
    # `make bench` passes the same arguments to every script; the ones meant for others are ignored.
    options, _others = parser.parse_known_args()
    with throwaway_database(PG_DATABASE) as url:
        if url is None:
            print(f"PostgreSQL not reachable at {PG_SERVER}: skipped")
            return 0
        return _run(options, url)


def _run(options: argparse.Namespace, url: str) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from mps.accounts.models import Role, User
    from mps.assessment.models import Assessment, Finding
    from mps.cases.models import Case
    from mps.demo.synthetic import LOCALITIES, synthetic_assessments
    from mps.geography.models import County, Locality
    from mps.sync.tokens import device_token_issue

    call_command("migrate", verbosity=0)
    county = County.objects.get(code="BC")
    for code in LOCALITIES:
        Locality.objects.create(siruta=int(code), name=f"Localitatea {code}", county=county, kind="commune")
    tokens = []
    for number in range(max(options.devices, 1)):
        worker = User.objects.create(username=f"bench.worker{number}", role=Role.SOCIAL_WORKER)
        worker.localities.set(Locality.objects.all())
        tokens.append(device_token_issue(actor=None, user=worker, device_name=f"tablet {number}").token)
    documents = synthetic_assessments(2 * options.assessments, seed=options.seed)
    alone, together = documents[: options.assessments], documents[options.assessments :]
    client = Client()

    def push(token: str, batch: list[dict[str, Any]]) -> list[str]:
        response = client.post(
            "/api/v1/sync/push",
            {"device_id": "bench", "assessments": batch},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content[:500]
        return [result["status"] for result in response.json()["results"]]

    push(tokens[0], [])  # a running server has its URLs, views and schemas loaded before the first push
    started = time.perf_counter()
    statuses = [status for batch in _batches(alone, options.batch_size) for status in push(tokens[0], batch)]
    one_device = (time.perf_counter() - started, _counted(statuses))

    with gunicorn() as port:
        many_devices = _at_once(port, tokens, together, options.batch_size)
    stored = (Assessment.objects.count(), Finding.objects.count(), Case.objects.count())
    started = time.perf_counter()
    again = [status for batch in _batches(documents, options.batch_size) for status in push(tokens[0], batch)]
    again_seconds = time.perf_counter() - started
    unchanged = (Assessment.objects.count(), Finding.objects.count(), Case.objects.count()) == stored

    print(f"Sync push benchmark, PostgreSQL, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(
        f"  input: {len(documents):,} synthetic assessments, seed {options.seed}, batches of {options.batch_size}; "
        f"{stored[1]:,} findings and {stored[2]:,} cases stored"
    )
    rates = []
    for label, (seconds, counts) in (
        ("one device, in process", one_device),
        (f"{len(tokens)} devices at once, HTTP", many_devices),
    ):
        rate = options.assessments / seconds
        rates.append(rate)
        print(f"  {label:<28} {rate:>6,.0f} assessments/s ({seconds:.2f} s; {_described(counts)})")
    print(
        f"  both pushes again           {len(documents) / again_seconds:>6,.0f} items/s ({again_seconds:.2f} s; "
        f"{_described(_counted(again))}; nothing new created: {'yes' if unchanged else 'NO'})"
    )
    verdict = "met" if max(rates) >= TARGET_PER_SECOND else "NOT met"
    print(
        f"  target >= {TARGET_PER_SECOND} assessments/s: {verdict} "
        f"(one device {rates[0]:,.0f}/s, {len(tokens)} devices {rates[1]:,.0f}/s)"
    )
    return 0


def _batches(documents: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [documents[i : i + size] for i in range(0, len(documents), size)]


def _counted(statuses: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def _described(counts: dict[str, int]) -> str:
    return ", ".join(f"{status} {count:,}" for status, count in sorted(counts.items()))


def _at_once(
    port: int, tokens: list[str], documents: list[dict[str, Any]], batch_size: int
) -> tuple[float, dict[str, int]]:
    """Release every device at the same moment, each pushing its share in batches; time until the last is done."""
    shares = [documents[number :: len(tokens)] for number in range(len(tokens))]
    start = threading.Barrier(len(tokens) + 1)
    statuses: list[str] = []
    lock = threading.Lock()

    def device(token: str, share: list[dict[str, Any]]) -> None:
        start.wait()
        for batch in _batches(share, batch_size):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/sync/push",
                data=json.dumps({"device_id": token[:8], "assessments": batch}).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 -- our own server
                results = json.loads(response.read())["results"]
            with lock:
                statuses.extend(result["status"] for result in results)

    threads = [threading.Thread(target=device, args=pair) for pair in zip(tokens, shares, strict=True)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, _counted(statuses)


if __name__ == "__main__":
    raise SystemExit(main())
