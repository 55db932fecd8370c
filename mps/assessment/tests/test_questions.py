"""The question definitions cover the interchange format exactly, and say when each question applies."""

import json
from typing import Any

import pytest

from mps.assessment.questions import (
    Question,
    condition_holds,
    household_questions_that_apply,
    household_with_neutral_answers,
    load_questions,
    member_questions_that_apply,
    member_with_neutral_answers,
)
from mps.assessment.rules import validate
from mps.assessment.rules.validation import SCHEMA_DIR
from mps.assessment.tests.builders import ASSESSED_ON, SON, assessment_with, baseline_assessment, born

SCHEMA = json.loads((SCHEMA_DIR / "household-assessment-v1.schema.json").read_text(encoding="utf-8"))
PARTS = {
    "visit": (SCHEMA, {"household", "members"}),
    "household": (SCHEMA["properties"]["household"], set()),
    "member": (SCHEMA["$defs"]["member"], set()),
}
UUID_REF = {"$ref": "#/$defs/uuid"}


def _leaves(
    node: dict[str, Any], prefix: str = "", optional: bool = False
) -> dict[str, tuple[dict[str, Any], bool]]:
    """Return every answerable field below ``node``: path -> (schema, whether it may be left out)."""
    leaves = {}
    required = set(node.get("required", ()))
    for name, child in node["properties"].items():
        path = f"{prefix}{name}"
        child_optional = optional or name not in required
        if child.get("type") == "object":
            leaves.update(_leaves(child, f"{path}.", child_optional))
        else:
            leaves[path] = (child, child_optional)
    return leaves


def _schema_leaves(part: str) -> dict[str, tuple[dict[str, Any], bool]]:
    node, excluded = PARTS[part]
    return {path: leaf for path, leaf in _leaves(node).items() if path.split(".")[0] not in excluded}


def _questions(part: str) -> tuple[Question, ...]:
    return getattr(load_questions(), part)


@pytest.mark.parametrize("part", PARTS)
def test_every_field_of_the_format_is_a_question_or_filled_by_the_application(part: str) -> None:
    asked = [q.field for q in _questions(part)]
    not_asked = list(load_questions().not_asked[part])

    assert len(asked) == len(set(asked))
    assert sorted(asked + not_asked) == sorted(_schema_leaves(part))


@pytest.mark.parametrize("part", PARTS)
def test_question_types_options_and_optionality_agree_with_the_schema(part: str) -> None:
    leaves = _schema_leaves(part)
    for question in _questions(part):
        schema, optional = leaves[question.field]
        assert question.optional == optional, question.field
        if question.type == "enum":
            assert [o.value for o in question.options] == schema["enum"], question.field
        elif question.type == "date":
            assert schema.get("format") == "date", question.field
        elif question.type == "member":
            assert schema.get("$ref") == UUID_REF["$ref"], question.field
        elif question.type == "text":
            assert schema.get("type") == "string", question.field
            assert "format" not in schema, question.field
        else:
            assert schema.get("type") == question.type, question.field


@pytest.mark.parametrize("part", PARTS)
def test_conditions_only_name_earlier_questions_of_the_same_part(part: str) -> None:
    seen: set[str] = set()
    for question in _questions(part):
        for field in _fields_named(question.applies_when):
            assert field in seen, f"{question.field} depends on {field}, which is not asked before it"
        seen.add(question.field)


def _fields_named(condition: Any) -> list[str]:
    if not condition:
        return []
    if "field" in condition:
        return [condition["field"]]
    parts = condition.get("all") or condition.get("any") or [condition.get("not")]
    return [field for part in parts for field in _fields_named(part)]


@pytest.mark.parametrize("part", PARTS)
def test_a_question_that_may_not_apply_has_a_neutral_answer_the_schema_accepts(part: str) -> None:
    leaves = _schema_leaves(part)
    for question in _questions(part):
        if question.applies_when is None or question.optional:
            continue
        schema, _ = leaves[question.field]
        if question.type == "enum":
            assert question.neutral in schema["enum"], question.field
        elif question.type == "boolean":
            assert question.neutral is False, question.field
        else:
            assert question.neutral == schema.get("minimum"), question.field


def test_bounds_come_from_the_schema() -> None:
    rooms = next(q for q in load_questions().household if q.field == "housing.rooms")
    name = next(q for q in load_questions().member if q.field == "first_name")

    assert (rooms.minimum, rooms.maximum) == (0, 50)
    assert name.max_length == 100


def test_labels_exist_in_both_languages() -> None:
    questions = load_questions()
    for question in questions.visit + questions.household + questions.member:
        assert question.label_ro.strip(), question.field
        assert question.label_en.strip(), question.field
        assert question.label("en") == question.label_en
        for option in question.options:
            assert option.label_ro.strip(), question.field
            assert option.label_en.strip(), question.field


def _applies(member_answers: dict[str, Any]) -> set[str]:
    member = {**baseline_assessment()["members"][SON], **member_answers}
    return {q.field for q in member_questions_that_apply(member, ASSESSED_ON)}


@pytest.mark.parametrize(
    ("answers", "field", "applies"),
    [
        ({"sex": "F", "birth_date": born(10)}, "health.pregnant", True),
        ({"sex": "F", "birth_date": born(10, 1)}, "health.pregnant", False),
        ({"sex": "F", "birth_date": born(55)}, "health.pregnant", True),
        ({"sex": "F", "birth_date": born(56)}, "health.pregnant", False),
        ({"sex": "M", "birth_date": born(30)}, "health.pregnant", False),
        ({"sex": "F", "birth_date": born(30), "health": {"pregnant": True}}, "health.prenatal_care", True),
        ({"sex": "F", "birth_date": born(30), "health": {"pregnant": False}}, "health.prenatal_care", False),
        ({"health": {"chronic_illness": True}}, "health.chronic_illness_followed", True),
        ({"health": {"chronic_illness": False}}, "health.chronic_illness_followed", False),
        ({"health": {"needs_daily_care": True}}, "health.has_caregiver", True),
        ({"health": {"needs_daily_care": False}}, "health.has_caregiver", False),
        (
            {"health": {"disability": True, "disability_certificate": True}},
            "benefits.disability_benefit",
            True,
        ),
        ({"health": {"disability": False}}, "health.disability_certificate", False),
        ({"birth_date": born(18, 1)}, "benefits.child_allowance", True),
        ({"birth_date": born(18)}, "benefits.child_allowance", False),
        ({"birth_date": born(18)}, "health.vaccination", False),
        ({"birth_date": born(14)}, "documents.identity_card", True),
        ({"birth_date": born(14, 1)}, "documents.identity_card", False),
        ({"birth_date": born(3)}, "education.status", True),
        ({"birth_date": born(3, 1)}, "education.status", False),
        ({"birth_date": born(7, 1)}, "education.highest_grade", False),
        ({"education": {"status": "school"}}, "education.unexcused_absences_30d", True),
        ({"education": {"status": "university"}}, "education.unexcused_absences_30d", False),
        ({"education": {"special_needs": True}}, "education.special_needs_support", True),
        ({"education": {"special_needs": False}}, "education.special_needs_support", False),
        ({"birth_date": born(15)}, "employment.status", True),
        ({"birth_date": born(15, 1)}, "employment.status", False),
        ({"employment": {"status": "unemployed_registered"}}, "employment.unemployed_months", True),
        ({"employment": {"status": "unemployed_unregistered"}}, "employment.unemployed_months", True),
        ({"employment": {"status": "inactive"}}, "employment.unemployed_months", False),
        ({"birth_date": "not a date"}, "health.pregnant", False),
        ({}, "health.family_doctor", True),
    ],
)
def test_member_questions_apply_by_sex_age_and_earlier_answers(
    answers: dict[str, Any], field: str, applies: bool
) -> None:
    assert (field in _applies(answers)) is applies


def test_housing_questions_apply_only_to_a_household_with_a_dwelling() -> None:
    household = baseline_assessment()["household"]
    with_dwelling = {q.field for q in household_questions_that_apply(household)}
    homeless = {
        q.field for q in household_questions_that_apply({**household, "housing": {"dwelling": "none"}})
    }

    housing = {f"housing.{name}" for name in household["housing"]} - {"housing.dwelling"}
    assert housing <= with_dwelling
    assert not housing & homeless
    assert "housing.dwelling" in homeless


def test_neutral_answers_replace_answers_to_questions_that_do_not_apply() -> None:
    man = assessment_with(
        {
            "members[0].health.pregnant": True,
            "members[0].health.prenatal_care": True,
            "members[0].employment.unemployed_months": 30,
            "members[0].benefits.child_allowance": True,
        }
    )["members"][0]

    neutral = member_with_neutral_answers(man, ASSESSED_ON)

    assert neutral["health"]["pregnant"] is False
    assert neutral["health"]["prenatal_care"] is False  # depends on pregnant, neutralised first
    assert neutral["employment"]["unemployed_months"] == 0
    assert neutral["benefits"]["child_allowance"] is False
    assert man["health"]["pregnant"] is True, "the input is not changed"


def test_neutral_answers_of_a_homeless_household_keep_it_valid() -> None:
    assessment = baseline_assessment()
    assessment["household"]["housing"]["dwelling"] = "none"
    assessment["household"] = household_with_neutral_answers(assessment["household"])

    assert assessment["household"]["housing"]["rooms"] == 0
    assert assessment["household"]["housing"]["electricity"] is False
    assert validate(assessment) == []


def test_optional_questions_that_do_not_apply_are_left_out() -> None:
    household = baseline_assessment()["household"]
    household["consent"] = {
        "given": False,
        "by_member": "00000000-0000-4000-8000-000000000000",
        "on": "2024-06-15",
    }

    assert household_with_neutral_answers(household)["consent"] == {"given": False}


@pytest.mark.parametrize(
    ("condition", "answers", "age", "holds"),
    [
        ({"all": []}, {}, None, True),
        ({"any": []}, {}, None, False),
        ({"not": {"field": "a", "equals": 1}}, {"a": 2}, None, True),
        ({"field": "a.b", "equals": True}, {"a": {"b": True}}, None, True),
        ({"field": "a.b", "equals": True}, {"a": {}}, None, False),
        ({"field": "a", "in": ["x", "y"]}, {"a": "y"}, None, True),
        ({"field": "a", "not_in": ["x"]}, {}, None, True),
        ({"age": {"min": 10, "max": 55}}, {}, 55, True),
        ({"age": {"max": 17}}, {}, 18, False),
        ({"age": {"min": 3}}, {}, None, False),
    ],
)
def test_conditions(condition: dict[str, Any], answers: dict[str, Any], age: int | None, holds: bool) -> None:
    assert condition_holds(condition, answers, age) is holds


def test_an_unknown_condition_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unknown condition"):
        condition_holds({"colour": "blue"}, {})


def test_question_paths_name_the_field_in_the_whole_assessment() -> None:
    questions = load_questions()

    assert questions.member[0].path == "members[].first_name"
    assert questions.household[0].path == "household.locality"
    assert questions.visit[0].path == "assessed_on"
