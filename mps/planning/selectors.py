"""Reads for the planner: the communities of the platform's geography, or the national aggregates instead.

The model needs every community of the country to cost a national scenario. A demo database holds one
county, so when fewer than ``FULL_GEOGRAPHY_MIN_LOCALITIES`` localities are loaded the national scenarios fall
back to the aggregate counts of the parameters, and every result says which source it used. A planner who
names counties plans with the loaded localities of those counties.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from mps.core.errors import DomainValidationError
from mps.geography.models import Locality, LocalityKind
from mps.planning.costing import (
    DEFAULT_PARAMETERS,
    DEFAULT_SCENARIO_3_REGIONS,
    Community,
    CostParameters,
    Scenario,
    ScenarioResult,
    run_scenario,
)

# Romania has 3,181 administrative units; below this the loaded list is a sample (a demo county, a region), or
# the units were loaded from SIRUTA without their population (`import_siruta --population` fills it).
FULL_GEOGRAPHY_MIN_LOCALITIES = 3_000


def locality_communities(counties: Sequence[str] = ()) -> list[Community]:
    """Return the loaded localities as model communities, optionally only those of some counties."""
    localities = Locality.objects.select_related("county").order_by("siruta")
    if counties:
        localities = localities.filter(county_id__in=counties)
    return [
        Community(
            siruta=locality.siruta,
            name=locality.name,
            population=locality.population,
            children=locality.children,
            urban=locality.kind != LocalityKind.COMMUNE,
            marginalisation=locality.marginalisation,
            region=locality.county.region_id,
            county=locality.county_id,
        )
        for locality in localities
    ]


def full_geography_loaded() -> bool:
    """Return whether the whole country's localities are loaded with their population.

    `import_siruta` loads every unit of the country with no population (SIRUTA has none); costing those would
    cost a country of nobody, so the national aggregates stay in use until the figures are imported too.
    """
    return Locality.objects.filter(population__gt=0).count() >= FULL_GEOGRAPHY_MIN_LOCALITIES


def planning_communities(counties: Sequence[str] = ()) -> list[Community] | None:
    """Return the communities to plan with, or None when the national aggregates must be used."""
    if counties:
        communities = locality_communities(counties)
        if not communities:
            raise DomainValidationError(
                counties=_("No localities are loaded for the counties %(counties)s.")
                % {"counties": ", ".join(counties)}
            )
        return communities
    return locality_communities() if full_geography_loaded() else None


def scenario_results(
    parameters: CostParameters = DEFAULT_PARAMETERS,
    *,
    scenarios: Sequence[int] = tuple(Scenario),
    regions: Sequence[str] = DEFAULT_SCENARIO_3_REGIONS,
    counties: Sequence[str] = (),
) -> list[ScenarioResult]:
    """Cost scenarios over the platform's communities, or over the aggregates when those are not loaded."""
    communities = planning_communities(counties)
    return [
        run_scenario(scenario, parameters, communities=communities, regions=regions) for scenario in scenarios
    ]
