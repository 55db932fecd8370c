"""Generate realistic, valid, entirely fictitious household assessments for benchmarks, demos and tests.

Households are drawn from a few typical compositions (couples with children, single parents, older people,
extended families, people living alone, rarely a household headed by a teenager) with vulnerabilities at
plausible rates. Every assessment passes ``validate``: one head, parents born long enough before their
children, CNPs that agree with sex and birth date, and the neutral answer for each question that does not apply
(taken from the question definitions). The same seed always gives the same assessments.
"""

import random
import uuid
from datetime import date, timedelta
from typing import Any

from mps.assessment.questions import household_with_neutral_answers, member_with_neutral_answers
from mps.core.cnp import make_cnp

FIRST_NAMES = {
    "F": [
        "Maria",
        "Elena",
        "Ioana",
        "Ana",
        "Andreea",
        "Mihaela",
        "Florentina",
        "Ștefania",
        "Gabriela",
        "Rodica",
    ],
    "M": [
        "Ion",
        "Gheorghe",
        "Vasile",
        "Constantin",
        "Mihai",
        "Andrei",
        "Ștefan",
        "Florin",
        "Marian",
        "Costel",
    ],
}
LAST_NAMES = [
    "Popescu",
    "Ionescu",
    "Stan",
    "Dumitru",
    "Lăcătuș",
    "Rădulescu",
    "Țurcanu",
    "Mureșan",
    "Bălan",
    "Nistor",
]
VILLAGES = ["Valea Mare", "Deleni", "Fântânele", "Poiana", "Sălcioara", "Izvoarele"]
LOCALITIES = ["54975", "179132", "100432", "36786", "120726"]


def synthetic_assessments(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Return ``count`` valid household assessments, the same ones for the same seed."""
    rng = random.Random(seed)  # nosec B311 - reproducible test data, not secrets
    return [synthetic_assessment(rng) for _ in range(count)]


def synthetic_assessment(rng: random.Random) -> dict[str, Any]:
    """Return one valid household assessment drawn with ``rng``."""
    assessed_on = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    composition = rng.choices(
        ["couple", "single_parent", "older", "extended", "alone", "teen_headed"],
        weights=[45, 15, 14, 14, 10, 2],
    )[0]
    people = _composition(rng, composition)
    last_name = rng.choice(LAST_NAMES)

    members: list[dict[str, Any]] = []
    for index, (relation, sex, age, mother, father) in enumerate(people):
        birth_date = _birth_date(rng, age, assessed_on)
        answers = _member_answers(rng, index + 2, relation, sex, age, birth_date, last_name)
        if mother is not None:
            answers["mother_ref"] = members[mother]["ref"]
        if father is not None:
            answers["father_ref"] = members[father]["ref"]
        if answers["documents"]["birth_certificate"] and rng.random() < 0.8:
            answers["cnp"] = make_cnp(sex, birth_date, county=f"{rng.randint(1, 40):02d}", serial=index + 1)
        members.append(member_with_neutral_answers(answers, assessed_on))

    head_ref = members[0]["ref"]
    household = household_with_neutral_answers(_household_answers(rng, len(members), head_ref, assessed_on))
    return {
        "schema_version": "1",
        "ref": _ref(rng, 0),
        "wave": rng.choice(["T0", "T0", "T0", "T1", "T2"]),
        "assessed_on": assessed_on.isoformat(),
        "assessed_by": "asistent.social",
        "household": household,
        "members": members,
    }


# (relation, sex, age, index of mother, index of father); the head is always first.
Person = tuple[str, str, int, int | None, int | None]


def _composition(rng: random.Random, composition: str) -> list[Person]:
    people: list[Person] = []
    if composition == "couple":
        head_age = rng.randint(22, 58)
        people += [
            ("head", "M", head_age, None, None),
            ("spouse", "F", max(18, head_age - rng.randint(0, 6)), None, None),
        ]
        for _ in range(rng.choices([0, 1, 2, 3, 4, 5, 6], weights=[10, 25, 30, 18, 9, 5, 3])[0]):
            people.append(("child", rng.choice("FM"), rng.randint(0, min(17, people[1][2] - 16)), 1, 0))
    elif composition == "single_parent":
        sex = "F" if rng.random() < 0.85 else "M"
        head_age = rng.randint(18, 55)
        people.append(("head", sex, head_age, None, None))
        for _ in range(rng.randint(1, 4)):
            mother, father = (0, None) if sex == "F" else (None, 0)
            people.append(("child", rng.choice("FM"), rng.randint(0, min(17, head_age - 16)), mother, father))
    elif composition == "older":
        head_age = rng.randint(60, 92)
        people.append(("head", rng.choice("FM"), head_age, None, None))
        if rng.random() < 0.5:
            people.append(("spouse", "F" if people[0][1] == "M" else "M", rng.randint(60, 92), None, None))
        if rng.random() < 0.3:
            people.append(("grandchild", rng.choice("FM"), rng.randint(2, 16), None, None))
    elif composition == "extended":
        head_age = rng.randint(45, 70)
        people += [
            ("head", "M", head_age, None, None),
            ("spouse", "F", head_age - rng.randint(0, 4), None, None),
        ]
        son_age = rng.randint(20, min(35, people[1][2] - 16))
        people += [("child", "M", son_age, 1, 0), ("other_relative", "F", max(18, son_age - 2), None, None)]
        for _ in range(rng.randint(0, 4)):
            people.append(("grandchild", rng.choice("FM"), rng.randint(0, min(12, people[3][2] - 16)), 3, 2))
        if rng.random() < 0.2:
            people.append(("parent", "F", rng.randint(max(head_age + 16, 66), 95), None, None))
    elif composition == "alone":
        people.append(("head", rng.choice("FM"), rng.randint(18, 90), None, None))
    else:
        people.append(("head", rng.choice("FM"), rng.randint(15, 17), None, None))
        for _ in range(rng.randint(1, 3)):
            people.append(("sibling", rng.choice("FM"), rng.randint(3, 14), None, None))
    return people


def _birth_date(rng: random.Random, age: int, assessed_on: date) -> date:
    # A day in the year before the age-th birthday, so that the person is exactly ``age`` at the visit.
    latest = _years_before(assessed_on, age)
    return latest - timedelta(days=rng.randrange(364))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def _ref(rng: random.Random, serial: int) -> str:
    # The serial in the low bits keeps refs distinct within an assessment whatever the generator returns.
    return str(uuid.UUID(int=rng.getrandbits(112) << 16 | serial, version=4))


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _member_answers(
    rng: random.Random, serial: int, relation: str, sex: str, age: int, birth_date: date, last_name: str
) -> dict[str, Any]:
    child = age < 18
    pregnant = sex == "F" and 16 <= age <= 42 and _chance(rng, 0.06)
    disability = _chance(rng, 0.04 if age < 60 else 0.15)
    certificate = disability and _chance(rng, 0.6)
    needs_care = _chance(rng, 0.02 if age < 75 else 0.3)
    return {
        "ref": _ref(rng, serial),
        "first_name": rng.choice(FIRST_NAMES[sex]),
        "last_name": last_name,
        "sex": sex,
        "birth_date": birth_date.isoformat(),
        "relation": relation,
        **({"roma": _chance(rng, 0.2)} if _chance(rng, 0.7) else {}),
        "documents": {"birth_certificate": not _chance(rng, 0.02), "identity_card": not _chance(rng, 0.05)},
        "health": {
            "family_doctor": not _chance(rng, 0.12),
            "insured": not _chance(rng, 0.15),
            "vaccination": rng.choices(["complete", "incomplete", "unknown"], weights=[85, 10, 5])[0],
            "pregnant": pregnant,
            "prenatal_care": pregnant and _chance(rng, 0.7),
            "chronic_illness": (chronic := _chance(rng, 0.05 if age < 50 else 0.35)),
            "chronic_illness_followed": chronic and _chance(rng, 0.7),
            "disability": disability,
            "disability_certificate": certificate,
            "malnutrition_signs": child and _chance(rng, 0.03),
            "needs_daily_care": needs_care,
            "has_caregiver": needs_care and _chance(rng, 0.8),
        },
        "education": _education(rng, age),
        "employment": _employment(rng, age),
        "benefits": {
            "child_allowance": child and not _chance(rng, 0.05),
            "disability_benefit": certificate and _chance(rng, 0.85),
        },
        "protection": {
            "parents_abroad": _chance(rng, 0.05),
            "neglect_signs": _chance(rng, 0.01),
            "child_labour": _chance(rng, 0.005),
            "in_union": (age >= 18 and relation in ("head", "spouse"))
            or (14 <= age < 18 and _chance(rng, 0.01)),
        },
    }


def _education(rng: random.Random, age: int) -> dict[str, Any]:
    if age < 3:
        status = "too_young"
    elif age <= 5:
        status = "kindergarten" if _chance(rng, 0.75) else "not_enrolled"
    elif age <= 14:
        status = rng.choices(["school", "not_enrolled", "dropped_out"], weights=[92, 3, 5])[0]
    elif age <= 18:
        status = rng.choices(
            ["high_school", "vocational", "dropped_out", "finished"], weights=[60, 20, 12, 8]
        )[0]
    elif age <= 24:
        status = rng.choices(["university", "finished"], weights=[25, 75])[0]
    else:
        status = "finished"
    grade_by_age = max(0, min(12, age - 7))
    highest_grade = (
        grade_by_age if status != "dropped_out" and _chance(rng, 0.85) else rng.randint(0, grade_by_age)
    )
    special_needs = _chance(rng, 0.04) if age >= 3 else False
    return {
        "status": status,
        "highest_grade": highest_grade,
        "unexcused_absences_30d": rng.choices(
            [0, rng.randint(1, 9), rng.randint(10, 60)], weights=[75, 17, 8]
        )[0],
        "repeated_grade": _chance(rng, 0.05),
        "special_needs": special_needs,
        "special_needs_support": special_needs and _chance(rng, 0.5),
    }


def _employment(rng: random.Random, age: int) -> dict[str, Any]:
    if age < 15:
        status = "not_applicable"
    elif age < 19:
        status = rng.choices(["student", "employed_informal", "inactive"], weights=[80, 8, 12])[0]
    elif age < 65:
        status = rng.choices(
            [
                "employed_formal",
                "employed_informal",
                "self_employed",
                "unemployed_registered",
                "unemployed_unregistered",
                "inactive",
                "caregiver",
                "unable_to_work",
            ],
            weights=[45, 15, 8, 6, 8, 8, 7, 3],
        )[0]
    else:
        status = rng.choices(["retired", "unable_to_work", "employed_informal"], weights=[90, 7, 3])[0]
    return {"status": status, "unemployed_months": rng.choice([2, 6, 11, 12, 24, 60])}


def _household_answers(rng: random.Random, size: int, head_ref: str, assessed_on: date) -> dict[str, Any]:
    dwelling = rng.choices(["house", "apartment", "improvised", "none"], weights=[70, 20, 8, 2])[0]
    poor = _chance(rng, 0.4)
    income = (
        0
        if _chance(rng, 0.04)
        else round(rng.uniform(300, 2500) if poor else rng.uniform(2500, 9000) * size / 3)
    )
    return {
        "ref": _ref(rng, 1),
        "locality": rng.choice(LOCALITIES),
        "village": rng.choice(VILLAGES),
        "address": f"Strada Principală nr. {rng.randint(1, 300)}",
        "location": {
            "lat": round(rng.uniform(43.7, 48.2), 6),
            "lon": round(rng.uniform(20.3, 29.6), 6),
            "accuracy_m": 8,
        },
        "housing": {
            "dwelling": dwelling,
            "rooms": rng.choices([0, 1, 2, 3, 4, 5], weights=[2, 20, 35, 28, 10, 5])[0],
            "electricity": not _chance(rng, 0.08),
            "safe_water": not _chance(rng, 0.2),
            "indoor_toilet": not _chance(rng, 0.35),
            "heating": not _chance(rng, 0.1),
            "unsafe_structure": _chance(rng, 0.08),
            "damp_or_unsanitary": _chance(rng, 0.15),
            "legal_documents": not _chance(rng, 0.12),
        },
        "income": {
            "monthly_net_income_ron": income,
            "receives_minimum_inclusion_income": poor and _chance(rng, 0.5),
        },
        "family": {"domestic_violence_signs": _chance(rng, 0.02), "substance_abuse": _chance(rng, 0.05)},
        "consent": {"given": True, "by_member": head_ref, "on": assessed_on.isoformat()},
    }
