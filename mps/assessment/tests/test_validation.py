"""Every invalid case of methodology-v1 is rejected with its field path, and all problems come at once."""

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from mps.assessment.rules import ensure_valid, validate
from mps.assessment.tests.builders import (
    DAUGHTER,
    HEAD,
    OUTSIDER_REF,
    REFS,
    REMOVE,
    SON,
    SPOUSE,
    assessment_with,
    baseline_assessment,
)
from mps.core.cnp import make_cnp
from mps.core.errors import DomainValidationError


def _problems(answers: dict[str, Any]) -> dict[str, list[str]]:
    by_path: dict[str, list[str]] = {}
    with translation.override("en"):
        for problem in validate(assessment_with(answers)):
            by_path.setdefault(problem.path, []).append(problem.message)
    return by_path


def test_the_baseline_family_is_valid() -> None:
    assert validate(baseline_assessment()) == []


@pytest.mark.parametrize(
    ("answers", "path", "message"),
    [
        pytest.param(
            {"colour": "blue"}, "colour", "not part of the assessment format", id="unknown field at the top"
        ),
        pytest.param(
            {"household.housing.garage": True},
            "household.housing.garage",
            "not part",
            id="unknown housing field",
        ),
        pytest.param(
            {"members[2].nickname": "Andi"}, "members[2].nickname", "not part", id="unknown member field"
        ),
        pytest.param(
            {"members[1].sex": REMOVE}, "members[1].sex", "This field is required.", id="missing member field"
        ),
        pytest.param({"household.income": REMOVE}, "household.income", "required", id="missing group"),
        pytest.param({"wave": REMOVE}, "wave", "required", id="missing top field"),
        pytest.param(
            {"members[0].health.pregnant": "no"},
            "members[0].health.pregnant",
            "true or false",
            id="text for a boolean",
        ),
        pytest.param(
            {"household.housing.rooms": 2.5},
            "household.housing.rooms",
            "whole number",
            id="fraction for an integer",
        ),
        pytest.param(
            {"household.housing.rooms": True},
            "household.housing.rooms",
            "whole number",
            id="boolean for an integer",
        ),
        pytest.param(
            {"household.income.monthly_net_income_ron": "100"},
            "household.income.monthly_net_income_ron",
            "a number",
            id="text for a number",
        ),
        pytest.param({"members[3].first_name": 7}, "members[3].first_name", "a text", id="number for a text"),
        pytest.param({"members": {}}, "members", "a list", id="object for the member list"),
        pytest.param(
            {"household.housing.dwelling": "castle"},
            "household.housing.dwelling",
            'The value "castle" is not allowed; the allowed values are "house", "apartment", "improvised", "none".',
            id="bad enum value lists the allowed values",
        ),
        pytest.param(
            {"schema_version": "2"}, "schema_version", 'The value must be "1".', id="other schema version"
        ),
        pytest.param({"ref": "not-a-uuid"}, "ref", "UUID", id="ref not a UUID"),
        pytest.param({"wave": "T100"}, "wave", "T followed by one or two digits", id="bad wave"),
        pytest.param({"household.locality": "Cluj"}, "household.locality", "SIRUTA", id="bad locality"),
        pytest.param({"members[0].cnp": "12345"}, "members[0].cnp", "exactly 13 digits", id="short CNP"),
        pytest.param(
            {"household.housing.rooms": -1}, "household.housing.rooms", "at least 0", id="below minimum"
        ),
        pytest.param(
            {"household.housing.rooms": 51}, "household.housing.rooms", "at most 50", id="above maximum"
        ),
        pytest.param(
            {"members[1].education.highest_grade": 13},
            "members[1].education.highest_grade",
            "at most 12",
            id="grade 13",
        ),
        pytest.param({"household.address": ""}, "household.address", "must not be empty", id="empty address"),
        pytest.param(
            {"members[0].first_name": "x" * 101},
            "members[0].first_name",
            "at most 100 characters",
            id="long name",
        ),
        pytest.param({"members": []}, "members", "at least 1 items", id="no member"),
        pytest.param(
            {"assessed_on": "2024-02-30"},
            "assessed_on",
            "real date written as YYYY-MM-DD",
            id="impossible date",
        ),
        pytest.param(
            {"members[2].birth_date": "15.06.2014"},
            "members[2].birth_date",
            "YYYY-MM-DD",
            id="date in another format",
        ),
    ],
)
def test_schema_problems_name_the_field(answers: dict[str, Any], path: str, message: str) -> None:
    problems = _problems(answers)

    assert path in problems, problems
    assert any(message in text for text in problems[path]), problems[path]


def test_an_assessment_that_is_not_an_object_is_refused_at_the_root() -> None:
    with translation.override("en"):
        problems = validate(["not", "an", "assessment"])

    assert [(p.path, p.message) for p in problems] == [
        ("$", "The value must be an object with named fields.")
    ]


def test_more_than_40_members_are_refused() -> None:
    assessment = baseline_assessment()
    assessment["members"] = assessment["members"] * 11

    assert "members" in {p.path for p in validate(assessment)}


@pytest.mark.parametrize(
    ("answers", "path", "message"),
    [
        pytest.param({"members[0].relation": "spouse"}, "members", "No member is the head", id="no head"),
        pytest.param(
            {"members[1].relation": "head"}, "members[1].relation", "members[0] already is", id="two heads"
        ),
        pytest.param(
            {"members[3].ref": REFS[SON]},
            "members[3].ref",
            "(members[2]) has the same ref",
            id="duplicate ref",
        ),
        pytest.param(
            {"members[3].birth_date": "2024-06-16"},
            "members[3].birth_date",
            "after the assessment date",
            id="born after the visit",
        ),
        pytest.param(
            {"members[0].birth_date": "1903-06-14"}, "members[0].birth_date", "121 years old", id="age 121"
        ),
        pytest.param(
            {"members[2].mother_ref": OUTSIDER_REF},
            "members[2].mother_ref",
            "another member of this household",
            id="mother not a member",
        ),
        pytest.param(
            {"members[2].father_ref": OUTSIDER_REF},
            "members[2].father_ref",
            "another member of this household",
            id="father not a member",
        ),
        pytest.param(
            {"members[2].mother_ref": REFS[SON]}, "members[2].mother_ref", "own parent", id="own mother"
        ),
        pytest.param(
            {"members[2].father_ref": REFS[SON]}, "members[2].father_ref", "own parent", id="own father"
        ),
        pytest.param(
            {"members[2].mother_ref": REFS[HEAD]},
            "members[2].mother_ref",
            "mother must be a member recorded as female",
            id="mother not F",
        ),
        pytest.param(
            {"members[2].father_ref": REFS[SPOUSE]},
            "members[2].father_ref",
            "father must be a member recorded as male",
            id="father not M",
        ),
        pytest.param(
            {"members[2].mother_ref": REFS[DAUGHTER]},
            "members[2].mother_ref",
            "members[3] was born after this person",
            id="mother born after child",
        ),
        pytest.param(
            {"members[0].cnp": make_cnp("M", date(1984, 3, 10))[:-1] + "0"},
            "members[0].cnp",
            "check digit is wrong",
            id="bad CNP checksum",
        ),
        pytest.param(
            {"members[0].cnp": make_cnp("F", date(1984, 3, 10))},
            "members[0].cnp",
            "belongs to a woman",
            id="CNP of the other sex",
        ),
        pytest.param(
            {"members[0].cnp": make_cnp("M", date(1984, 3, 11))},
            "members[0].cnp",
            "encodes the birth date 1984-03-11, but the recorded birth date is 1984-03-10",
            id="CNP of another birth date",
        ),
        pytest.param(
            {
                "members[0].cnp": make_cnp("M", date(1984, 3, 10)),
                "members[1].cnp": make_cnp("M", date(1984, 3, 10)),
            },
            "members[1].cnp",
            "(members[0]) has the same CNP",
            id="duplicate CNP",
        ),
        pytest.param(
            {"household.consent.by_member": OUTSIDER_REF},
            "household.consent.by_member",
            "must be a member of this household",
            id="consent by an outsider",
        ),
    ],
)
def test_semantic_problems_name_the_field(answers: dict[str, Any], path: str, message: str) -> None:
    problems = _problems(answers)

    assert path in problems, problems
    assert any(message in text for text in problems[path]), problems[path]


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param({"members[3].birth_date": "2024-06-15"}, id="born on the visit day"),
        pytest.param(
            {"members[0].birth_date": "1904-06-15", "members[0].education.highest_grade": 4}, id="exactly 120"
        ),
        pytest.param(
            {
                "members[3].birth_date": "2014-05-02",
                "members[3].mother_ref": REFS[SON],
                "members[2].sex": "F",
            },
            id="parent born the same day",
        ),
        pytest.param(
            {
                "members[0].cnp": make_cnp("M", date(1984, 3, 10)),
                "members[1].cnp": make_cnp("F", date(1986, 1, 20)),
            },
            id="two good CNPs",
        ),
        pytest.param({"household.consent": {"given": False}}, id="consent refused, nobody named"),
        pytest.param({"household.consent": REMOVE}, id="no consent section"),
    ],
)
def test_edge_cases_that_are_valid(answers: dict[str, Any]) -> None:
    assert _problems(answers) == {}


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(
        {
            "colour": "blue",
            "members[1].relation": "head",
            "members[2].health.pregnant": "no",
            "members[3].birth_date": "2030-01-01",
            "members[0].cnp": make_cnp("F", date(1984, 3, 10)),
            "household.housing.dwelling": "castle",
            "household.consent.by_member": OUTSIDER_REF,
        }
    )

    assert set(problems) == {
        "colour",
        "members[1].relation",
        "members[2].health.pregnant",
        "members[3].birth_date",
        "members[0].cnp",
        "household.housing.dwelling",
        "household.consent.by_member",
    }


def test_semantic_checks_still_run_when_the_schema_rejects_other_parts() -> None:
    problems = _problems({"members[2].health": REMOVE, "members[2].mother_ref": OUTSIDER_REF})

    assert set(problems) == {"members[2].health", "members[2].mother_ref"}


def test_problems_come_in_field_path_order_with_member_indexes_as_numbers() -> None:
    assessment = baseline_assessment()
    for index in range(12):
        assessment["members"].append(
            {**assessment["members"][3], "ref": f"00000000-0000-4000-8000-0000000001{index:02d}"}
        )
    assessment["members"][2]["colour"] = "x"
    assessment["members"][11]["colour"] = "x"

    paths = [problem.path for problem in validate(assessment)]

    assert paths == ["members[2].colour", "members[11].colour"]


def test_messages_are_in_romanian_when_romanian_is_active() -> None:
    assessment = assessment_with({"colour": "blue", "members[1].relation": "head"})

    with translation.override("ro"):
        messages = {problem.path: problem.message for problem in validate(assessment)}

    assert messages["colour"] == "Acest câmp nu face parte din formatul evaluării."
    assert (
        messages["members[1].relation"]
        == "Doar un membru poate fi capul gospodăriei, iar members[0] este deja."
    )


def test_ensure_valid_raises_every_problem_by_field_path() -> None:
    with pytest.raises(DomainValidationError) as raised:
        ensure_valid(assessment_with({"colour": "blue", "members[1].relation": "head"}))

    assert set(raised.value.problems) == {"colour", "members[1].relation"}


def test_ensure_valid_returns_a_valid_assessment() -> None:
    assessment = baseline_assessment()

    assert ensure_valid(assessment) is assessment
