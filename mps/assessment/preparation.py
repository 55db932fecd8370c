"""Turning one assessment document into what the database stage needs, without the database.

Everything here is pure: it reads only the document and the catalogue. During an import it runs in worker
processes, one line at a time, while the main process plans batches against the database and writer threads
store them. So it does all the work that does not depend on what the registry already holds: parsing,
validation, evaluation, the typed answer rows, the finding rows, the folded search keys, and the audit record
of each person the visit would create. What it hands back crosses a process boundary, so it is kept small:
the line's text (stored as the assessment's document) instead of the parsed document, plain values instead of
the engine's objects. The main process only decides what depends on the registry (is this household known,
is this the latest visit, does a member's ref resolve to a merged person, does someone else hold the CNP) and
adds the prepared rows to its batch.
"""

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, NoReturn

from django.utils import timezone
from django.utils.translation import gettext as _

from mps.assessment.models import Finding, HouseholdAnswers, MemberAnswers
from mps.assessment.rules import CURRENT_CATALOGUE, Evaluation, Problem, evaluate, load_catalogue, validate
from mps.assessment.rules.facts import ADULT_AGE, age_on
from mps.assessment.rules.validation import ROOT_PATH
from mps.core.bulk import JsonText, NewRows
from mps.core.search_text import fold_address, fold_for_search
from mps.registry.models import person_search_keys

HOUSEHOLD_FIELDS = ("locality", "village", "address", "latitude", "longitude", "location_accuracy_m")
PERSON_FIELDS = ("first_name", "last_name", "sex", "birth_date", "cnp", "mother", "father")


class Rejected(Exception):
    """A line or document was refused; carries every problem by field path."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = tuple(problems)


class PreparedMember(NamedTuple):
    """One member as the visit recorded them, with the keys a new person record would get."""

    ref: uuid.UUID
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date
    cnp: str | None
    mother_ref: uuid.UUID | None
    father_ref: uuid.UUID | None
    relation: str
    name_key: str  # of a new person (with the member's own CNP)
    search_text: str
    # The audit changes of creating this person, when every ref of the visit is the person's own id.
    created_changes: JsonText


@dataclass(slots=True, eq=False)
class PreparedAssessment:
    """A valid, evaluated document with its rows: all that the database stage needs of it.

    ``document`` is the parsed document when the caller holds it in this process and sent no text (the web
    form, the sync); an import keeps the line's text instead, which is also what the assessment stores.
    Answer and finding rows name each person by the member's ref; the planner renames them in the rare case
    a ref resolves to another person (a merged duplicate).
    """

    line_number: int
    text: str
    document: Mapping[str, Any] | None
    ref: uuid.UUID
    household_ref: uuid.UUID
    locality_id: int
    locality_code: str  # the SIRUTA code as written, for messages
    assessed_on: dt.date
    wave: str
    username: str | None
    catalogue: str
    score: int
    risk_level: str
    has_critical: bool
    household: dict[str, Any]  # the household's columns but its village
    village: str  # the village name as given, folded ("" when none)
    search_text: str  # of the household when its village is not known
    search_text_with_village: str
    members: tuple[PreparedMember, ...]
    household_answers: dict[str, Any]
    member_answers: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    _keys: frozenset[int | str] | None = field(default=None, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its values in one call: cheaper than restoring its state attribute by attribute, and the
        # main process unpickles a line for every household it imports.
        return (PreparedAssessment, tuple(getattr(self, name) for name in _FIELDS))

    @property
    def wave_number(self) -> int:
        return int(self.wave[1:])

    @property
    def member_refs(self) -> tuple[uuid.UUID, ...]:
        return tuple(member.ref for member in self.members)

    @property
    def cnps(self) -> tuple[str, ...]:
        return tuple(member.cnp for member in self.members if member.cnp)

    def keys(self) -> frozenset["int | str"]:
        """Return what this line writes to: two lines sharing a key cannot go in the same batch.

        A ref is keyed by its number with its kind in the lowest bits and a CNP by its text: batching compares
        these sets for every line, and a tuple holding a UUID would call Python code to hash each time.
        """
        if self._keys is None:
            self._keys = frozenset(
                (
                    self.ref.int << 2 | _ASSESSMENT,
                    self.household_ref.int << 2 | _HOUSEHOLD,
                    *(member.ref.int << 2 | _PERSON for member in self.members),
                    *(member.cnp for member in self.members if member.cnp),
                )
            )
        return self._keys


_ASSESSMENT, _HOUSEHOLD, _PERSON = 0, 1, 2
# What a prepared assessment is rebuilt from, in order (its batching keys are worked out again where needed).
_FIELDS = tuple(name for name in PreparedAssessment.__dataclass_fields__ if name != "_keys")


def check_line(
    numbered: tuple[int, str], *, today: dt.date | None = None
) -> "PreparedAssessment | tuple[Problem, ...]":
    """Parse, validate and evaluate one JSON line: its problems, or the line ready for the database stage.

    Runs in worker processes during imports: everything here is pure, so other cores can do it. ``today``
    (default: the local date now) is the latest visit date accepted.
    """
    line_number, text = numbered
    try:
        raw = parse_line(text)
    except Rejected as error:
        return error.problems
    problems = problems_of(raw, today=today)
    if problems:
        return tuple(problems)
    assert isinstance(raw, Mapping)  # validate() reports any other root as a problem
    return prepare_valid(raw, line_number=line_number, text=text)


def prepare(raw: object, *, line_number: int = 0) -> PreparedAssessment:
    """Validate and evaluate one document held in this process; raise Rejected with every problem."""
    problems = problems_of(raw)
    if problems:
        raise Rejected(problems)
    assert isinstance(raw, Mapping)  # validate() reports any other root as a problem
    return prepare_valid(raw, line_number=line_number)


def problems_of(raw: object, *, today: dt.date | None = None) -> list[Problem]:
    """Return every reason the document cannot be stored that needs no database."""
    problems = validate(raw)
    if problems or not isinstance(raw, Mapping):
        return problems
    if dt.date.fromisoformat(raw["assessed_on"]) > (today or timezone.localdate()):
        problems.append(Problem("assessed_on", _("The visit date cannot be in the future.")))
    return problems


def parse_line(text: str) -> object:
    """Parse one JSON line; raise Rejected when it is not JSON."""
    try:
        return json.loads(text, parse_constant=_refuse_non_finite)
    except ValueError as error:
        raise Rejected(
            [Problem(ROOT_PATH, _("The line is not valid JSON: %(reason)s") % {"reason": error})]
        ) from None


def _refuse_non_finite(constant: str) -> NoReturn:
    # NaN and Infinity are not JSON; Python's parser accepts them and NaN slips through every comparison.
    raise ValueError(f"{constant} is not a number JSON allows")


def prepare_valid(raw: Mapping[str, Any], *, line_number: int = 0, text: str = "") -> PreparedAssessment:
    """Evaluate a document that has no problems and build every row that does not depend on the registry.

    With ``text`` (an import line) the parsed document is not kept: the text is what gets stored.
    """
    evaluation = evaluate(raw, load_catalogue(CURRENT_CATALOGUE))
    ref = uuid.UUID(raw["ref"])
    hh = raw["household"]
    household_ref = uuid.UUID(hh["ref"])
    locality_id = int(hh["locality"])
    assessed_on = dt.date.fromisoformat(raw["assessed_on"])
    wave = raw["wave"]
    wave_number = int(wave[1:])
    location = hh.get("location") or {}
    address = hh["address"].strip()
    village = fold_for_search(hh.get("village"))
    members = tuple(_member(member, household_ref) for member in raw["members"])
    # The engine names a member by the ref as written; rows share the one UUID object of each member.
    by_ref = {member.ref: member.ref for member in members}
    ages = [age_on(member.birth_date, assessed_on) for member in members]
    assessment = {
        "assessment_id": ref,
        "locality_id": locality_id,
        "wave_number": wave_number,
        "household_risk_level": str(evaluation.risk_level),
    }
    member_answers = [
        _member_answers(member, assessment, prepared.ref, age)
        for member, prepared, age in zip(raw["members"], members, ages, strict=True)
    ]
    return PreparedAssessment(
        line_number=line_number,
        text=text,
        document=None if text else raw,
        ref=ref,
        household_ref=household_ref,
        locality_id=locality_id,
        locality_code=hh["locality"],
        assessed_on=assessed_on,
        wave=wave,
        username=raw.get("assessed_by"),
        catalogue=evaluation.catalogue,
        score=evaluation.score,
        risk_level=str(evaluation.risk_level),
        has_critical=evaluation.has_critical_finding,
        household={
            "locality_id": locality_id,
            "address": address,
            "latitude": location.get("lat"),
            "longitude": location.get("lon"),
            "location_accuracy_m": location.get("accuracy_m"),
        },
        village=village,
        search_text=fold_address(address),
        search_text_with_village=fold_address(address, village),
        members=members,
        household_answers=_household_answers(raw, ref, ages),
        member_answers=member_answers,
        findings=_findings(evaluation, ref, by_ref, member_answers, locality_id, wave_number),
    )


def _findings(
    evaluation: Evaluation,
    ref: uuid.UUID,
    by_ref: Mapping[uuid.UUID, uuid.UUID],
    member_answers: Sequence[dict[str, Any]],
    locality_id: int,
    wave_number: int,
) -> list[dict[str, Any]]:
    """Build the finding rows, each with what it counts for, and mark the vulnerable members' answers."""
    answers_of = {row["person_id"]: row for row in member_answers}
    dimensions: set[str] = set()
    member_dimensions: set[tuple[uuid.UUID, str]] = set()
    rows = []
    for finding in evaluation.findings:
        dimension = finding.vulnerability.dimension
        person_id = by_ref[uuid.UUID(finding.member_ref)] if finding.member_ref else None
        answers = answers_of[person_id] if person_id else None
        if answers is not None:
            answers["vulnerable"] = True
        rows.append(
            _FINDINGS.build(
                assessment_id=ref,
                person_id=person_id,
                code=finding.code,
                catalogue=evaluation.catalogue,
                weight=finding.vulnerability.weight,
                critical=finding.vulnerability.critical,
                locality_id=locality_id,
                wave_number=wave_number,
                child=answers is not None and answers["age"] < ADULT_AGE,
                roma=answers is not None and bool(answers["roma"]),
                disability=answers is not None and bool(answers["disability"]),
                first_in_dimension=dimension not in dimensions,
                member_first_in_dimension=person_id is not None
                and (person_id, dimension) not in member_dimensions,
            )
        )
        dimensions.add(dimension)
        if person_id is not None:
            member_dimensions.add((person_id, dimension))
    return rows


def _member(member: Mapping[str, Any], household_ref: uuid.UUID) -> PreparedMember:
    first_name, last_name = member["first_name"].strip(), member["last_name"].strip()
    cnp = member.get("cnp") or None
    birth_date = dt.date.fromisoformat(member["birth_date"])
    mother = member.get("mother_ref")
    father = member.get("father_ref")
    name_key, search_text = person_search_keys(first_name, last_name, cnp)
    mother_ref = uuid.UUID(mother) if mother else None
    father_ref = uuid.UUID(father) if father else None
    # What `field_changes` records for a new person, written out: one of these for every person imported.
    created: dict[str, list[Any]] = {
        "first_name": [None, first_name],
        "last_name": [None, last_name],
        "sex": [None, member["sex"]],
        "birth_date": [None, birth_date.isoformat()],
    }
    if cnp:
        created["cnp"] = [None, cnp]
    if mother_ref:
        created["mother"] = [None, str(mother_ref)]
    if father_ref:
        created["father"] = [None, str(father_ref)]
    created["household"] = [None, str(household_ref)]
    created["relation"] = [None, member["relation"]]
    return PreparedMember(
        ref=uuid.UUID(member["ref"]),
        first_name=first_name,
        last_name=last_name,
        sex=member["sex"],
        birth_date=birth_date,
        cnp=cnp,
        mother_ref=mother_ref,
        father_ref=father_ref,
        relation=member["relation"],
        name_key=name_key,
        search_text=search_text,
        created_changes=JsonText(json.dumps(created, ensure_ascii=False)),
    )


# Row builders shared by every preparation in this process: `build` keeps nothing, they hold only defaults.
_HOUSEHOLD_ANSWERS = NewRows(HouseholdAnswers)
_MEMBER_ANSWERS = NewRows(MemberAnswers)
_FINDINGS = NewRows(Finding)


def _household_answers(raw: Mapping[str, Any], ref: uuid.UUID, ages: list[int]) -> dict[str, Any]:
    hh = raw["household"]
    housing, income, family = hh["housing"], hh["income"], hh["family"]
    consent = hh.get("consent")
    return _HOUSEHOLD_ANSWERS.build(
        assessment_id=ref,
        **{name: housing[name] for name in _HOUSING_FIELDS},
        monthly_net_income_ron=Decimal(str(income["monthly_net_income_ron"])).quantize(Decimal("0.01")),
        receives_minimum_inclusion_income=income["receives_minimum_inclusion_income"],
        domestic_violence_signs=family["domestic_violence_signs"],
        substance_abuse=family["substance_abuse"],
        consent_given=consent["given"] if consent else None,
        members_count=len(ages),
        children_count=sum(age < ADULT_AGE for age in ages),
    )


def _member_answers(
    member: Mapping[str, Any], assessment: Mapping[str, Any], person_ref: uuid.UUID, age: int
) -> dict[str, Any]:
    """Build a member's answers row; ``assessment``: the assessment columns it carries (id, place, wave, risk)."""
    health, education, employment = member["health"], member["education"], member["employment"]
    return _MEMBER_ANSWERS.build(
        **assessment,
        person_id=person_ref,
        relation=member["relation"],
        sex=member["sex"],
        age=age,
        roma=member.get("roma"),
        **member["documents"],
        **{name: health[name] for name in _HEALTH_FIELDS},
        education_status=education["status"],
        **{name: education[name] for name in _EDUCATION_FIELDS},
        employment_status=employment["status"],
        unemployed_months=employment["unemployed_months"],
        **member["benefits"],
        **member["protection"],
    )


_HOUSING_FIELDS = (
    "dwelling",
    "rooms",
    "electricity",
    "safe_water",
    "indoor_toilet",
    "heating",
    "unsafe_structure",
    "damp_or_unsanitary",
    "legal_documents",
)
_HEALTH_FIELDS = (
    "family_doctor",
    "insured",
    "vaccination",
    "pregnant",
    "prenatal_care",
    "chronic_illness",
    "chronic_illness_followed",
    "disability",
    "disability_certificate",
    "malnutrition_signs",
    "needs_daily_care",
    "has_caregiver",
)
_EDUCATION_FIELDS = (
    "highest_grade",
    "unexcused_absences_30d",
    "repeated_grade",
    "special_needs",
    "special_needs_support",
)
