"""Rolling the aggregate tables forward: recompute only the localities whose data changed since the last run.

Policy. Nothing is counted on page load and nothing is maintained by a trigger or a per-insert receiver: a
background worker (`manage.py monitoring_refresh --loop`) runs `monitoring_refresh` every 30 seconds. Each run
finds the localities touched since the high-water mark (rows of assessments, census campaigns and entries,
cases, services and referrals whose ``updated_at`` is later; imports and syncs included, since they write the
same columns), recomputes those localities' figures from the base tables with set-based SQL, then sums them
into their county, region and the country. A run is one transaction, so a dashboard sees either the old or the
new figures, never half of them. The next mark is the run's start, or on PostgreSQL the start of the oldest
transaction still open then (its rows were invisible to this run), minus a margin for clock differences
(``MPS_MONITORING_REFRESH_OVERLAP``, default 10 s), so such rows are picked up by a later run while a locality
changed once is recomputed about once. ``full=True`` rebuilds everything (first run, or after a change of
reference data such as a locality's kind). Deleted rows are not seen by the mark; the platform never deletes
assessments, and a full rebuild settles anything else.
"""

# ruff: noqa: S608 - the SQL below is composed from table names and code constants only; every value is a parameter.

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue
from mps.census.models import CensusCampaign, CensusEntry
from mps.geography.models import URBAN_KINDS, County, Locality

from . import indicators as ind
from .conf import refresh_overlap_seconds
from .models import AreaActivity, AreaFigure, AreaLevel, LocalityRefresh, RefreshMark, WorkerCaseload

logger = logging.getLogger(__name__)

_LATEST = "monitoring_latest"


@dataclass(frozen=True)
class RefreshResult:
    """What one run did."""

    localities: int
    full: bool
    as_of: dt.datetime
    seconds: float


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type) -> str:
    return _q(model._meta.db_table)  # type: ignore[attr-defined]


def _in(column: str, values: Sequence[Any] | None) -> tuple[str, list[Any]]:
    """Return an ``AND column IN (…)`` clause and its parameters; no clause for None (everything)."""
    if values is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(values))})", list(values)


def touched_localities(since: dt.datetime) -> set[int]:
    """Return the localities with a row changed after ``since`` in any table the figures come from."""
    touched: set[int] = set()
    touched.update(
        Assessment.objects.filter(updated_at__gt=since).values_list("locality_id", flat=True).distinct()
    )
    touched.update(
        CensusCampaign.objects.filter(updated_at__gt=since).values_list("locality_id", flat=True).distinct()
    )
    touched.update(
        CensusEntry.objects.filter(updated_at__gt=since)
        .values_list("campaign__locality_id", flat=True)
        .distinct()
    )
    for model in _case_models():
        touched.update(
            model.objects.filter(updated_at__gt=since).values_list("locality_id", flat=True).distinct()
        )
    return touched


def _case_models() -> list[Any]:
    """Return the case-management models the figures read (imported late: cases sits below monitoring)."""
    from mps.cases.models import Case, Referral, ServiceDelivery

    return [Case, ServiceDelivery, Referral]


def monitoring_refresh(*, full: bool = False, now: dt.datetime | None = None) -> RefreshResult:
    """Recompute the figures of the localities changed since the last run (all of them with ``full``)."""
    started = time.perf_counter()
    run_start = now or timezone.now()
    with transaction.atomic():
        mark = RefreshMark.objects.select_for_update().filter(name="default").first()
        localities = None if full or mark is None else sorted(touched_localities(mark.high_water))
        count = _recompute(localities, run_start)
        seconds = time.perf_counter() - started
        RefreshMark.objects.update_or_create(
            name="default",
            defaults={
                "high_water": _next_high_water(run_start),
                "as_of": run_start,
                "localities": count,
                "duration_ms": int(seconds * 1000),
            },
        )
    return RefreshResult(localities=count, full=localities is None, as_of=run_start, seconds=seconds)


def _next_high_water(run_start: dt.datetime) -> dt.datetime:
    """Return the mark of the next run: this run's start, or the start of an older transaction still open.

    A row is stamped ``updated_at`` inside its transaction but becomes visible only at commit. On PostgreSQL the
    oldest transaction open at this instant (``pg_stat_activity``) bounds what this run could not see; the margin
    (``MPS_MONITORING_REFRESH_OVERLAP``) absorbs clock differences between application servers and the database.
    """
    oldest = run_start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT MIN(xact_start) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
            )
            open_since = cursor.fetchone()[0]
        if open_since is not None:
            oldest = min(oldest, open_since)
    return oldest - dt.timedelta(seconds=refresh_overlap_seconds())


def _recompute(localities: list[int] | None, run_start: dt.datetime) -> int:
    """Rebuild the locality rows of these localities (None: all) and the rolled-up rows above them."""
    if localities == []:
        return 0
    if localities is None:
        counties = None
        AreaFigure.objects.all().delete()
        AreaActivity.objects.all().delete()
        WorkerCaseload.objects.all().delete()
        refreshed = list(Locality.objects.values_list("siruta", flat=True))
    else:
        counties = sorted(
            set(Locality.objects.filter(siruta__in=localities).values_list("county_id", flat=True))
        )
        areas = [str(siruta) for siruta in localities]
        AreaFigure.objects.filter(level=AreaLevel.LOCALITY, area__in=areas).delete()
        AreaActivity.objects.filter(level=AreaLevel.LOCALITY, area__in=areas).delete()
        WorkerCaseload.objects.filter(locality_id__in=localities).delete()
        refreshed = localities
    _assessment_figures(localities)
    _census_figures(localities)
    _activity_figures(localities)
    _roll_up(counties)
    if localities is None and connection.vendor == "postgresql":
        # A rebuild replaces every row: give the planner the new statistics before the dashboards read them.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_table(AreaFigure)}, {_table(AreaActivity)}")
    LocalityRefresh.objects.bulk_create(
        [LocalityRefresh(locality_id=siruta, refreshed_at=run_start) for siruta in refreshed],
        update_conflicts=True,
        unique_fields=["locality"],
        update_fields=["refreshed_at"],
        batch_size=2000,
    )
    return len(refreshed)


def _locality_columns() -> str:
    """Return the SQL that gives a locality row its area code, urban flag and marginalisation."""
    urban = ", ".join(f"'{kind.value}'" for kind in URBAN_KINDS)
    return f"CAST(loc.siruta AS VARCHAR(8)), loc.kind IN ({urban}), loc.marginalisation"


def _insert_figures(select: str, params: list[Any]) -> None:
    """Insert locality figures from a SELECT of (locality_id, wave_number, indicator, value)."""
    sql = f"""
        INSERT INTO {_table(AreaFigure)} (level, area, urban, marginalisation, wave_number, indicator, value)
        SELECT 'locality', {_locality_columns()}, x.wave_number, x.indicator, x.value
        FROM ({select}) x JOIN {_table(Locality)} loc ON loc.siruta = x.locality_id
        WHERE x.value > 0
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _materialize(name: str, select: str, params: Sequence[Any] = ()) -> None:
    """Store a SELECT in a temporary table, so that the statements after it read it instead of recomputing it."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {select}", list(params))
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {name}")


def _drop(*names: str) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _insert_unpivoted(source: str, columns: Sequence[tuple[str, str]]) -> None:
    """Insert figures from the named columns of a temporary table keyed by (locality_id, wave_number)."""
    _insert_figures(
        " UNION ALL ".join(
            f"SELECT locality_id, wave_number, {indicator} AS indicator, {column} AS value FROM {source}"
            for indicator, column in columns
        ),
        [],
    )


def _assessment_figures(localities: list[int] | None) -> None:
    """Insert the figures computed from the latest assessment of each household in each wave."""
    assessment, members, findings = _table(Assessment), _table(MemberAnswers), _table(Finding)
    where, params = _in("a.locality_id", localities)
    # Findings carry their locality (indexed): filtering on it lets the database read only the changed places.
    finding_where, finding_params = _in("f.locality_id", localities)
    # The latest assessment of the household in its wave (by visit date, recording time, then id): every figure
    # below starts from it.
    _materialize(
        _LATEST,
        f"""
        SELECT a.id, a.locality_id, a.wave_number, a.risk_level, a.has_critical
        FROM {assessment} a
        WHERE NOT EXISTS (
            SELECT 1 FROM {assessment} b
            WHERE b.household_id = a.household_id AND b.wave_number = a.wave_number
              AND (b.assessed_on, b.created_at, b.id) > (a.assessed_on, a.created_at, a.id)
        ){where}
        """,
        params,
    )
    risks = ", ".join(
        f"SUM(CASE WHEN risk_level = '{risk}' THEN 1 ELSE 0 END) AS h_{risk}" for risk in ind.RISK_LEVELS
    )
    _materialize(
        "monitoring_households",
        f"""SELECT locality_id, wave_number, COUNT(*) AS h_all,
            SUM(CASE WHEN has_critical THEN 1 ELSE 0 END) AS h_critical, {risks}
            FROM {_LATEST} GROUP BY locality_id, wave_number""",
    )
    _insert_unpivoted(
        "monitoring_households",
        [
            (f"'{ind.HOUSEHOLDS}'", "h_all"),
            (f"'{ind.HOUSEHOLDS_CRITICAL}'", "h_critical"),
            *((f"'{ind.households_at(risk)}'", f"h_{risk}") for risk in ind.RISK_LEVELS),
        ],
    )

    # The members of those assessments. For a few localities on PostgreSQL, an index lookup by the list of
    # assessments: joined, the planner prefers to scan every member row of the country.
    if localities is not None and connection.vendor == "postgresql":
        chosen_members = f"WHERE m.assessment_id = ANY(ARRAY(SELECT id FROM {_LATEST}))"
    else:
        chosen_members = f"WHERE m.assessment_id IN (SELECT id FROM {_LATEST})"
    _materialize(
        "monitoring_members",
        f"SELECT m.assessment_id, m.person_id, m.age, m.roma, m.disability FROM {members} m {chosen_members}",
    )
    # People: every member of the latest assessments, with the household's risk and whether they have a finding.
    _materialize(
        "monitoring_people",
        f"""
        SELECT l.locality_id, l.wave_number, l.risk_level, m.age, m.roma, m.disability,
               CASE WHEN v.person_id IS NULL THEN 0 ELSE 1 END AS vulnerable
        FROM {_LATEST} l
        JOIN monitoring_members m ON m.assessment_id = l.id
        LEFT JOIN (
            SELECT DISTINCT f.assessment_id, f.person_id
            FROM {findings} f JOIN {_LATEST} l2 ON l2.id = f.assessment_id
            WHERE f.person_id IS NOT NULL{finding_where}
        ) v ON v.assessment_id = m.assessment_id AND v.person_id = m.person_id
        """,
        finding_params,
    )
    person_sums: list[tuple[str, str]] = [
        (ind.PERSONS, "1 = 1"),
        (ind.CHILDREN, "age < 18"),
        (ind.PERSONS_VULNERABLE, "vulnerable = 1"),
        (ind.CHILDREN_VULNERABLE, "age < 18 AND vulnerable = 1"),
    ]
    for risk in ind.RISK_LEVELS:
        person_sums.append((ind.children_at(risk), f"age < 18 AND risk_level = '{risk}'"))
    for group, condition in ind.PERSON_GROUPS.items():
        person_sums += [
            (f"persons.{group}", condition),
            (f"children.{group}", f"age < 18 AND {condition}"),
            (f"children.{group}.high", f"age < 18 AND {condition} AND risk_level = 'high'"),
            (f"children.{group}.vulnerable", f"age < 18 AND {condition} AND vulnerable = 1"),
        ]
    sums = ", ".join(
        f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS p{index}"
        for index, (_, condition) in enumerate(person_sums)
    )
    _materialize(
        "monitoring_people_sums",
        f"SELECT locality_id, wave_number, {sums} FROM monitoring_people GROUP BY locality_id, wave_number",
    )
    _insert_unpivoted(
        "monitoring_people_sums", [(f"'{name}'", f"p{index}") for index, (name, _) in enumerate(person_sums)]
    )

    # Vulnerabilities: units with each code, and the people of each equity group among them.
    catalogue = load_catalogue(CURRENT_CATALOGUE)
    dimension_of = " ".join(f"WHEN '{v.code}' THEN '{v.dimension}'" for v in catalogue.vulnerabilities)
    _materialize(
        "monitoring_findings",
        f"""
        SELECT l.id AS assessment_id, l.locality_id, l.wave_number, f.code, f.person_id,
               CASE f.code {dimension_of} ELSE 'XX' END AS dimension,
               CASE WHEN m.age < 18 THEN 1 ELSE 0 END AS child,
               CASE WHEN m.roma THEN 1 ELSE 0 END AS roma,
               CASE WHEN m.disability THEN 1 ELSE 0 END AS disability
        FROM {_LATEST} l
        JOIN {findings} f ON f.assessment_id = l.id
        LEFT JOIN monitoring_members m ON m.assessment_id = f.assessment_id AND m.person_id = f.person_id
        WHERE 1 = 1{finding_where}
        """,
        finding_params,
    )
    _materialize(
        "monitoring_codes",
        """SELECT locality_id, wave_number, code, COUNT(*) AS units, SUM(child) AS children,
                  SUM(roma) AS roma, SUM(disability) AS disability
           FROM monitoring_findings GROUP BY locality_id, wave_number, code""",
    )
    _insert_unpivoted(
        "monitoring_codes",
        [
            ("'code.' || code", "units"),
            ("'code.' || code || '.children'", "children"),
            ("'code.' || code || '.roma'", "roma"),
            ("'code.' || code || '.disability'", "disability"),
        ],
    )
    # Dimensions: households with any vulnerability of the dimension, and the people and children with one.
    _materialize(
        "monitoring_dimensions",
        """SELECT locality_id, wave_number, dimension,
                  COUNT(DISTINCT assessment_id) AS households,
                  COUNT(DISTINCT person_id) AS persons,
                  COUNT(DISTINCT CASE WHEN child = 1 THEN person_id END) AS children
           FROM monitoring_findings GROUP BY locality_id, wave_number, dimension""",
    )
    _insert_unpivoted(
        "monitoring_dimensions",
        [
            ("'dim.' || dimension || '.households'", "households"),
            ("'dim.' || dimension || '.persons'", "persons"),
            ("'dim.' || dimension || '.children'", "children"),
        ],
    )
    _drop(
        _LATEST,
        "monitoring_members",
        "monitoring_households",
        "monitoring_people",
        "monitoring_people_sums",
        "monitoring_findings",
        "monitoring_codes",
        "monitoring_dimensions",
    )


def _census_figures(localities: list[int] | None) -> None:
    """Insert census coverage per locality and wave: entries by source, visited, and by status."""
    where, params = _in("c.locality_id", localities)
    source = f"""(SELECT c.locality_id, c.wave_number, e.source, e.status, e.attempts
        FROM {_table(CensusEntry)} e JOIN {_table(CensusCampaign)} c ON c.id = e.campaign_id
        WHERE 1 = 1{where}) e"""
    select = f"""
        SELECT locality_id, wave_number, 'census.' || source AS indicator, COUNT(*) AS value FROM {source}
        GROUP BY locality_id, wave_number, source
        UNION ALL
        SELECT locality_id, wave_number, 'census.status.' || status, COUNT(*) FROM {source}
        GROUP BY locality_id, wave_number, status
        UNION ALL
        SELECT locality_id, wave_number, 'census.visited', SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END)
        FROM {source} GROUP BY locality_id, wave_number
    """
    _insert_figures(select, params * 3)


def _activity_figures(localities: list[int] | None) -> None:
    """Insert services delivered and referrals per locality and month, and each worker's caseload."""
    from mps.cases.models import OPEN_CASE_STATUSES, Case, Referral, ReferralStatus, ServiceDelivery

    only = {} if localities is None else {"locality_id__in": localities}
    values: dict[tuple[int, dt.date, str, int], int] = defaultdict(int)
    deliveries = ServiceDelivery.objects.filter(**only).annotate(month=TruncMonth("delivered_on"))
    for row in deliveries.values("locality_id", "month", "service__kind").annotate(
        n=Count("id"), minutes=Sum("duration_minutes")
    ):
        key = (row["locality_id"], row["month"])
        values[(*key, ind.SERVICES, 0)] += row["n"]
        values[(*key, ind.SERVICES_MINUTES, 0)] += row["minutes"] or 0
        values[(*key, ind.services_of_kind(row["service__kind"]), 0)] += row["n"]
    for by_role in deliveries.values("locality_id", "month", "worker__role").annotate(n=Count("id")):
        values[
            (by_role["locality_id"], by_role["month"], ind.services_by_role(by_role["worker__role"]), 0)
        ] += by_role["n"]
    referrals = Referral.objects.filter(**only)
    for referral in (
        referrals.annotate(month=TruncMonth("created_at"))
        .values("locality_id", "month", "status", "institution")
        .annotate(n=Count("id"))
    ):
        month = _as_date(referral["month"])
        values[(referral["locality_id"], month, ind.referrals_in_status(referral["status"]), 0)] += referral[
            "n"
        ]
        values[(referral["locality_id"], month, ind.referrals_to(referral["institution"]), 0)] += referral[
            "n"
        ]
    completed = referrals.filter(status=ReferralStatus.COMPLETED, closed_on__isnull=False)
    for locality_id, institution, sent_on, created_at, closed_on in completed.values_list(
        "locality_id", "institution", "sent_on", "created_at", "closed_on"
    ).iterator():
        if closed_on is None:
            continue
        start = sent_on or timezone.localdate(created_at)
        days = max(0, (closed_on - start).days)
        values[(locality_id, closed_on.replace(day=1), ind.referrals_completed(institution), days)] += 1
    places = dict(_locality_attributes(localities))
    AreaActivity.objects.bulk_create(
        [
            AreaActivity(
                level=AreaLevel.LOCALITY,
                area=str(locality_id),
                urban=places[locality_id][0],
                marginalisation=places[locality_id][1],
                month=month,
                indicator=indicator,
                bucket=bucket,
                value=value,
            )
            for (locality_id, month, indicator, bucket), value in values.items()
            if value
        ],
        batch_size=2000,
    )
    WorkerCaseload.objects.bulk_create(
        [
            WorkerCaseload(
                locality_id=row["locality_id"], worker_id=row["case_manager_id"], open_cases=row["n"]
            )
            for row in Case.objects.filter(status__in=OPEN_CASE_STATUSES, case_manager__isnull=False, **only)
            .values("locality_id", "case_manager_id")
            .annotate(n=Count("id"))
        ],
        batch_size=2000,
    )


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _locality_attributes(localities: Iterable[int] | None) -> Iterable[tuple[int, tuple[bool, str]]]:
    rows = Locality.objects.all() if localities is None else Locality.objects.filter(siruta__in=localities)
    for siruta, kind, marginalisation in rows.values_list("siruta", "kind", "marginalisation"):
        yield siruta, (kind in URBAN_KINDS, marginalisation)


def _roll_up(counties: list[str] | None) -> None:
    """Sum locality rows into their counties, counties into regions, regions into the country."""
    regions = (
        None
        if counties is None
        else sorted(set(County.objects.filter(code__in=counties).values_list("region_id", flat=True)))
    )
    county_table, locality_table = _table(County), _table(Locality)
    steps = [
        # (level, parent code SQL, join from the child rows to the parent, child level, parents to redo)
        (
            AreaLevel.COUNTY,
            "loc.county_id",
            f"JOIN {locality_table} loc ON CAST(loc.siruta AS VARCHAR(8)) = f.area",
            AreaLevel.LOCALITY,
            "loc.county_id",
            counties,
        ),
        (
            AreaLevel.REGION,
            "cty.region_id",
            f"JOIN {county_table} cty ON cty.code = f.area",
            AreaLevel.COUNTY,
            "cty.region_id",
            regions,
        ),
        (AreaLevel.COUNTRY, "'RO'", "", AreaLevel.REGION, None, None),
    ]
    for model, period in ((AreaFigure, "wave_number"), (AreaActivity, "month")):
        extra = ", bucket" if model is AreaActivity else ""
        for level, parent, join, child_level, parent_column, parents in steps:
            existing = model.objects.filter(level=level)
            if parents is not None and parent_column is not None:
                existing = existing.filter(area__in=parents)
            existing.delete()
            where, params = _in(parent_column, parents) if parent_column else ("", [])
            # PostgreSQL refuses a constant in GROUP BY: the country's rows group by nothing above them.
            group = f"{parent}, " if parent_column else ""
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    INSERT INTO {_table(model)} (level, area, urban, marginalisation, {period}, indicator{extra}, value)
                    SELECT %s, {parent}, f.urban, f.marginalisation, f.{period}, f.indicator{extra}, SUM(f.value)
                    FROM {_table(model)} f {join}
                    WHERE f.level = %s{where}
                    GROUP BY {group}f.urban, f.marginalisation, f.{period}, f.indicator{extra}
                    """,
                    [level.value, child_level.value, *params],
                )
