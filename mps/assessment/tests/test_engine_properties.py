"""Properties of the engine and the validator over generated assessments."""

import copy
import random
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.assessment.rules import RiskLevel, evaluate, load_catalogue, validate
from mps.assessment.rules.validation import Problem, schema_validator
from mps.assessment.tests.strategies import json_values, schema_valid_assessments
from mps.demo.synthetic import synthetic_assessment

MPS_V1 = load_catalogue("mps-v1")
LEVELS = {v.code: v.level for v in MPS_V1.vulnerabilities}
WEIGHTS = {v.code: v.weight for v in MPS_V1.vulnerabilities}
CRITICAL = {v.code for v in MPS_V1.vulnerabilities if v.critical}

generated = settings(
    max_examples=100, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _codes(assessment: dict[str, Any]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Return the household codes and each member's codes, by member position."""
    evaluation = evaluate(assessment, MPS_V1)
    return evaluation.household_codes, [evaluation.member_codes[m["ref"]] for m in assessment["members"]]


@generated
@given(schema_valid_assessments())
def test_the_engine_evaluates_every_schema_valid_assessment(assessment: dict[str, Any]) -> None:
    assert schema_validator().is_valid(assessment)
    untouched = copy.deepcopy(assessment)

    evaluation = evaluate(assessment, MPS_V1)
    report = evaluation.as_report()

    assert assessment == untouched, "the engine must not change its input"
    assert list(report["members"]) == [member["ref"] for member in assessment["members"]]
    assert report["household"] == sorted(set(report["household"]))
    assert all(LEVELS[code] == "household" for code in report["household"])
    for codes in report["members"].values():
        assert codes == sorted(set(codes))
        assert all(LEVELS[code] == "person" for code in codes)


@generated
@given(schema_valid_assessments())
def test_score_is_the_sum_of_the_weights_and_the_risk_level_follows_it(assessment: dict[str, Any]) -> None:
    evaluation = evaluate(assessment, MPS_V1)
    codes = list(evaluation.household_codes) + [
        c for codes in evaluation.member_codes.values() for c in codes
    ]

    assert evaluation.score == sum(WEIGHTS[code] for code in codes)
    assert evaluation.score == sum(finding.vulnerability.weight for finding in evaluation.findings)
    if CRITICAL & set(codes) or evaluation.score >= 10:
        assert evaluation.risk_level == RiskLevel.HIGH
    elif evaluation.score >= 5:
        assert evaluation.risk_level == RiskLevel.MEDIUM
    elif codes:
        assert evaluation.risk_level == RiskLevel.LOW
    else:
        assert evaluation.risk_level == RiskLevel.NONE


@generated
@given(schema_valid_assessments())
def test_the_same_assessment_always_gives_the_same_evaluation(assessment: dict[str, Any]) -> None:
    first = evaluate(assessment, MPS_V1).as_report()
    second = evaluate(copy.deepcopy(assessment), MPS_V1).as_report()

    assert first == second


@generated
@given(schema_valid_assessments(), st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_names_refs_or_cnps(assessment: dict[str, Any], rng: random.Random) -> None:
    renamed = copy.deepcopy(assessment)
    salt = rng.random()
    new_refs = {
        m["ref"]: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{salt}/{m['ref']}")) for m in assessment["members"]
    }
    renamed["ref"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{salt}/{assessment['ref']}"))
    renamed["household"]["address"] = "Altă adresă"
    for member in renamed["members"]:
        member["ref"] = new_refs[member["ref"]]
        for parent in ("mother_ref", "father_ref"):
            if parent in member:
                member[parent] = new_refs.get(member[parent], member[parent])
        member["first_name"], member["last_name"] = "Nume", "Schimbat"
        if rng.random() < 0.5:
            member.pop("cnp", None)
        else:
            member["cnp"] = "".join(rng.choice("0123456789") for _ in range(13))

    assert _codes(renamed) == _codes(assessment)


@generated
@given(schema_valid_assessments(), st.randoms(use_true_random=False))
def test_member_order_does_not_change_any_finding(assessment: dict[str, Any], rng: random.Random) -> None:
    shuffled = copy.deepcopy(assessment)
    rng.shuffle(shuffled["members"])

    original = evaluate(assessment, MPS_V1)
    reordered = evaluate(shuffled, MPS_V1)

    assert reordered.household_codes == original.household_codes
    assert dict(reordered.member_codes) == dict(original.member_codes)
    assert reordered.score == original.score


@settings(max_examples=60)
@given(st.randoms(use_true_random=False))
def test_synthetic_assessments_are_valid(rng: random.Random) -> None:
    assert [str(problem) for problem in validate(synthetic_assessment(rng))] == []


@generated
@given(schema_valid_assessments())
def test_the_validator_answers_every_schema_valid_assessment_with_semantic_problems_only(
    assessment: dict[str, Any],
) -> None:
    problems = validate(assessment)

    assert all(isinstance(problem, Problem) for problem in problems)
    # The schema accepted it, so every problem is one of the cross-field rules.
    assert all(
        problem.path == "members"
        or problem.path.endswith(
            ("relation", ".ref", "birth_date", "mother_ref", "father_ref", "cnp", "by_member")
        )
        for problem in problems
    ), problems


@generated
@given(json_values)
def test_the_validator_answers_any_json_value_without_crashing(value: Any) -> None:
    problems = validate(value)

    assert problems
    assert all(problem.path and problem.message for problem in problems)


@generated
@given(schema_valid_assessments(), st.data())
def test_the_validator_answers_damaged_assessments_without_crashing(
    assessment: dict[str, Any], data: st.DataObject
) -> None:
    member = data.draw(st.sampled_from(assessment["members"]))
    key = data.draw(st.sampled_from(sorted(member)))
    member[key] = data.draw(json_values)

    assert all(isinstance(problem, Problem) for problem in validate(assessment))
