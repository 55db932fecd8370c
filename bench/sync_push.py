"""Benchmark pushing assessments through the sync API on PostgreSQL, findings computed.

Run: .venv/bin/python bench/sync_push.py [--assessments 1000] [--batch-size 100] [--seed 2024]

A throwaway PostgreSQL database (`mps_bench_sync`, created and dropped here, on MPS_BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432) is migrated; a social worker of the synthetic localities gets a device
token; the seeded synthetic assessments are pushed to `POST /api/v1/sync/push` in batches through Django's
request handler (the view, the token check, each item in its own transaction through `assessment_record`, the
census and case management reacting in the same transaction). It prints the throughput, then pushes the same
batches again and checks that nothing new was created. Target: at least 300 assessments a second.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("MPS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "mps_bench_sync"
TARGET_PER_SECOND = 300


def main() -> int:
    """Create the database, push, push again, print the figures, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2024)
    # `make bench` passes the same arguments to every script; the ones meant for others are ignored.
    options, _others = parser.parse_known_args()
    try:
        import psycopg

        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except Exception:  # any failure to connect means "no PostgreSQL here"
        print(f"PostgreSQL not reachable at {PG_SERVER}: skipped")
        return 0
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")
        try:
            return _run(options)
        finally:
            from django.db import connections

            connections.close_all()
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def _run(options: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from mps.accounts.models import Role, User
    from mps.assessment.models import Assessment, Finding
    from mps.assessment.synthetic import LOCALITIES, synthetic_assessments
    from mps.geography.models import County, Locality
    from mps.sync.tokens import device_token_issue

    call_command("migrate", verbosity=0)
    county = County.objects.get(code="BC")
    for code in LOCALITIES:
        Locality.objects.create(siruta=int(code), name=f"Localitatea {code}", county=county, kind="commune")
    worker = User.objects.create(username="bench.worker", role=Role.SOCIAL_WORKER)
    worker.localities.set(Locality.objects.all())
    token = device_token_issue(actor=None, user=worker, device_name="bench").token
    documents = synthetic_assessments(options.assessments, seed=options.seed)
    batches = [documents[i : i + options.batch_size] for i in range(0, len(documents), options.batch_size)]
    client = Client()

    def push_all() -> tuple[float, dict[str, int]]:
        counts: dict[str, int] = {}
        started = time.perf_counter()
        for batch in batches:
            response = client.post(
                "/api/v1/sync/push",
                {"device_id": "bench", "assessments": batch},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 200, response.content[:500]
            for result in response.json()["results"]:
                counts[result["status"]] = counts.get(result["status"], 0) + 1
        return time.perf_counter() - started, counts

    seconds, counts = push_all()
    stored, findings = Assessment.objects.count(), Finding.objects.count()
    again_seconds, again_counts = push_all()
    unchanged = Assessment.objects.count() == stored and Finding.objects.count() == findings

    rate = len(documents) / seconds
    print(f"Sync push benchmark, PostgreSQL, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(
        f"  input: {len(documents):,} synthetic assessments, seed {options.seed}, batches of {options.batch_size}"
    )
    print(
        f"  first push    {rate:>7,.0f} assessments/s ({seconds:.2f} s; "
        f"{', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))}; {findings:,} findings stored)"
    )
    print(
        f"  same push again {len(documents) / again_seconds:>5,.0f} items/s ({again_seconds:.2f} s; "
        f"{', '.join(f'{k} {v:,}' for k, v in sorted(again_counts.items()))}; "
        f"nothing new created: {'yes' if unchanged else 'NO'})"
    )
    print(
        f"  target >= {TARGET_PER_SECOND} assessments/s: {'met' if rate >= TARGET_PER_SECOND else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
