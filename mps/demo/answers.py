"""What the team would find in each demo household, wave after wave, and that visit as an interchange-v1 document.

Answers are drawn at rates that depend on how marginalised the locality is; each re-evaluation evolves the
previous wave's state (ages advance, children are born, a few young adults move out, most vulnerabilities fall
the way they fell in the Bacău pilot while a few do not). `render_document` turns a state into the document
that `fieldwork` imports through the one write path.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from typing import Any

from mps.assessment.questions import household_with_neutral_answers, member_with_neutral_answers
from mps.core.cnp import make_cnp
from mps.demo.context import (
    MARGINALISED,
    DemoHousehold,
    DemoPerson,
    HouseholdState,
    MemberState,
    Wave,
    chance,
)
from mps.geography.models import Locality, LocalityKind, Marginalisation
from mps.registry.models import Relation, Sex

POVERTY_LINE_RON = 1600  # mps-v1 `poverty_line_ron`, per equivalent adult
MINIMUM_INCOME_RON = 600  # mps-v1 `minimum_income_threshold_ron`, per person
ADULT_AGE = 18

# Rates by the locality's marginalisation: (none, low, medium, high).
_DEGREES = (Marginalisation.NONE, Marginalisation.LOW, Marginalisation.MEDIUM, Marginalisation.HIGH)
Rates = tuple[float, float, float, float]
_RATES: dict[str, Rates] = {
    # Household.
    "poor": (0.12, 0.25, 0.42, 0.6),
    "zero_income": (0.03, 0.05, 0.07, 0.1),
    "improvised": (0.003, 0.01, 0.03, 0.07),
    "homeless": (0.0005, 0.001, 0.002, 0.005),
    "no_electricity": (0.003, 0.01, 0.04, 0.1),
    "no_safe_water": (0.02, 0.1, 0.22, 0.35),
    "no_indoor_toilet": (0.08, 0.35, 0.55, 0.75),
    "no_heating": (0.01, 0.03, 0.06, 0.12),
    "unsafe_structure": (0.01, 0.03, 0.06, 0.12),
    "damp": (0.05, 0.1, 0.18, 0.28),
    "no_legal_documents": (0.02, 0.06, 0.14, 0.25),
    "violence": (0.004, 0.006, 0.01, 0.015),
    "substance": (0.03, 0.04, 0.05, 0.08),
    "roma": (0.02, 0.05, 0.2, 0.5),
    # Children.
    "no_birth_certificate_without_cnp": (0.05, 0.1, 0.18, 0.28),
    "no_family_doctor": (0.04, 0.1, 0.2, 0.32),
    "vaccination_incomplete": (0.05, 0.09, 0.15, 0.24),
    "vaccination_unknown": (0.02, 0.03, 0.05, 0.08),
    "malnutrition": (0.002, 0.008, 0.02, 0.04),
    "preschool_not_enrolled": (0.08, 0.18, 0.3, 0.45),
    "never_enrolled": (0.002, 0.006, 0.02, 0.05),
    "dropped_out": (0.015, 0.04, 0.07, 0.12),
    "absences": (0.03, 0.06, 0.1, 0.15),
    "repeated_grade": (0.02, 0.04, 0.06, 0.08),
    "special_needs_unsupported": (0.3, 0.4, 0.5, 0.6),
    "no_child_allowance": (0.03, 0.06, 0.12, 0.2),
    "parents_abroad": (0.04, 0.08, 0.1, 0.08),
    "neglect": (0.003, 0.006, 0.01, 0.018),
    "child_labour": (0.001, 0.003, 0.006, 0.012),
    "early_union": (0.0, 0.003, 0.01, 0.025),
    "child_no_identity_card": (0.03, 0.08, 0.15, 0.25),
    # Adults.
    "adult_no_identity_card": (0.01, 0.02, 0.05, 0.1),
    "uninsured": (0.03, 0.1, 0.18, 0.3),
    "chronic_not_followed": (0.15, 0.25, 0.35, 0.45),
    "disability_no_certificate": (0.2, 0.3, 0.4, 0.5),
    "disability_no_benefit": (0.1, 0.15, 0.25, 0.35),
    "no_caregiver": (0.15, 0.2, 0.25, 0.3),
    "no_prenatal_care": (0.05, 0.15, 0.3, 0.45),
    "low_schooling": (0.02, 0.1, 0.2, 0.35),
}

# Chance, at each re-evaluation (T1, T2, T3), that a problem still present is solved. The last column is
# 1.0 where the pilot reported "all": every child has papers and a family doctor, every pre-schooler goes
# to kindergarten.
_RESOLVE: dict[str, tuple[float, float, float]] = {
    "birth_certificate": (0.5, 0.7, 1.0),
    "family_doctor": (0.5, 0.7, 1.0),
    "preschool": (0.5, 0.7, 1.0),
    "never_enrolled": (0.4, 0.6, 0.9),
    "identity_card": (0.35, 0.5, 0.8),
    "vaccination_incomplete": (0.17, 0.2, 0.2),
    "vaccination_unknown": (0.5, 0.5, 0.6),
    "dropped_out": (0.2, 0.2, 0.25),
    "absences": (0.3, 0.3, 0.3),
    "malnutrition": (0.5, 0.6, 0.7),
    "uninsured": (0.2, 0.25, 0.3),
    "disability_certificate": (0.3, 0.4, 0.5),
    "disability_benefit": (0.5, 0.6, 0.8),
    "special_needs_support": (0.3, 0.4, 0.5),
    "child_allowance": (0.6, 0.8, 0.9),
    "poverty": (0.45, 0.6, 0.95),
    "minimum_income": (0.6, 0.8, 0.95),
    "zero_income": (0.8, 0.8, 0.9),
    "neglect": (0.7, 0.7, 0.8),
    "child_labour": (0.7, 0.7, 0.8),
    "early_union": (0.3, 0.3, 0.4),
    "violence": (0.6, 0.6, 0.7),
    "caregiver": (0.5, 0.5, 0.6),
    "homeless": (1.0, 1.0, 1.0),
    "electricity": (0.1, 0.15, 0.2),
    "heating": (0.3, 0.3, 0.3),
    "unsafe_structure": (0.15, 0.15, 0.15),
    "damp": (0.15, 0.15, 0.15),
    "improvised": (0.1, 0.1, 0.1),
    "chronic_followed": (0.1, 0.1, 0.1),
    "registered_unemployed": (0.15, 0.15, 0.15),
}
# Chance per re-evaluation that a problem appears where there was none: these are what keeps the wave report
# from showing every vulnerability reduced.
_INCIDENCE: dict[str, float] = {
    "substance": 0.012,
    "chronic_from_40": 0.05,
    "parents_abroad": 0.012,
    "informal_work": 0.01,
    "no_safe_water": 0.006,
    "no_legal_documents": 0.006,
    "no_indoor_toilet": 0.006,
    "vaccination_incomplete": 0.003,
    "dropped_out": 0.004,
    "absences": 0.006,
    "neglect": 0.001,
    "violence": 0.001,
    "poverty": 0.004,
}
_MOVE_OUT = 0.06
_ADULT_JOBS = (
    "employed_formal", "employed_informal", "self_employed", "unemployed_registered",
    "unemployed_unregistered", "inactive", "caregiver", "unable_to_work",
)  # fmt: skip
_JOB_WEIGHTS_POOR = (10, 22, 4, 8, 16, 16, 18, 6)
_JOB_WEIGHTS = (62, 8, 8, 4, 4, 4, 7, 3)
_JOB_WEIGHTS_TOWN = (72, 4, 8, 4, 3, 3, 5, 1)  # not marginalised
_WORKING = frozenset({"employed_formal", "employed_informal", "self_employed"})


def _rate(name: str, degree: str) -> float:
    return _RATES[name][_DEGREES.index(Marginalisation(degree))] if degree in _DEGREES else _RATES[name][0]


# Initial state --------------------------------------------------------------------------------------------


class StateMaker:
    """Draw what the T0 visit finds in a household, at the locality's rates."""

    def __init__(self, rng: random.Random, locality: Locality) -> None:
        self.rng = rng
        self.degree = locality.marginalisation
        self.urban = locality.kind != LocalityKind.COMMUNE

    def rate(self, name: str) -> float:
        return _rate(name, self.degree)

    def chance(self, name: str, factor: float = 1.0) -> bool:
        return self.rng.random() < self.rate(name) * factor

    def household(self, household: DemoHousehold, day: dt.date) -> HouseholdState:
        rng = self.rng
        has_children = any(0 <= p.age_on(day) < ADULT_AGE for p in household.members if p.birth_date <= day)
        poor = self.chance("poor", 1.25 if has_children else 0.7)
        flat = "bl." in household.address
        dwelling = "apartment" if flat else "house"
        if not flat and self.chance("improvised"):
            dwelling = "improvised"
        if not flat and self.chance("homeless", 3 if poor else 0.2):
            dwelling = "none"
        weights = {
            Marginalisation.HIGH: (30, 40, 22, 8),
            Marginalisation.MEDIUM: (18, 40, 30, 12),
            Marginalisation.LOW: (10, 35, 38, 17),
        }.get(Marginalisation(self.degree), (6, 34, 40, 20))
        roma = self.chance("roma", 1.5 if poor else 0.6)
        declared = roma if chance(rng, 0.7) else None
        members = [self.member(person, day, declared, poor) for person in household.members]
        return HouseholdState(
            household=household,
            degree=self.degree,
            members=members,
            dwelling=dwelling,
            rooms=rng.choices((1, 2, 3, 4), weights)[0],
            electricity=not self.chance("no_electricity", 1.5 if poor else 0.5),
            safe_water=flat or not self.chance("no_safe_water", 0.3 if self.urban else 1.0),
            indoor_toilet=flat or not self.chance("no_indoor_toilet", 0.3 if self.urban else 1.0),
            heating=not self.chance("no_heating", 1.5 if poor else 0.5),
            unsafe_structure=self.chance("unsafe_structure", 1.5 if poor else 0.5),
            damp=self.chance("damp", 1.4 if poor else 0.7),
            legal_documents=not self.chance("no_legal_documents"),
            poor=poor,
            income_ratio=rng.uniform(0.2, 0.93) if poor else rng.uniform(1.08, 3.5),
            zero_income=poor and self.chance("zero_income"),
            minimum_income=poor and chance(rng, 0.4),
            violence=self.chance("violence", 1.5 if poor else 0.7),
            substance=self.chance("substance", 1.3 if poor else 0.8),
        )

    def member(self, person: DemoPerson, day: dt.date, roma: bool | None, poor: bool) -> MemberState:
        rng = self.rng
        age = person.age_on(day)
        # Born after this visit: the family will have registered the birth by the time a team sees the child.
        newborn = person.birth_date > day
        state = MemberState(person=person, cnp=person.cnp, roma=roma)
        if age < ADULT_AGE or newborn:
            state.birth_certificate = (
                newborn or person.cnp is not None or not self.chance("no_birth_certificate_without_cnp")
            )
            state.family_doctor = newborn or (state.birth_certificate and not self.chance("no_family_doctor"))
            if newborn:
                state.vaccination = "complete" if chance(rng, 0.85) else "incomplete"
            elif self.chance("vaccination_incomplete", 1.2 if poor else 0.8):
                state.vaccination = "incomplete"
            elif self.chance("vaccination_unknown"):
                state.vaccination = "unknown"
            state.malnutrition = not newborn and self.chance("malnutrition", 1.5 if poor else 0.5)
            state.preschool = not self.chance("preschool_not_enrolled", 1.2 if poor else 0.8)
            state.never_enrolled = age >= 6 and self.chance("never_enrolled", 1.5 if poor else 0.5)
            drop_factor = 0.0 if age < 7 else (0.4 if age < 12 else 1.8)
            state.dropped_out = not state.never_enrolled and self.chance("dropped_out", drop_factor)
            state.dropped_grade = max(0, min(age - 7, 8) - rng.randint(0, 3))
            state.vocational = chance(rng, 0.3 if self.degree in MARGINALISED else 0.2)
            state.absences = self.chance("absences", 1.3 if poor else 0.8)
            state.repeated_grade = self.chance("repeated_grade")
            state.child_allowance = state.birth_certificate and (
                newborn or not self.chance("no_child_allowance", 1.3 if poor else 0.7)
            )
            state.parents_abroad = not newborn and self.chance("parents_abroad")
            state.neglect = not newborn and self.chance("neglect", 1.5 if poor else 0.5)
            state.child_labour = age >= 10 and self.chance("child_labour", 1.5 if poor else 0.3)
            state.early_union = (
                person.sex == Sex.FEMALE
                and age >= 14
                and person.relation not in _PARTNER_RELATIONS
                and self.chance("early_union")
            )
            state.identity_card = age < 14 or not self.chance("child_no_identity_card")
            state.job = "student"
        else:
            state.identity_card = not self.chance("adult_no_identity_card")
            state.adult_grade = (
                rng.randint(2, 7) if self.chance("low_schooling") else rng.choice((8, 8, 10, 12, 12, 12))
            )
            if age >= 65:
                state.job = rng.choices(("retired", "unable_to_work", "employed_informal"), (92, 5, 3))[0]
            else:
                weights = _JOB_WEIGHTS_TOWN if self.degree == Marginalisation.NONE else _JOB_WEIGHTS
                state.job = rng.choices(_ADULT_JOBS, _JOB_WEIGHTS_POOR if poor else weights)[0]
            state.unemployed_months = rng.choice((3, 6, 9, 14, 24, 48))
            if age <= 22 and not poor and chance(rng, 0.4 if self.degree in MARGINALISED else 0.6):
                state.university, state.job = True, "student"
            working = state.job in _WORKING
            state.insured = age >= 65 or not self.chance("uninsured", 0.6 if working else 1.6)
            state.family_doctor = state.insured or chance(rng, 0.4)
        state.prenatal_care = not self.chance("no_prenatal_care")
        chronic_rate = 0.05 if age < 40 else (0.2 if age < 65 else 0.45)
        state.chronic_illness = not newborn and chance(rng, chronic_rate)
        state.chronic_followed = not self.chance("chronic_not_followed")
        disability_rate = 0.02 if age < ADULT_AGE else (0.05 if age < 65 else 0.15)
        state.disability = not newborn and chance(rng, disability_rate)
        state.disability_certificate = state.disability and not self.chance("disability_no_certificate")
        state.disability_benefit = state.disability_certificate and not self.chance("disability_no_benefit")
        state.needs_daily_care = (age >= 75 and chance(rng, 0.25)) or (state.disability and chance(rng, 0.3))
        state.has_caregiver = not self.chance("no_caregiver")
        state.special_needs = 3 <= age < 25 and chance(rng, 0.04)
        state.special_needs_support = not self.chance("special_needs_unsupported")
        return state


_PARTNER_RELATIONS = frozenset({Relation.HEAD, Relation.SPOUSE})


# Evolution between waves ----------------------------------------------------------------------------------


class Evolution:
    """Move a household's state on to the next re-evaluation (wave 1, 2 or 3)."""

    def __init__(self, rng: random.Random, wave: int, cnps: LateBirthCnpIssuer) -> None:
        self.rng = rng
        self.index = min(wave, 3) - 1
        self.cnps = cnps

    def solved(self, name: str) -> bool:
        return self.rng.random() < _RESOLVE[name][self.index]

    def new(self, name: str, factor: float = 1.0) -> bool:
        return self.rng.random() < _INCIDENCE[name] * factor

    def household(self, state: HouseholdState, day: dt.date) -> None:
        if state.dwelling == "none" and self.solved("homeless"):
            state.dwelling = "house"
            state.rooms = 1
        if state.dwelling == "improvised" and self.solved("improvised"):
            state.dwelling = "house"
        state.electricity = state.electricity or self.solved("electricity")
        state.heating = state.heating or self.solved("heating")
        state.unsafe_structure = state.unsafe_structure and not self.solved("unsafe_structure")
        state.damp = state.damp and not self.solved("damp")
        state.safe_water = state.safe_water and not self.new("no_safe_water")
        state.legal_documents = state.legal_documents and not self.new("no_legal_documents")
        state.indoor_toilet = state.indoor_toilet and not self.new("no_indoor_toilet")
        state.violence = (state.violence and not self.solved("violence")) or self.new("violence")
        state.substance = state.substance or self.new("substance")
        if state.zero_income and self.solved("zero_income"):
            state.zero_income = False
        if state.poor:
            state.minimum_income = state.minimum_income or self.solved("minimum_income")
            if self.solved("poverty"):
                # Benefits claimed with the team's help, and often a job found: the family rises above the line.
                state.poor, state.zero_income = False, False
                state.income_ratio = self.rng.uniform(1.05, 1.6)
                idle = [
                    m for m in state.members if not m.moved_out and 18 <= m.person.age_on(day) < 65
                    and m.job not in _WORKING
                ]  # fmt: skip
                if idle and chance(self.rng, 0.6):
                    self.rng.choice(idle).job = self.rng.choices(_ADULT_JOBS[:3], (60, 25, 15))[0]
        elif self.new("poverty"):
            state.poor, state.income_ratio = True, self.rng.uniform(0.6, 0.93)
        for member in state.members:
            if not member.moved_out:
                self.member(member, state, day)

    def member(self, member: MemberState, household: HouseholdState, day: dt.date) -> None:
        rng = self.rng
        person = member.person
        age = person.age_on(day)
        if person.birth_date > day:
            return
        if age < ADULT_AGE:
            if not member.birth_certificate and self.solved("birth_certificate"):
                member.birth_certificate = True
                member.cnp = member.cnp or self.cnps.issue(person.sex, person.birth_date)
            if member.birth_certificate and not member.family_doctor and self.solved("family_doctor"):
                member.family_doctor = True
            if member.vaccination == "incomplete" and self.solved("vaccination_incomplete"):
                member.vaccination = "complete"
            elif member.vaccination == "unknown" and self.solved("vaccination_unknown"):
                member.vaccination = "complete" if chance(rng, 0.7) else "incomplete"
            elif member.vaccination == "complete" and self.new("vaccination_incomplete"):
                member.vaccination = "incomplete"
            member.malnutrition = member.malnutrition and not self.solved("malnutrition")
            member.preschool = member.preschool or self.solved("preschool")
            member.never_enrolled = member.never_enrolled and not self.solved("never_enrolled")
            if member.dropped_out and self.solved("dropped_out"):
                member.dropped_out = False
            elif not member.dropped_out and age >= 12 and self.new("dropped_out", 1.5):
                member.dropped_out, member.dropped_grade = True, max(0, min(age - 7, 8) - rng.randint(0, 2))
            member.absences = (member.absences and not self.solved("absences")) or self.new("absences")
            member.repeated_grade = chance(rng, 0.8 * _rate("repeated_grade", household.degree))
            if member.birth_certificate and not member.child_allowance:
                member.child_allowance = self.solved("child_allowance")
            member.parents_abroad = member.parents_abroad or self.new("parents_abroad")
            member.neglect = (member.neglect and not self.solved("neglect")) or self.new("neglect")
            member.child_labour = member.child_labour and not self.solved("child_labour")
            member.early_union = member.early_union and not self.solved("early_union")
            if age >= 14 and not member.identity_card:
                member.identity_card = self.solved("identity_card")
        else:
            if not member.identity_card:
                member.identity_card = self.solved("identity_card")
            if not member.insured and self.solved("uninsured"):
                member.insured = member.family_doctor = True
            if member.job in ("unemployed_unregistered", "inactive") and self.solved("registered_unemployed"):
                member.job = "unemployed_registered"
            elif member.job == "employed_formal" and age < 65 and self.new("informal_work"):
                member.job = "employed_informal"
            member.unemployed_months += 6
            if age >= 40 and not member.chronic_illness and self.new("chronic_from_40"):
                member.chronic_illness, member.chronic_followed = True, chance(rng, 0.4)
        if person.sex == Sex.FEMALE and not member.prenatal_care:
            member.prenatal_care = chance(rng, 0.6)
        if member.chronic_illness and not member.chronic_followed:
            member.chronic_followed = self.solved("chronic_followed")
        if member.disability and not member.disability_certificate:
            member.disability_certificate = self.solved("disability_certificate")
        if member.disability_certificate and not member.disability_benefit:
            member.disability_benefit = self.solved("disability_benefit")
        if member.special_needs and not member.special_needs_support:
            member.special_needs_support = self.solved("special_needs_support")
        if member.needs_daily_care and not member.has_caregiver:
            member.has_caregiver = self.solved("caregiver")

    def move_out(self, state: HouseholdState, day: dt.date) -> None:
        """A few young adults leave home (to work, to marry); their stay ends as moved out."""
        present = [m for m in state.members if not m.moved_out and m.person.birth_date <= day]
        parents = {id(m.person.mother) for m in present} | {id(m.person.father) for m in present}
        for member in present:
            person = member.person
            if (
                person.relation in (Relation.CHILD, Relation.GRANDCHILD, Relation.SIBLING)
                and 19 <= person.age_on(day) <= 35
                and id(person) not in parents
                and person.duplicate_of is None
                and chance(self.rng, _MOVE_OUT)
            ):
                member.moved_out = True


class LateBirthCnpIssuer:
    """Issue CNPs for children whose birth is registered late, unique in the demo (county code 04, Bacău)."""

    def __init__(self, taken: set[str], rng: random.Random) -> None:
        self.taken = taken
        self.rng = rng

    def issue(self, sex: str, birth_date: dt.date) -> str:
        serial = self.rng.randint(600, 900)
        while (cnp := make_cnp(sex, birth_date, county="04", serial=serial)) in self.taken:
            serial += 1
        self.taken.add(cnp)
        return cnp


# Rendering a visit as an interchange-v1 document ----------------------------------------------------------


def _equivalent_adults(ages: Sequence[int], head_index: int) -> float:
    anchor = head_index if ages[head_index] >= 14 else max(range(len(ages)), key=lambda i: ages[i])
    return sum(1.0 if i == anchor else (0.5 if age >= 14 else 0.3) for i, age in enumerate(ages))


def _education(member: MemberState, age: int) -> dict[str, Any]:
    if age < 3:
        status = "too_young"
    elif age < 6:
        status = "kindergarten" if member.preschool else "not_enrolled"
    elif age < ADULT_AGE:
        if member.never_enrolled:
            status = "not_enrolled"
        elif member.dropped_out:
            status = "dropped_out"
        elif age < 15:
            status = "school"
        else:
            status = "vocational" if member.vocational else "high_school"
    else:
        status = "university" if member.university and age <= 24 else "finished"
    if age < ADULT_AGE:
        grade = 0 if member.never_enrolled else max(0, min(age - 7, 12))
        if member.dropped_out:
            grade = min(grade, member.dropped_grade)
    else:
        grade = member.adult_grade
    return {
        "status": status,
        "highest_grade": grade,
        "unexcused_absences_30d": 14 + (member.person.ref.int % 30)
        if member.absences
        else member.person.ref.int % 4,
        "repeated_grade": member.repeated_grade,
        "special_needs": member.special_needs,
        "special_needs_support": member.special_needs_support,
    }


def _employment(member: MemberState, age: int) -> dict[str, Any]:
    if age < ADULT_AGE:
        status = "student" if not (member.dropped_out or member.never_enrolled) else "inactive"
        if member.child_labour:
            status = "employed_informal"
    else:
        status = member.job
    return {"status": status, "unemployed_months": member.unemployed_months}


def _member_document(
    member: MemberState,
    age: int,
    day: dt.date,
    present: dict[int, MemberState],
    mothers: set[int],
    partnered: set[int],
) -> dict[str, Any]:
    person = member.person
    pregnant = (
        person.sex == Sex.FEMALE
        and id(person) in mothers
        and any(
            other.person.mother is person and day < other.person.birth_date <= day + dt.timedelta(days=270)
            for other in present.values()
        )
    )
    in_union = member.early_union or id(person) in partnered
    answers: dict[str, Any] = {
        "ref": str(person.ref),
        **({"cnp": member.cnp} if member.cnp else {}),
        "first_name": person.first_name,
        "last_name": person.last_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "relation": person.relation,
        **({"mother_ref": str(person.mother.ref)} if person.mother and id(person.mother) in present else {}),
        **({"father_ref": str(person.father.ref)} if person.father and id(person.father) in present else {}),
        **({"roma": member.roma} if member.roma is not None else {}),
        "documents": {"birth_certificate": member.birth_certificate, "identity_card": member.identity_card},
        "health": {
            "family_doctor": member.family_doctor,
            "insured": member.insured if age >= ADULT_AGE else member.birth_certificate,
            "vaccination": member.vaccination,
            "pregnant": pregnant,
            "prenatal_care": member.prenatal_care,
            "chronic_illness": member.chronic_illness,
            "chronic_illness_followed": member.chronic_followed,
            "disability": member.disability,
            "disability_certificate": member.disability_certificate,
            "malnutrition_signs": member.malnutrition,
            "needs_daily_care": member.needs_daily_care,
            "has_caregiver": member.has_caregiver,
        },
        "education": _education(member, age),
        "employment": _employment(member, age),
        "benefits": {
            "child_allowance": member.child_allowance,
            "disability_benefit": member.disability_benefit,
        },
        "protection": {
            "parents_abroad": member.parents_abroad,
            "neglect_signs": member.neglect,
            "child_labour": member.child_labour,
            "in_union": in_union,
        },
    }
    return member_with_neutral_answers(answers, day)


def _couples(present: Sequence[MemberState]) -> set[int]:
    """Return the people living here as a couple: head and spouse, and the parents of a child living here."""
    ids = {id(member.person) for member in present}
    couples: set[int] = set()
    by_relation = {member.person.relation: member.person for member in present}
    if Relation.HEAD in by_relation and Relation.SPOUSE in by_relation:
        couples |= {id(by_relation[Relation.HEAD]), id(by_relation[Relation.SPOUSE])}
    for member in present:
        mother, father = member.person.mother, member.person.father
        if mother is not None and father is not None and id(mother) in ids and id(father) in ids:
            couples |= {id(mother), id(father)}
    parents = [member.person for member in present if member.person.relation == Relation.PARENT]
    if len(parents) == 2:
        couples |= {id(parent) for parent in parents}
    return couples


def render_document(
    state: HouseholdState, *, ref: uuid.UUID, wave: Wave, day: dt.date, username: str
) -> dict[str, Any]:
    """Return the interchange-v1 assessment of one visit, from the household's current state."""
    household = state.household
    present_members = [m for m in state.members if not m.moved_out and m.person.birth_date <= day]
    present = {id(m.person): m for m in present_members}
    mothers = {id(m.person.mother) for m in state.members if m.person.mother is not None}
    partnered = _couples(present_members)
    ages = [m.person.age_on(day) for m in present_members]
    head_index = next(i for i, m in enumerate(present_members) if m.person.relation == Relation.HEAD)
    members = [
        _member_document(member, age, day, present, mothers, partnered)
        for member, age in zip(present_members, ages, strict=True)
    ]
    income = 0
    if not state.zero_income:
        # Rounded to 10 lei away from the poverty line, so that a poor family stays below it.
        exact = state.income_ratio * POVERTY_LINE_RON * _equivalent_adults(ages, head_index)
        income = int(exact // 10 * 10) if state.poor else int(-(-exact // 10) * 10)
    answers = {
        "ref": str(household.ref),
        "locality": str(household.locality.siruta),
        **({"village": household.village.name} if household.village else {}),
        "address": household.address,
        "location": {
            "lat": household.latitude,
            "lon": household.longitude,
            "accuracy_m": household.accuracy_m,
        },
        "housing": {
            "dwelling": state.dwelling,
            "rooms": state.rooms,
            "electricity": state.electricity,
            "safe_water": state.safe_water,
            "indoor_toilet": state.indoor_toilet,
            "heating": state.heating,
            "unsafe_structure": state.unsafe_structure,
            "damp_or_unsanitary": state.damp,
            "legal_documents": state.legal_documents,
        },
        "income": {
            "monthly_net_income_ron": income,
            "receives_minimum_inclusion_income": state.minimum_income,
        },
        "family": {"domestic_violence_signs": state.violence, "substance_abuse": state.substance},
        "consent": {"given": True, "by_member": members[head_index]["ref"], "on": day.isoformat()},
    }
    return {
        "schema_version": "1",
        "ref": str(ref),
        "wave": wave.code,
        "assessed_on": day.isoformat(),
        "assessed_by": username,
        "household": household_with_neutral_answers(answers),
        "members": members,
    }
