"""The web assessment form: drawn from the one question definition, read back into an interchange document.

Policy. Questions, labels, types, options, bounds and applicability come only from
`mps.assessment.questions`; this module decides how each question is drawn on a tablet (yes/no toggles,
selects, numeric keypads) and how a posted form becomes an interchange-v1 document. A question that does not
apply is hidden (here, and by the page's script as answers change, evaluating the same conditions) and its
neutral answer is sent, so the document is always complete. Answers are not judged here: the document goes to
`assessment_record`, whose validator is the only judge, and every problem it names by field path is shown next
to the input that the path maps to. An answer that cannot even be read as its type (letters in a number) is
passed on as typed, so that the validator's own message reaches the worker.

Inputs are named after the field path, with the member's ref instead of its position (``m.<ref>.health.pregnant``)
because members can be added and removed on the page; the hidden ``members`` inputs give their order.
"""

import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mps.access.policy import editable_localities
from mps.accounts.models import User
from mps.assessment import selectors
from mps.assessment.models import Assessment
from mps.assessment.questions import (
    Part,
    Question,
    condition_holds,
    household_with_neutral_answers,
    load_questions,
    member_with_neutral_answers,
)
from mps.assessment.rules.facts import age_on
from mps.core.collation import romanian
from mps.core.errors import DomainValidationError
from mps.geography.models import Locality
from mps.registry.models import Household, Membership, Relation
from mps.registry.selectors import HouseholdRecord

SCHEMA_VERSION = "1"
# Stands for the ref of a member added on the page; the script replaces it with a new UUID.
NEW_MEMBER_REF = "__REF__"
MAX_WAVE_NUMBER = 99
_MEMBER_PATH = re.compile(r"^members\[(\d+)\](?:\.(.+))?$")
_MEMBER_IN_MESSAGE = re.compile(r"members\[(\d+)\]")
_INTEGER = re.compile(r"^[+-]?\d+$")

# Headings of the parts of the form, by the first part of a field's path.
_SECTION_TITLES: dict[str, Promise] = {
    "place": gettext_lazy("Location and address"),
    "housing": gettext_lazy("Housing"),
    "income": gettext_lazy("Income"),
    "family": gettext_lazy("Family"),
    "consent": gettext_lazy("Consent"),
    "identity": gettext_lazy("Identity"),
    "documents": gettext_lazy("Documents"),
    "health": gettext_lazy("Health"),
    "education": gettext_lazy("Education"),
    "employment": gettext_lazy("Employment"),
    "benefits": gettext_lazy("Benefits"),
    "protection": gettext_lazy("Protection"),
}
_HOUSEHOLD_PLACE = frozenset({"locality", "village", "address", "location"})


def input_name(part: Part, question_field: str, member_ref: str = "") -> str:
    """Return the name of the input that answers a question (for a member: the member's ref)."""
    if part == "member":
        return f"m.{member_ref}.{question_field}"
    if part == "household":
        return f"h.{question_field}"
    return f"v.{question_field}"


def input_id(name: str) -> str:
    """Return the HTML id of the input with this name."""
    return "f-" + name.replace(".", "-")


def wave_code(number: int) -> str:
    """Return the code of a wave number: T0 for 0."""
    return f"T{number}"


# What the templates draw


@dataclass(frozen=True)
class FieldView:
    """One question as drawn: its input, current answer, whether it applies now, and its problems."""

    question: Question
    name: str
    value: str
    shown: bool
    errors: Sequence[str] = ()
    choices: Sequence[tuple[str, str]] = ()
    # "yesno", "select", "member", "integer", "number", "date", "text" or "locality".
    widget: str = "text"
    attrs: Mapping[str, str] = field(default_factory=dict)
    member_ref: str = ""

    @property
    def id(self) -> str:
        return input_id(self.name)

    @property
    def label(self) -> str:
        return self.question.label()

    @property
    def help(self) -> str:
        return self.question.help()

    @property
    def optional(self) -> bool:
        return self.question.optional


@dataclass(frozen=True)
class SectionView:
    """A titled group of questions (housing, health ...)."""

    key: str
    title: str
    fields: list[FieldView]


@dataclass(frozen=True)
class MemberView:
    """One member's part of the form."""

    ref: str
    title: str
    relation: str
    sections: list[SectionView]
    errors: Sequence[str]
    has_errors: bool
    open: bool


@dataclass(frozen=True)
class Place:
    """Where a problem's field path is on the form."""

    part_title: str
    order: tuple[int, int]  # (part: general, visit, household, each member; question)
    name: str = ""  # the input, when the path names a question
    member_ref: str = ""
    label: str = ""

    @property
    def anchor(self) -> str:
        if self.name:
            return "q-" + input_id(self.name)
        return f"member-{self.member_ref}" if self.member_ref else ""


@dataclass(frozen=True)
class Problem:
    """One problem the validator found, placed on the form."""

    place: Place
    message: str
    unanswered: bool


@dataclass
class ProblemGroup:
    """The problems of one part of the form (the visit, the household, a member) for the summary."""

    title: str
    anchor: str
    unanswered: int = 0
    unanswered_anchor: str = ""
    problems: list[Problem] = field(default_factory=list)


@dataclass
class MemberAnswers:
    """One member's answers as the inputs hold them (text), by question field."""

    ref: str
    answers: dict[str, str]
    is_new: bool = False


@dataclass
class AssessmentForm:
    """The state of one assessment form: every answer as text, plus the problems found on saving."""

    household: Household
    ref: str
    visit: dict[str, str]
    household_answers: dict[str, str]
    members: list[MemberAnswers]
    wave_choices: list[str]
    localities: list[tuple[str, str]]
    is_reevaluation: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    member_errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list["Problem"] = field(default_factory=list)
    # An assessment of the household already made on the visit date: saving another one needs a confirmation.
    same_day: Assessment | None = None

    # Reading the form back

    def visit_date(self) -> date:
        """Return the visit date as entered, or today when it is missing or not a date (to decide what applies)."""
        try:
            return date.fromisoformat(self.visit.get("assessed_on", ""))
        except ValueError:
            return timezone.localdate()

    def document(self, *, assessed_by: str) -> dict[str, Any]:
        """Return the interchange-v1 document that the answers make, neutral answers included."""
        questions = load_questions()
        visit_date = self.visit_date()
        document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "ref": self.ref}
        document.update(_typed_answers(questions.visit, self.visit))
        document["assessed_by"] = assessed_by
        household = {
            "ref": str(self.household.id),
            **_typed_answers(questions.household, self.household_answers),
        }
        household = household_with_neutral_answers(household)
        for group in ("location", "consent"):
            # Optional groups the worker left empty are left out rather than sent half-filled.
            if household.get(group) == {}:
                del household[group]
        document["household"] = household
        document["members"] = [
            member_with_neutral_answers(
                {"ref": member.ref, **_typed_answers(questions.member, member.answers)}, visit_date
            )
            for member in self.members
        ]
        return document

    def add_problems(self, error: DomainValidationError) -> None:
        """Put each problem next to the input its field path names, and list it in the summary by part."""
        names = self._member_names()
        unanswered = _("This field is required.")
        for path, messages in error.problems.items():
            place = self._place_of(path)
            for message in messages:
                text = _MEMBER_IN_MESSAGE.sub(lambda match: _member_at(names, match), str(message))
                if place.name:
                    self.errors.setdefault(place.name, []).append(text)
                elif place.member_ref:
                    self.member_errors.setdefault(place.member_ref, []).append(text)
                self.problems.append(
                    Problem(place=place, message=text, unanswered=bool(place.name) and text == unanswered)
                )

    def problem_groups(self) -> list["ProblemGroup"]:
        """Return the problems for the summary: by part of the form, in the form's order; unanswered questions
        counted rather than listed one by one."""
        groups: dict[int, ProblemGroup] = {}
        for problem in sorted(self.problems, key=lambda p: p.place.order):
            place = problem.place
            group = groups.setdefault(
                place.order[0], ProblemGroup(title=place.part_title, anchor=place.anchor)
            )
            if problem.unanswered:
                group.unanswered += 1
                group.unanswered_anchor = group.unanswered_anchor or place.anchor
            else:
                group.problems.append(problem)
        return list(groups.values())

    def _place_of(self, path: str) -> "Place":
        """Return where on the form a problem's field path is: its input (if any), member and order."""
        questions = load_questions()
        visit_fields = [q.field for q in questions.visit]
        household_fields = [q.field for q in questions.household]
        member_fields = [q.field for q in questions.member]
        if path in visit_fields:
            name = input_name("visit", path)
            return Place(
                name=name,
                label=_by_field(questions.visit, path).label(),
                part_title=_("Visit"),
                order=(1, visit_fields.index(path)),
            )
        if path.startswith("household."):
            inner = path.removeprefix("household.")
            if inner in household_fields:
                return Place(
                    name=input_name("household", inner),
                    label=_by_field(questions.household, inner).label(),
                    part_title=_("Household"),
                    order=(2, household_fields.index(inner)),
                )
            return Place(part_title=_("Household"), order=(2, -1))
        match = _MEMBER_PATH.match(path)
        if match and int(match.group(1)) < len(self.members):
            index = int(match.group(1))
            member = self.members[index]
            inner = match.group(2) or ""
            title = self._member_title(member)
            if inner in member_fields:
                return Place(
                    name=input_name("member", inner, member.ref),
                    member_ref=member.ref,
                    label=_by_field(questions.member, inner).label(),
                    part_title=title,
                    order=(3 + index, member_fields.index(inner)),
                )
            return Place(member_ref=member.ref, part_title=title, order=(3 + index, -1))
        if path.startswith("members"):
            return Place(part_title=_("Members"), order=(3, -1))
        return Place(part_title="", order=(0, 0))

    # Drawing the form

    def visit_fields(self) -> list[FieldView]:
        """Return the visit questions (date and wave) as drawn."""
        today = timezone.localdate().isoformat()
        views = []
        for question in load_questions().visit:
            name = input_name("visit", question.field)
            if question.field == "wave":
                views.append(
                    FieldView(
                        question,
                        name,
                        self.visit.get("wave", ""),
                        True,
                        self.errors.get(name, ()),
                        choices=[(code, code) for code in self.wave_choices],
                        widget="select",
                    )
                )
            else:
                views.append(self._field("visit", question, self.visit, True, attrs={"max": today}))
        return views

    def household_sections(self) -> list[SectionView]:
        """Return the household questions in titled sections, each marked shown or hidden."""
        questions = load_questions().household
        applying = household_with_neutral_answers(_typed_answers(questions, self.household_answers))
        member_choices = [(m.ref, self._member_title(m)) for m in self.members]
        fields = []
        for question in questions:
            shown = _applies(question, applying)
            if question.field == "locality":
                name = input_name("household", question.field)
                fields.append(
                    FieldView(
                        question,
                        name,
                        self.household_answers.get("locality", ""),
                        shown,
                        self.errors.get(name, ()),
                        choices=self.localities,
                        widget="select",
                    )
                )
            else:
                fields.append(
                    self._field("household", question, self.household_answers, shown, members=member_choices)
                )
        return _sections(
            fields, lambda f: "place" if f.split(".")[0] in _HOUSEHOLD_PLACE else f.split(".")[0]
        )

    def member_views(self) -> list[MemberView]:
        """Return each member's part of the form."""
        return [self._member_view(member) for member in self.members]

    def blank_member(self) -> MemberView:
        """Return the part of the form for a member added on the page (its ref is a placeholder)."""
        return self._member_view(MemberAnswers(ref=NEW_MEMBER_REF, answers={}, is_new=True))

    def _member_view(self, member: MemberAnswers) -> MemberView:
        questions = load_questions().member
        visit_date = self.visit_date()
        typed = _typed_answers(questions, member.answers)
        applying = member_with_neutral_answers(typed, visit_date)
        others = [(m.ref, self._member_title(m)) for m in self.members if m.ref != member.ref]
        everyone = [(m.ref, self._member_title(m)) for m in self.members]
        today = timezone.localdate().isoformat()
        fields = []
        for question in questions:
            attrs = {"max": today} if question.field == "birth_date" else {}
            if question.field == "cnp":
                attrs = {"inputmode": "numeric", "autocomplete": "off"}
            fields.append(
                self._field(
                    "member",
                    question,
                    member.answers,
                    _applies(question, applying, self._age(typed, visit_date)),
                    member_ref=member.ref,
                    members=others if question.field in ("mother_ref", "father_ref") else everyone,
                    attrs=attrs,
                )
            )
        errors = self.member_errors.get(member.ref, [])
        has_errors = bool(errors) or any(f.errors for f in fields)
        relation = _option_label(questions, "relation", member.answers.get("relation", ""))
        return MemberView(
            ref=member.ref,
            title=self._member_title(member),
            relation=relation,
            sections=_sections(fields, lambda f: f.split(".")[0] if "." in f else "identity"),
            errors=errors,
            has_errors=has_errors,
            open=has_errors or member.is_new or len(self.members) == 1,
        )

    def _field(
        self,
        part: Part,
        question: Question,
        answers: Mapping[str, str],
        shown: bool,
        *,
        member_ref: str = "",
        members: Sequence[tuple[str, str]] = (),
        attrs: Mapping[str, str] | None = None,
    ) -> FieldView:
        name = input_name(part, question.field, member_ref)
        extra = dict(attrs or {})
        choices: Sequence[tuple[str, str]] = ()
        widget: str = question.type
        if question.type == "boolean":
            widget = "yesno"
        elif question.type == "enum":
            widget = "select"
            choices = [(option.value, option.label()) for option in question.options]
        elif question.type == "member":
            choices = list(members)
        elif question.type in ("integer", "number"):
            extra.setdefault("inputmode", "numeric" if question.type == "integer" else "decimal")
            if question.minimum is not None:
                extra.setdefault("min", _number_text(question.minimum))
            if question.maximum is not None:
                extra.setdefault("max", _number_text(question.maximum))
        if question.max_length is not None:
            extra.setdefault("maxlength", str(question.max_length))
        return FieldView(
            question=question,
            name=name,
            value=answers.get(question.field, ""),
            shown=shown,
            errors=self.errors.get(name, ()),
            choices=choices,
            widget=widget,
            attrs=extra,
            member_ref=member_ref,
        )

    def _member_title(self, member: MemberAnswers) -> str:
        name = " ".join(
            part
            for part in (member.answers.get("first_name", ""), member.answers.get("last_name", ""))
            if part
        ).strip()
        return name or _("New member")

    def _member_names(self) -> list[str]:
        return [self._member_title(member) for member in self.members]

    @staticmethod
    def _age(typed: Mapping[str, Any], visit_date: date) -> int | None:
        try:
            return age_on(date.fromisoformat(str(typed.get("birth_date", ""))), visit_date)
        except ValueError:
            return None


# Building a form


def assessment_form_for_household(*, user: User, record: HouseholdRecord) -> AssessmentForm:
    """Return a new assessment form for a household: its next wave, prefilled from its last assessment if any,
    else from the registry's current members."""
    household = record.household
    latest = selectors.latest_assessment_for_household(user, household)
    next_wave = _next_wave_number(user, household)
    questions = load_questions()
    household_answers = _text_answers(questions.household, latest.document["household"] if latest else {})
    household_answers.update(_registry_place(household))
    for name in ("village", "location.lat", "location.lon", "location.accuracy_m"):
        if not household_answers.get(name):
            household_answers.pop(name, None)
    from_last: dict[str, dict[str, Any]] = (
        {member["ref"]: member for member in latest.document["members"]} if latest else {}
    )
    current_refs = {str(m.person_id) for m in record.current}
    members = []
    for membership in _current_in_order(record.current, from_last):
        ref = str(membership.person_id)
        answers = _text_answers(questions.member, from_last.get(ref, {}))
        answers.update(_registry_identity(membership, current_refs))
        members.append(MemberAnswers(ref=ref, answers=answers))
    if not members:
        members.append(MemberAnswers(ref=str(uuid.uuid4()), answers={"relation": Relation.HEAD}, is_new=True))
    return AssessmentForm(
        household=household,
        ref=str(uuid.uuid4()),
        visit={"assessed_on": timezone.localdate().isoformat(), "wave": wave_code(next_wave)},
        household_answers=household_answers,
        members=members,
        wave_choices=[wave_code(number) for number in range(next_wave + 1)],
        localities=_locality_choices(user, household),
        is_reevaluation=latest is not None,
    )


def assessment_form_from_post(*, user: User, household: Household, data: QueryDict) -> AssessmentForm:
    """Return the assessment form as posted, for saving or for drawing again with its problems."""
    questions = load_questions()
    next_wave = _next_wave_number(user, household)
    choices = [wave_code(number) for number in range(next_wave + 1)]
    visit = {q.field: data.get(input_name("visit", q.field), "") for q in questions.visit}
    if visit.get("wave") and visit["wave"] not in choices:
        choices.append(visit["wave"])
    members = []
    for ref in dict.fromkeys(data.getlist("members")):
        answers = {q.field: data.get(input_name("member", q.field, ref), "") for q in questions.member}
        members.append(MemberAnswers(ref=ref, answers={k: v for k, v in answers.items() if v != ""}))
    household_answers = {
        q.field: value
        for q in questions.household
        if (value := data.get(input_name("household", q.field), "")) != ""
    }
    return AssessmentForm(
        household=household,
        ref=data.get("ref", ""),
        visit=visit,
        household_answers=household_answers,
        members=members,
        wave_choices=choices,
        localities=_locality_choices(user, household),
        is_reevaluation=next_wave > 0,
    )


def same_day_question(earlier: Assessment) -> DomainValidationError:
    """The problem a second assessment on the day of an earlier one shows until the worker confirms it."""
    question = _(
        "This household was already assessed on this day (wave %(wave)s). "
        "Tick the confirmation below the date to record another assessment."
    )
    return DomainValidationError({"assessed_on": [question % {"wave": earlier.wave}]})


def question_definition() -> dict[str, list[dict[str, Any]]]:
    """Return what the page's script needs of the question definition to decide, like the server, what applies."""
    questions = load_questions()

    def item(question: Question) -> dict[str, Any]:
        return {
            "field": question.field,
            "type": question.type,
            "applies_when": question.applies_when,
            "neutral": question.neutral,
            "optional": question.optional,
        }

    return {
        "household": [item(q) for q in questions.household],
        "member": [item(q) for q in questions.member],
    }


def _next_wave_number(user: User, household: Household) -> int:
    numbers = selectors.assessment_list_for_household(user, household).values_list("wave_number", flat=True)
    return min(max(numbers, default=-1) + 1, MAX_WAVE_NUMBER)


def _locality_choices(user: User, household: Household) -> list[tuple[str, str]]:
    localities: list[Locality] = list(editable_localities(user).order_by(romanian("name")))
    if household.locality_id not in {locality.siruta for locality in localities}:
        localities.insert(0, household.locality)
    return [(str(locality.siruta), locality.name) for locality in localities]


def _registry_place(household: Household) -> dict[str, str]:
    """The household's place as the registry holds it now (the present outranks an older assessment)."""
    return {
        "locality": str(household.locality_id),
        "village": household.village.name if household.village else "",
        "address": household.address,
        "location.lat": _text(household.latitude),
        "location.lon": _text(household.longitude),
        "location.accuracy_m": _text(household.location_accuracy_m),
    }


def _registry_identity(membership: Membership, current_refs: set[str]) -> dict[str, str]:
    """A current member's identity as the registry holds it now; parents only if they live here too."""
    person = membership.person
    identity = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "relation": membership.relation,
    }
    if person.cnp:
        identity["cnp"] = person.cnp
    for name, parent_id in (("mother_ref", person.mother_id), ("father_ref", person.father_id)):
        if parent_id is not None and str(parent_id) in current_refs:
            identity[name] = str(parent_id)
    return identity


def _current_in_order(current: Sequence[Membership], from_last: Mapping[str, Any]) -> list[Membership]:
    """The current members: those of the last assessment in its order, then the others as the registry lists them."""
    order = {ref: index for index, ref in enumerate(from_last)}
    return sorted(current, key=lambda m: order.get(str(m.person_id), len(order)))


# Answers: text as the inputs hold it <-> typed values as the document holds them


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number_text(value: float) -> str:
    return _text(value)


def _lookup(answers: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    value: Any = answers
    for name in path.split("."):
        if not isinstance(value, Mapping) or name not in value:
            return False, None
        value = value[name]
    return True, value


def _text_answers(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, str]:
    """Return the answers of a document part as the inputs show them."""
    result = {}
    for question in questions:
        present, value = _lookup(answers, question.field)
        if present and value is not None:
            result[question.field] = _text(value)
    return result


def _typed(question: Question, text: str) -> tuple[bool, Any]:
    """Return (answered, value) for an input's text; text that is not of the question's type stays text."""
    text = text.strip()
    if not text:
        return False, None
    if question.type == "boolean":
        return True, {"true": True, "false": False}.get(text, text)
    if question.type == "integer":
        return True, int(text) if _INTEGER.match(text) else text
    if question.type == "number":
        try:
            number = float(text.replace(" ", "").replace(",", "."))
        except ValueError:
            return True, text
        if not math.isfinite(number):
            return True, text
        return True, int(number) if number.is_integer() else number
    return True, text


def _typed_answers(questions: Iterable[Question], answers: Mapping[str, str]) -> dict[str, Any]:
    """Return a document part from the inputs' text: every group that has a required question exists, so a
    missing answer is reported on its own field."""
    result: dict[str, Any] = {}
    for question in questions:
        *groups, leaf = question.field.split(".")
        container = result
        if groups and not question.optional:
            for group in groups:
                container = container.setdefault(group, {})
        answered, value = _typed(question, answers.get(question.field, ""))
        if not answered:
            continue
        container = result
        for group in groups:
            container = container.setdefault(group, {})
        container[leaf] = value
    return result


def _applies(question: Question, neutralised: Mapping[str, Any], age: int | None = None) -> bool:
    """Whether a question applies, judged on answers in which the questions that do not apply are neutral
    (as ``member_with_neutral_answers`` judges each question in turn)."""
    return question.applies_when is None or condition_holds(question.applies_when, neutralised, age)


def _sections(fields: list[FieldView], section_of: Any) -> list[SectionView]:
    sections: dict[str, list[FieldView]] = {}
    for view in fields:
        sections.setdefault(section_of(view.question.field), []).append(view)
    return [SectionView(key, str(_SECTION_TITLES[key]), views) for key, views in sections.items()]


def _by_field(questions: Iterable[Question], question_field: str) -> Question:
    return next(q for q in questions if q.field == question_field)


def _option_label(questions: Iterable[Question], question_field: str, value: str) -> str:
    for option in _by_field(questions, question_field).options:
        if option.value == value:
            return option.label()
    return ""


def _member_at(names: Sequence[str], match: re.Match[str]) -> str:
    index = int(match.group(1))
    return names[index] if index < len(names) else match.group(0)
