"""Decide whether a household assessment may be evaluated and stored, naming every problem by its field path.

Policy (methodology-v1, "What makes an input invalid"): an assessment is rejected whole when the interchange
JSON Schema rejects it, when there is not exactly one head or two members share a ref, when a birth date is
after the visit or makes someone older than 120, when a mother or father reference is not another member of the
right sex born before the child, when a CNP fails its checksum or disagrees with the sex and birth date or is
shared by two members, or when consent was given by someone who is not a member. Every problem is reported at
once, so that a worker fixes a form in one pass; the semantic checks skip parts the schema already rejected
rather than stopping at the first problem.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, cast

import fastjsonschema
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from mps.assessment.rules.facts import age_on
from mps.core.cnp import cnp_problems
from mps.core.errors import DomainValidationError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "formats"
MAX_AGE = 120
ROOT_PATH = "$"


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an assessment is invalid: where (a field path such as ``members[2].cnp``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def validate(raw: object) -> list[Problem]:
    """Return every problem that makes ``raw`` an invalid household assessment; an empty list means valid."""
    problems = [] if schema_accepts(raw) else _schema_problems(raw)
    if isinstance(raw, Mapping):
        problems.extend(_semantic_problems(raw))
    # Stable sort by field path (member indexes as numbers); for one field the schema's problems come first.
    problems.sort(key=lambda problem: _path_sort_key(problem.path))
    return problems


def ensure_valid(raw: object) -> Mapping[str, Any]:
    """Return ``raw`` as a valid assessment, or raise DomainValidationError with every problem by field path."""
    problems = validate(raw)
    if problems:
        by_path: dict[str, list[str]] = {}
        for problem in problems:
            by_path.setdefault(problem.path, []).append(problem.message)
        raise DomainValidationError(by_path)
    # validate() reports a root that is not an object as a problem, so here it is one.
    return cast(Mapping[str, Any], raw)


def field_path(parts: Iterable[str | int]) -> str:
    """Return a readable field path such as ``members[2].health.pregnant`` for a sequence of keys and indexes."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or ROOT_PATH


# The interchange format


@cache
def schema_validator(schema_version: str = "1") -> Draft202012Validator:
    """Return the compiled JSON Schema validator for an interchange format version, built once per process."""
    schema = json.loads(
        (SCHEMA_DIR / f"household-assessment-v{schema_version}.schema.json").read_text(encoding="utf-8")
    )
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_accepts(raw: object, schema_version: str = "1") -> bool:
    """Tell quickly whether the document passes the JSON Schema, without explaining why not.

    Almost every document a tablet or an import sends is valid, and the general-purpose validator spends about
    1.5 ms on each; a validator compiled to Python code answers "valid" some twenty times faster. Only a
    document it rejects goes through `jsonschema`, which stays the authority on what the problems are. The
    compiled check must never accept what `jsonschema` rejects: a property test holds it to that.
    """
    try:
        _compiled_schema(schema_version)(raw)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@cache
def _compiled_schema(schema_version: str) -> Callable[[object], object]:
    schema = json.loads(
        (SCHEMA_DIR / f"household-assessment-v{schema_version}.schema.json").read_text(encoding="utf-8")
    )
    # fastjsonschema speaks draft 7, which reads this schema the same way: its "$defs" are reached through
    # plain JSON pointers and no 2019+ keyword is used. Dates must be real calendar dates, as jsonschema's
    # format checker demands, not just the right shape.
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    # Its relative "$id" would make fastjsonschema try to fetch "#/$defs/..." as a URL.
    schema.pop("$id", None)
    return fastjsonschema.compile(schema, formats={"date": _is_calendar_date})


def _is_calendar_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _schema_problems(raw: object) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in schema_validator().iter_errors(raw):
        for problem in _problems_from_schema_error(error):
            key = (problem.path, problem.message)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    return problems


def _path_sort_key(path: str) -> tuple[tuple[int, str], ...]:
    # Sort members[10] after members[2]: compare indexes as numbers.
    parts: list[tuple[int, str]] = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("["):
            parts.append((0, chunk[1:-1].zfill(6)))
        elif chunk:
            parts.append((1, chunk))
    return tuple(parts)


def _type_message(expected: str) -> str:
    # Each sentence is translated whole; the table above only picks which one.
    messages = {
        "boolean": _("The value must be true or false."),
        "integer": _("The value must be a whole number."),
        "number": _("The value must be a number."),
        "string": _("The value must be a text."),
        "object": _("The value must be an object with named fields."),
        "array": _("The value must be a list."),
    }
    return messages.get(expected, _("The value has the wrong type."))


def _pattern_message(pattern: str) -> str:
    messages = {
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$": _(
            "The value must be a UUID such as 123e4567-e89b-12d3-a456-426614174000."
        ),
        "^T[0-9]{1,2}$": _("The wave must be T followed by one or two digits, such as T0 or T1."),
        "^[0-9]{1,6}$": _("The locality must be a SIRUTA code of 1 to 6 digits."),
        "^[0-9]{13}$": _("A CNP must have exactly 13 digits."),
    }
    return messages.get(pattern) or _("The value does not have the expected form (%(pattern)s).") % {
        "pattern": pattern
    }


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _problems_from_schema_error(error: SchemaError) -> list[Problem]:
    path = list(error.absolute_path)
    where = field_path(path)
    keyword = error.validator
    limit = error.validator_value
    instance = error.instance

    if keyword == "additionalProperties" and isinstance(instance, Mapping):
        allowed = set(error.schema.get("properties", {}))
        return [
            Problem(field_path([*path, name]), _("This field is not part of the assessment format."))
            for name in sorted(instance)
            if name not in allowed
        ]
    if keyword == "required" and isinstance(instance, Mapping):
        return [
            Problem(field_path([*path, name]), _("This field is required."))
            for name in limit
            if name not in instance
        ]
    if keyword == "type":
        return [Problem(where, _type_message(limit))]
    if keyword == "enum":
        return [
            Problem(
                where,
                _("The value %(value)s is not allowed; the allowed values are %(allowed)s.")
                % {"value": _json_text(instance), "allowed": ", ".join(_json_text(v) for v in limit)},
            )
        ]
    if keyword == "const":
        return [Problem(where, _("The value must be %(expected)s.") % {"expected": _json_text(limit)})]
    if keyword == "pattern":
        return [Problem(where, _pattern_message(limit))]
    if keyword == "format" and limit == "date":
        return [Problem(where, _("The value must be a real date written as YYYY-MM-DD."))]
    if keyword in ("minimum", "exclusiveMinimum"):
        return [Problem(where, _("The value must be at least %(limit)s.") % {"limit": limit})]
    if keyword in ("maximum", "exclusiveMaximum"):
        return [Problem(where, _("The value must be at most %(limit)s.") % {"limit": limit})]
    if keyword == "minLength":
        if limit == 1:
            return [Problem(where, _("This field must not be empty."))]
        return [Problem(where, _("The text must have at least %(limit)s characters.") % {"limit": limit})]
    if keyword == "maxLength":
        return [Problem(where, _("The text must have at most %(limit)s characters.") % {"limit": limit})]
    if keyword == "minItems":
        return [Problem(where, _("The list must have at least %(limit)s items.") % {"limit": limit})]
    if keyword == "maxItems":
        return [Problem(where, _("The list must have at most %(limit)s items.") % {"limit": limit})]
    # A keyword the v1 schema does not use; keep jsonschema's own (English) explanation rather than hide it.
    return [Problem(where, _("The value is not valid: %(detail)s") % {"detail": error.message})]


# The rules a schema cannot express


@dataclass(frozen=True, slots=True)
class _MemberView:
    """What the cross-member checks can read from one member, None where the schema already rejected it."""

    index: int
    ref: str | None
    sex: str | None
    birth_date: date | None
    relation: str | None
    mother_ref: str | None
    father_ref: str | None
    cnp: str | None

    @property
    def path(self) -> str:
        return f"members[{self.index}]"


def _semantic_problems(raw: Mapping[str, Any]) -> list[Problem]:
    assessed_on = _date_or_none(raw.get("assessed_on"))
    raw_members = raw.get("members")
    if not isinstance(raw_members, Sequence) or isinstance(raw_members, str):
        raw_members = []
    members = [
        _member_view(index, member) for index, member in enumerate(raw_members) if isinstance(member, Mapping)
    ]

    problems: list[Problem] = []
    if raw_members:
        problems.extend(_head_problems(members))
    problems.extend(_duplicate_problems(members, "ref", _("Another member (%(other)s) has the same ref.")))
    problems.extend(_duplicate_problems(members, "cnp", _("Another member (%(other)s) has the same CNP.")))
    by_ref = {member.ref: member for member in members if member.ref is not None}
    for member in members:
        problems.extend(_birth_date_problems(member, assessed_on))
        problems.extend(_parent_problems(member, by_ref))
        problems.extend(_cnp_problems(member))
    problems.extend(_consent_problems(raw.get("household"), by_ref))
    return problems


def _member_view(index: int, member: Mapping[str, Any]) -> _MemberView:
    def text(name: str) -> str | None:
        value = member.get(name)
        return value if isinstance(value, str) else None

    sex = text("sex")
    return _MemberView(
        index=index,
        ref=text("ref"),
        sex=sex if sex in ("F", "M") else None,
        birth_date=_date_or_none(member.get("birth_date")),
        relation=text("relation"),
        mother_ref=text("mother_ref"),
        father_ref=text("father_ref"),
        cnp=text("cnp"),
    )


def _date_or_none(value: object) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _head_problems(members: list[_MemberView]) -> list[Problem]:
    heads = [member for member in members if member.relation == "head"]
    if not heads:
        return [Problem("members", _("No member is the head of household; exactly one member must be."))]
    first = heads[0]
    return [
        Problem(
            f"{member.path}.relation",
            _("Only one member can be the head of household, and %(first)s already is.")
            % {"first": first.path},
        )
        for member in heads[1:]
    ]


def _duplicate_problems(members: list[_MemberView], field: str, message: str) -> list[Problem]:
    first_with: dict[str, _MemberView] = {}
    problems = []
    for member in members:
        value = getattr(member, field)
        if value is None:
            continue
        if value in first_with:
            problems.append(Problem(f"{member.path}.{field}", message % {"other": first_with[value].path}))
        else:
            first_with[value] = member
    return problems


def _birth_date_problems(member: _MemberView, assessed_on: date | None) -> list[Problem]:
    if member.birth_date is None or assessed_on is None:
        return []
    where = f"{member.path}.birth_date"
    if member.birth_date > assessed_on:
        return [Problem(where, _("The birth date is after the assessment date."))]
    age = age_on(member.birth_date, assessed_on)
    if age > MAX_AGE:
        return [
            Problem(
                where,
                _(
                    "The birth date makes this person %(age)s years old at the assessment; the limit is %(max)s."
                )
                % {"age": age, "max": MAX_AGE},
            )
        ]
    return []


def _parent_problems(member: _MemberView, by_ref: Mapping[str, _MemberView]) -> list[Problem]:
    problems = []
    for field, parent_ref, expected_sex in (
        ("mother_ref", member.mother_ref, "F"),
        ("father_ref", member.father_ref, "M"),
    ):
        if parent_ref is None:
            continue
        where = f"{member.path}.{field}"
        parent = by_ref.get(parent_ref)
        if parent_ref == member.ref:
            problems.append(Problem(where, _("A person cannot be their own parent.")))
        elif parent is None:
            problems.append(Problem(where, _("The parent must be another member of this household.")))
        else:
            if parent.sex is not None and parent.sex != expected_sex:
                if expected_sex == "F":
                    message = _("The mother must be a member recorded as female (F), but %(parent)s is male.")
                else:
                    message = _("The father must be a member recorded as male (M), but %(parent)s is female.")
                problems.append(Problem(where, message % {"parent": parent.path}))
            if parent.birth_date and member.birth_date and parent.birth_date > member.birth_date:
                problems.append(
                    Problem(
                        where,
                        _("The parent %(parent)s was born after this person.") % {"parent": parent.path},
                    )
                )
    return problems


def _cnp_problems(member: _MemberView) -> list[Problem]:
    if member.cnp is None:
        return []
    # A CNP the schema already rejected (not 13 digits) is reported once, by the schema.
    if len(member.cnp) != 13 or not member.cnp.isascii() or not member.cnp.isdigit():
        return []
    return [
        Problem(f"{member.path}.cnp", message)
        for message in cnp_problems(member.cnp, member.sex, member.birth_date)
    ]


def _consent_problems(household: object, by_ref: Mapping[str, _MemberView]) -> list[Problem]:
    if not isinstance(household, Mapping):
        return []
    consent = household.get("consent")
    if not isinstance(consent, Mapping):
        return []
    by_member = consent.get("by_member")
    if isinstance(by_member, str) and by_member not in by_ref:
        return [
            Problem(
                "household.consent.by_member",
                _("The person who gave consent must be a member of this household."),
            )
        ]
    return []
