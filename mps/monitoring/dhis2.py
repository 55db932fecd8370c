"""Indicators as a DHIS2 data value set, for the county health and statistics offices that run DHIS2.

Conventions (what the receiving DHIS2 must be set up with):
- data elements are named by vulnerability code (``HE01`` …): the value is the number of units (people for a
  person-level code, households for a household-level one) with the vulnerability in the latest assessment of
  each household in the wave;
- organisation units are localities by their SIRUTA code (import with ``orgUnitIdScheme=CODE`` and
  ``dataElementIdScheme=CODE``); only localities are exported, since DHIS2 sums them up its own hierarchy;
- the period is the wave's date as a DHIS2 daily period ``YYYYMMDD``: the first day of the month in which the
  locality's wave began (its earliest visit month), the same for every value of that locality and wave.
A value hidden from the viewer by the small-cell policy is left out (DHIS2 values are numbers; "<5" is not).
"""

from typing import Any

from django.db.models import Min

from mps.assessment.models import Assessment
from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue

from . import indicators as ind
from .areas import Area
from .models import AreaFigure, AreaLevel
from .privacy import CellPolicy


def wave_periods(localities: list[int], wave_number: int) -> dict[int, str]:
    """Return the DHIS2 daily period of each locality's wave: the first day of its earliest visit month."""
    rows = (
        Assessment.objects.filter(locality_id__in=localities, wave_number=wave_number)
        .values("locality_id")
        .annotate(first=Min("assessed_on"))
        .order_by()
    )
    return {row["locality_id"]: row["first"].replace(day=1).strftime("%Y%m%d") for row in rows}


def data_value_set(area: Area, wave_number: int, policy: CellPolicy) -> dict[str, Any]:
    """Return the dataValueSets document of the area's localities for one wave."""
    codes = [v.code for v in sorted(load_catalogue(CURRENT_CATALOGUE).vulnerabilities, key=lambda v: v.code)]
    localities = list(area.localities().values_list("siruta", flat=True))
    rows = AreaFigure.objects.filter(
        level=AreaLevel.LOCALITY,
        area__in=[str(siruta) for siruta in localities],
        wave_number=wave_number,
        indicator__in=[ind.code_units(code) for code in codes] + [ind.HOUSEHOLDS],
    ).values_list("area", "indicator", "value")
    values: dict[int, dict[str, int]] = {}
    for area_code, indicator, value in rows:
        values.setdefault(int(area_code), {})[indicator] = value
    periods = wave_periods(list(values), wave_number)
    data_values = []
    for siruta in sorted(values):
        assessed = values[siruta]
        if not assessed.get(ind.HOUSEHOLDS):
            continue
        for code in codes:
            cell = policy.count(assessed.get(ind.code_units(code), 0))
            if cell.suppressed:
                continue
            data_values.append(
                {
                    "dataElement": code,
                    "period": periods[siruta],
                    "orgUnit": str(siruta),
                    "value": str(cell.value),
                }
            )
    return {"dataValues": data_values}
