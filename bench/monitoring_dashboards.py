"""Benchmark monitoring at national scale: dashboards against the raw GROUP BY, and the cost of fresh figures.

Run: .venv/bin/python bench/monitoring_dashboards.py [--persons 5000000] [--localities 3180] [--requests 100]

In one run, in a throwaway PostgreSQL database (`mps_bench_monitoring`, created, migrated and dropped here; the
server is MPS_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432):

1. generates, SQL-side (`INSERT … SELECT generate_series …`), the localities of a country, `--persons` people in
   households of one to five, a T0 assessment of every household and a T1 of three in five, with the typed
   answers of every member and their findings;
2. times the raw GROUP BY a dashboard would need without aggregates (prevalence by locality, wave and code over
   the findings), median of three runs;
3. times a full `monitoring_refresh` (building the aggregates from nothing), then what the refresh worker does
   after each run: building the national monitors' country, region and county pages into the shared cache;
4. serves the platform with gunicorn (one process per core, four threads each, as deployed) and requests, as a
   national monitor, the country dashboard `--requests` times, every region and county, every locality once, and
   a county as its supervisor, through HTTP, printing p50 and p95 per level and the ratio to the raw GROUP BY
   (target: p95 <= 50 ms and <= 5 % of the raw GROUP BY), after a baseline: a signed-in request that only
   redirects, the framework's floor;
5. imports `--import-households` synthetic households with `assessments_import`, `--rounds` times without and
   as many with the refresh worker running (`monitoring_refresh --loop`, every `--every` seconds at least: default
   5, six times as often as in production; paced as configured, or by `--share`), in the order without-with,
   with-without, …, each import after the figures were brought up to date, a VACUUM ANALYZE and a checkpoint;
   prints the median throughput of each arm, what the worker did (runs, their median length and pause), the
   overhead (target <= 10 %), then how long the next incremental run takes to bring the new assessments into
   every dashboard.

The database work happens in a child process (this script with --child), which configures Django for the
throwaway database.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scratch import PG_SERVER, throwaway_database
from serving import free_port, gunicorn

ROOT = Path(__file__).resolve().parent.parent
# Another name (MPS_BENCH_MONITORING_DB) lets two runs share the server, e.g. generating a country while measuring.
PG_DATABASE = os.environ.get("MPS_BENCH_MONITORING_DB", "mps_bench_monitoring")
P95_TARGET_MS = 50.0
RATIO_TARGET = 0.05
OVERHEAD_TARGET = 0.10
IMPORT_TARGET = 1_000
REFRESH_TARGET_S = 60.0


def main() -> int:
    """Create the database, run the child that measures, print its figures, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--persons", type=int, default=300_000, help="people to generate (5,000,000 for the target)"
    )
    parser.add_argument("--localities", type=int, default=3_180)
    parser.add_argument("--requests", type=int, default=100, help="requests of the country dashboard")
    parser.add_argument("--import-households", type=int, default=20_000, help="households per import")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="imports without and with the refresh worker, one of each per round",
    )
    parser.add_argument(
        "--every",
        type=float,
        default=5.0,
        help="seconds between refresh runs while importing (production: 30)",
    )
    parser.add_argument(
        "--share",
        type=float,
        default=None,
        help="the worker's pacing (monitoring_refresh --share; default: MPS_MONITORING_REFRESH_SHARE, 1: none)",
    )
    parser.add_argument(
        "--template",
        default=None,
        help="measure a copy of this database, a country generated before (--generate-only with MPS_BENCH_KEEP=1, "
        "then renamed): its --persons and --localities are what it holds; the database itself, changed and kept, "
        "when it is named as MPS_BENCH_MONITORING_DB",
    )
    parser.add_argument(
        "--server-settings",
        default=None,
        help="a PostgreSQL configuration file (deploy/postgresql.conf): its lines marked '# reload' are set on the "
        "server (ALTER SYSTEM, reload) for this run and reset afterwards",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    # scripts/bench.sh passes the same arguments to every benchmark; ignore those meant for the others.
    options, _unknown = parser.parse_known_args()
    if options.child:
        print(json.dumps(_child(options)))
        return 0
    # MPS_BENCH_KEEP=1 keeps the database afterwards, to look into it (drop it by hand).
    with throwaway_database(PG_DATABASE, options.template) as url, _server_settings(options.server_settings):
        if url is None:
            print(f"Monitoring benchmark: PostgreSQL not reachable at {PG_SERVER}: skipped")
            return 0
        command = [sys.executable, __file__, "--child", *sys.argv[1:]]
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-8000:])
            raise SystemExit("The monitoring benchmark failed.")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    _print(result)
    return 0


def _reloadable(path: str) -> dict[str, str]:
    """Return the settings of a configuration file that a reload applies (the lines marked ``# reload``)."""
    settings = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        setting, _, comment = line.partition("#")
        if "=" in setting and comment.strip().startswith("reload"):
            name, value = (part.strip() for part in setting.split("=", 1))
            settings[name] = value
    return settings


@contextmanager
def _server_settings(path: str | None) -> Iterator[None]:
    """Set the reloadable settings of ``path`` on the server for the run, and reset them afterwards."""
    if path is None:
        yield
        return
    import psycopg

    settings = _reloadable(path)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        try:
            for name, value in settings.items():
                # ALTER SYSTEM takes no parameters: the names and values come from our own deploy file.
                admin.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            admin.execute("SELECT pg_reload_conf()")
            yield
        finally:
            for name in settings:
                admin.execute(f"ALTER SYSTEM RESET {name}")
            admin.execute("SELECT pg_reload_conf()")


def _print(r: dict[str, Any]) -> None:
    print(
        f"Monitoring benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} cores, PostgreSQL {r['server']}"
    )
    print("  server: " + ", ".join(f"{name} {value}" for name, value in r["settings"].items()))
    print(
        f"  data: {r['persons']:,} persons in {r['households']:,} households of {r['localities']:,} localities; "
        f"{r['assessments']:,} assessments, {r['member_answers']:,} member answers, {r['findings']:,} findings"
    )
    if r["generate_s"]:
        print(f"  generated SQL-side in {r['generate_s']:.0f} s (+ {r['index_s']:.0f} s indexes and ANALYZE)")
    else:
        print("  a copy of a country generated before (--template)")
    if "raw_ms" not in r:  # --generate-only
        return
    print(f"  raw GROUP BY (prevalence by locality, wave, code)   {r['raw_ms']:8.0f} ms (median of 3)")
    print(
        f"  full monitoring_refresh                             {r['refresh_s']:8.1f} s ({r['figure_rows']:,} figure rows; "
        f"{r['refresh_s'] * 1000 / r['raw_ms']:.0f}x the raw GROUP BY)"
    )
    verdict = "met" if r["refresh_s"] <= REFRESH_TARGET_S else "NOT met"
    print(f"  full refresh target (<= {REFRESH_TARGET_S:.0f} s): {verdict}")
    if r["warmed"]:
        print(
            f"  warming the country, region and county pages        {r['warm_s']:8.1f} s ({r['warmed']} pages into "
            f"{r['cache']}, shared by every server process)"
        )
    else:
        print(f"  pages cached in {r['cache']}, one per server process: nothing warmed")
    print(f"  served by gunicorn: {os.cpu_count()} processes of 4 threads, on 127.0.0.1")
    worst = 0.0
    for level in r["levels"]:
        if not level["name"].startswith("baseline"):
            worst = max(worst, level["p95"])
        print(
            f"  {level['name']:<32} {level['requests']:>5} requests  p50 {level['p50']:6.1f} ms  "
            f"p95 {level['p95']:6.1f} ms  p95/raw {level['p95'] / r['raw_ms']:6.1%}"
        )
    verdict = "met" if worst <= P95_TARGET_MS and worst / r["raw_ms"] <= RATIO_TARGET else "NOT met"
    print(f"  dashboard target (p95 <= {P95_TARGET_MS:.0f} ms and <= {RATIO_TARGET:.0%} of raw): {verdict}")
    imp = r["import"]
    runs = ", ".join(f"{rate:.0f}" for rate in imp["raw_runs"])
    print(
        f"  raw COPY of the same rows       {imp['raw']:8.0f} households/s "
        f"(median of {len(imp['raw_runs'])}: {runs}; the rows an import writes, planned beforehand, COPY only)"
    )
    runs = ", ".join(f"{rate:.0f}" for rate in imp["without_runs"])
    print(
        f"  import without refresh worker   {imp['without']:8.0f} households/s "
        f"(median of {len(imp['without_runs'])}: {runs}; {imp['without'] / imp['raw']:.0%} of raw COPY)"
    )
    runs = ", ".join(f"{rate:.0f}" for rate in imp["with_runs"])
    print(
        f"  import with refresh worker      {imp['with']:8.0f} households/s "
        f"(median of {len(imp['with_runs'])}: {runs}; {imp['with'] / imp['raw']:.0%} of raw COPY)"
    )
    for arm, wal in imp["wal"].items():
        print(
            f"  write-ahead log, {'raw COPY' if arm == 'raw' else 'import':<8}      {wal['kb_per_household']:8.1f} kB a household, "
            f"{wal['images_per_household']:.1f} full-page images a household"
        )
    verdict = "met" if imp["with"] >= IMPORT_TARGET else "NOT met"
    print(f"  import target (>= {IMPORT_TARGET:,} households/s with the worker running): {verdict}")
    pause = "-" if imp["pause_median_s"] is None else f"{imp['pause_median_s']:.1f} s"
    print(
        f"  worker: every {imp['every']:.0f} s at least"
        + ("" if imp["share"] is None else f", --share {imp['share']:g}")
        + f", {imp['worker_runs']} runs finished during the imports, "
        f"median run {imp['run_median_s']:.2f} s, median pause after a run {pause}"
    )
    overhead = 1 - imp["with"] / imp["without"]
    verdict = "met" if overhead <= OVERHEAD_TARGET else "NOT met"
    print(
        f"  overhead of keeping aggregates current: {overhead:.1%}  target <= {OVERHEAD_TARGET:.0%}: {verdict}"
    )
    print(
        f"  next incremental refresh: {imp['incremental_localities']} localities in {imp['incremental_s']:.2f} s; "
        f"new households visible on the dashboards: {'yes' if imp['visible'] else 'NO'}"
    )


# The child: everything below runs with Django configured for the throwaway database.


def _child(options: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    result: dict[str, Any] = {"server": server, "settings": settings}
    result.update(_counts() if options.template else _generate(options.persons, options.localities))
    if options.generate_only:
        return result
    result["raw_ms"] = _raw_group_by()
    started = time.perf_counter()
    from mps.monitoring.models import AreaFigure
    from mps.monitoring.refresh import monitoring_refresh

    monitoring_refresh(full=True)
    result["refresh_s"] = time.perf_counter() - started
    result["figure_rows"] = AreaFigure.objects.count()
    # What the refresh worker does after each run: build the national monitors' country, region and county pages
    # into the cache the server processes share.
    from mps.monitoring.pages import dashboard_cache, dashboard_cache_is_shared, dashboard_pages_warm

    result["cache"] = type(dashboard_cache()).__name__
    result["warmed"] = 0
    if dashboard_cache_is_shared():
        started = time.perf_counter()
        result["warmed"] = dashboard_pages_warm()
        result["warm_s"] = time.perf_counter() - started
    # The production server, as deployed (bench/serving.py): Django's runserver is a development server.
    with gunicorn(port=PORT):
        result["levels"] = _dashboards(options.requests)
        result["import"] = _import_cost(
            options.import_households, options.every, options.rounds, options.share
        )
    return result


def _sql(statement: str, params: Any = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _scalar(statement: str) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchone()[0]


# Secondary indexes of the big tables are dropped before the load and built after it: one sort per index
# instead of millions of insertions into each b-tree. Foreign-key triggers are off during the load
# (session_replication_role): the generated keys are consistent by construction.
BIG_TABLES = ("registry_person", "assessment_assessment", "assessment_memberanswers", "assessment_finding")
PERSON_CODES = [
    "ID01",
    "HE01",
    "HE02",
    "HE03",
    "HE08",
    "ED01",
    "ED02",
    "ED03",
    "ED04",
    "ED06",
    "ED07",
    "IN03",
    "EM01",
    "EM02",
    "EM03",
    "FA01",
]
HOUSEHOLD_CODES = [
    "IN01",
    "IN02",
    "IN04",
    "EM04",
    "FA04",
    "FA05",
    "FA06",
    "HO01",
    "HO02",
    "HO03",
    "HO05",
    "HO06",
    "HO07",
    "HO09",
]


def _generate(persons: int, localities: int) -> dict[str, Any]:
    """Generate the country SQL-side; return the row counts and the time taken."""
    households = persons // 3
    started = time.perf_counter()
    indexes = []
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [list(BIG_TABLES)],
        )
        indexes = cursor.fetchall()
    for name, _definition in indexes:
        _sql(f'DROP INDEX "{name}"')
    _sql("SET session_replication_role = replica")
    _sql("SET synchronous_commit = off")
    _sql("SELECT setseed(0.2024)")
    # Localities spread over the 42 counties, one in ten urban, a fifth marginalised, inside Romania's box.
    _sql(
        """
        INSERT INTO geography_locality (siruta, name, county_id, kind, marginalisation, population, children,
                                        latitude, longitude)
        SELECT 100000 + i, 'Localitatea ' || i, counties.codes[1 + i %% 42],
               CASE WHEN i %% 10 = 0 THEN 'town' ELSE 'commune' END,
               CASE i %% 10 WHEN 1 THEN 'high' WHEN 2 THEN 'medium' ELSE 'none' END,
               6000, 1400, 43.7 + random() * 4.4, 20.5 + random() * 9.0
        FROM generate_series(1, %s) i,
             (SELECT array_agg(code ORDER BY code) AS codes FROM geography_county) counties
        """,
        [localities],
    )
    _sql(
        """
        INSERT INTO registry_household (created_at, updated_at, version, id, address, search_text, locality_id)
        SELECT now() - interval '1 day', now() - interval '1 day', 1, md5('h' || h)::uuid, 'Strada ' || (h %% 300) || ' nr. ' || h, '',
               100001 + (h * 7919) %% %s
        FROM generate_series(1::bigint, %s) h
        """,
        [localities, households],
    )
    # Household h has 1 + (h*7 mod 5) members (mean 3): two adults first, then children.
    _sql(
        """
        INSERT INTO registry_person (created_at, updated_at, version, id, first_name, last_name, sex, birth_date,
                                     name_key, search_text, restricted)
        SELECT now() - interval '1 day', now() - interval '1 day', 1, md5('p' || h || '-' || j)::uuid, 'Prenume', 'Familia' || h,
               CASE WHEN j %% 2 = 0 THEN 'M' ELSE 'F' END,
               DATE '2024-06-01' - ((CASE WHEN j < 2 THEN 25 + (h * 13 + j) %% 40
                                         ELSE (h * 17 + j * 5) %% 18 END) * 365 + h %% 300)::int,
               '', '', false
        FROM generate_series(1::bigint, %s) h, generate_series(0, (h * 7) %% 5) j
        """,
        [households],
    )
    # T0 for every household, T1 for three in five; T1 is the latest where it exists.
    _sql(
        """
        INSERT INTO assessment_assessment (created_at, updated_at, version, id, wave, wave_number, assessed_on,
               catalogue, score, risk_level, has_critical, is_latest, source, document, household_id, locality_id)
        SELECT now() - interval '1 day', now() - interval '1 day', 1, md5('a' || w || '-' || h)::uuid, 'T' || w, w,
               DATE '2024-03-01' + (w * 365 + h %% 150)::int,
               'mps-v1', r.score, r.risk, h %% (60 + 60 * w) = 0,
               (w = 1 OR h %% 5 >= 3), 'import', '{}'::jsonb, md5('h' || h)::uuid, 100001 + (h * 7919) %% %s
        FROM generate_series(1::bigint, %s) h, generate_series(0, CASE WHEN h %% 5 < 3 THEN 1 ELSE 0 END) w,
             LATERAL (SELECT CASE WHEN (h * 31 + w * 17) %% 100 < 35 + 10 * w THEN 0
                                  ELSE ((h * 31 + w * 17) %% 100) / 7 END AS score) s,
             LATERAL (SELECT s.score,
                             CASE WHEN s.score >= 10 THEN 'high' WHEN s.score >= 5 THEN 'medium'
                                  WHEN s.score > 0 THEN 'low' ELSE 'none' END AS risk) r
        """,
        [localities, households],
    )
    _sql(
        """
        INSERT INTO assessment_memberanswers (relation, sex, age, roma, birth_certificate, identity_card,
               family_doctor, insured, vaccination, pregnant, prenatal_care, chronic_illness,
               chronic_illness_followed, disability, disability_certificate, malnutrition_signs, needs_daily_care,
               has_caregiver, education_status, highest_grade, unexcused_absences_30d, repeated_grade,
               special_needs, special_needs_support, employment_status, unemployed_months, child_allowance,
               disability_benefit, parents_abroad, neglect_signs, child_labour, in_union, assessment_id, person_id,
               locality_id, wave_number, household_risk_level, vulnerable)
        SELECT CASE j WHEN 0 THEN 'head' WHEN 1 THEN 'spouse' ELSE 'child' END,
               CASE WHEN j %% 2 = 0 THEN 'M' ELSE 'F' END, age, h %% 8 = 0, true, age >= 14,
               true, true, CASE WHEN age < 18 THEN 'complete' ELSE 'not_applicable' END, false, false, false,
               false, (h + j) %% 40 = 0, false, false, false, false,
               CASE WHEN age < 18 THEN 'school' ELSE 'finished' END, LEAST(age, 12), 0, false, false, false,
               CASE WHEN age < 18 THEN 'not_applicable' ELSE 'employed_formal' END, 0, age < 18, false, false,
               false, false, j = 1, md5('a' || w || '-' || h)::uuid, md5('p' || h || '-' || j)::uuid,
               100001 + (h * 7919) %% %s, w,
               CASE WHEN s.score >= 10 THEN 'high' WHEN s.score >= 5 THEN 'medium'
                    WHEN s.score > 0 THEN 'low' ELSE 'none' END,
               -- a member with a finding below (k = 0 or 1)
               (h * 11 + j * 5 + w) %% 10 < 5 - 2 * w OR (h * 11 + j * 5 + 3 + w) %% 10 < 2 - w
        FROM generate_series(1::bigint, %s) h, generate_series(0, CASE WHEN h %% 5 < 3 THEN 1 ELSE 0 END) w,
             generate_series(0, (h * 7) %% 5) j,
             LATERAL (SELECT (CASE WHEN j < 2 THEN 25 + (h * 13 + j) %% 40 ELSE (h * 17 + j * 5) %% 18 END)
                             + w AS age) a,
             -- the assessment's score, as above: its members carry its risk level
             LATERAL (SELECT CASE WHEN (h * 31 + w * 17) %% 100 < 35 + 10 * w THEN 0
                                  ELSE ((h * 31 + w * 17) %% 100) / 7 END AS score) s
        """,
        [localities, households],
    )
    # Findings: half the people have one person-level code and a fifth a second; T1 has fewer. Each carries
    # what it counts for, as the import writes it: its member's age, Roma and disability answers, and whether it
    # is the first finding of its dimension in the assessment and for its member (a window over each
    # household's wave, ordered as the engine lists them: household findings first, then by member).
    from mps.assessment.counting import dimension_case
    from mps.assessment.rules import CURRENT_CATALOGUE

    dimension, mapping = dimension_case("code", CURRENT_CATALOGUE, otherwise="NULL")
    _sql("SET work_mem = '1GB'")
    _sql(
        f"""
        INSERT INTO assessment_finding (code, catalogue, weight, critical, wave_number, assessment_id, locality_id,
                                        person_id, child, roma, disability, first_in_dimension,
                                        member_first_in_dimension)
        SELECT code, 'mps-v1', weight, false, w, md5('a' || w || '-' || h)::uuid, 100001 + (h * 7919) %% %s,
               CASE WHEN j >= 0 THEN md5('p' || h || '-' || j)::uuid END, child, roma, disability,
               ROW_NUMBER() OVER (PARTITION BY h, w, dimension ORDER BY j, k) = 1,
               j >= 0 AND ROW_NUMBER() OVER (PARTITION BY h, w, j, dimension ORDER BY k) = 1
        FROM (
            SELECT y.*, {dimension} AS dimension FROM (
                SELECT h, w, j, k, (%s::text[])[(1 + (k * 7 + j * 3) %% 16)::int] AS code, 2 AS weight,
                       (CASE WHEN j < 2 THEN 25 + (h * 13 + j) %% 40 ELSE (h * 17 + j * 5) %% 18 END) + w < 18
                           AS child,
                       h %% 8 = 0 AS roma, (h + j) %% 40 = 0 AS disability
                FROM generate_series(1::bigint, %s) h,
                     generate_series(0, CASE WHEN h %% 5 < 3 THEN 1 ELSE 0 END) w,
                     generate_series(0, (h * 7) %% 5) j, generate_series(0, 1) k
                WHERE (h * 11 + j * 5 + k * 3 + w) %% 10 < CASE WHEN k = 0 THEN 5 - 2 * w ELSE 2 - w END
                UNION ALL
                SELECT h, w, -1, k, (%s::text[])[(1 + (h * 5 + k * 11 + w) %% 14)::int], 1, false, false, false
                FROM generate_series(1::bigint, %s) h,
                     generate_series(0, CASE WHEN h %% 5 < 3 THEN 1 ELSE 0 END) w, generate_series(0, 1) k
                WHERE (h * 3 + k * 7 + w) %% 10 < CASE WHEN k = 0 THEN 6 - 2 * w ELSE 3 - w END
            ) y
        ) x
        """,  # nosec B608 - the dimension CASE is placeholders only; codes and dimensions are parameters
        [
            localities,
            *mapping,
            PERSON_CODES,
            households,
            HOUSEHOLD_CODES,
            households,
        ],
    )
    _sql("RESET work_mem")
    _sql("SET session_replication_role = DEFAULT")
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    for _name, definition in indexes:
        _sql(definition)
    for table in ("geography_locality", "registry_household", *BIG_TABLES):
        _sql(f"VACUUM ANALYZE {table}")
    index_s = time.perf_counter() - started
    return {**_counts(), "generate_s": generate_s, "index_s": index_s}


def _counts() -> dict[str, Any]:
    """Return the size of the generated country (no time taken: a copy of one generated before)."""
    return {
        "localities": _scalar("SELECT COUNT(*) FROM geography_locality"),
        "households": _scalar("SELECT COUNT(*) FROM registry_household"),
        "persons": _scalar("SELECT COUNT(*) FROM registry_person"),
        "assessments": _scalar("SELECT COUNT(*) FROM assessment_assessment"),
        "member_answers": _scalar("SELECT COUNT(*) FROM assessment_memberanswers"),
        "findings": _scalar("SELECT COUNT(*) FROM assessment_finding"),
        "generate_s": 0.0,
        "index_s": 0.0,
    }


def _raw_group_by() -> float:
    """Time the prevalence GROUP BY over the findings table; median of three runs, in ms."""
    from django.db import connection

    times = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT locality_id, wave_number, code, COUNT(*) FROM assessment_finding "
                "GROUP BY locality_id, wave_number, code"
            )
            cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# A fixed port for the run: the server is started in the child, and `_get` reaches it there.
PORT = free_port()


def _session_cookie(user: Any) -> str:
    """Return a session cookie that logs ``user`` in, made directly in the session store."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend that loads the user back: the first one only refuses locked-out log-ins and loads no one.
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _get(path: str, cookie: str) -> tuple[int, float]:
    """Request a page over HTTP (redirects are not followed) and return its status and time in ms."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, (time.perf_counter() - started) * 1000


def _dashboards(requests: int) -> list[dict[str, Any]]:
    """Request every dashboard of every level as a national monitor; return p50/p95 per level."""
    from mps.accounts.models import Role, ScopeKind, User
    from mps.geography.models import County, Locality, Region

    # get_or_create: a country measured in place (--template) keeps them from the run before.
    monitor, _ = User.objects.get_or_create(
        username="bench.monitor", defaults={"role": Role.NATIONAL_MONITOR, "scope": ScopeKind.NATIONAL}
    )
    supervisor, _ = User.objects.get_or_create(
        username="bench.supervisor",
        defaults={"role": Role.COUNTY_SUPERVISOR, "scope": ScopeKind.COUNTY, "county_id": "BC"},
    )
    cookie, supervisor_cookie = _session_cookie(monitor), _session_cookie(supervisor)
    regions = list(Region.objects.values_list("code", flat=True))
    counties = list(County.objects.values_list("code", flat=True))
    localities = list(Locality.objects.values_list("siruta", flat=True))
    random.Random(7).shuffle(localities)
    plan = [
        # Not a dashboard: a signed-in request that only redirects, i.e. what every page pays before its own work
        # (session read and, with SESSION_SAVE_EVERY_REQUEST, a session write and commit).
        ("baseline: signed-in redirect", ["/monitorizare/"] * requests, cookie),
        ("country", ["/monitorizare/tara/RO/"] * requests, cookie),
        ("regions (all 8)", [f"/monitorizare/regiune/{c}/" for c in regions] * max(1, requests // 8), cookie),
        (
            "counties (all 42)",
            [f"/monitorizare/judet/{c}/" for c in counties] * max(1, requests // 42 + 1),
            cookie,
        ),
        ("localities (all)", [f"/monitorizare/localitate/{s}/" for s in localities], cookie),
        ("county, as supervisor", ["/monitorizare/judet/BC/"] * requests, supervisor_cookie),
    ]
    # Warm every server process (imports, templates, translations, connections) on two pages that are requested
    # a hundred times each below anyway, so that no measured page is served warm by the warm-up.
    for path, session in (("/monitorizare/tara/RO/", cookie), ("/monitorizare/judet/BC/", supervisor_cookie)):
        for _ in range(5 * (os.cpu_count() or 1)):
            _get(path, session)
    levels = []
    for name, paths, session in plan:
        times = []
        for path in paths:
            status, ms = _get(path, session)
            if status not in (200, 302):
                raise RuntimeError(f"{path} answered {status}")
            times.append(ms)
        times.sort()
        levels.append(
            {
                "name": name,
                "requests": len(times),
                "p50": statistics.median(times),
                "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
            }
        )
    return levels


def _synthetic_lines(count: int, seed: int, localities: list[int]) -> list[str]:
    from mps.demo.synthetic import synthetic_assessments

    lines = []
    rng = random.Random(seed)
    for document in synthetic_assessments(count, seed=seed):
        document["household"]["locality"] = str(rng.choice(localities))
        document["household"].pop("village", None)
        for member in document["members"]:
            member.pop("cnp", None)  # CNPs of separate seeds may collide; they are not what is measured
        lines.append(json.dumps(document, ensure_ascii=False))
    return lines


def _wal() -> tuple[int, int]:
    """Return the server's write-ahead log written so far: bytes, and full-page images among its records."""
    with_stats = _scalar("SELECT wal_bytes::bigint || ' ' || wal_fpi FROM pg_stat_wal")
    written, images = with_stats.split()
    return int(written), int(images)


WAL: dict[str, list[tuple[int, int, int]]] = {"raw": [], "without": []}


def _import_rate(lines: list[str]) -> float:
    from mps.assessment.importing import assessments_import

    started = time.perf_counter()
    summary = assessments_import(lines, workers=1)
    seconds = time.perf_counter() - started
    if summary.rejected:
        raise RuntimeError(f"{len(summary.rejected)} lines rejected: {summary.rejected[0].as_json()}")
    if summary.accepted != len(lines):
        raise RuntimeError(f"{len(lines) - summary.accepted} of {len(lines)} lines were stored before")
    return summary.accepted / seconds


def _raw_copy_rate(lines: list[str]) -> float:
    """Write the rows an import of ``lines`` writes, and nothing else: the floor an import is measured against.

    The lines are prepared and planned as the import plans them (against the registry as it is), untimed; then
    only `rows.write` is timed, batch by batch in a transaction each, as the import's writer does: one COPY per
    table (households, people, memberships, assessments, their answers, findings, audit).
    """
    from django.db import transaction

    from mps.assessment import rows
    from mps.assessment.importing import DEFAULT_BATCH_SIZE
    from mps.assessment.preparation import prepare

    prepared = [prepare(json.loads(line), line_number=number) for number, line in enumerate(lines, start=1)]
    planned = []
    for start in range(0, len(prepared), DEFAULT_BATCH_SIZE):
        batch = prepared[start : start + DEFAULT_BATCH_SIZE]
        writes, touched = rows.Writes(), rows.Touched()
        decided, _ = rows.plan_lines(
            batch, rows.load_state(batch, None), writes, touched, actor=None, source="import"
        )
        if any(done.status != "accepted" for done in decided):
            raise RuntimeError("the raw COPY's households were stored before: it would write nothing")
        planned.append(writes)
    started = time.perf_counter()
    for writes in planned:
        with transaction.atomic():
            rows.write(writes)
    return len(prepared) / (time.perf_counter() - started)


def _settle() -> None:
    """Bring the figures up to date and leave the database as quiet before every import, whichever arm it is in.

    The catch-up run, the autovacuum the previous import set off and the checkpoint it filled are not what either
    arm measures, and would otherwise land in whichever import came next. Every run looks back
    MPS_MONITORING_REFRESH_OVERLAP seconds: once they have passed since the previous import, a run finds nothing,
    so the worker's first run (and its pace) owes nothing to the import before.
    """
    from mps.monitoring.conf import refresh_overlap_seconds
    from mps.monitoring.refresh import monitoring_refresh

    started = time.perf_counter()
    monitoring_refresh()
    for table in ("registry_household", "registry_person", *BIG_TABLES):
        _sql(f"VACUUM ANALYZE {table}")
    _sql("CHECKPOINT")
    time.sleep(max(0.0, refresh_overlap_seconds() + 1 - (time.perf_counter() - started)))
    monitoring_refresh()


def _import_cost(count: int, every: float, rounds: int, share: float | None) -> dict[str, Any]:
    """Import alternately without and with the refresh worker running; then time the run that catches up.

    ``rounds`` pairs, in the order without-with, with-without, … so that a drift of the machine over the run
    weighs on both arms alike; each arm's figure is the median of its imports.
    """
    from mps.assessment.models import Assessment
    from mps.geography.models import Locality
    from mps.monitoring.areas import country
    from mps.monitoring.refresh import monitoring_refresh
    from mps.monitoring.selectors import area_figures

    localities = list(Locality.objects.order_by("siruta").values_list("siruta", flat=True)[:200])
    without: list[float] = []
    with_worker: list[float] = []
    run_seconds: list[float] = []
    pauses: list[float] = []
    order = [arm for index in range(rounds) for arm in ((False, True) if index % 2 == 0 else (True, False))]
    # Seeds no run before used on this database (a country measured in place keeps the households it imported):
    # the same seed would make the same households, and an import of households already stored measures nothing.
    first_seed = 1 + Assessment.objects.count()
    raw: list[float] = []
    for seed, worker_on in enumerate(order, start=1):
        if not worker_on:
            # The floor, in the same state of the database: the same number of households, written raw.
            raw_lines = _synthetic_lines(count, first_seed + 1000 + seed, localities)
            _settle()
            before = _wal()
            raw.append(_raw_copy_rate(raw_lines))
            after = _wal()
            WAL["raw"].append((after[0] - before[0], after[1] - before[1], len(raw_lines)))
        lines = _synthetic_lines(count, first_seed + seed, localities)
        _settle()
        if not worker_on:
            before = _wal()
            without.append(_import_rate(lines))
            after = _wal()
            WAL["without"].append((after[0] - before[0], after[1] - before[1], len(lines)))
            continue
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                sys.executable,
                "manage.py",
                "monitoring_refresh",
                "--loop",
                "--every",
                str(every),
                "--verbosity",
                "2",
                *([] if share is None else ["--share", str(share)]),
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            # Measure the worker at work, not its start-up: wait for its first run (nothing to do: the figures
            # were just brought up to date) before importing.
            assert worker.stdout is not None
            worker.stdout.readline()
            with_worker.append(_import_rate(lines))
        finally:
            worker.terminate()
            output, _ = worker.communicate(timeout=120)
        # The runs that finished during the import, and the pauses the worker chose after them (not the first:
        # it follows the run read above, which found nothing to do).
        arm_pauses = []
        for line in output.splitlines():
            if "localities refreshed in" in line:
                run_seconds.append(float(line.split(" refreshed in ")[1].split(" s")[0]))
            elif line.startswith("next run in"):
                arm_pauses.append(float(line.split()[3]))
        pauses += arm_pauses[1:]
    started = time.perf_counter()
    result = monitoring_refresh()
    incremental_s = time.perf_counter() - started
    shown = sum(area_figures(country(), wave).get("households", 0) for wave in (0, 1, 2, 3))
    expected = Assessment.objects.values("household_id", "wave_number").distinct().count()
    return {
        # Write-ahead log per household, and the share of full-page images (a page's first change after a
        # checkpoint logs the whole page: what random index insertions into big tables cost most).
        "wal": {
            arm: {
                "kb_per_household": sum(w for w, _, _ in runs) / sum(n for _, _, n in runs) / 1024,
                "images_per_household": sum(i for _, i, _ in runs) / sum(n for _, _, n in runs),
            }
            for arm, runs in WAL.items()
            if runs
        },
        "raw_runs": raw,
        "raw": statistics.median(raw),
        "without_runs": without,
        "with_runs": with_worker,
        "without": statistics.median(without),
        "with": statistics.median(with_worker),
        "every": every,
        "share": share,
        "worker_runs": len(run_seconds),
        "run_median_s": statistics.median(run_seconds) if run_seconds else 0.0,
        "pause_median_s": statistics.median(pauses) if pauses else None,
        "incremental_localities": result.localities,
        "incremental_s": incremental_s,
        "visible": shown == expected,
    }


if __name__ == "__main__":
    raise SystemExit(main())
