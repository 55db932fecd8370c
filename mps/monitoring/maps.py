"""Map layers as GeoJSON: households as points for those who may see them, areas as proportional circles.

There are no boundary polygons of localities in the platform, so areas are drawn as circles at their
coordinates (a county or region at the mean of its localities'), sized by the number of households assessed
and shaded by the chosen indicator. Household points carry only their risk level: no name, no address.
"""

from typing import Any

from django.db.models import Avg, OuterRef, QuerySet, Subquery

from mps.access.policy import case_localities
from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.geography.models import Locality
from mps.registry.models import Household

from . import indicators as ind
from . import selectors
from .areas import Area, area_children
from .models import AreaLevel
from .privacy import CellPolicy

MAX_POINTS = 20_000


def map_indicators() -> dict[str, tuple[str, str]]:
    """Return the indicators an area can be shaded by: key → (numerator, denominator) indicator names."""
    return {
        "high_risk": (ind.households_at("high"), ind.HOUSEHOLDS),
        "children_vulnerable": (ind.CHILDREN_VULNERABLE, ind.CHILDREN),
        "critical": (ind.HOUSEHOLDS_CRITICAL, ind.HOUSEHOLDS),
    }


def household_points(user: User, area: Area) -> dict[str, Any]:
    """Return the households of the area the user may read, as points with the latest risk level."""
    readable = case_localities(user)
    households: QuerySet[Household] = Household.objects.filter(
        locality__in=area.localities().filter(siruta__in=readable.values("siruta")),
        latitude__isnull=False,
        longitude__isnull=False,
    )
    latest_risk = Assessment.objects.filter(household=OuterRef("pk"), is_latest=True).values("risk_level")[:1]
    rows = households.annotate(risk=Subquery(latest_risk)).values_list("latitude", "longitude", "risk")[
        :MAX_POINTS
    ]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"risk": risk or ""},
            }
            for lat, lon, risk in rows
        ],
    }


def _centres(areas: list[Area]) -> dict[str, tuple[float, float]]:
    """Return the coordinates of each area: its own for a locality, the mean of its localities' otherwise."""
    if not areas:
        return {}
    level = areas[0].level
    located = Locality.objects.filter(latitude__isnull=False, longitude__isnull=False)
    if level == AreaLevel.LOCALITY:
        rows = located.filter(siruta__in=[int(a.code) for a in areas]).values_list(
            "siruta", "latitude", "longitude"
        )
        return {str(siruta): (lat, lon) for siruta, lat, lon in rows if lat is not None and lon is not None}
    key = "county_id" if level == AreaLevel.COUNTY else "county__region_id"
    grouped = located.values(key).annotate(lat=Avg("latitude"), lon=Avg("longitude")).order_by()
    return {row[key]: (row["lat"], row["lon"]) for row in grouped}


def area_circles(area: Area, policy: CellPolicy, wave_number: int | None, indicator: str) -> dict[str, Any]:
    """Return the areas one level down (the area itself for a locality) as circles shaded by an indicator."""
    shown = area_children(area) or [area]
    numerator, denominator = map_indicators().get(indicator, map_indicators()["high_risk"])
    figures = (
        selectors.children_figures(shown, wave_number, [numerator, denominator, ind.HOUSEHOLDS])
        if wave_number is not None
        else {}
    )
    centres = _centres(shown)
    features = []
    for child in shown:
        if child.code not in centres:
            continue
        values = figures.get(child.code, {})
        households = policy.count(values.get(ind.HOUSEHOLDS, 0))
        share = policy.share(values.get(numerator, 0), values.get(denominator, 0))
        lat, lon = centres[child.code]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "name": child.name,
                    "url": child.url(),
                    "households": households.value,
                    "households_text": households.text,
                    "value": share.value,
                    "value_text": share.text,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
