"""Reads of the aggregate tables: every dashboard figure comes from here, never from the base tables.

Each function reads the rows of one area (or of the areas one level down) and sums them; the rows are few
(hundreds) whatever the size of the country, which is what keeps every dashboard fast.

The reads a dashboard page makes (`figures_version`, `area_dashboard_figures`, `children_with_figures`) are
written in SQL, one statement each: on a page built from nothing, the ORM's compilation of the same statements
cost more than running them, and each statement saved is one wait for the database fewer.
"""

# ruff: noqa: S608 - the SQL below is composed from table names and placeholders only; every value is a parameter.
# Each statement is marked for bandit too (`# nosec B608`): the names are quoted by the database's own
# `quote_name` or are this module's constants; anything from a request or from data (areas, waves, dates,
# localities, catalogue codes) is a query parameter. Interpolating a value here would be a bug.

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Sum

from mps.accounts.models import User
from mps.core.collation import ROMANIAN
from mps.core.routers import read_connection
from mps.geography.models import County, Locality, Region

from .areas import Area
from .models import AreaActivity, AreaFigure, AreaLevel, LocalityRefresh, RefreshMark, WorkerCaseload

Split = tuple[bool, str]


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    # The dashboards' raw reads follow the ORM's: to the replica inside `replica_reads`, when there is one.
    with read_connection(AreaFigure).cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def figures_as_of() -> dt.datetime | None:
    """Return the instant up to which every change is in the figures, or None before the first refresh."""
    return RefreshMark.objects.filter(name="default").values_list("as_of", flat=True).first()


@dataclass(frozen=True)
class FiguresVersion:
    """When the figures were last brought up to date, and when those of one area last changed."""

    # Every change up to this instant is in the figures ("Figures as of …"); it moves on with every run.
    as_of: dt.datetime | None
    # The latest run that recomputed a locality of the area; None before the area's first computation.
    area_changed: dt.datetime | None


def _instant(value: dt.datetime | str | None) -> dt.datetime | None:
    # SQLite gives instants as ISO text in UTC.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def figures_version(area: Area) -> FiguresVersion:
    """Return the "as of" instant of the figures and the instant the area's own figures last changed.

    An area's figures (its rows, those of the areas one level down and their caseloads) change only when a run
    recomputes one of its localities, and every such run stamps the locality's `LocalityRefresh`; a full
    rebuild stamps them all. One query, to key cached pages.
    """
    refreshed, locality = _table(LocalityRefresh), _table(Locality)
    params: list[Any]
    if area.level == AreaLevel.LOCALITY:
        changed, params = (
            f"SELECT MAX(refreshed_at) FROM {refreshed} WHERE locality_id = %s",  # nosec B608 - quoted names and constants only
            [int(area.code)],
        )
    elif area.level == AreaLevel.COUNTY:
        changed = (
            f"SELECT MAX(r.refreshed_at) FROM {refreshed} r JOIN {locality} l ON l.siruta = r.locality_id "
            "WHERE l.county_id = %s"  # nosec B608 - quoted names and constants only
        )
        params = [area.code]
    elif area.level == AreaLevel.REGION:
        changed = (
            f"SELECT MAX(r.refreshed_at) FROM {refreshed} r JOIN {locality} l ON l.siruta = r.locality_id "
            f"JOIN {_table(County)} c ON c.code = l.county_id WHERE c.region_id = %s"  # nosec B608 - quoted names and constants only
        )
        params = [area.code]
    else:
        changed, params = f"SELECT MAX(refreshed_at) FROM {refreshed}", []  # nosec B608 - quoted names and constants only
    ((as_of, area_changed),) = _rows(
        f"SELECT (SELECT as_of FROM {_table(RefreshMark)} WHERE name = %s), ({changed})",  # nosec B608 - quoted names and constants only
        ["default", *params],
    )
    return FiguresVersion(as_of=_instant(as_of), area_changed=_instant(area_changed))


@dataclass(frozen=True)
class AreaFigures:
    """Every figure row of one area (all waves, every urban/rural and marginalisation split), read at once."""

    # (wave number, urban, marginalisation, indicator, value)
    rows: list[tuple[int, bool, str, str, int]]

    @cached_property
    def waves(self) -> list[int]:
        """The wave numbers with figures, in order."""
        return sorted({row[0] for row in self.rows})

    @cached_property
    def _totals(self) -> dict[int, dict[str, int]]:
        totals: dict[int, dict[str, int]] = defaultdict(dict)
        for wave, _urban, _marginalisation, indicator, value in self.rows:
            in_wave = totals[wave]
            in_wave[indicator] = in_wave.get(indicator, 0) + value
        return totals

    def in_wave(self, wave_number: int) -> dict[str, int]:
        """Return every indicator in one wave, summed over the splits (as `area_figures`)."""
        return dict(self._totals.get(wave_number, {}))

    def by_split(self, wave_number: int, indicators: Iterable[str]) -> dict[Split, dict[str, int]]:
        """Return some indicators in one wave for each (urban, marginalisation) split."""
        wanted = set(indicators)
        result: dict[Split, dict[str, int]] = defaultdict(dict)
        for wave, urban, marginalisation, indicator, value in self.rows:
            if wave == wave_number and indicator in wanted:
                split = result[(urban, marginalisation)]
                split[indicator] = split.get(indicator, 0) + value
        return result

    def trend(self, indicators: Iterable[str]) -> dict[int, dict[str, int]]:
        """Return some indicators in every wave, by wave number."""
        wanted = set(indicators)
        return {
            wave: {name: value for name, value in values.items() if name in wanted}
            for wave, values in sorted(self._totals.items())
        }


def area_waves(area: Area) -> list[int]:
    """Return the wave numbers with figures in the area, in order."""
    return sorted(
        AreaFigure.objects.filter(level=area.level, area=area.code)
        .values_list("wave_number", flat=True)
        .distinct()
        .order_by()
    )


def area_figures(area: Area, wave_number: int) -> dict[str, int]:
    """Return every indicator of the area in one wave, summed over its urban/rural and marginalisation splits."""
    rows = (
        AreaFigure.objects.filter(level=area.level, area=area.code, wave_number=wave_number)
        .values("indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {row["indicator"]: row["total"] for row in rows}


def children_figures(
    children: list[Area], wave_number: int, indicators: Iterable[str]
) -> dict[str, dict[str, int]]:
    """Return some indicators of each area one level down, by area code."""
    if not children:
        return {}
    codes, names = [child.code for child in children], list(indicators)
    result: dict[str, dict[str, int]] = defaultdict(dict)
    rows = _rows(
        f"SELECT area, indicator, SUM(value) FROM {_table(AreaFigure)} WHERE level = %s AND wave_number = %s "
        f"AND area IN ({_placeholders(codes)}) AND indicator IN ({_placeholders(names)}) GROUP BY area, indicator",  # nosec B608 - quoted names and constants only
        [children[0].level, wave_number, *codes, *names],
    )
    for code, indicator, total in rows:
        result[code][indicator] = total
    return result


def children_with_figures(
    area: Area, wave_number: int, indicators: Sequence[str]
) -> list[tuple[Area, dict[str, int]]]:
    """Return the areas one level down, by name, each with some of its indicators in one wave: one query.

    The same areas as `areas.area_children`, read together with their figures (a join on the geography
    tables rather than a list of codes: a county page's 76 localities are one index lookup each).
    """
    figure = _table(AreaFigure)
    if area.level == AreaLevel.COUNTY:
        child_level = AreaLevel.LOCALITY
        source = (
            f"SELECT CAST(g.siruta AS VARCHAR(8)) AS code, g.name AS name, g.siruta AS siruta FROM {_table(Locality)} g "
            "WHERE g.county_id = %s"  # nosec B608 - quoted names and constants only
        )
        params: list[Any] = [area.code]
    elif area.level == AreaLevel.REGION:
        child_level = AreaLevel.COUNTY
        source = f"SELECT g.code AS code, g.name AS name, g.siruta AS siruta FROM {_table(County)} g WHERE g.region_id = %s"  # nosec B608 - quoted names and constants only
        params = [area.code]
    elif area.level == AreaLevel.COUNTRY:
        child_level = AreaLevel.REGION
        source = f"SELECT g.code AS code, g.name AS name, NULL AS siruta FROM {_table(Region)} g"  # nosec B608 - quoted names and constants only
        params = []
    else:
        return []
    names = list(indicators)
    rows = _rows(
        f"SELECT c.code, c.name, c.siruta, f.indicator, SUM(f.value) FROM ({source}) c "
        f"LEFT JOIN {figure} f ON f.level = %s AND f.area = c.code AND f.wave_number = %s "
        f"AND f.indicator IN ({_placeholders(names)}) "
        f'GROUP BY c.code, c.name, c.siruta, f.indicator ORDER BY c.name COLLATE "{ROMANIAN}", c.code',  # nosec B608 - quoted names and constants only
        [*params, child_level, wave_number, *names],
    )
    children: dict[str, tuple[Area, dict[str, int]]] = {}
    for code, name, siruta, indicator, total in rows:
        if code not in children:
            children[code] = (Area(child_level, code, name, parent=area, siruta=siruta), {})
        if indicator is not None:
            children[code][1][indicator] = total
    return list(children.values())


@dataclass(frozen=True)
class AreaActivityFigures:
    """The activity of one area: the months with any, and the indicators summed over the chosen period."""

    months: list[dt.date]
    # (indicator, bucket) → value over the period.
    totals: dict[tuple[str, int], int]


def _as_date(value: dt.date | str) -> dt.date:
    # SQLite gives dates as ISO text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@dataclass(frozen=True)
class Caseload:
    """The open cases of one case manager in an area."""

    worker: int
    open_cases: int
    # The case manager's name, read only for viewers who may see it.
    name: str = ""


def _caseload_localities(area: Area) -> tuple[str, list[Any]]:
    """Return the condition on ``locality_id`` that selects the area's localities, and its parameters."""
    locality = _table(Locality)
    if area.level == AreaLevel.LOCALITY:
        return "locality_id = %s", [int(area.code)]
    if area.level == AreaLevel.COUNTY:
        return f"locality_id IN (SELECT siruta FROM {locality} WHERE county_id = %s)", [area.code]  # nosec B608 - quoted names and constants only
    if area.level == AreaLevel.REGION:
        return (
            f"locality_id IN (SELECT l.siruta FROM {locality} l JOIN {_table(County)} c ON c.code = l.county_id "
            "WHERE c.region_id = %s)",  # nosec B608 - quoted names and constants only
            [area.code],
        )
    return "1 = 1", []


@dataclass(frozen=True)
class AreaDashboardFigures:
    """What a dashboard reads of one area: its figure rows, its activity in a period and its caseloads."""

    figures: AreaFigures
    activity: AreaActivityFigures
    caseloads: list[Caseload]


def area_dashboard_figures(
    area: Area, start: dt.date | None, end: dt.date | None, *, named: bool
) -> AreaDashboardFigures:
    """Return every figure row of the area, its activity from ``start`` to ``end`` (months, both included; None:
    open) with the months that have any, and each case manager's open cases (named when ``named``).

    One statement (the parts joined by UNION ALL, each row tagged with its part) rather than one per part: a
    page built from nothing waits for the database once instead of four times.
    """
    figure, activity = _table(AreaFigure), _table(AreaActivity)
    bounds, bound_params = "", list[Any]()
    if start is not None:
        bounds, bound_params = bounds + " AND month >= %s", [*bound_params, start]
    if end is not None:
        bounds, bound_params = bounds + " AND month <= %s", [*bound_params, end]
    caseload_where, caseload_params = _caseload_localities(area)
    # Columns: part, wave, urban, marginalisation, indicator, number (bucket or worker), value, month.
    rows = _rows(
        # The first part names the types of the columns it leaves empty: PostgreSQL types a union from the left.
        "SELECT 'f', wave_number, urban, marginalisation, indicator, CAST(NULL AS BIGINT), value, "
        f"CAST(NULL AS DATE) FROM {figure} "
        "WHERE level = %s AND area = %s "
        "UNION ALL "
        f"SELECT 'm', NULL, NULL, NULL, NULL, NULL, NULL, month FROM {activity} WHERE level = %s AND area = %s "
        "GROUP BY month "
        "UNION ALL "
        f"SELECT 'a', NULL, NULL, NULL, indicator, bucket, SUM(value), NULL FROM {activity} "
        f"WHERE level = %s AND area = %s{bounds} GROUP BY indicator, bucket "
        "UNION ALL "
        "SELECT 'c', NULL, NULL, NULL, NULL, worker_id, SUM(open_cases), NULL "
        f"FROM {_table(WorkerCaseload)} WHERE {caseload_where} GROUP BY worker_id",  # nosec B608 - quoted names and constants only
        [*[area.level, area.code] * 3, *bound_params, *caseload_params],
    )
    figure_rows: list[tuple[int, bool, str, str, int]] = []
    months: list[dt.date] = []
    totals: dict[tuple[str, int], int] = {}
    counts: list[tuple[int, int]] = []
    for part, wave, urban, marginalisation, indicator, number, value, month in rows:
        if part == "f":
            # SQLite gives the urban flag as 0 or 1.
            figure_rows.append((wave, bool(urban), marginalisation, indicator, value))
        elif part == "m":
            months.append(_as_date(month))
        elif part == "a":
            totals[(indicator, number)] = value
        else:
            counts.append((number, value))
    return AreaDashboardFigures(
        figures=AreaFigures(figure_rows),
        activity=AreaActivityFigures(months=sorted(months), totals=totals),
        caseloads=_named(counts) if named else [Caseload(worker, total) for worker, total in counts],
    )


def _named(counts: list[tuple[int, int]]) -> list[Caseload]:
    workers = User.objects.in_bulk([worker for worker, _total in counts]) if counts else {}
    return [
        Caseload(worker, total, workers[worker].get_full_name() or workers[worker].username)
        for worker, total in counts
    ]
