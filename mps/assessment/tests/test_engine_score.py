"""The household score, the risk level, the equivalence scale, and parameters and weights taken from data."""

import dataclasses
import json
from typing import Any

import pytest

from mps.assessment.rules import (
    CatalogueError,
    RiskLevel,
    check_catalogue,
    evaluate,
    load_catalogue,
    validate,
)
from mps.assessment.rules.catalogue import CATALOGUE_DIR, catalogue_from_data
from mps.assessment.rules.facts import age_on, household_from_assessment
from mps.assessment.tests.builders import DAUGHTER, HEAD, REMOVE, SON, SPOUSE, assessment_with, born

MPS_V1 = load_catalogue("mps-v1")


def _evaluate(answers: dict[str, Any], catalogue: Any = MPS_V1) -> Any:
    assessment = assessment_with(answers)
    assert [str(p) for p in validate(assessment)] == []
    return evaluate(assessment, catalogue)


# Household answers whose findings are not critical, with their weights in mps-v1.
NO_ELECTRICITY = {"household.housing.electricity": False}  # HO02, 2
NO_WATER = {"household.housing.safe_water": False}  # HO03, 2
NO_HEATING = {"household.housing.heating": False}  # HO06, 2
UNSAFE = {"household.housing.unsafe_structure": True}  # HO04, 2
DAMP = {"household.housing.damp_or_unsanitary": True}  # HO05, 1
NO_TOILET = {"household.housing.indoor_toilet": False}  # HO09, 1


@pytest.mark.parametrize(
    ("answers", "score", "level"),
    [
        pytest.param({}, 0, RiskLevel.NONE, id="no finding: none"),
        pytest.param(NO_TOILET, 1, RiskLevel.LOW, id="score 1: low"),
        pytest.param({**NO_ELECTRICITY, **NO_WATER}, 4, RiskLevel.LOW, id="score 4: low"),
        pytest.param({**NO_ELECTRICITY, **NO_WATER, **DAMP}, 5, RiskLevel.MEDIUM, id="score 5: medium"),
        pytest.param(
            {**NO_ELECTRICITY, **NO_WATER, **NO_HEATING, **UNSAFE, **DAMP},
            9,
            RiskLevel.MEDIUM,
            id="score 9: medium",
        ),
        pytest.param(
            {**NO_ELECTRICITY, **NO_WATER, **NO_HEATING, **UNSAFE, **DAMP, **NO_TOILET},
            10,
            RiskLevel.HIGH,
            id="score 10: high",
        ),
        pytest.param(
            {"household.family.domestic_violence_signs": True}, 3, RiskLevel.HIGH, id="critical alone: high"
        ),
        pytest.param(
            {"members[2].protection.neglect_signs": True},
            3,
            RiskLevel.HIGH,
            id="critical member finding: high",
        ),
    ],
)
def test_score_and_risk_level(answers: dict[str, Any], score: int, level: RiskLevel) -> None:
    evaluation = _evaluate(answers)

    assert evaluation.score == score
    assert evaluation.risk_level == level


def test_score_adds_the_household_and_every_member_finding() -> None:
    evaluation = _evaluate(
        {
            **NO_TOILET,  # HO09, 1
            "members[0].health.insured": False,  # HE02, 1
            "members[1].health.insured": False,  # HE02, 1
            "members[2].health.family_doctor": False,  # HE01, 2
        }
    )

    assert [(f.code, f.member_ref is None) for f in evaluation.findings] == [
        ("HO09", True),
        ("HE02", False),
        ("HE02", False),
        ("HE01", False),
    ]
    assert evaluation.score == 5
    assert evaluation.risk_level == RiskLevel.MEDIUM


def test_report_has_the_shape_the_command_prints() -> None:
    assessment = assessment_with(
        {**NO_TOILET, "members[2].health.family_doctor": False, "members[2].health.vaccination": "unknown"}
    )

    report = evaluate(assessment, MPS_V1).as_report()

    assert report == {
        "assessment": assessment["ref"],
        "catalogue": "mps-v1",
        "score": 4,
        "risk_level": "low",
        "household": ["HO09"],
        "members": {
            assessment["members"][0]["ref"]: [],
            assessment["members"][1]["ref"]: [],
            assessment["members"][2]["ref"]: ["HE01", "HE04"],
            assessment["members"][3]["ref"]: [],
        },
    }


# The equivalence scale


def _equivalent_adults_tenths(answers: dict[str, Any]) -> int:
    # Tenths keep the sums exact: in floats 1.0 + 0.3 + 0.3 + 0.3 is not 1.9.
    assessment = assessment_with(answers)
    assert [str(p) for p in validate(assessment)] == []
    return household_from_assessment(assessment).equivalent_adults_tenths


# A household headed by a 13-year-old boy living with his siblings; nobody's parents live there.
CHILD_HEADED = {
    "members[0].birth_date": born(13),
    "members[1].relation": "sibling",
    "members[1].birth_date": born(16),
    "members[2].relation": "sibling",
    "members[2].mother_ref": REMOVE,
    "members[2].father_ref": REMOVE,
    "members[3].relation": "sibling",
    "members[3].mother_ref": REMOVE,
    "members[3].father_ref": REMOVE,
}


def test_equivalence_scale_counts_head_one_others_from_14_half_and_younger_children_three_tenths() -> None:
    assert _equivalent_adults_tenths({}) == 10 + 5 + 3 + 3


def test_equivalence_scale_counts_a_head_of_exactly_14_as_one() -> None:
    scale = _equivalent_adults_tenths(
        {**CHILD_HEADED, "members[0].birth_date": born(14), "members[1].birth_date": born(14, -30)}
    )

    assert scale == 10 + 5 + 3 + 3


def test_equivalence_scale_counts_the_oldest_member_as_one_when_the_head_is_under_14() -> None:
    # The 16-year-old counts 1.0 instead of 0.5; the 13-year-old head counts 0.3 like the other children.
    assert _equivalent_adults_tenths(CHILD_HEADED) == 10 + 3 + 3 + 3


def test_equivalence_scale_when_everybody_is_under_14_counts_the_oldest_as_one() -> None:
    # The head is 11, the oldest sibling 13: the sibling counts 1.0 although under 14.
    scale = _equivalent_adults_tenths(
        {**CHILD_HEADED, "members[0].birth_date": born(11), "members[1].birth_date": born(13)}
    )

    assert scale == 10 + 3 + 3 + 3


def test_equivalence_scale_when_the_head_under_14_is_the_oldest_counts_the_head_as_one() -> None:
    scale = _equivalent_adults_tenths({**CHILD_HEADED, "members[1].birth_date": born(11)})

    assert scale == 10 + 3 + 3 + 3


@pytest.mark.parametrize(("income", "found"), [(3039, True), (3040, False)])
def test_poverty_line_uses_the_scale_of_a_child_headed_household(income: int, found: bool) -> None:
    # 1.9 equivalent adults x 1600 RON = 3040 RON.
    evaluation = _evaluate({**CHILD_HEADED, "household.income.monthly_net_income_ron": income})

    assert ("IN01" in evaluation.household_codes) is found


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        ("2000-02-29", "2023-02-28", 22),
        ("2000-02-29", "2023-03-01", 23),
        ("2000-02-29", "2024-02-29", 24),
        ("2006-06-15", "2024-06-14", 17),
        ("2006-06-15", "2024-06-15", 18),
    ],
)
def test_age_is_full_years_and_a_29_february_birthday_comes_on_1_march_in_common_years(
    birth: str, on: str, age: int
) -> None:
    from datetime import date

    assert age_on(date.fromisoformat(birth), date.fromisoformat(on)) == age


def test_the_baseline_leap_day_child_is_four() -> None:
    household = household_from_assessment(assessment_with({}))

    assert household.members[DAUGHTER].age == 4


# Parameters, weights and codes come from the catalogue data


def _catalogue_data() -> dict[str, Any]:
    return json.loads((CATALOGUE_DIR / "mps-v1.json").read_text(encoding="utf-8"))


def test_parameters_are_taken_from_the_catalogue() -> None:
    stricter = dataclasses.replace(
        MPS_V1, parameters=dataclasses.replace(MPS_V1.parameters, absence_hours=5, risk_medium_score=1)
    )
    answers = {"members[2].education.unexcused_absences_30d": 5}

    assert "ED03" not in _evaluate(answers).member_codes[_ref(SON)]
    assert "ED03" in _evaluate(answers, stricter).member_codes[_ref(SON)]
    assert _evaluate(NO_TOILET, stricter).risk_level == RiskLevel.MEDIUM


def test_weights_critical_flags_and_codes_are_taken_from_the_catalogue() -> None:
    data = _catalogue_data()
    data["code"] = "mps-test"
    for vulnerability in data["vulnerabilities"]:
        if vulnerability["code"] == "HO09":
            vulnerability.update(weight=7, critical=True)
    data["vulnerabilities"] = [v for v in data["vulnerabilities"] if v["code"] != "HO02"]
    catalogue = catalogue_from_data(data)

    evaluation = _evaluate({**NO_TOILET, **NO_ELECTRICITY}, catalogue)

    assert evaluation.catalogue == "mps-test"
    assert evaluation.household_codes == ("HO09",)
    assert evaluation.score == 7
    assert evaluation.risk_level == RiskLevel.HIGH


def test_a_catalogue_code_without_a_rule_is_refused() -> None:
    data = _catalogue_data()
    data["vulnerabilities"].append({**data["vulnerabilities"][0], "code": "ZZ99"})

    with pytest.raises(CatalogueError, match="ZZ99"):
        check_catalogue(catalogue_from_data(data))


def test_a_catalogue_code_at_the_wrong_level_is_refused() -> None:
    data = _catalogue_data()
    data["vulnerabilities"][0]["level"] = "household"

    with pytest.raises(CatalogueError, match="ID01"):
        check_catalogue(catalogue_from_data(data))


def test_a_catalogue_with_an_unknown_parameter_is_refused() -> None:
    data = _catalogue_data()
    data["parameters"]["poverty_line_eur"] = 320

    with pytest.raises(CatalogueError):
        catalogue_from_data(data)


def _ref(index: int) -> str:
    return str(assessment_with({})["members"][index]["ref"])


def test_member_indexes_used_in_these_tests() -> None:
    assert [HEAD, SPOUSE, SON, DAUGHTER] == [0, 1, 2, 3]
