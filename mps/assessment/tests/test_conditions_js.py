"""The web form and the field app judge which questions apply exactly as the server does (conditions.js under Node)."""

import datetime as dt
import itertools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mps.assessment.questions import (
    household_with_neutral_answers,
    load_questions,
    member_with_neutral_answers,
)
from mps.assessment.tests.builders import ASSESSED_ON, baseline_assessment, born

CONDITIONS_JS = Path(__file__).resolve().parents[1] / "static" / "assessment" / "conditions.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node is not installed")

RUNNER = """
const C = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = cases.map(([questions, answers, birth, on]) => {
  const age = birth === null ? null : C.ageOn(C.parseDate(birth), C.parseDate(on));
  return C.withNeutralAnswers(questions, answers, age).answers;
});
process.stdout.write(JSON.stringify(out));
"""


def _flat(questions: Any, nested: dict[str, Any]) -> dict[str, Any]:
    flat = {}
    for question in questions:
        value: Any = nested
        for name in question.field.split("."):
            value = value.get(name) if isinstance(value, dict) else None
        if value is not None:
            flat[question.field] = value
    return flat


def _members() -> list[dict[str, Any]]:
    base = baseline_assessment()["members"]
    variants = []
    for member, (years, status, employment) in itertools.product(
        base,
        [
            (0, "too_young", "not_applicable"),
            (6, "school", "not_applicable"),
            (16, "dropped_out", "inactive"),
            (17, "high_school", "student"),
            (45, "finished", "unemployed_registered"),
            (80, "finished", "retired"),
        ],
    ):
        variant = json.loads(json.dumps(member))
        variant["birth_date"] = born(years)
        variant["education"]["status"] = status
        variant["employment"]["status"] = employment
        variant["health"].update(
            pregnant=member["sex"] == "F" and years in (17, 45),
            chronic_illness=years > 40,
            needs_daily_care=years == 80,
            disability=years == 16,
        )
        variants.append(variant)
    return variants


def test_conditions_js_gives_the_neutral_answers_python_gives() -> None:
    questions = load_questions()
    member_defs = [q.__dict__ | {"options": []} for q in questions.member]
    household_defs = [q.__dict__ | {"options": []} for q in questions.household]
    cases, expected = [], []
    for member in _members():
        cases.append(
            [member_defs, _flat(questions.member, member), member["birth_date"], ASSESSED_ON.isoformat()]
        )
        expected.append(_flat(questions.member, member_with_neutral_answers(member, ASSESSED_ON)))
    for dwelling in ("house", "apartment", "improvised", "none"):
        household = baseline_assessment()["household"]
        household["housing"]["dwelling"] = dwelling
        for given in (True, False):
            household["consent"]["given"] = given
            cases.append(
                [household_defs, _flat(questions.household, household), None, dt.date.today().isoformat()]
            )
            expected.append(_flat(questions.household, household_with_neutral_answers(household)))
    assert NODE is not None
    result = subprocess.run(  # noqa: S603 - a fixed script run with the Node found on PATH
        [NODE, "-e", RUNNER, str(CONDITIONS_JS)],
        input=json.dumps(cases, default=str),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == expected
