"""The assessment questions: one definition, as data, for the web form, the validator's tests and the offline app.

The questions live in ``catalogue/questions-v1.json``; each is one field of the interchange format. A question
that does not apply to a member (pregnancy for a man, school absences for someone not in school ...) is not
asked and its neutral answer is sent instead, so every assessment stays complete for the schema and the rules.
Applicability is a small declarative condition (documented in the JSON file) that this module evaluates in
Python and the offline app evaluates in JavaScript; numeric bounds and text lengths are read from the schema,
so neither is written twice.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from mps.assessment.rules.catalogue import text_in_language
from mps.assessment.rules.facts import age_on

QUESTIONS_DIR = Path(__file__).resolve().parent / "catalogue"
SCHEMA_DIR = Path(__file__).resolve().parent / "formats"
CURRENT_QUESTIONS = "questions-v1"

QuestionType = Literal["boolean", "integer", "number", "enum", "date", "text", "member"]
Part = Literal["visit", "household", "member"]
Condition = Mapping[str, Any]


@dataclass(frozen=True)
class Option:
    """One allowed answer of an enum question."""

    value: str
    label_ro: str
    label_en: str

    def label(self, language: str | None = None) -> str:
        """Return the label in ``language`` (default: the active language)."""
        return text_in_language(self.label_ro, self.label_en, language)


@dataclass(frozen=True)
class Question:
    """One question of the assessment: the field it fills, how to ask it and when it applies."""

    part: Part
    field: str
    type: QuestionType
    label_ro: str
    label_en: str
    help_ro: str = ""
    help_en: str = ""
    options: tuple[Option, ...] = ()
    optional: bool = False
    applies_when: Condition | None = None
    # The answer sent when the question does not apply; None with ``optional`` means "leave the field out".
    neutral: Any = None
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None

    @property
    def path(self) -> str:
        """The field's path in the whole assessment, with ``[]`` standing for any member index."""
        if self.part == "member":
            return f"members[].{self.field}"
        if self.part == "household":
            return f"household.{self.field}"
        return self.field

    def label(self, language: str | None = None) -> str:
        """Return the question's label in ``language`` (default: the active language)."""
        return text_in_language(self.label_ro, self.label_en, language)

    def help(self, language: str | None = None) -> str:
        """Return the question's help text in ``language`` (default: the active language)."""
        return text_in_language(self.help_ro, self.help_en, language)


@dataclass(frozen=True)
class QuestionSet:
    """Every question of one version, by part, in the order a form asks them."""

    code: str
    visit: tuple[Question, ...]
    household: tuple[Question, ...]
    member: tuple[Question, ...]
    not_asked: Mapping[str, tuple[str, ...]]


@cache
def load_questions(code: str = CURRENT_QUESTIONS) -> QuestionSet:
    """Load a version of the question definitions, once per process."""
    data = json.loads((QUESTIONS_DIR / f"{code}.json").read_text(encoding="utf-8"))
    schema = json.loads(
        (SCHEMA_DIR / f"household-assessment-v{data['schema_version']}.schema.json").read_text(
            encoding="utf-8"
        )
    )
    schema_objects: tuple[tuple[Part, Mapping[str, Any]], ...] = (
        ("visit", schema),
        ("household", schema["properties"]["household"]),
        ("member", schema["$defs"]["member"]),
    )
    parts: dict[Part, tuple[Question, ...]] = {}
    for part, schema_object in schema_objects:
        parts[part] = tuple(_question(part, item, schema_object) for item in data[part])
    not_asked = data["not_asked"]
    return QuestionSet(
        code=data["code"],
        visit=parts["visit"],
        household=parts["household"],
        member=parts["member"],
        not_asked={part: tuple(not_asked[part]) for part in ("visit", "household", "member")},
    )


def member_questions_that_apply(member: Mapping[str, Any], assessed_on: date) -> list[Question]:
    """Return the member questions to ask, given the member's answers so far and the visit date."""
    age = _age(member, assessed_on)
    return [
        q
        for q in load_questions().member
        if q.applies_when is None or condition_holds(q.applies_when, member, age)
    ]


def household_questions_that_apply(household: Mapping[str, Any]) -> list[Question]:
    """Return the household questions to ask, given the household's answers so far."""
    return [
        q
        for q in load_questions().household
        if q.applies_when is None or condition_holds(q.applies_when, household)
    ]


def member_with_neutral_answers(member: Mapping[str, Any], assessed_on: date) -> dict[str, Any]:
    """Return a copy of the member's answers in which every question that does not apply has its neutral answer."""
    return _with_neutral_answers(load_questions().member, member, _age(member, assessed_on))


def household_with_neutral_answers(household: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of the household's answers in which every question that does not apply has its neutral answer."""
    return _with_neutral_answers(load_questions().household, household, None)


def condition_holds(condition: Condition, answers: Mapping[str, Any], age: int | None = None) -> bool:
    """Return whether an applicability condition holds for these answers (and age, for member questions)."""
    if "all" in condition:
        return all(condition_holds(part, answers, age) for part in condition["all"])
    if "any" in condition:
        return any(condition_holds(part, answers, age) for part in condition["any"])
    if "not" in condition:
        return not condition_holds(condition["not"], answers, age)
    if "age" in condition:
        if age is None:
            return False
        bounds = condition["age"]
        return bounds.get("min", age) <= age <= bounds.get("max", age)
    if "field" in condition:
        present, value = _answer(answers, condition["field"])
        if "equals" in condition:
            return present and value == condition["equals"]
        if "in" in condition:
            return present and value in condition["in"]
        if "not_in" in condition:
            return not present or value not in condition["not_in"]
    raise ValueError(f"Unknown condition: {condition!r}")


def _with_neutral_answers(
    questions: tuple[Question, ...], answers: Mapping[str, Any], age: int | None
) -> dict[str, Any]:
    result = json.loads(json.dumps(answers))
    # In question order, so that a question depending on an earlier one sees its neutralised answer.
    for question in questions:
        if question.applies_when is None or condition_holds(question.applies_when, result, age):
            continue
        *parents, leaf = question.field.split(".")
        container = result
        for name in parents:
            container = container.setdefault(name, {})
        if question.neutral is None and question.optional:
            container.pop(leaf, None)
        else:
            container[leaf] = question.neutral
    return result


def _answer(answers: Mapping[str, Any], field: str) -> tuple[bool, Any]:
    value: Any = answers
    for name in field.split("."):
        if not isinstance(value, Mapping) or name not in value:
            return False, None
        value = value[name]
    return True, value


def _age(member: Mapping[str, Any], assessed_on: date) -> int | None:
    birth_date = member.get("birth_date")
    if not isinstance(birth_date, str):
        return None
    try:
        return age_on(date.fromisoformat(birth_date), assessed_on)
    except ValueError:
        return None


def _question(part: Part, item: Mapping[str, Any], schema_object: Mapping[str, Any]) -> Question:
    field_schema = _field_schema(schema_object, item["field"])
    return Question(
        part=part,
        field=item["field"],
        type=item["type"],
        label_ro=item["label_ro"],
        label_en=item["label_en"],
        help_ro=item.get("help_ro", ""),
        help_en=item.get("help_en", ""),
        options=tuple(Option(**option) for option in item.get("options", ())),
        optional=item.get("optional", False),
        applies_when=item.get("applies_when"),
        neutral=item.get("neutral"),
        minimum=field_schema.get("minimum"),
        maximum=field_schema.get("maximum"),
        max_length=field_schema.get("maxLength"),
    )


def _field_schema(schema_object: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    node = schema_object
    for name in field.split("."):
        node = node["properties"][name]
    return node
