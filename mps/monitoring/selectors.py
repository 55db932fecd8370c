"""Reads of the aggregate tables: every dashboard figure comes from here, never from the base tables.

Each function reads the rows of one area (or of the areas one level down) and sums them; the rows are few
(hundreds) whatever the size of the country, which is what keeps every dashboard fast.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Sum

from mps.accounts.models import User

from .areas import Area
from .models import AreaActivity, AreaFigure, AreaLevel, RefreshMark, WorkerCaseload

Split = tuple[bool, str]


def figures_as_of() -> dt.datetime | None:
    """Return the instant up to which every change is in the figures, or None before the first refresh."""
    return RefreshMark.objects.filter(name="default").values_list("as_of", flat=True).first()


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


def area_figures_by_split(
    area: Area, wave_number: int, indicators: Iterable[str]
) -> dict[Split, dict[str, int]]:
    """Return some indicators of the area in one wave for each (urban, marginalisation) split."""
    result: dict[Split, dict[str, int]] = defaultdict(dict)
    rows = (
        AreaFigure.objects.filter(
            level=area.level, area=area.code, wave_number=wave_number, indicator__in=list(indicators)
        )
        .values("urban", "marginalisation", "indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        result[(row["urban"], row["marginalisation"])][row["indicator"]] = row["total"]
    return result


def children_figures(
    children: list[Area], wave_number: int, indicators: Iterable[str]
) -> dict[str, dict[str, int]]:
    """Return some indicators of each area one level down, by area code."""
    if not children:
        return {}
    result: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        AreaFigure.objects.filter(
            level=children[0].level,
            area__in=[child.code for child in children],
            wave_number=wave_number,
            indicator__in=list(indicators),
        )
        .values("area", "indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        result[row["area"]][row["indicator"]] = row["total"]
    return result


def area_trend(area: Area, indicators: Iterable[str]) -> dict[int, dict[str, int]]:
    """Return some indicators of the area in every wave, by wave number."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        AreaFigure.objects.filter(level=area.level, area=area.code, indicator__in=list(indicators))
        .values("wave_number", "indicator")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        result[row["wave_number"]][row["indicator"]] = row["total"]
    return dict(sorted(result.items()))


def area_months(area: Area) -> list[dt.date]:
    """Return the months with activity (services, referrals) in the area."""
    return sorted(
        AreaActivity.objects.filter(level=area.level, area=area.code)
        .values_list("month", flat=True)
        .distinct()
        .order_by()
    )


def area_activity(area: Area, start: dt.date | None, end: dt.date | None) -> dict[tuple[str, int], int]:
    """Return the activity indicators of the area over the months from ``start`` to ``end`` (inclusive)."""
    rows = AreaActivity.objects.filter(level=area.level, area=area.code)
    if start is not None:
        rows = rows.filter(month__gte=start)
    if end is not None:
        rows = rows.filter(month__lte=end)
    return {
        (row["indicator"], row["bucket"]): row["total"]
        for row in rows.values("indicator", "bucket").annotate(total=Sum("value")).order_by()
    }


def area_caseload_counts(area: Area) -> dict[int, int]:
    """Return the open cases of each case manager working in the area, by user id."""
    rows = WorkerCaseload.objects.all()
    if area.level == AreaLevel.LOCALITY:
        rows = rows.filter(locality_id=int(area.code))
    elif area.level == AreaLevel.COUNTY:
        rows = rows.filter(locality__county_id=area.code)
    elif area.level == AreaLevel.REGION:
        rows = rows.filter(locality__county__region_id=area.code)
    return {
        row["worker"]: row["total"]
        for row in rows.values("worker").annotate(total=Sum("open_cases")).order_by()
    }


def workers_named(ids: Iterable[int]) -> dict[int, User]:
    """Return the users with these ids (for viewers allowed to see who carries which caseload)."""
    return User.objects.in_bulk(list(ids))
