"""Rolling the aggregate tables forward: by what changed since the last run, never by recounting everything.

Policy. Nothing is counted on page load and nothing is maintained by a trigger or a per-insert receiver: a
background worker (`manage.py monitoring_refresh --loop`) runs `monitoring_refresh` every 30 seconds at least,
paced to a tenth of the time (``pause_after``). Each run finds what changed since the high-water mark (rows of
assessments, census campaigns and entries, cases, services and referrals whose ``updated_at`` is later, and the
accepted transfers, which name the locality a family left as well as the one it reached; imports and syncs
included, since they write the same columns), by source. Assessment figures move household by
household: the assessment counted so far for a changed household and wave (``CountedAssessment``) is subtracted
and its latest one added. Census figures of a changed (locality, wave) and the case activity of a changed
locality are recomputed from their rows. Only the locality rows whose value changed are written, and the same
differences are added to their county, region and the country. A run is one transaction, so a dashboard sees
either the old or the new figures, never half of them. The next mark is the run's start, or on PostgreSQL the
start of the oldest transaction still open then (its rows were invisible to this run), minus a margin for clock
differences (``MPS_MONITORING_REFRESH_OVERLAP``, default 10 s); an assessment seen again through that margin is
already the counted one and changes nothing. ``full=True`` rebuilds everything from empty tables (first run, or
after a change of reference data such as a locality's kind). Deleted rows are not seen by the mark; the platform
never deletes assessments nor rewrites their answers, and a full rebuild settles anything else.
"""

# ruff: noqa: S608 - the SQL below is composed from table names and code constants only; every value is a parameter.
# Each statement is marked for bandit too (`# nosec B608`): the names are quoted by the database's own
# `quote_name` or are this module's constants; anything from a request or from data (areas, waves, dates,
# localities, catalogue codes) is a query parameter. Interpolating a value here would be a bug.

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mps.assessment.models import Assessment
from mps.census.models import CensusCampaign, CensusEntry
from mps.geography.models import URBAN_KINDS, County, Locality
from mps.moves.models import HouseholdTransfer, PersonTransfer, TransferStatus

from . import indicators as ind
from .conf import refresh_overlap_seconds
from .models import (
    AreaActivity,
    AreaFigure,
    AreaLevel,
    CountedAssessment,
    LocalityRefresh,
    RefreshMark,
    WorkerCaseload,
)
from .refresh_assessments import CHANGED, assessment_differences
from .refresh_sql import NEW_FIGURES, drop, in_clause, in_pairs, insert_figures, materialize, table

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshResult:
    """What one run did."""

    localities: int
    full: bool
    as_of: dt.datetime
    seconds: float


@dataclass(frozen=True)
class Touched:
    """What changed since the mark, by the figures it feeds: each source is recomputed only where it changed."""

    # (locality, wave) of the assessments written since the mark (their households are in ``CHANGED``).
    assessments: frozenset[tuple[int, int]] = frozenset()
    # (locality, wave) with a census campaign or entry written since the mark: the census figures of that wave.
    census: frozenset[tuple[int, int]] = frozenset()
    # Localities with a case, service delivered or referral written since the mark: activity and caseloads.
    cases: frozenset[int] = frozenset()

    @property
    def localities(self) -> set[int]:
        """Return every locality with anything to recompute."""
        return (
            {siruta for siruta, _ in self.assessments}
            | {siruta for siruta, _ in self.census}
            | set(self.cases)
        )


def _touched_since(since: dt.datetime) -> Touched:
    """Return what changed after ``since`` in the tables the figures come from, by source.

    The households and waves with an assessment written since then (and the localities of those assessments: a
    household that moved has some in two) are kept in the temporary table ``CHANGED`` for the run.
    """
    assessment = table(Assessment)
    materialize(
        CHANGED,
        f"SELECT DISTINCT household_id, wave_number, locality_id FROM {assessment} WHERE updated_at > %s",  # nosec B608 - quoted names and constants only
        [since],
        analyze=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT locality_id, wave_number FROM {CHANGED}")  # nosec B608 - quoted names and constants only
        assessments = frozenset((siruta, wave) for siruta, wave in cursor.fetchall())
    # order_by(): the models' default ordering would otherwise join DISTINCT and return a row per row.
    census = set(
        CensusCampaign.objects.filter(updated_at__gt=since)
        .order_by()
        .values_list("locality_id", "wave_number")
        .distinct()
    )
    census.update(
        CensusEntry.objects.filter(updated_at__gt=since)
        .order_by()
        .values_list("campaign__locality_id", "campaign__wave_number")
        .distinct()
    )
    cases: set[int] = set()
    for model in _case_models():
        cases.update(
            model.objects.filter(updated_at__gt=since)
            .order_by()
            .values_list("locality_id", flat=True)
            .distinct()
        )
    # A move takes the case, its referrals and its caseload from one locality to the other; the rows that
    # moved keep no trace of the locality they left (their ``updated_at`` is the new one's, or untouched), so
    # the accepted transfer itself names both localities to recompute.
    for transfer_model in (HouseholdTransfer, PersonTransfer):
        for pair in (
            transfer_model.objects.filter(status=TransferStatus.ACCEPTED, updated_at__gt=since)
            .order_by()
            .values_list("from_locality_id", "to_locality_id")
            .distinct()
        ):
            cases.update(pair)
    return Touched(assessments=assessments, census=frozenset(census), cases=frozenset(cases))


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
        # Before reading anything: what this run cannot see was written after it.
        high_water = _next_high_water(run_start)
        touched = None if full or mark is None or _split_changed() else _touched_since(mark.high_water)
        rebuilt = high_water if touched is None else mark.rebuilt_high_water if mark else None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A run's joins hash a few hundred thousand rows, a rebuild's the country's (in parallel, each
                # worker with its share); at the default 4 MB they spill to disk.
                cursor.execute(f"SET LOCAL work_mem = '{'256MB' if touched is None else '64MB'}'")
                if touched is None:
                    # A rebuild's latest assessments (millions of rows) come out of a parallel scan through the
                    # leader: at the default cost of 0.1 per row passed up, the planner would rather use one core.
                    cursor.execute("SET LOCAL parallel_tuple_cost = 0.01")
        count = _recompute(touched, run_start, rebuilt)
        seconds = time.perf_counter() - started
        RefreshMark.objects.update_or_create(
            name="default",
            defaults={
                "high_water": high_water,
                "rebuilt_high_water": rebuilt,
                "as_of": run_start,
                "localities": count,
                "duration_ms": int(seconds * 1000),
            },
        )
    return RefreshResult(localities=count, full=touched is None, as_of=run_start, seconds=seconds)


def _split_changed() -> bool:
    """Whether a locality's urban/rural kind or marginalisation differs from its stored figures' split.

    A run adds and subtracts a locality's households under its split as it is now; after a change of reference
    data it would subtract them from rows that are not there. Such a run rebuilds everything instead (one pass
    over the localities' household rows, a few tens of milliseconds).
    """
    urban = [kind.value for kind in URBAN_KINDS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT 1 FROM {table(AreaFigure)} f
            JOIN {table(Locality)} loc ON f.area = CAST(loc.siruta AS VARCHAR(8))
            WHERE f.level = 'locality' AND f.indicator = %s
              AND (f.urban <> (loc.kind IN ({", ".join(["%s"] * len(urban))})) OR f.marginalisation <> loc.marginalisation)
            LIMIT 1
            """,  # nosec B608 - quoted names and constants only
            [ind.HOUSEHOLDS, *urban],
        )
        changed = cursor.fetchone() is not None
    if changed:
        logger.warning("A locality's kind or marginalisation changed: the monitoring figures are rebuilt.")
    return changed


def pause_after(run_seconds: float, *, every: float, share: float, freshness: float) -> float:
    """Return how long the worker waits after a run of ``run_seconds`` before the next one.

    At least ``every``; at least ``run_seconds·(1 - share)/share``, so that runs take at most ``share`` of the
    time (a tenth: nine times the run), as PostgreSQL's autovacuum bounds its own cost; but never so long that a
    change committed just after this run read the base tables would reach the dashboards later than
    ``freshness`` seconds (the rest of this run, the pause, then a next run as long as this one:
    pause + 2·run). When the runs are too long for both, freshness wins over the share, and ``every`` over
    freshness.
    """
    paced = run_seconds * (1 - share) / share if 0 < share < 1 else 0.0
    return max(every, min(paced, freshness - 2 * run_seconds))


def _next_high_water(run_start: dt.datetime) -> dt.datetime:
    """Return the mark of the next run: this run's start, or the start of an older transaction still open.

    A row is stamped ``updated_at`` inside its transaction but becomes visible only at commit. On PostgreSQL the
    oldest transaction open when the run starts reading (``pg_stat_activity``) bounds what it could not see: any
    row it misses was stamped after that transaction began, or after the run began; the margin
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


# Temporary tables of a run: the recomputed activity, the census scope, the differences to write (the
# assessment figures' differences and the recomputed census figures go to NEW_FIGURES, the changed households to
# CHANGED).
_NEW_ACTIVITY = "monitoring_new_activity"
_SCOPE = "monitoring_scope"
_DELTA = "monitoring_delta"


def _recompute(touched: Touched | None, run_start: dt.datetime, rebuilt: dt.datetime | None) -> int:
    """Roll the figures forward by what changed (None: rebuild them) and add the differences to the areas above.

    Assessment figures change by household: for each household and wave with a new assessment, the assessment
    counted so far (``CountedAssessment``) is subtracted and the latest one added, so a run costs what changed,
    not the size of the localities it touched. Census figures of a changed (locality, wave) and case activity of
    a changed locality are recomputed and compared with the stored ones (they are small). Only rows whose value
    changed are written, and the same differences, summed by county, region and country, are added to the rows
    above (a sum's change is the sum of its parts' changes, exactly). A rebuild is the same from empty tables.
    ``rebuilt``: the mark of the last rebuild (of this one, when rebuilding), see `signed_assessments`.
    """
    if touched is None:
        AreaFigure.objects.all().delete()
        AreaActivity.objects.all().delete()
        WorkerCaseload.objects.all().delete()
        with connection.cursor() as cursor:
            # Only the refresh reads it, under its lock: emptied at once rather than row by row, on PostgreSQL.
            emptied = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
            cursor.execute(f"{emptied} {table(CountedAssessment)}")  # nosec B608 - quoted names and constants only
        refreshed = set(Locality.objects.values_list("siruta", flat=True))
        census_pairs: Iterable[tuple[int, int]] | None = None
        case_localities: list[int] | None = None
    else:
        refreshed = touched.localities
        if not refreshed:
            drop(CHANGED)
            return 0
        census_pairs, case_localities = touched.census, sorted(touched.cases)
    _new_tables()
    if touched is None or touched.assessments:
        # A household that moved changes the figures of the locality it left too.
        refreshed |= assessment_differences(full=touched is None, rebuilt_before=rebuilt)
    if census_pairs is None or census_pairs:
        _census_figures(census_pairs)
    if case_localities is None or case_localities:
        _activity_figures(case_localities)
    _census_scope(census_pairs)
    _apply_figures()
    _apply_activity(case_localities)
    drop(NEW_FIGURES, _NEW_ACTIVITY, _SCOPE, _DELTA, CHANGED)
    if touched is None and connection.vendor == "postgresql":
        # A rebuild replaces every row: give the planner the new statistics before the dashboards read them.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table(AreaFigure)}, {table(AreaActivity)}, {table(CountedAssessment)}")
    LocalityRefresh.objects.bulk_create(
        [LocalityRefresh(locality_id=siruta, refreshed_at=run_start) for siruta in sorted(refreshed)],
        update_conflicts=True,
        unique_fields=["locality"],
        update_fields=["refreshed_at"],
        batch_size=2000,
    )
    return len(refreshed)


def _new_tables() -> None:
    """Create the empty temporary tables the locality figures of this run are computed into."""
    drop(NEW_FIGURES, _NEW_ACTIVITY, _SCOPE, _DELTA)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {NEW_FIGURES} (locality_id INTEGER, wave_number INTEGER, "
            "indicator VARCHAR(40), value INTEGER)"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_NEW_ACTIVITY} (locality_id INTEGER, month DATE, indicator VARCHAR(40), "
            "bucket INTEGER, value INTEGER)"
        )


def _census_scope(pairs: Iterable[tuple[int, int]] | None) -> None:
    """Store the (locality, wave) whose census figures this run recomputed (None: a rebuild, nothing stored)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {_SCOPE} (area VARCHAR(8), wave_number INTEGER)")
        rows = [(str(siruta), wave) for siruta, wave in pairs or ()]
        if rows:
            cursor.executemany(f"INSERT INTO {_SCOPE} (area, wave_number) VALUES (%s, %s)", rows)  # nosec B608 - quoted names and constants only


def _locality_columns() -> str:
    """Return the SQL that gives a locality row (``loc``) its urban flag and marginalisation."""
    urban = ", ".join(f"'{kind.value}'" for kind in URBAN_KINDS)
    return f"loc.kind IN ({urban}) AS urban, loc.marginalisation AS marginalisation"


def _apply_figures() -> None:
    """Write the changed locality figures and add their differences to the county, region and country rows.

    ``NEW_FIGURES`` holds the differences of the assessment figures and the recomputed census figures; the
    stored census rows of the recomputed (locality, wave) are subtracted from the latter.
    """
    figures = table(AreaFigure)
    materialize(
        _DELTA,
        f"""
        SELECT d.locality_id, d.urban, d.marginalisation, d.wave_number, d.indicator, SUM(d.value) AS value
        FROM (
            SELECT n.locality_id, {_locality_columns()}, n.wave_number, n.indicator, n.value
            FROM {NEW_FIGURES} n JOIN {table(Locality)} loc ON loc.siruta = n.locality_id
            UNION ALL
            SELECT CAST(f.area AS INTEGER), f.urban, f.marginalisation, f.wave_number, f.indicator, -f.value
            FROM {figures} f JOIN {_SCOPE} s ON f.area = s.area AND f.wave_number = s.wave_number
            WHERE f.level = 'locality' AND f.indicator LIKE '{ind.CENSUS_PREFIX}%%'
        ) d
        GROUP BY d.locality_id, d.urban, d.marginalisation, d.wave_number, d.indicator
        HAVING SUM(d.value) <> 0
        """,  # nosec B608 - quoted names and constants only
    )
    _add_up(figures, _DELTA, "wave_number", "")


def _apply_activity(localities: list[int] | None) -> None:
    """Write the changed activity rows of these localities (None: all) and add their differences above."""
    activity = table(AreaActivity)
    if localities == []:
        return
    params: list[Any] = []
    replaced = ""
    if localities is not None:
        where, params = in_clause("f.area", [str(siruta) for siruta in localities])
        replaced = f"""
        UNION ALL
        SELECT CAST(f.area AS INTEGER), f.urban, f.marginalisation, f.month, f.indicator, f.bucket, -f.value
        FROM {activity} f WHERE f.level = 'locality'{where}"""  # nosec B608 - quoted names and constants only
    materialize(
        _DELTA,
        f"""
        SELECT d.locality_id, d.urban, d.marginalisation, d.month, d.indicator, d.bucket, SUM(d.value) AS value
        FROM (
            SELECT n.locality_id, {_locality_columns()}, n.month, n.indicator, n.bucket, n.value
            FROM {_NEW_ACTIVITY} n JOIN {table(Locality)} loc ON loc.siruta = n.locality_id{replaced}
        ) d
        GROUP BY d.locality_id, d.urban, d.marginalisation, d.month, d.indicator, d.bucket
        HAVING SUM(d.value) <> 0
        """,  # nosec B608 - quoted names and constants only
        params,
    )
    _add_up(activity, _DELTA, "month", ", bucket")


def _add_up(target: str, delta: str, period: str, extra: str) -> None:
    """Add the locality differences in ``delta`` to the rows of the locality and of every area above it.

    A row whose value falls to zero is deleted: no area stores a zero, as a rebuild would not.
    """
    county_table, locality_table = table(County), table(Locality)
    levels = [
        (AreaLevel.LOCALITY, "CAST(d.locality_id AS VARCHAR(8))", ""),
        (AreaLevel.COUNTY, "loc.county_id", f"JOIN {locality_table} loc ON loc.siruta = d.locality_id"),
        (
            AreaLevel.REGION,
            "cty.region_id",
            f"JOIN {locality_table} loc ON loc.siruta = d.locality_id "
            f"JOIN {county_table} cty ON cty.code = loc.county_id",
        ),
        (AreaLevel.COUNTRY, "'RO'", ""),
    ]
    key = f"level, area, urban, marginalisation, {period}, indicator{extra}"
    columns = f"d.urban, d.marginalisation, d.{period}, d.indicator{extra.replace(', ', ', d.')}"
    with connection.cursor() as cursor:
        for level, parent, join in levels:
            # PostgreSQL refuses a constant in GROUP BY: the country's rows group by nothing above them.
            group = f"{parent}, " if level != AreaLevel.COUNTRY else ""
            # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT with a join.
            cursor.execute(
                f"""
                INSERT INTO {target} ({key}, value)
                SELECT %s, {parent}, {columns}, SUM(d.value)
                FROM {delta} d {join}
                WHERE 1 = 1
                GROUP BY {group}{columns}
                HAVING SUM(d.value) <> 0
                ON CONFLICT ({key}) DO UPDATE SET value = {target}.value + excluded.value
                """,  # nosec B608 - quoted names and constants only
                [level.value],
            )
        cursor.execute(f"DELETE FROM {target} WHERE value = 0")  # nosec B608 - quoted names and constants only


def _census_figures(pairs: Iterable[tuple[int, int]] | None) -> None:
    """Compute census coverage per locality and wave (None: all): entries by source, visited, and by status."""
    where, params = in_pairs("c.locality_id", "c.wave_number", pairs)
    source = f"""(SELECT c.locality_id, c.wave_number, e.source, e.status, e.attempts
        FROM {table(CensusEntry)} e JOIN {table(CensusCampaign)} c ON c.id = e.campaign_id
        WHERE 1 = 1{where}) e"""  # nosec B608 - quoted names and constants only
    select = f"""
        SELECT locality_id, wave_number, 'census.' || source AS indicator, COUNT(*) AS value FROM {source}
        GROUP BY locality_id, wave_number, source
        UNION ALL
        SELECT locality_id, wave_number, 'census.status.' || status, COUNT(*) FROM {source}
        GROUP BY locality_id, wave_number, status
        UNION ALL
        SELECT locality_id, wave_number, 'census.visited', SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END)
        FROM {source} GROUP BY locality_id, wave_number
    """  # nosec B608 - quoted names and constants only
    insert_figures(select, params * 3)


def _activity_figures(localities: list[int] | None) -> None:
    """Compute services delivered and referrals per locality and month, and replace each worker's caseload."""
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
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_NEW_ACTIVITY} (locality_id, month, indicator, bucket, value) VALUES (%s, %s, %s, %s, %s)",  # nosec B608 - quoted names and constants only
            [(*key, value) for key, value in values.items() if value],
        )
    if localities is not None:
        WorkerCaseload.objects.filter(locality_id__in=localities).delete()
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
