"""Hypothesis strategies for household assessments.

``schema_valid_assessments`` draws anything the interchange schema accepts, including what the semantic checks
would still refuse (no head, two heads, births after the visit, parents who are not members ...): the engine
must not crash on any of it. Ages cluster around the rules' boundaries so that 17/18, 14 and 64/65 come up often.
"""

import json
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from mps.assessment.rules.validation import SCHEMA_DIR

_SCHEMA = json.loads((SCHEMA_DIR / "household-assessment-v1.schema.json").read_text(encoding="utf-8"))
_MEMBER = _SCHEMA["$defs"]["member"]["properties"]
_HOUSING = _SCHEMA["properties"]["household"]["properties"]["housing"]["properties"]


def _enum(properties: dict[str, Any], *path: str) -> st.SearchStrategy[str]:
    node = properties[path[0]]
    for name in path[1:]:
        node = node["properties"][name]
    return st.sampled_from(node["enum"])


refs = st.uuids().map(str)
names = st.text(min_size=1, max_size=12)
AGES = st.one_of(
    st.sampled_from([-1, 0, 2, 3, 5, 6, 13, 14, 15, 17, 18, 19, 20, 24, 25, 64, 65, 120, 121]),
    st.integers(min_value=0, max_value=100),
)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


@st.composite
def birth_dates(draw: st.DrawFn, assessed_on: date) -> str:
    """Draw a birth date near a birthday, so that ages just below and at each threshold both occur."""
    anniversary = _years_before(assessed_on, draw(AGES))
    return (anniversary + timedelta(days=draw(st.integers(min_value=-2, max_value=2)))).isoformat()


def members(ref: str, household_refs: list[str], assessed_on: date) -> st.SearchStrategy[dict[str, Any]]:
    """Draw one member with every answer the schema allows."""
    other_refs = st.sampled_from(household_refs) | refs
    return st.fixed_dictionaries(
        {
            "ref": st.just(ref),
            "first_name": names,
            "last_name": names,
            "sex": _enum(_MEMBER, "sex"),
            "birth_date": birth_dates(assessed_on),
            "relation": st.sampled_from(["head"] * 4 + _MEMBER["relation"]["enum"]),
            "documents": st.fixed_dictionaries(
                {"birth_certificate": st.booleans(), "identity_card": st.booleans()}
            ),
            "health": st.fixed_dictionaries(
                {
                    "family_doctor": st.booleans(),
                    "insured": st.booleans(),
                    "vaccination": _enum(_MEMBER, "health", "vaccination"),
                    "pregnant": st.booleans(),
                    "prenatal_care": st.booleans(),
                    "chronic_illness": st.booleans(),
                    "chronic_illness_followed": st.booleans(),
                    "disability": st.booleans(),
                    "disability_certificate": st.booleans(),
                    "malnutrition_signs": st.booleans(),
                    "needs_daily_care": st.booleans(),
                    "has_caregiver": st.booleans(),
                }
            ),
            "education": st.fixed_dictionaries(
                {
                    "status": _enum(_MEMBER, "education", "status"),
                    "highest_grade": st.integers(min_value=0, max_value=12),
                    "unexcused_absences_30d": st.sampled_from([0, 9, 10, 11])
                    | st.integers(min_value=0, max_value=400),
                    "repeated_grade": st.booleans(),
                    "special_needs": st.booleans(),
                    "special_needs_support": st.booleans(),
                }
            ),
            "employment": st.fixed_dictionaries(
                {
                    "status": _enum(_MEMBER, "employment", "status"),
                    "unemployed_months": st.sampled_from([0, 11, 12])
                    | st.integers(min_value=0, max_value=700),
                }
            ),
            "benefits": st.fixed_dictionaries(
                {"child_allowance": st.booleans(), "disability_benefit": st.booleans()}
            ),
            "protection": st.fixed_dictionaries(
                {
                    "parents_abroad": st.booleans(),
                    "neglect_signs": st.booleans(),
                    "child_labour": st.booleans(),
                    "in_union": st.booleans(),
                }
            ),
        },
        optional={
            "cnp": st.from_regex(r"\A[0-9]{13}\Z"),
            "mother_ref": other_refs,
            "father_ref": other_refs,
            "roma": st.booleans(),
        },
    )


def households(household_refs: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Draw the household part of an assessment."""
    income = (
        st.sampled_from([0, 1, 599, 600, 1600, 3360]) | st.integers(0, 10_000_000) | st.floats(0, 10_000_000)
    )
    return st.fixed_dictionaries(
        {
            "ref": refs,
            "locality": st.from_regex(r"\A[0-9]{1,6}\Z"),
            "address": names,
            "housing": st.fixed_dictionaries(
                {
                    "dwelling": st.sampled_from(_HOUSING["dwelling"]["enum"]),
                    "rooms": st.integers(min_value=0, max_value=50),
                    "electricity": st.booleans(),
                    "safe_water": st.booleans(),
                    "indoor_toilet": st.booleans(),
                    "heating": st.booleans(),
                    "unsafe_structure": st.booleans(),
                    "damp_or_unsanitary": st.booleans(),
                    "legal_documents": st.booleans(),
                }
            ),
            "income": st.fixed_dictionaries(
                {"monthly_net_income_ron": income, "receives_minimum_inclusion_income": st.booleans()}
            ),
            "family": st.fixed_dictionaries(
                {"domestic_violence_signs": st.booleans(), "substance_abuse": st.booleans()}
            ),
        },
        optional={
            "village": names,
            "location": st.fixed_dictionaries(
                {"lat": st.floats(-90, 90), "lon": st.floats(-180, 180)},
                optional={"accuracy_m": st.floats(0, 1e4)},
            ),
            "consent": st.fixed_dictionaries(
                {"given": st.booleans()}, optional={"by_member": st.sampled_from(household_refs) | refs}
            ),
        },
    )


@st.composite
def schema_valid_assessments(draw: st.DrawFn, max_members: int = 7) -> dict[str, Any]:
    """Draw an assessment that the interchange schema accepts; member refs are distinct."""
    assessed_on = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31)))
    size = draw(st.integers(min_value=1, max_value=max_members))
    member_refs = draw(st.lists(refs, min_size=size, max_size=size, unique=True))
    return {
        "schema_version": "1",
        "ref": draw(refs),
        "wave": draw(st.from_regex(r"\AT[0-9]{1,2}\Z")),
        "assessed_on": assessed_on.isoformat(),
        "household": draw(households(member_refs)),
        "members": [draw(members(ref, member_refs, assessed_on)) for ref in member_refs],
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)
