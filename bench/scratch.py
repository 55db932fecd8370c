"""A throwaway PostgreSQL database for one benchmark run: created empty, dropped afterwards.

The server is MPS_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432); MPS_BENCH_KEEP=1 keeps the
database to look into after the run.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

PG_SERVER = os.environ.get("MPS_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


@contextmanager
def throwaway_database(name: str, template: str | None = None) -> Iterator[str | None]:
    """Yield the URL of a new empty database ``name``, or None when no PostgreSQL server answers.

    ``template``: a copy of that database instead of an empty one (a country generated once, measured many times);
    the template itself, changed by the run and kept, when it is ``name`` (a country too big to copy on this disk).
    """
    try:
        import psycopg

        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except Exception:  # any failure to connect means "no PostgreSQL here"
        yield None
        return
    in_place = template == name
    with admin:
        if not in_place:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            # Django connections of this process (if it set Django up on the database) must go first.
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: S110 -- Django not configured in this process: nothing to close
                pass
            if not os.environ.get("MPS_BENCH_KEEP") and not in_place:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
