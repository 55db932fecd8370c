"""What the rules know about a household and its members, derived once per evaluation from the answers.

Ages are full years at the assessment date. The definitions (child, working age, enrolled, working, the
modified OECD equivalence scale) are the methodology's conventions; every rule reads them from here so that
no two rules can disagree about who is a child.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

ADULT_AGE = 18
WORKING_AGE_FIRST = 18
WORKING_AGE_LAST = 64
EQUIVALENCE_ADULT_AGE = 14

ENROLLED_STATUSES = frozenset({"kindergarten", "school", "high_school", "vocational", "university"})
WORKING_STATUSES = frozenset({"employed_formal", "employed_informal", "self_employed"})

# The modified OECD scale in tenths, so that sums stay exact integers (0.3 + 0.3 + ... is not exact in floats
# and the income threshold comparisons must give the same answer on every machine).
_REFERENCE_PERSON_TENTHS = 10
_OTHER_ADULT_TENTHS = 5
_YOUNG_CHILD_TENTHS = 3

Answers = Mapping[str, Any]


def age_on(birth_date: date, on: date) -> int:
    """Return the full years between ``birth_date`` and ``on``."""
    # A 29 February birthday is reached on 1 March in common years: (2, 29) > (2, 28).
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True, slots=True)
class Person:
    """One member as the person-level rules see them: derived facts plus the answer groups."""

    ref: str
    sex: str
    age: int
    birth_date: date
    relation: str
    mother_ref: str | None
    is_child: bool
    is_working_age: bool
    is_enrolled: bool
    is_working: bool
    documents: Answers
    health: Answers
    education: Answers
    employment: Answers
    benefits: Answers
    protection: Answers


@dataclass(frozen=True, slots=True)
class Household:
    """The household as the household-level rules see it, with facts that need all members at once."""

    members: tuple[Person, ...]
    housing: Answers
    income: Answers
    family: Answers
    has_dwelling: bool
    monthly_net_income_ron: float
    child_count: int
    equivalent_adults_tenths: int
    mother_refs: frozenset[str]

    @property
    def equivalent_adults(self) -> float:
        """The household size on the modified OECD scale."""
        return self.equivalent_adults_tenths / 10


def person_from_answers(member: Answers, assessed_on: date) -> Person:
    """Derive the facts about one member that the rules need."""
    birth_date = date.fromisoformat(member["birth_date"])
    age = age_on(birth_date, assessed_on)
    education = member["education"]
    employment = member["employment"]
    return Person(
        ref=member["ref"],
        sex=member["sex"],
        age=age,
        birth_date=birth_date,
        relation=member["relation"],
        mother_ref=member.get("mother_ref"),
        is_child=age < ADULT_AGE,
        is_working_age=WORKING_AGE_FIRST <= age <= WORKING_AGE_LAST,
        is_enrolled=education["status"] in ENROLLED_STATUSES,
        is_working=employment["status"] in WORKING_STATUSES,
        documents=member["documents"],
        health=member["health"],
        education=education,
        employment=employment,
        benefits=member["benefits"],
        protection=member["protection"],
    )


def household_from_assessment(assessment: Answers) -> Household:
    """Derive the facts about a household and each of its members from a (valid) assessment."""
    assessed_on = date.fromisoformat(assessment["assessed_on"])
    answers = assessment["household"]
    members = tuple(person_from_answers(member, assessed_on) for member in assessment["members"])
    return Household(
        members=members,
        housing=answers["housing"],
        income=answers["income"],
        family=answers["family"],
        has_dwelling=answers["housing"]["dwelling"] != "none",
        monthly_net_income_ron=answers["income"]["monthly_net_income_ron"],
        child_count=sum(1 for person in members if person.is_child),
        equivalent_adults_tenths=equivalent_adults_tenths(members),
        # "the mother_ref of another member": a member naming herself is not counted.
        mother_refs=frozenset(
            person.mother_ref for person in members if person.mother_ref and person.mother_ref != person.ref
        ),
    )


def equivalent_adults_tenths(members: Sequence[Person]) -> int:
    """Return the household size on the modified OECD scale, in tenths of an equivalent adult.

    The head counts 1.0 if aged 14 or over; if the head is younger (or there is no head), the oldest member
    counts 1.0 instead and the head counts like everybody else. Every other member counts 0.5 from 14 and
    0.3 below 14.
    """
    if not members:
        return 0
    total = sum(
        _OTHER_ADULT_TENTHS if p.age >= EQUIVALENCE_ADULT_AGE else _YOUNG_CHILD_TENTHS for p in members
    )
    reference = next((p for p in members if p.relation == "head"), None)
    if reference is None or reference.age < EQUIVALENCE_ADULT_AGE:
        # The earliest birth date is the oldest; ties count the same, so whichever is picked gives the same sum.
        reference = min(members, key=lambda p: p.birth_date)
    own_tenths = _OTHER_ADULT_TENTHS if reference.age >= EQUIVALENCE_ADULT_AGE else _YOUNG_CHILD_TENTHS
    return total - own_tenths + _REFERENCE_PERSON_TENTHS
