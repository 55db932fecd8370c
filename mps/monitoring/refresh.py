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

logger = logging.getLogger(__name__)

_LATEST = "monitoring_latest"


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

    # (locality, wave) of the assessments written since the mark (their households are in ``_CHANGED``).
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


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type) -> str:
    return _q(model._meta.db_table)  # type: ignore[attr-defined]


def _in(column: str, values: Sequence[Any] | None) -> tuple[str, list[Any]]:
    """Return an ``AND column IN (…)`` clause and its parameters; no clause for None (everything)."""
    if values is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _in_pairs(
    locality_column: str, wave_column: str, pairs: Iterable[tuple[int, int]] | None
) -> tuple[str, list[Any]]:
    """Return an ``AND`` clause keeping the rows of these (locality, wave) pairs; no clause for None (all).

    One branch per wave, each a list of localities: every table filtered here has an index starting with
    (locality, wave), which each branch uses.
    """
    if pairs is None:
        return "", []
    by_wave: dict[int, list[int]] = defaultdict(list)
    for siruta, wave in sorted(pairs):
        by_wave[wave].append(siruta)
    branches, params = [], []
    for wave, localities in sorted(by_wave.items()):
        branches.append(
            f"({wave_column} = %s AND {locality_column} IN ({', '.join(['%s'] * len(localities))}))"
        )
        params += [wave, *localities]
    return f" AND ({' OR '.join(branches)})", params


def _touched_since(since: dt.datetime) -> Touched:
    """Return what changed after ``since`` in the tables the figures come from, by source.

    The households and waves with an assessment written since then (and the localities of those assessments: a
    household that moved has some in two) are kept in the temporary table ``_CHANGED`` for the run.
    """
    assessment = _table(Assessment)
    _materialize(
        _CHANGED,
        f"SELECT DISTINCT household_id, wave_number, locality_id FROM {assessment} WHERE updated_at > %s",  # nosec B608 - quoted names and constants only
        [since],
        analyze=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT locality_id, wave_number FROM {_CHANGED}")  # nosec B608 - quoted names and constants only
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The joins of a run hash a few hundred thousand rows; at the default 4 MB they spill to disk.
                cursor.execute("SET LOCAL work_mem = '64MB'")
        mark = RefreshMark.objects.select_for_update().filter(name="default").first()
        touched = None if full or mark is None or _split_changed() else _touched_since(mark.high_water)
        count = _recompute(touched, run_start)
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
            SELECT 1 FROM {_table(AreaFigure)} f
            JOIN {_table(Locality)} loc ON f.area = CAST(loc.siruta AS VARCHAR(8))
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


# Temporary tables of a run: the differences of the assessment figures and the recomputed census figures, the
# recomputed activity, the census scope, the differences to write, the changed households.
_NEW_FIGURES = "monitoring_new_figures"
_NEW_ACTIVITY = "monitoring_new_activity"
_SCOPE = "monitoring_scope"
_DELTA = "monitoring_delta"
_CHANGED = "monitoring_changed"


def _recompute(touched: Touched | None, run_start: dt.datetime) -> int:
    """Roll the figures forward by what changed (None: rebuild them) and add the differences to the areas above.

    Assessment figures change by household: for each household and wave with a new assessment, the assessment
    counted so far (``CountedAssessment``) is subtracted and the latest one added, so a run costs what changed,
    not the size of the localities it touched. Census figures of a changed (locality, wave) and case activity of
    a changed locality are recomputed and compared with the stored ones (they are small). Only rows whose value
    changed are written, and the same differences, summed by county, region and country, are added to the rows
    above (a sum's change is the sum of its parts' changes, exactly). A rebuild is the same from empty tables.
    """
    if touched is None:
        AreaFigure.objects.all().delete()
        AreaActivity.objects.all().delete()
        WorkerCaseload.objects.all().delete()
        CountedAssessment.objects.all().delete()
        refreshed = set(Locality.objects.values_list("siruta", flat=True))
        census_pairs: Iterable[tuple[int, int]] | None = None
        case_localities: list[int] | None = None
    else:
        refreshed = touched.localities
        if not refreshed:
            _drop(_CHANGED)
            return 0
        census_pairs, case_localities = touched.census, sorted(touched.cases)
    _new_tables()
    if touched is None or touched.assessments:
        # A household that moved changes the figures of the locality it left too.
        refreshed |= _assessment_differences(full=touched is None)
    if census_pairs is None or census_pairs:
        _census_figures(census_pairs)
    if case_localities is None or case_localities:
        _activity_figures(case_localities)
    _census_scope(census_pairs)
    _apply_figures()
    _apply_activity(case_localities)
    _drop(_NEW_FIGURES, _NEW_ACTIVITY, _SCOPE, _DELTA, _CHANGED)
    if touched is None and connection.vendor == "postgresql":
        # A rebuild replaces every row: give the planner the new statistics before the dashboards read them.
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {_table(AreaFigure)}, {_table(AreaActivity)}, {_table(CountedAssessment)}"
            )
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
    _drop(_NEW_FIGURES, _NEW_ACTIVITY, _SCOPE, _DELTA)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_NEW_FIGURES} (locality_id INTEGER, wave_number INTEGER, "
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

    ``_NEW_FIGURES`` holds the differences of the assessment figures and the recomputed census figures; the
    stored census rows of the recomputed (locality, wave) are subtracted from the latter.
    """
    figures = _table(AreaFigure)
    _materialize(
        _DELTA,
        f"""
        SELECT d.locality_id, d.urban, d.marginalisation, d.wave_number, d.indicator, SUM(d.value) AS value
        FROM (
            SELECT n.locality_id, {_locality_columns()}, n.wave_number, n.indicator, n.value
            FROM {_NEW_FIGURES} n JOIN {_table(Locality)} loc ON loc.siruta = n.locality_id
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
    activity = _table(AreaActivity)
    if localities == []:
        return
    params: list[Any] = []
    replaced = ""
    if localities is not None:
        where, params = _in("f.area", [str(siruta) for siruta in localities])
        replaced = f"""
        UNION ALL
        SELECT CAST(f.area AS INTEGER), f.urban, f.marginalisation, f.month, f.indicator, f.bucket, -f.value
        FROM {activity} f WHERE f.level = 'locality'{where}"""  # nosec B608 - quoted names and constants only
    _materialize(
        _DELTA,
        f"""
        SELECT d.locality_id, d.urban, d.marginalisation, d.month, d.indicator, d.bucket, SUM(d.value) AS value
        FROM (
            SELECT n.locality_id, {_locality_columns()}, n.month, n.indicator, n.bucket, n.value
            FROM {_NEW_ACTIVITY} n JOIN {_table(Locality)} loc ON loc.siruta = n.locality_id{replaced}
        ) d
        GROUP BY d.locality_id, d.urban, d.marginalisation, d.month, d.indicator, d.bucket
        HAVING SUM(d.value) <> 0
        """,  # nosec B608 - quoted names and constants only
        params,
    )
    _add_up(activity, _DELTA, "month", ", bucket")


def _add_up(table: str, delta: str, period: str, extra: str) -> None:
    """Add the locality differences in ``delta`` to the rows of the locality and of every area above it.

    A row whose value falls to zero is deleted: no area stores a zero, as a rebuild would not.
    """
    county_table, locality_table = _table(County), _table(Locality)
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
                INSERT INTO {table} ({key}, value)
                SELECT %s, {parent}, {columns}, SUM(d.value)
                FROM {delta} d {join}
                WHERE 1 = 1
                GROUP BY {group}{columns}
                HAVING SUM(d.value) <> 0
                ON CONFLICT ({key}) DO UPDATE SET value = {table}.value + excluded.value
                """,  # nosec B608 - quoted names and constants only
                [level.value],
            )
        cursor.execute(f"DELETE FROM {table} WHERE value = 0")  # nosec B608 - quoted names and constants only


def _materialize(name: str, select: str, params: Sequence[Any] = (), *, analyze: bool = False) -> None:
    """Store a SELECT in a temporary table, so that the statements after it read it instead of recomputing it.

    ``analyze``: for a table later joined, whose size and keys the planner should know (a table only summed
    needs no statistics, and gathering them costs a pass over it).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {select}", list(params))
        if analyze and connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {name}")


def _drop(*names: str) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _insert_figures(select: str, params: list[Any]) -> None:
    """Store locality figures (or their differences) from a SELECT of (locality_id, wave_number, indicator, value)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_NEW_FIGURES} (locality_id, wave_number, indicator, value) "
            f"SELECT x.locality_id, x.wave_number, x.indicator, x.value FROM ({select}) x WHERE x.value <> 0",  # nosec B608 - quoted names and constants only
            params,
        )


def _insert_unpivoted(source: str, columns: Sequence[tuple[str, str]]) -> None:
    """Insert figures from the named columns of a temporary table keyed by (locality_id, wave_number)."""
    _insert_figures(
        " UNION ALL ".join(
            f"SELECT locality_id, wave_number, {indicator} AS indicator, {column} AS value FROM {source}"  # nosec B608 - quoted names and constants only
            for indicator, column in columns
        ),
        [],
    )


def _signed_assessments(*, full: bool) -> None:
    """Store in ``_LATEST`` the assessments whose figures to add (sign 1) and to subtract (sign -1).

    Rebuild: the latest assessment of every household in every wave, each added. Otherwise, for the households and
    waves in ``_CHANGED``: their latest assessment now, added, and the one counted so far, subtracted, where the
    two differ (a household seen again through the mark's overlap, with the same latest assessment, changes
    nothing). ``CountedAssessment`` is brought up to date in the same transaction.
    """
    assessment, counted = _table(Assessment), _table(CountedAssessment)
    # The latest assessment of the household in its wave: by visit date, recording time, then id.
    latest = f"""
        SELECT a.id, a.household_id, a.locality_id, a.wave_number, a.risk_level, a.has_critical
        FROM {assessment} a {{join}}
        WHERE NOT EXISTS (
            SELECT 1 FROM {assessment} b
            WHERE b.household_id = a.household_id AND b.wave_number = a.wave_number
              AND (b.assessed_on, b.created_at, b.id) > (a.assessed_on, a.created_at, a.id)
        )"""  # nosec B608 - quoted names and constants only
    if full:
        _materialize(_LATEST, f"SELECT x.*, 1 AS sign FROM ({latest.format(join='')}) x", analyze=True)  # nosec B608 - quoted names and constants only
    else:
        _materialize(
            "monitoring_now",
            latest.format(
                join=f"JOIN (SELECT DISTINCT household_id, wave_number FROM {_CHANGED}) c "
                "ON c.household_id = a.household_id AND c.wave_number = a.wave_number"  # nosec B608 - quoted names and constants only
            ),
            analyze=True,
        )
        _materialize(
            _LATEST,
            f"""
            SELECT n.id, n.household_id, n.locality_id, n.wave_number, n.risk_level, n.has_critical, 1 AS sign
            FROM monitoring_now n
            LEFT JOIN {counted} k ON k.household_id = n.household_id AND k.wave_number = n.wave_number
            WHERE k.assessment_id IS NULL OR k.assessment_id <> n.id
            UNION ALL
            SELECT a.id, a.household_id, a.locality_id, a.wave_number, a.risk_level, a.has_critical, -1
            FROM monitoring_now n
            JOIN {counted} k ON k.household_id = n.household_id AND k.wave_number = n.wave_number
            JOIN {assessment} a ON a.id = k.assessment_id
            WHERE k.assessment_id <> n.id
            """,  # nosec B608 - quoted names and constants only
            analyze=True,
        )
        _drop("monitoring_now")
    with connection.cursor() as cursor:
        if not full:
            cursor.execute(
                f"DELETE FROM {counted} WHERE (household_id, wave_number) IN "
                f"(SELECT household_id, wave_number FROM {_LATEST} WHERE sign = -1)"  # nosec B608 - quoted names and constants only
            )
        cursor.execute(
            f"INSERT INTO {counted} (household_id, wave_number, assessment_id) "
            f"SELECT household_id, wave_number, id FROM {_LATEST} WHERE sign = 1"  # nosec B608 - quoted names and constants only
        )


def _assessment_differences(*, full: bool) -> set[int]:
    """Store the differences the changed assessments make to the locality figures; return those localities.

    Every assessment figure is a sum over the counted assessments of what each one holds (its household, its
    members, its findings; people of a dimension are counted within each household, like every other person
    figure), so adding and subtracting assessments in ``_LATEST`` by their sign gives the exact difference.
    """
    _signed_assessments(full=full)
    members, findings = _table(MemberAnswers), _table(Finding)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT locality_id FROM {_LATEST}")  # nosec B608 - quoted names and constants only
        localities = {siruta for (siruta,) in cursor.fetchall()}
    risks = ", ".join(
        f"SUM(CASE WHEN risk_level = '{risk}' THEN sign ELSE 0 END) AS h_{risk}" for risk in ind.RISK_LEVELS
    )
    _materialize(
        "monitoring_households",
        f"""SELECT locality_id, wave_number, SUM(sign) AS h_all,
            SUM(CASE WHEN has_critical THEN sign ELSE 0 END) AS h_critical, {risks}
            FROM {_LATEST} GROUP BY locality_id, wave_number""",  # nosec B608 - quoted names and constants only
    )
    _insert_unpivoted(
        "monitoring_households",
        [
            (f"'{ind.HOUSEHOLDS}'", "h_all"),
            (f"'{ind.HOUSEHOLDS_CRITICAL}'", "h_critical"),
            *((f"'{ind.households_at(risk)}'", f"h_{risk}") for risk in ind.RISK_LEVELS),
        ],
    )

    # The members and findings of those assessments. For a run on PostgreSQL, index lookups by the list of
    # assessments: joined, the planner prefers to scan every row of the country.
    def of_latest(column: str) -> str:
        if not full and connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY(SELECT id FROM {_LATEST}))"  # nosec B608 - quoted names and constants only
        return f"{column} IN (SELECT id FROM {_LATEST})"  # nosec B608 - quoted names and constants only

    _materialize(
        "monitoring_members",
        f"SELECT m.assessment_id, m.person_id, m.age, m.roma, m.disability FROM {members} m "
        f"WHERE {of_latest('m.assessment_id')}",  # nosec B608 - quoted names and constants only
        analyze=True,
    )
    # The findings, with what their person is: read once, for the codes, the dimensions and who is vulnerable.
    catalogue = load_catalogue(CURRENT_CATALOGUE)
    # The codes and dimensions are data (the catalogue file), so they are parameters, never SQL text.
    dimension_of = " ".join("WHEN %s THEN %s" for _ in catalogue.vulnerabilities)
    dimension_params = [value for v in catalogue.vulnerabilities for value in (v.code, v.dimension)]
    _materialize(
        "monitoring_findings",
        f"""
        SELECT l.id AS assessment_id, l.locality_id, l.wave_number, l.sign, f.code, f.person_id,
               CASE f.code {dimension_of} ELSE 'XX' END AS dimension,
               CASE WHEN m.age < 18 THEN 1 ELSE 0 END AS child,
               CASE WHEN m.roma THEN 1 ELSE 0 END AS roma,
               CASE WHEN m.disability THEN 1 ELSE 0 END AS disability
        FROM (SELECT * FROM {findings} WHERE {of_latest("assessment_id")}) f
        JOIN {_LATEST} l ON l.id = f.assessment_id
        LEFT JOIN monitoring_members m ON m.assessment_id = f.assessment_id AND m.person_id = f.person_id
        """,  # nosec B608 - quoted names and constants only
        dimension_params,
    )
    # People: every member of those assessments, with the household's risk and whether they have a finding.
    _materialize(
        "monitoring_people",
        f"""
        SELECT l.locality_id, l.wave_number, l.sign, l.risk_level, m.age, m.roma, m.disability,
               CASE WHEN v.person_id IS NULL THEN 0 ELSE 1 END AS vulnerable
        FROM {_LATEST} l
        JOIN monitoring_members m ON m.assessment_id = l.id
        LEFT JOIN (
            SELECT DISTINCT assessment_id, person_id FROM monitoring_findings WHERE person_id IS NOT NULL
        ) v ON v.assessment_id = m.assessment_id AND v.person_id = m.person_id
        """,  # nosec B608 - quoted names and constants only
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
        f"SUM(CASE WHEN {condition} THEN sign ELSE 0 END) AS p{index}"
        for index, (_, condition) in enumerate(person_sums)
    )
    _materialize(
        "monitoring_people_sums",
        f"SELECT locality_id, wave_number, {sums} FROM monitoring_people GROUP BY locality_id, wave_number",  # nosec B608 - quoted names and constants only
    )
    _insert_unpivoted(
        "monitoring_people_sums", [(f"'{name}'", f"p{index}") for index, (name, _) in enumerate(person_sums)]
    )

    # Vulnerabilities: units with each code, and the people of each equity group among them.
    _materialize(
        "monitoring_codes",
        """SELECT locality_id, wave_number, code, SUM(sign) AS units, SUM(child * sign) AS children,
                  SUM(roma * sign) AS roma, SUM(disability * sign) AS disability
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
    # Dimensions: households with any vulnerability of the dimension, and the people and children with one in
    # each household (a person is counted once per household, like every person figure).
    _materialize(
        "monitoring_dimensions",
        """SELECT locality_id, wave_number, dimension, SUM(sign) AS households, 0 AS persons, 0 AS children
           FROM (SELECT DISTINCT assessment_id, locality_id, wave_number, dimension, sign
                 FROM monitoring_findings) h
           GROUP BY locality_id, wave_number, dimension
           UNION ALL
           SELECT locality_id, wave_number, dimension, 0, SUM(sign), SUM(child * sign)
           FROM (SELECT DISTINCT assessment_id, person_id, locality_id, wave_number, dimension, sign, child
                 FROM monitoring_findings WHERE person_id IS NOT NULL) p
           GROUP BY locality_id, wave_number, dimension""",
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
    return localities


def _census_figures(pairs: Iterable[tuple[int, int]] | None) -> None:
    """Compute census coverage per locality and wave (None: all): entries by source, visited, and by status."""
    where, params = _in_pairs("c.locality_id", "c.wave_number", pairs)
    source = f"""(SELECT c.locality_id, c.wave_number, e.source, e.status, e.attempts
        FROM {_table(CensusEntry)} e JOIN {_table(CensusCampaign)} c ON c.id = e.campaign_id
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
    _insert_figures(select, params * 3)


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
