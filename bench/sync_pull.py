"""Benchmark pulls on PostgreSQL: a worker's first pull, then two hundred devices pulling at once.

Run: .venv/bin/python bench/sync_pull.py [--worker-households 250] [--worker-people 600] [--devices 200] [--seed 2024]

A throwaway PostgreSQL database (`mps_bench_sync_pull`, created and dropped here, on MPS_BENCH_POSTGRES_URL,
default postgres://postgres@127.0.0.1:5432) gets one locality with about 250 synthetic households of about 600
people, stored by the import path, with their cases, goals and tasks opened by case management. Then:

1. the first pull of that locality's social worker, through Django's request handler with gzip accepted:
   server time (best and median of 5) and bytes on the wire; targets <= 500 ms and <= 1 MB;
2. a server (gunicorn, one process per core with four threads each, on 127.0.0.1) and that many devices (threads, each with its own
   device token of the same worker, so each asks for the full first pull) pulling at the same moment; target:
   every one finishes within 60 seconds.
"""

import argparse
import gzip
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

from scratch import PG_SERVER, throwaway_database
from serving import gunicorn

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "mps_bench_sync_pull"
SERVER_MS_TARGET = 500
BYTES_TARGET = 1_000_000
CONCURRENT_SECONDS_TARGET = 60


def main() -> int:
    """Create the database, measure, print, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker-households", type=int, default=250)
    parser.add_argument("--worker-people", type=int, default=600)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    # `make bench` passes the same arguments to every script; the ones meant for others are ignored.
    options, _others = parser.parse_known_args()
    with throwaway_database(PG_DATABASE) as url:
        if url is None:
            print(f"PostgreSQL not reachable at {PG_SERVER}: skipped")
            return 0
        return _run(options, url)


def _households(count: int, people: int, seed: int) -> list[dict]:
    """Pick synthetic households, all in one locality, whose members add up to about `people`."""
    from mps.demo.synthetic import synthetic_assessments

    chosen: list[dict] = []
    total = 0
    for document in synthetic_assessments(count * 8, seed=seed):
        size = len(document["members"])
        # Keep the running average of members per household on course for the target.
        if total + size <= people * (len(chosen) + 1) / count + 2:
            document["household"]["locality"] = "54975"
            chosen.append(document)
            total += size
        if len(chosen) == count:
            break
    return chosen


def _run(options: argparse.Namespace, url: str) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    import json

    from django.core.management import call_command
    from django.test import Client

    from mps.accounts.models import Role, User
    from mps.assessment.importing import assessments_import
    from mps.cases.followup import cases_sync_from_assessments
    from mps.geography.models import County, Locality
    from mps.registry.models import Household, Membership
    from mps.sync.tokens import device_token_issue

    call_command("migrate", verbosity=0)
    locality = Locality.objects.create(
        siruta=54975, name="Localitatea de test", county=County.objects.get(code="BC"), kind="commune"
    )
    worker = User.objects.create(username="bench.worker", role=Role.SOCIAL_WORKER)
    worker.localities.set([locality])
    documents = _households(options.worker_households, options.worker_people, options.seed)
    summary = assessments_import((json.dumps(d) for d in documents), actor=None)
    cases_sync_from_assessments(actor=None)
    households = Household.objects.count()
    people = Membership.objects.filter(end_date__isnull=True).count()

    token = device_token_issue(actor=None, user=worker, device_name="bench").token
    client = Client()
    timings, size, raw = [], 0, 0
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(
            "/api/v1/sync/pull", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_ENCODING="gzip"
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        size = len(response.content)
        raw = len(gzip.decompress(response.content))

    tokens = [
        device_token_issue(actor=None, user=worker, device_name=f"tableta {n}").token
        for n in range(options.devices)
    ]
    concurrent = _concurrent(tokens)

    best, median = min(timings), statistics.median(timings)
    print(f"Sync pull benchmark, PostgreSQL, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(
        f"  data: {households:,} households, {people:,} people in one locality "
        f"({summary.accepted:,} assessments imported, cases opened)"
    )
    verdict = "met" if median <= SERVER_MS_TARGET and size <= BYTES_TARGET else "NOT met"
    print(
        f"  first pull: server time best {best:,.0f} ms, median {median:,.0f} ms; {size:,} bytes gzip "
        f"({raw:,} bytes of JSON); targets <= {SERVER_MS_TARGET} ms, <= {BYTES_TARGET:,} bytes: {verdict}"
    )
    verdict = (
        "met"
        if concurrent["ok"] == options.devices and concurrent["slowest"] <= CONCURRENT_SECONDS_TARGET
        else "NOT met"
    )
    print(
        f"  {options.devices} devices pulling at once: {concurrent['ok']} answered 200, "
        f"all done in {concurrent['slowest']:.1f} s (median device {concurrent['median']:.1f} s); "
        f"target: all within {CONCURRENT_SECONDS_TARGET} s: {verdict}"
    )
    return 0


def _concurrent(tokens: list[str]) -> dict[str, float]:
    """Start a server, release every device's pull at the same moment, and time each one."""
    # A production server, as deployed: Django's runserver has a listen backlog of 10 and would refuse most of
    # two hundred simultaneous connections before measuring anything.
    with gunicorn() as port:
        start = threading.Barrier(len(tokens))
        durations: list[float] = []
        statuses: list[int] = []
        lock = threading.Lock()

        def device(token: str) -> None:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/sync/pull",
                headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
            )
            start.wait()
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=CONCURRENT_SECONDS_TARGET * 3) as response:  # noqa: S310
                    response.read()
                    status = response.status
            except OSError:
                status = 0
            with lock:
                durations.append(time.perf_counter() - began)
                statuses.append(status)

        threads = [threading.Thread(target=device, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return {
        "ok": sum(1 for status in statuses if status == 200),
        "slowest": max(durations),
        "median": statistics.median(durations),
    }


if __name__ == "__main__":
    raise SystemExit(main())
