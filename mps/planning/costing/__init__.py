"""The scale-up cost model of the minimum package: pure Python, no database.

``parameters`` holds the named assumptions and their validation, ``communities`` the covered communities and
the scenario rules, ``model`` the formulas. ``run_scenario`` ties them together.
"""

from collections.abc import Sequence

from mps.planning.costing.communities import (
    Community,
    Scenario,
    communities_from_aggregates,
    select_communities,
    validate_regions,
)
from mps.planning.costing.model import ScenarioResult, StaffRole, cost_scenario
from mps.planning.costing.parameters import (
    DEFAULT_PARAMETERS,
    DEFAULT_SCENARIO_3_REGIONS,
    CostParameters,
    parameters_from_mapping,
    validate_parameters,
)

SOURCE_LOCALITIES = "localities"
SOURCE_AGGREGATES = "aggregates"


def run_scenario(
    scenario: Scenario | int,
    parameters: CostParameters = DEFAULT_PARAMETERS,
    *,
    communities: Sequence[Community] | None = None,
    regions: Sequence[str] = DEFAULT_SCENARIO_3_REGIONS,
) -> ScenarioResult:
    """Cost one scenario over the given communities, or over the national aggregates when none are given."""
    validate_parameters(parameters)
    chosen = validate_regions(regions)
    source = SOURCE_LOCALITIES if communities is not None else SOURCE_AGGREGATES
    pool = communities if communities is not None else communities_from_aggregates(parameters.aggregates)
    selected = select_communities(Scenario(scenario), pool, chosen)
    return cost_scenario(selected, parameters, scenario=scenario, source=source, regions=chosen)


__all__ = [
    "DEFAULT_PARAMETERS",
    "DEFAULT_SCENARIO_3_REGIONS",
    "SOURCE_AGGREGATES",
    "SOURCE_LOCALITIES",
    "Community",
    "CostParameters",
    "Scenario",
    "ScenarioResult",
    "StaffRole",
    "cost_scenario",
    "parameters_from_mapping",
    "run_scenario",
    "validate_parameters",
]
