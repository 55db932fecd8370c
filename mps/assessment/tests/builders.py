"""Build household assessments for tests: a baseline family with no vulnerability at all, then tweak answers.

The baseline family, visited on 15 June 2024:
  members[0]  head,   M, 40, employed, 12 grades;
  members[1]  spouse, F, 38, employed, 12 grades, mother of both children;
  members[2]  child,  M, 10, at school;
  members[3]  child,  F, 4 (born 29 February 2020), at kindergarten.
They live in a sound three-room house with every amenity and earn 6,000 RON a month.
"""

import copy
import re
from datetime import date, timedelta
from typing import Any

ASSESSED_ON = date(2024, 6, 15)
HEAD, SPOUSE, SON, DAUGHTER = 0, 1, 2, 3

REFS = [
    "00000000-0000-4000-8000-000000000000",
    "00000000-0000-4000-8000-000000000001",
    "00000000-0000-4000-8000-000000000002",
    "00000000-0000-4000-8000-000000000003",
]
OUTSIDER_REF = "99999999-9999-4999-8999-999999999999"

# Pass as a value to with_answers to remove the field.
REMOVE = object()


def born(years_ago: int, plus_days: int = 0) -> str:
    """Return the birth date of someone whose ``years_ago``-th birthday is the visit day, moved by ``plus_days``.

    ``born(18)`` is exactly 18 at the visit; ``born(18, plus_days=1)`` is 17 and turns 18 the next day.
    """
    return (ASSESSED_ON.replace(year=ASSESSED_ON.year - years_ago) + timedelta(days=plus_days)).isoformat()


def adult(ref: str, first_name: str, sex: str, birth_date: str, relation: str) -> dict[str, Any]:
    """Return an employed, insured, healthy adult with every document."""
    return {
        "ref": ref,
        "first_name": first_name,
        "last_name": "Popescu",
        "sex": sex,
        "birth_date": birth_date,
        "relation": relation,
        "documents": {"birth_certificate": True, "identity_card": True},
        "health": {
            "family_doctor": True,
            "insured": True,
            "vaccination": "not_applicable",
            "pregnant": False,
            "prenatal_care": False,
            "chronic_illness": False,
            "chronic_illness_followed": False,
            "disability": False,
            "disability_certificate": False,
            "malnutrition_signs": False,
            "needs_daily_care": False,
            "has_caregiver": False,
        },
        "education": {
            "status": "finished",
            "highest_grade": 12,
            "unexcused_absences_30d": 0,
            "repeated_grade": False,
            "special_needs": False,
            "special_needs_support": False,
        },
        "employment": {"status": "employed_formal", "unemployed_months": 0},
        "benefits": {"child_allowance": False, "disability_benefit": False},
        "protection": {
            "parents_abroad": False,
            "neglect_signs": False,
            "child_labour": False,
            "in_union": True,
        },
    }


def child(ref: str, first_name: str, sex: str, birth_date: str, status: str, grade: int) -> dict[str, Any]:
    """Return a registered, vaccinated child in education, for whom the child allowance is paid."""
    member = adult(ref, first_name, sex, birth_date, "child")
    member["documents"]["identity_card"] = False
    member["health"]["vaccination"] = "complete"
    member["education"].update(status=status, highest_grade=grade)
    member["employment"]["status"] = "not_applicable"
    member["benefits"]["child_allowance"] = True
    member["protection"]["in_union"] = False
    member["mother_ref"] = REFS[SPOUSE]
    member["father_ref"] = REFS[HEAD]
    return member


_BASELINE: dict[str, Any] = {
    "schema_version": "1",
    "ref": "aaaaaaaa-0000-4000-8000-000000000000",
    "wave": "T0",
    "assessed_on": ASSESSED_ON.isoformat(),
    "assessed_by": "ana.ionescu",
    "household": {
        "ref": "bbbbbbbb-0000-4000-8000-000000000000",
        "locality": "54975",
        "village": "Valea Mare",
        "address": "Strada Școlii nr. 7",
        "housing": {
            "dwelling": "house",
            "rooms": 3,
            "electricity": True,
            "safe_water": True,
            "indoor_toilet": True,
            "heating": True,
            "unsafe_structure": False,
            "damp_or_unsanitary": False,
            "legal_documents": True,
        },
        "income": {"monthly_net_income_ron": 6000, "receives_minimum_inclusion_income": False},
        "family": {"domestic_violence_signs": False, "substance_abuse": False},
        "consent": {"given": True, "by_member": REFS[HEAD], "on": ASSESSED_ON.isoformat()},
    },
    "members": [
        adult(REFS[HEAD], "Ion", "M", "1984-03-10", "head"),
        adult(REFS[SPOUSE], "Maria", "F", "1986-01-20", "spouse"),
        child(REFS[SON], "Andrei", "M", "2014-05-02", "school", 4),
        child(REFS[DAUGHTER], "Ioana", "F", "2020-02-29", "kindergarten", 0),
    ],
}

# A household without a dwelling, with the neutral answers the form sends for the housing questions.
HOMELESS = {
    "household.housing": {
        "dwelling": "none",
        "rooms": 0,
        "electricity": False,
        "safe_water": False,
        "indoor_toilet": False,
        "heating": False,
        "unsafe_structure": False,
        "damp_or_unsanitary": False,
        "legal_documents": False,
    }
}


def baseline_assessment() -> dict[str, Any]:
    """Return a fresh copy of the baseline family, which has no vulnerability at all."""
    return copy.deepcopy(_BASELINE)


def with_answers(assessment: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``assessment`` with each field path (``members[2].health.pregnant``) set to its value.

    A path one past the last member (``members[4]``) adds a member; the value REMOVE deletes the field.
    """
    result = copy.deepcopy(assessment)
    for path, value in answers.items():
        *parents, leaf = _split(path)
        container: Any = result
        for key in parents:
            container = container[key]
        if value is REMOVE:
            del container[leaf]
        elif isinstance(container, list) and leaf == len(container):
            container.append(copy.deepcopy(value))
        else:
            container[leaf] = copy.deepcopy(value)
    return result


def assessment_with(answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the baseline family with ``answers`` applied."""
    return with_answers(baseline_assessment(), answers or {})


def _split(path: str) -> list[str | int]:
    keys: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        keys.append(int(index) if index else name)
    return keys
