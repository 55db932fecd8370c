"""Benchmark storing assessments: engine throughput, then imports into SQLite and PostgreSQL beside a raw COPY.

Run: .venv/bin/python bench/import_assessments.py [--households N] [--batch-size B] [--seed S]

One run prints: the engine's throughput on one core (measured by bench/engine.py's own function), the import
throughput (`assessments_import`, the same path as `manage.py import_assessments`) into a fresh SQLite file
and into a throwaway PostgreSQL database (`mps_bench`, created and dropped here), and for PostgreSQL a raw
binary `COPY` of exactly the rows the import wrote, into the same tables, with the ratio import time / COPY time.
Targets on PostgreSQL: at least 1,000 households a second, and no slower than 10 times the raw COPY.

Each database is measured in a child process (this script run with --child), because Django binds its
database when it starts. PostgreSQL is reached at MPS_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432); without it the PostgreSQL rows are skipped with a note.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scratch import PG_SERVER, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "mps_bench"
IMPORT_TARGET_PER_SECOND = 1_000
COPY_RATIO_TARGET = 10.0
# Tables the import writes, parents first so that COPY can load them in this order.
TABLES = (
    "registry_household",
    "registry_person",
    "registry_membership",
    "assessment_assessment",
    "assessment_assessment_team",
    "assessment_householdanswers",
    "assessment_memberanswers",
    "assessment_finding",
    "audit_auditevent",
)


def main() -> int:
    """Generate the input, measure the engine, run one child per database and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="validation processes")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--lines", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(_child(options.child, Path(options.lines), options.batch_size, options.workers)))
        return 0

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    # bench/engine.py configures Django on import; its best_rate is the engine measurement, reused as is.
    from engine import ENGINE_TARGET_PER_SECOND, best_rate

    from mps.assessment.rules import evaluate, load_catalogue
    from mps.demo.synthetic import synthetic_assessments

    catalogue = load_catalogue("mps-v1")
    assessments = synthetic_assessments(options.households, seed=options.seed)
    members = sum(len(a["members"]) for a in assessments)
    engine_rate = best_rate(lambda assessment: evaluate(assessment, catalogue), assessments, 3)

    with tempfile.TemporaryDirectory(prefix="mps-bench-") as folder:
        lines = Path(folder) / "assessments.jsonl"
        lines.write_text(
            "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in assessments), encoding="utf-8"
        )
        sqlite = _run_child("sqlite", lines, options, {"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"})
        postgres = _postgres(lines, options)

    print(f"Assessment storage benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(
        f"  input: {len(assessments):,} synthetic households, {members:,} members, seed {options.seed}, "
        f"batch size {options.batch_size}, {options.workers} validation process(es)"
    )
    verdict = "meets" if engine_rate >= ENGINE_TARGET_PER_SECOND else "MISSES"
    print(
        f"  engine (evaluate, one core)     {engine_rate:>9,.0f} households/s  target {ENGINE_TARGET_PER_SECOND:,}: {verdict}"
    )
    _print_import("SQLite", sqlite)
    if postgres is None:
        print(f"  PostgreSQL not reachable at {PG_SERVER}: skipped")
        return 0
    _print_import("PostgreSQL", postgres)
    copy_rate = postgres["households"] / postgres["copy_seconds"]
    ratio = postgres["seconds"] / postgres["copy_seconds"]
    rate = postgres["households"] / postgres["seconds"]
    print(
        f"  raw COPY of the same {postgres['rows']:,} rows  {copy_rate:>9,.0f} households/s "
        f"({postgres['copy_seconds']:.2f} s)"
    )
    print(f"  import / COPY time ratio        {ratio:>9.1f}x       target <= {COPY_RATIO_TARGET:.0f}x")
    meets = rate >= IMPORT_TARGET_PER_SECOND and ratio <= COPY_RATIO_TARGET
    print(
        f"  PostgreSQL targets (>= {IMPORT_TARGET_PER_SECOND:,}/s, <= {COPY_RATIO_TARGET:.0f}x COPY): "
        f"{'met' if meets else 'NOT met'}"
    )
    return 0


def _print_import(name: str, result: dict[str, Any]) -> None:
    rate = result["households"] / result["seconds"]
    print(
        f"  import into {name:<19} {rate:>9,.0f} households/s ({result['seconds']:.2f} s; accepted "
        f"{result['accepted']:,}, rejected {result['rejected']:,}, {result['rows']:,} rows)"
    )


def _postgres(lines: Path, options: argparse.Namespace) -> dict[str, Any] | None:
    with throwaway_database(PG_DATABASE) as url:
        return None if url is None else _run_child("postgres", lines, options, {"DATABASE_URL": url})


def _run_child(target: str, lines: Path, options: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", target, "--lines", str(lines)]
    command += ["--batch-size", str(options.batch_size), "--workers", str(options.workers)]
    done = subprocess.run(  # noqa: S603 -- our own interpreter running this very script
        command, env={**os.environ, **env}, capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"The {target} benchmark failed.")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _child(target: str, lines_path: Path, batch_size: int, workers: int) -> dict[str, Any]:
    """Migrate a fresh database, import the lines, and on PostgreSQL COPY the same rows again."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mps.assessment.importing import assessments_import
    from mps.demo.synthetic import LOCALITIES
    from mps.geography.models import County, Locality

    call_command("migrate", verbosity=0)
    county = County.objects.get(code="BC")
    for code in LOCALITIES:
        Locality.objects.create(siruta=int(code), name=f"Localitatea {code}", county=county, kind="commune")

    lines = lines_path.read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    summary = assessments_import(lines, batch_size=batch_size, workers=workers)
    seconds = time.perf_counter() - started

    if target == "postgres":
        from psycopg.types.string import TextLoader

        # JSON read back as text, as it goes into COPY: the baseline pays no serialising of its own.
        connection.connection.adapters.register_loader("json", TextLoader)
        connection.connection.adapters.register_loader("jsonb", TextLoader)
    with connection.cursor() as cursor:
        rows = {}
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table}")
            rows[table] = ([column[0] for column in cursor.description], cursor.fetchall())
    result: dict[str, Any] = {
        "households": len(lines),
        "seconds": seconds,
        "accepted": summary.accepted,
        "rejected": len(summary.rejected),
        "rows": sum(len(table_rows) for _columns, table_rows in rows.values()),
    }
    if target == "postgres":
        result["copy_seconds"] = _copy(connection, rows)
    return result


def _copy(connection: Any, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    """Empty the tables, then time a raw COPY of the rows back into them, in one transaction."""
    from mps.core.bulk import JsonText, copy_json

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
    raw = connection.connection  # the psycopg 3 connection under Django's wrapper
    # Binary, as the import writes: the fastest COPY psycopg offers is the fair baseline.
    types = {
        table: [
            raw.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attname = %s",
                (table, column),
            )
            .fetchone()[0]
            .split("(")[0]
            for column in rows[table][0]
        ]
        for table in TABLES
    }
    raw.commit()
    started = time.perf_counter()
    with raw.transaction(), raw.cursor() as cursor:
        for table in TABLES:
            columns, table_rows = rows[table]
            json_positions = [index for index, kind in enumerate(types[table]) if kind in ("json", "jsonb")]
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types[table])
                for row in table_rows:
                    if not json_positions:
                        copy.write_row(row)
                        continue
                    values = list(row)
                    # JSON read back as text goes in as that text, the way the import writes it.
                    for index in json_positions:
                        values[index] = copy_json(JsonText(values[index]))
                    copy.write_row(values)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
