"""Bad parameters are rejected with a clear message that names the parameter."""

import dataclasses

import pytest
from django.utils import translation

from mps.core.errors import DomainValidationError
from mps.planning.costing import (
    DEFAULT_PARAMETERS,
    Community,
    cost_scenario,
    parameters_from_mapping,
    run_scenario,
    validate_parameters,
)
from mps.planning.costing.parameters import describe_parameters


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _with(group: str, **changes):
    return dataclasses.replace(
        DEFAULT_PARAMETERS, **{group: dataclasses.replace(getattr(DEFAULT_PARAMETERS, group), **changes)}
    )


def _problems(parameters) -> dict[str, list[str]]:
    with pytest.raises(DomainValidationError) as caught:
        validate_parameters(parameters)
    return {key: [str(m) for m in messages] for key, messages in caught.value.problems.items()}


def test_defaults_are_valid():
    assert validate_parameters(DEFAULT_PARAMETERS) is DEFAULT_PARAMETERS


def test_every_parameter_has_a_label_a_unit_and_a_default_inside_its_bounds():
    for info in describe_parameters():
        assert str(info.label), info.key
        assert str(info.unit), info.key
        assert info.minimum <= info.value <= info.maximum, info.key


def test_a_negative_salary_is_rejected_naming_the_salary():
    problems = _problems(_with("salaries", social_worker=-1))

    assert problems == {
        "salaries.social_worker": ["Monthly gross salary of a social worker must not be negative."]
    }


def test_a_missing_parameter_is_rejected():
    problems = _problems(_with("running", transport_per_post=None))

    assert problems["running.transport_per_post"] == ["Transport per community post is missing."]


def test_an_absurd_salary_is_rejected():
    problems = _problems(_with("salaries", community_nurse=2_000_000))

    [message] = problems["salaries.community_nurse"]
    assert message.startswith("Monthly gross salary of a community nurse must be at most 1,000,000")


def test_an_exchange_rate_of_zero_is_rejected():
    problems = _problems(_with("economy", lei_per_usd=0))

    assert problems["economy.lei_per_usd"] == ["Exchange rate must be greater than 0."]


def test_a_norm_of_zero_children_per_post_is_rejected():
    problems = _problems(_with("norms", children_per_social_worker=0))

    assert problems["norms.children_per_social_worker"] == ["Children per social worker must be at least 1."]


def test_a_fractional_count_is_rejected():
    problems = _problems(_with("norms", national_coordinators=2.5))

    assert problems["norms.national_coordinators"] == ["National coordinators must be a whole number."]


def test_not_a_number_and_infinity_are_rejected():
    assert "must be a finite number" in _problems(_with("economy", gdp=float("inf")))["economy.gdp"][0]
    assert "must be a number" in _problems(_with("economy", gdp="lots"))["economy.gdp"][0]


def test_every_problem_is_reported_at_once():
    problems = _problems(
        dataclasses.replace(
            _with("salaries", social_worker=-5),
            economy=dataclasses.replace(DEFAULT_PARAMETERS.economy, lei_per_usd=0),
        )
    )

    assert set(problems) == {"salaries.social_worker", "economy.lei_per_usd"}


def test_aggregates_whose_parts_exceed_the_whole_are_rejected():
    problems = _problems(_with("aggregates", highly_marginalised_communes=5_000))

    assert "cannot exceed all communes" in problems["aggregates.highly_marginalised_communes"][0]


def test_parameters_from_a_form_accept_both_decimal_commas_and_points():
    parameters = parameters_from_mapping({"economy.lei_per_usd": "4,9", "salaries.social_worker": "4500.5"})

    assert parameters.economy.lei_per_usd == 4.9
    assert parameters.salaries.social_worker == 4500.5


def test_parameters_from_a_form_keep_the_default_for_blanks_and_ignore_other_keys():
    parameters = parameters_from_mapping({"salaries.social_worker": " ", "scenario": "3"})

    assert parameters == DEFAULT_PARAMETERS


def test_parameters_from_a_form_reject_text():
    with pytest.raises(DomainValidationError) as caught:
        parameters_from_mapping({"salaries.social_worker": "a lot"})

    assert caught.value.problems == {
        "salaries.social_worker": ["Monthly gross salary of a social worker must be a number."]
    }


def test_parameters_from_a_form_are_validated():
    with pytest.raises(DomainValidationError) as caught:
        parameters_from_mapping({"rollout.years": "-2"})

    assert list(caught.value.problems) == ["rollout.years"]


def test_an_unknown_region_is_rejected():
    with pytest.raises(DomainValidationError) as caught:
        run_scenario(3, regions=["RO99"])

    assert "RO99" in str(caught.value.problems["regions"][0])


def test_a_community_with_negative_children_is_rejected():
    bad = Community(
        siruta=1,
        name="Lipova",
        population=10,
        children=-3,
        urban=False,
        marginalisation="high",
        region="RO21",
        county="BC",
    )

    with pytest.raises(DomainValidationError) as caught:
        cost_scenario([bad], DEFAULT_PARAMETERS)

    assert caught.value.problems == {
        "communities[0].children": ["The number of children of Lipova must not be negative."]
    }


def test_messages_are_translated_to_romanian():
    with translation.override("ro"):
        problems = _problems(_with("salaries", social_worker=-1))

    assert problems["salaries.social_worker"] == [
        "Salariul brut lunar al unui asistent social nu poate fi negativ."
    ]


def test_parameters_from_a_form_report_unreadable_and_out_of_range_values_together():
    with pytest.raises(DomainValidationError) as caught:
        parameters_from_mapping({"economy.lei_per_usd": "x", "salaries.social_worker": "-5"})

    assert set(caught.value.problems) == {"economy.lei_per_usd", "salaries.social_worker"}
