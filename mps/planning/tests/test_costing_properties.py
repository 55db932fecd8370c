"""Monotonicity: more communities never cost less, higher salaries never cost less."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from mps.planning.costing import DEFAULT_PARAMETERS, Community, Scenario, cost_scenario, run_scenario
from mps.planning.costing.parameters import REGION_CODES

communities = st.builds(
    Community,
    siruta=st.integers(min_value=1, max_value=999_999),
    population=st.integers(min_value=0, max_value=2_000_000),
    children=st.integers(min_value=0, max_value=400_000),
    urban=st.booleans(),
    marginalisation=st.sampled_from(["", "none", "low", "medium", "high"]),
    region=st.sampled_from(REGION_CODES),
    county=st.sampled_from(["AB", "BC", "B", "IS", "TM", "VS"]),
)


@settings(max_examples=150, deadline=None)
@given(existing=st.lists(communities, max_size=25), added=communities)
def test_adding_a_community_never_lowers_staff_or_cost(existing, added):
    before = cost_scenario(existing, DEFAULT_PARAMETERS, source="localities")
    after = cost_scenario([*existing, added], DEFAULT_PARAMETERS, source="localities")

    assert after.staff >= before.staff
    assert after.annual_cost_ron >= before.annual_cost_ron
    assert after.first_year_cost_ron >= before.first_year_cost_ron
    assert after.children >= before.children


SALARY_FIELDS = [f.name for f in dataclasses.fields(DEFAULT_PARAMETERS.salaries)]


@settings(max_examples=100, deadline=None)
@given(
    salary=st.sampled_from(SALARY_FIELDS),
    raise_by=st.floats(min_value=0.0, max_value=0.5),
    scenario=st.sampled_from(list(Scenario)),
)
def test_raising_any_salary_never_lowers_cost(salary, raise_by, scenario):
    salaries = DEFAULT_PARAMETERS.salaries
    current = getattr(salaries, salary)
    higher = min(current + raise_by * max(current, 1), 1.0 if salary == "employer_contribution_rate" else 1e6)
    raised = dataclasses.replace(
        DEFAULT_PARAMETERS, salaries=dataclasses.replace(salaries, **{salary: higher})
    )

    before = run_scenario(scenario, DEFAULT_PARAMETERS)
    after = run_scenario(scenario, raised)

    assert after.annual_cost_ron >= before.annual_cost_ron
    assert after.first_year_cost_ron >= before.first_year_cost_ron
    assert after.cost_per_child_ron >= before.cost_per_child_ron
    assert after.staff == before.staff


@settings(max_examples=60, deadline=None)
@given(
    existing=st.lists(communities, min_size=1, max_size=15), raise_by=st.floats(min_value=0, max_value=5_000)
)
def test_raising_a_salary_never_lowers_the_cost_of_real_localities(existing, raise_by):
    salaries = DEFAULT_PARAMETERS.salaries
    raised = dataclasses.replace(
        DEFAULT_PARAMETERS,
        salaries=dataclasses.replace(salaries, social_worker=salaries.social_worker + raise_by),
    )

    before = cost_scenario(existing, DEFAULT_PARAMETERS)
    after = cost_scenario(existing, raised)

    assert after.annual_cost_ron >= before.annual_cost_ron


def test_the_scenarios_nest_as_their_definitions_say():
    results = {scenario: run_scenario(scenario) for scenario in Scenario}

    assert results[Scenario.ALL].annual_cost_ron >= results[Scenario.RURAL].annual_cost_ron
    assert (
        results[Scenario.RURAL].annual_cost_ron >= results[Scenario.HIGHLY_MARGINALISED_RURAL].annual_cost_ron
    )
    assert (
        results[Scenario.HIGHLY_MARGINALISED].annual_cost_ron
        >= results[Scenario.HIGHLY_MARGINALISED_RURAL].annual_cost_ron
    )
    assert results[Scenario.ALL].annual_cost_ron >= results[Scenario.REGIONS].annual_cost_ron
