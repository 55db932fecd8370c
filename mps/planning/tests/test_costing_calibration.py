"""The defaults reproduce the published 2020 costing exercise, the leaflet's shares and the Bacău pilot."""

import pytest

from mps.planning.costing import DEFAULT_PARAMETERS, Scenario, run_scenario
from mps.planning.costing.calibration import (
    LEAFLET_FIRST_YEAR_SHARES_PCT,
    PILOT_COST_PER_COMMUNITY_RON,
    PILOT_TOTAL_RON,
    PUBLISHED_2020,
    PUBLISHED_GDP_SHARE_RANGE_PCT,
    pilot_cost_per_community,
)

# The acceptance bar for the published figures.
CALIBRATION_TOLERANCE = 0.02
# The pilot's budget is not itemised in the seeds (how much went to salaries, training, micro-grants of
# 10,000 lei to 32 schools, national campaigns), and its 2015-2018 salaries are approximations, so the check
# only guards against the model being off by a large factor: within 15 % of the pilot's own average.
PILOT_TOLERANCE = 0.15


def _close(model: float, published: float, tolerance: float = CALIBRATION_TOLERANCE) -> bool:
    return abs(model - published) <= tolerance * published


@pytest.mark.parametrize("published", PUBLISHED_2020, ids=lambda p: f"scenario-{p.scenario}")
def test_defaults_reproduce_the_2020_exercise_within_2_percent(published):
    result = run_scenario(published.scenario)

    assert _close(result.children, published.children)
    assert _close(result.staff, published.staff)
    assert _close(result.cost_per_child_ron, published.cost_per_child_ron)
    annual = published.annual_cost_ron or published.children * published.cost_per_child_ron
    assert _close(result.annual_cost_ron, annual)


def test_scenario_1_figures():
    result = run_scenario(Scenario.HIGHLY_MARGINALISED_RURAL)

    assert round(result.children) == 736_268
    assert abs(result.staff - 3_458) / 3_458 < CALIBRATION_TOLERANCE
    assert abs(result.cost_per_child_ron - 323) / 323 < CALIBRATION_TOLERANCE
    # The seeds' 78 USD a child at 4.1345 lei a dollar.
    assert round(result.cost_per_child_usd) == 78


def test_scenario_4_figures():
    result = run_scenario(Scenario.ALL)

    assert abs(result.children - 3_990_000) / 3_990_000 < CALIBRATION_TOLERANCE
    assert abs(result.staff - 12_977) / 12_977 < CALIBRATION_TOLERANCE
    assert abs(result.cost_per_child_ron - 193) / 193 < CALIBRATION_TOLERANCE
    assert abs(result.annual_cost_ron - 770_785_755) / 770_785_755 < CALIBRATION_TOLERANCE
    assert round(result.cost_per_child_usd) == 47
    assert result.communities == pytest.approx(3_181)


@pytest.mark.parametrize("scenario", list(Scenario))
def test_every_scenario_costs_between_0_021_and_0_071_percent_of_gdp(scenario):
    low, high = PUBLISHED_GDP_SHARE_RANGE_PCT

    result = run_scenario(scenario)

    assert low <= round(result.gdp_share_pct, 3) <= high


def test_scenario_4_first_year_reproduces_the_leaflets_ministry_shares():
    result = run_scenario(Scenario.ALL)

    for ministry, published in LEAFLET_FIRST_YEAR_SHARES_PCT.items():
        assert _close(result.first_year_ministry_share_pct[ministry], published)


def test_first_year_costs_more_than_a_recurrent_year():
    for scenario in Scenario:
        result = run_scenario(scenario)
        assert result.first_year_cost_ron > result.annual_cost_ron


def test_pilot_average_per_community_matches_the_pilots_own_accounts():
    assert round(PILOT_TOTAL_RON / 45) == PILOT_COST_PER_COMMUNITY_RON

    modelled = pilot_cost_per_community()

    assert _close(modelled, PILOT_COST_PER_COMMUNITY_RON, PILOT_TOLERANCE)


def test_staff_of_scenario_1_is_one_core_team_and_two_mediators_per_community_plus_coordination():
    result = run_scenario(Scenario.HIGHLY_MARGINALISED_RURAL)
    communities = round(result.communities)

    for role in (
        "social_worker",
        "community_nurse",
        "school_counsellor",
        "school_mediator",
        "health_mediator",
    ):
        assert result.staff_by_role[role] == communities
    norms = DEFAULT_PARAMETERS.norms
    assert result.staff_by_role["national_coordinator"] == norms.national_coordinators


def test_rollout_reaches_every_community_of_the_scenario_in_the_last_year():
    result = run_scenario(Scenario.ALL)

    assert len(result.rollout) == DEFAULT_PARAMETERS.rollout.years
    assert result.rollout[-1].communities == pytest.approx(result.communities)
    assert result.rollout[-1].staff == result.staff
    assert sum(year.new_staff for year in result.rollout) == result.staff
    # Cost rises as communities join.
    costs = [year.cost_ron for year in result.rollout]
    assert costs == sorted(costs)


def test_rollout_starts_with_the_highly_marginalised_communities():
    result = run_scenario(Scenario.ALL)
    first_year = result.rollout[0]

    assert first_year.new_communities >= result.marginalised_communities
