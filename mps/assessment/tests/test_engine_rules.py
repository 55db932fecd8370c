"""Each of the 46 vulnerability rules of mps-v1, found and just missed, from the baseline family.

Every row is (code, who it is found for, the answers that make the difference); each tweaked assessment is
first checked to be valid, so that a rule is never tested on input the platform would refuse.
"""

from typing import Any

import pytest

from mps.assessment.rules import evaluate, load_catalogue, validate
from mps.assessment.tests.builders import (
    DAUGHTER,
    HEAD,
    HOMELESS,
    REFS,
    SON,
    SPOUSE,
    adult,
    assessment_with,
    born,
    child,
)

HOUSEHOLD = "household"
AGED_17 = born(18, plus_days=1)  # turns 18 the day after the visit


def m(index: int, field: str) -> str:
    return f"members[{index}].{field}"


def h(field: str) -> str:
    return f"household.{field}"


def homeless(**extra: Any) -> dict[str, Any]:
    return {**HOMELESS, **extra}


# (code, where it is found: a member index or HOUSEHOLD, answers)
FOUND: list[Any] = [
    pytest.param(
        "ID01",
        SON,
        {m(SON, "birth_date"): AGED_17, m(SON, "documents.birth_certificate"): False},
        id="ID01 age 17",
    ),
    pytest.param("ID01", DAUGHTER, {m(DAUGHTER, "documents.birth_certificate"): False}, id="ID01 age 4"),
    pytest.param("ID02", SON, {m(SON, "birth_date"): born(14)}, id="ID02 age 14"),
    pytest.param("ID02", HEAD, {m(HEAD, "documents.identity_card"): False}, id="ID02 adult"),
    pytest.param(
        "HE01", SON, {m(SON, "birth_date"): AGED_17, m(SON, "health.family_doctor"): False}, id="HE01 age 17"
    ),
    pytest.param(
        "HE02", SON, {m(SON, "birth_date"): born(18), m(SON, "health.insured"): False}, id="HE02 age 18"
    ),
    pytest.param(
        "HE03", SON, {m(SON, "birth_date"): AGED_17, m(SON, "health.vaccination"): "incomplete"}, id="HE03"
    ),
    pytest.param(
        "HE04", SON, {m(SON, "birth_date"): AGED_17, m(SON, "health.vaccination"): "unknown"}, id="HE04"
    ),
    pytest.param("HE05", SPOUSE, {m(SPOUSE, "health.pregnant"): True}, id="HE05"),
    pytest.param(
        "HE06",
        SPOUSE,
        {
            m(SPOUSE, "birth_date"): born(20, 1),
            m(SPOUSE, "health.pregnant"): True,
            m(SPOUSE, "health.prenatal_care"): True,
        },
        id="HE06 pregnant at 19",
    ),
    pytest.param("HE06", SPOUSE, {m(SPOUSE, "birth_date"): born(20, 1)}, id="HE06 mother at 19"),
    pytest.param(
        "HE07", SON, {m(SON, "birth_date"): AGED_17, m(SON, "health.malnutrition_signs"): True}, id="HE07"
    ),
    pytest.param("HE08", HEAD, {m(HEAD, "health.disability"): True}, id="HE08"),
    pytest.param("HE09", HEAD, {m(HEAD, "health.chronic_illness"): True}, id="HE09"),
    pytest.param(
        "ED01",
        DAUGHTER,
        {m(DAUGHTER, "birth_date"): born(3), m(DAUGHTER, "education.status"): "not_enrolled"},
        id="ED01 age 3",
    ),
    pytest.param(
        "ED01",
        DAUGHTER,
        {m(DAUGHTER, "birth_date"): born(6, 1), m(DAUGHTER, "education.status"): "too_young"},
        id="ED01 age 5",
    ),
    pytest.param(
        "ED02",
        DAUGHTER,
        {m(DAUGHTER, "birth_date"): born(6), m(DAUGHTER, "education.status"): "not_enrolled"},
        id="ED02 age 6",
    ),
    pytest.param(
        "ED02",
        SON,
        {m(SON, "birth_date"): AGED_17, m(SON, "education.status"): "too_young"},
        id="ED02 age 17",
    ),
    pytest.param("ED03", SON, {m(SON, "education.unexcused_absences_30d"): 10}, id="ED03 exactly 10 hours"),
    pytest.param(
        "ED03",
        SON,
        {
            m(SON, "birth_date"): AGED_17,
            m(SON, "education.status"): "vocational",
            m(SON, "education.unexcused_absences_30d"): 40,
        },
        id="ED03 vocational",
    ),
    pytest.param(
        "ED04", SON, {m(SON, "birth_date"): AGED_17, m(SON, "education.repeated_grade"): True}, id="ED04"
    ),
    pytest.param(
        "ED05", SON, {m(SON, "birth_date"): AGED_17, m(SON, "education.status"): "dropped_out"}, id="ED05"
    ),
    pytest.param(
        "ED06",
        SON,
        {m(SON, "birth_date"): born(15), m(SON, "education.status"): "dropped_out"},
        id="ED06 age 15",
    ),
    pytest.param(
        "ED06",
        SPOUSE,
        {m(SPOUSE, "birth_date"): born(25, 1), m(SPOUSE, "employment.status"): "inactive"},
        id="ED06 age 24",
    ),
    pytest.param("ED07", HEAD, {m(HEAD, "education.highest_grade"): 7}, id="ED07 grade 7"),
    pytest.param(
        "ED07",
        HEAD,
        {m(HEAD, "birth_date"): born(65, 1), m(HEAD, "education.highest_grade"): 0},
        id="ED07 age 64",
    ),
    pytest.param(
        "ED07", SON, {m(SON, "birth_date"): born(18), m(SON, "education.highest_grade"): 7}, id="ED07 age 18"
    ),
    pytest.param("ED08", SON, {m(SON, "education.special_needs"): True}, id="ED08"),
    pytest.param(
        "IN01", HOUSEHOLD, {h("income.monthly_net_income_ron"): 3359.99}, id="IN01 just under 2.1 x 1600"
    ),
    pytest.param("IN02", HOUSEHOLD, {h("income.monthly_net_income_ron"): 2399}, id="IN02 just under 4 x 600"),
    pytest.param(
        "IN03", SON, {m(SON, "birth_date"): AGED_17, m(SON, "benefits.child_allowance"): False}, id="IN03"
    ),
    pytest.param("IN04", HOUSEHOLD, {h("income.monthly_net_income_ron"): 0}, id="IN04"),
    pytest.param(
        "IN05",
        HEAD,
        {m(HEAD, "health.disability"): True, m(HEAD, "health.disability_certificate"): True},
        id="IN05",
    ),
    pytest.param(
        "EM01",
        SON,
        {
            m(SON, "birth_date"): born(18),
            m(SON, "education.status"): "finished",
            m(SON, "education.highest_grade"): 12,
            m(SON, "employment.status"): "inactive",
        },
        id="EM01 age 18 inactive",
    ),
    pytest.param(
        "EM01",
        HEAD,
        {m(HEAD, "birth_date"): born(65, 1), m(HEAD, "employment.status"): "unemployed_unregistered"},
        id="EM01 age 64 unregistered",
    ),
    pytest.param(
        "EM02",
        HEAD,
        {m(HEAD, "employment.status"): "unemployed_registered", m(HEAD, "employment.unemployed_months"): 12},
        id="EM02 exactly 12 months",
    ),
    pytest.param(
        "EM02",
        HEAD,
        {
            m(HEAD, "birth_date"): born(70),
            m(HEAD, "employment.status"): "unemployed_unregistered",
            m(HEAD, "employment.unemployed_months"): 30,
        },
        id="EM02 any age",
    ),
    pytest.param(
        "EM03",
        SON,
        {m(SON, "birth_date"): born(15), m(SON, "employment.status"): "employed_informal"},
        id="EM03 age 15",
    ),
    pytest.param(
        "EM04",
        HOUSEHOLD,
        {m(HEAD, "employment.status"): "unemployed_registered", m(SPOUSE, "employment.status"): "caregiver"},
        id="EM04 nobody works",
    ),
    pytest.param(
        "EM04",
        HOUSEHOLD,
        {m(HEAD, "birth_date"): born(65), m(SPOUSE, "employment.status"): "inactive"},
        id="EM04 only a 65-year-old works",
    ),
    pytest.param(
        "FA01", SON, {m(SON, "birth_date"): AGED_17, m(SON, "protection.parents_abroad"): True}, id="FA01"
    ),
    pytest.param(
        "FA02", SON, {m(SON, "birth_date"): AGED_17, m(SON, "protection.neglect_signs"): True}, id="FA02"
    ),
    pytest.param("FA03", HOUSEHOLD, {h("family.domestic_violence_signs"): True}, id="FA03"),
    pytest.param("FA04", HOUSEHOLD, {h("family.substance_abuse"): True}, id="FA04"),
    pytest.param("FA05", HOUSEHOLD, {m(SPOUSE, "relation"): "sibling"}, id="FA05 no spouse"),
    pytest.param(
        "FA06",
        HOUSEHOLD,
        {
            "members[4]": child(
                "00000000-0000-4000-8000-000000000004", "Elena", "F", AGED_17, "high_school", 10
            )
        },
        id="FA06 third child aged 17",
    ),
    pytest.param(
        "FA06",
        HOUSEHOLD,
        {m(SPOUSE, "birth_date"): AGED_17, m(SPOUSE, "relation"): "grandchild"},
        id="FA06 any relation",
    ),
    pytest.param(
        "FA07", SON, {m(SON, "birth_date"): AGED_17, m(SON, "protection.child_labour"): True}, id="FA07"
    ),
    pytest.param(
        "FA08", SON, {m(SON, "birth_date"): AGED_17, m(SON, "protection.in_union"): True}, id="FA08"
    ),
    pytest.param("FA09", HEAD, {m(HEAD, "health.needs_daily_care"): True}, id="FA09"),
    pytest.param("HO01", HOUSEHOLD, {h("housing.rooms"): 1}, id="HO01 4 persons in 1 room"),
    pytest.param("HO01", HOUSEHOLD, {h("housing.rooms"): 0}, id="HO01 0 rooms counts as 1"),
    pytest.param("HO02", HOUSEHOLD, {h("housing.electricity"): False}, id="HO02"),
    pytest.param("HO03", HOUSEHOLD, {h("housing.safe_water"): False}, id="HO03"),
    pytest.param("HO04", HOUSEHOLD, {h("housing.dwelling"): "improvised"}, id="HO04 improvised"),
    pytest.param("HO04", HOUSEHOLD, {h("housing.unsafe_structure"): True}, id="HO04 unsafe structure"),
    pytest.param("HO05", HOUSEHOLD, {h("housing.damp_or_unsanitary"): True}, id="HO05"),
    pytest.param("HO06", HOUSEHOLD, {h("housing.heating"): False}, id="HO06"),
    pytest.param("HO07", HOUSEHOLD, {h("housing.legal_documents"): False}, id="HO07"),
    pytest.param("HO08", HOUSEHOLD, homeless(), id="HO08"),
    pytest.param("HO09", HOUSEHOLD, {h("housing.indoor_toilet"): False}, id="HO09"),
]

# (code, answers that come as close as possible without the vulnerability)
MISSED: list[Any] = [
    pytest.param(
        "ID01",
        {m(SON, "birth_date"): born(18), m(SON, "documents.birth_certificate"): False},
        id="ID01 age 18",
    ),
    pytest.param("ID02", {m(SON, "birth_date"): born(14, 1)}, id="ID02 age 13"),
    pytest.param(
        "HE01", {m(SON, "birth_date"): born(18), m(SON, "health.family_doctor"): False}, id="HE01 age 18"
    ),
    pytest.param("HE02", {m(SON, "birth_date"): AGED_17, m(SON, "health.insured"): False}, id="HE02 age 17"),
    pytest.param(
        "HE03", {m(SON, "birth_date"): born(18), m(SON, "health.vaccination"): "incomplete"}, id="HE03 age 18"
    ),
    pytest.param(
        "HE04", {m(SON, "birth_date"): born(18), m(SON, "health.vaccination"): "unknown"}, id="HE04 age 18"
    ),
    pytest.param(
        "HE05",
        {m(SPOUSE, "health.pregnant"): True, m(SPOUSE, "health.prenatal_care"): True},
        id="HE05 followed",
    ),
    pytest.param(
        "HE06",
        {
            m(SPOUSE, "birth_date"): born(20),
            m(SPOUSE, "health.pregnant"): True,
            m(SPOUSE, "health.prenatal_care"): True,
        },
        id="HE06 pregnant at 20",
    ),
    pytest.param("HE06", {m(SPOUSE, "birth_date"): born(20)}, id="HE06 mother at 20"),
    pytest.param("HE06", {m(HEAD, "birth_date"): born(20, 1)}, id="HE06 father at 19"),
    pytest.param(
        "HE06",
        {m(SON, "birth_date"): AGED_17, m(SON, "sex"): "F", m(SON, "mother_ref"): REFS[SPOUSE]},
        id="HE06 girl of 17 neither pregnant nor a mother",
    ),
    pytest.param(
        "HE07", {m(SON, "birth_date"): born(18), m(SON, "health.malnutrition_signs"): True}, id="HE07 age 18"
    ),
    pytest.param(
        "HE08",
        {
            m(HEAD, "health.disability"): True,
            m(HEAD, "health.disability_certificate"): True,
            m(HEAD, "benefits.disability_benefit"): True,
        },
        id="HE08 certified",
    ),
    pytest.param(
        "HE09",
        {m(HEAD, "health.chronic_illness"): True, m(HEAD, "health.chronic_illness_followed"): True},
        id="HE09 followed",
    ),
    pytest.param(
        "ED01",
        {m(DAUGHTER, "birth_date"): born(3, 1), m(DAUGHTER, "education.status"): "too_young"},
        id="ED01 age 2",
    ),
    pytest.param(
        "ED01",
        {m(DAUGHTER, "birth_date"): born(6), m(DAUGHTER, "education.status"): "not_enrolled"},
        id="ED01 age 6",
    ),
    pytest.param(
        "ED01",
        {m(DAUGHTER, "birth_date"): born(6, 1), m(DAUGHTER, "education.status"): "school"},
        id="ED01 age 5 at school",
    ),
    pytest.param(
        "ED02",
        {m(DAUGHTER, "birth_date"): born(6, 1), m(DAUGHTER, "education.status"): "not_enrolled"},
        id="ED02 age 5",
    ),
    pytest.param(
        "ED02",
        {
            m(SON, "birth_date"): born(18),
            m(SON, "education.status"): "not_enrolled",
            m(SON, "education.highest_grade"): 8,
        },
        id="ED02 age 18",
    ),
    pytest.param(
        "ED02", {m(SON, "education.status"): "dropped_out"}, id="ED02 dropped out is not never enrolled"
    ),
    pytest.param("ED03", {m(SON, "education.unexcused_absences_30d"): 9}, id="ED03 9 hours"),
    pytest.param(
        "ED03",
        {
            m(SON, "birth_date"): born(19),
            m(SON, "education.status"): "university",
            m(SON, "education.highest_grade"): 12,
            m(SON, "education.unexcused_absences_30d"): 50,
        },
        id="ED03 university",
    ),
    pytest.param(
        "ED04", {m(SON, "birth_date"): born(18), m(SON, "education.repeated_grade"): True}, id="ED04 age 18"
    ),
    pytest.param(
        "ED05",
        {
            m(SON, "birth_date"): born(18),
            m(SON, "education.status"): "dropped_out",
            m(SON, "education.highest_grade"): 8,
        },
        id="ED05 age 18",
    ),
    pytest.param(
        "ED06",
        {m(SON, "birth_date"): born(15, 1), m(SON, "education.status"): "dropped_out"},
        id="ED06 age 14",
    ),
    pytest.param(
        "ED06",
        {m(SPOUSE, "birth_date"): born(25), m(SPOUSE, "employment.status"): "inactive"},
        id="ED06 age 25",
    ),
    pytest.param(
        "ED06",
        {
            m(SON, "birth_date"): born(15),
            m(SON, "education.status"): "dropped_out",
            m(SON, "employment.status"): "employed_informal",
        },
        id="ED06 working",
    ),
    pytest.param(
        "ED06",
        {
            m(SON, "birth_date"): born(15),
            m(SON, "education.status"): "high_school",
            m(SON, "employment.status"): "inactive",
        },
        id="ED06 enrolled",
    ),
    pytest.param("ED07", {m(HEAD, "education.highest_grade"): 8}, id="ED07 grade 8"),
    pytest.param(
        "ED07", {m(HEAD, "birth_date"): born(65), m(HEAD, "education.highest_grade"): 7}, id="ED07 age 65"
    ),
    pytest.param(
        "ED07", {m(SON, "birth_date"): AGED_17, m(SON, "education.highest_grade"): 7}, id="ED07 age 17"
    ),
    pytest.param(
        "ED08",
        {m(SON, "education.special_needs"): True, m(SON, "education.special_needs_support"): True},
        id="ED08 supported",
    ),
    pytest.param("IN01", {h("income.monthly_net_income_ron"): 3360}, id="IN01 exactly 2.1 x 1600"),
    pytest.param("IN02", {h("income.monthly_net_income_ron"): 2400}, id="IN02 exactly 4 x 600"),
    pytest.param(
        "IN02",
        {h("income.monthly_net_income_ron"): 1000, h("income.receives_minimum_inclusion_income"): True},
        id="IN02 already receives it",
    ),
    pytest.param(
        "IN03", {m(SON, "birth_date"): born(18), m(SON, "benefits.child_allowance"): False}, id="IN03 age 18"
    ),
    pytest.param("IN04", {h("income.monthly_net_income_ron"): 0.01}, id="IN04 one ban"),
    pytest.param(
        "IN05",
        {
            m(HEAD, "health.disability"): True,
            m(HEAD, "health.disability_certificate"): True,
            m(HEAD, "benefits.disability_benefit"): True,
        },
        id="IN05 receives the benefit",
    ),
    pytest.param(
        "EM01",
        {
            m(SON, "birth_date"): AGED_17,
            m(SON, "education.status"): "finished",
            m(SON, "employment.status"): "inactive",
        },
        id="EM01 age 17",
    ),
    pytest.param(
        "EM01", {m(HEAD, "birth_date"): born(65), m(HEAD, "employment.status"): "inactive"}, id="EM01 age 65"
    ),
    pytest.param("EM01", {m(HEAD, "employment.status"): "unemployed_registered"}, id="EM01 registered"),
    pytest.param(
        "EM02",
        {m(HEAD, "employment.status"): "unemployed_registered", m(HEAD, "employment.unemployed_months"): 11},
        id="EM02 11 months",
    ),
    pytest.param(
        "EM02",
        {m(HEAD, "employment.status"): "inactive", m(HEAD, "employment.unemployed_months"): 24},
        id="EM02 inactive",
    ),
    pytest.param(
        "EM03",
        {m(SON, "birth_date"): born(15, 1), m(SON, "employment.status"): "employed_informal"},
        id="EM03 age 14",
    ),
    pytest.param(
        "EM04",
        {
            m(HEAD, "employment.status"): "unemployed_registered",
            m(SPOUSE, "employment.status"): "self_employed",
        },
        id="EM04 one parent works",
    ),
    pytest.param(
        "EM04",
        {m(HEAD, "birth_date"): born(65, 1), m(SPOUSE, "employment.status"): "inactive"},
        id="EM04 a 64-year-old works",
    ),
    pytest.param(
        "EM04",
        {
            m(HEAD, "employment.status"): "retired",
            m(SPOUSE, "employment.status"): "retired",
            m(SON, "birth_date"): born(18),
            m(SON, "employment.status"): "student",
            m(SON, "education.status"): "university",
            m(DAUGHTER, "relation"): "other_relative",
            m(DAUGHTER, "birth_date"): born(30),
            m(DAUGHTER, "employment.status"): "retired",
        },
        id="EM04 no children",
    ),
    pytest.param(
        "FA01", {m(SON, "birth_date"): born(18), m(SON, "protection.parents_abroad"): True}, id="FA01 age 18"
    ),
    pytest.param(
        "FA02", {m(SON, "birth_date"): born(18), m(SON, "protection.neglect_signs"): True}, id="FA02 age 18"
    ),
    pytest.param("FA03", {h("family.domestic_violence_signs"): False}, id="FA03 none"),
    pytest.param("FA04", {h("family.substance_abuse"): False}, id="FA04 none"),
    pytest.param("FA05", {}, id="FA05 spouse present"),
    pytest.param(
        "FA05",
        {
            m(SPOUSE, "relation"): "sibling",
            m(SON, "relation"): "grandchild",
            m(DAUGHTER, "relation"): "grandchild",
        },
        id="FA05 grandchildren only",
    ),
    pytest.param(
        "FA05",
        {
            m(SPOUSE, "relation"): "sibling",
            m(SON, "birth_date"): born(18),
            m(DAUGHTER, "relation"): "grandchild",
        },
        id="FA05 the child is 18",
    ),
    pytest.param(
        "FA06",
        {"members[4]": adult("00000000-0000-4000-8000-000000000004", "Elena", "F", born(18), "child")},
        id="FA06 third child is 18",
    ),
    pytest.param(
        "FA07", {m(SON, "birth_date"): born(18), m(SON, "protection.child_labour"): True}, id="FA07 age 18"
    ),
    pytest.param(
        "FA08", {m(SON, "birth_date"): born(18), m(SON, "protection.in_union"): True}, id="FA08 age 18"
    ),
    pytest.param(
        "FA09",
        {m(HEAD, "health.needs_daily_care"): True, m(HEAD, "health.has_caregiver"): True},
        id="FA09 cared for",
    ),
    pytest.param("HO01", {h("housing.rooms"): 2}, id="HO01 exactly 2 per room"),
    pytest.param("HO01", homeless(), id="HO01 homeless with 0 rooms"),
    pytest.param("HO02", homeless(), id="HO02 homeless"),
    pytest.param("HO03", homeless(), id="HO03 homeless"),
    pytest.param("HO04", {h("housing.dwelling"): "apartment"}, id="HO04 sound apartment"),
    pytest.param("HO04", homeless(**{h("housing.unsafe_structure"): True}), id="HO04 homeless"),
    pytest.param("HO05", homeless(**{h("housing.damp_or_unsanitary"): True}), id="HO05 homeless"),
    pytest.param("HO06", homeless(), id="HO06 homeless"),
    pytest.param("HO07", homeless(), id="HO07 homeless"),
    pytest.param("HO08", {h("housing.dwelling"): "improvised"}, id="HO08 improvised is a dwelling"),
    pytest.param("HO09", homeless(), id="HO09 homeless"),
]


def _evaluated(answers: dict[str, Any]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    assessment = assessment_with(answers)
    assert [str(problem) for problem in validate(assessment)] == []
    evaluation = evaluate(assessment, load_catalogue("mps-v1"))
    return evaluation.household_codes, [
        evaluation.member_codes[member["ref"]] for member in assessment["members"]
    ]


def test_the_baseline_family_has_no_vulnerability() -> None:
    household_codes, member_codes = _evaluated({})

    assert household_codes == ()
    assert member_codes == [(), (), (), ()]


@pytest.mark.parametrize(("code", "where", "answers"), FOUND)
def test_rule_finds_the_vulnerability(code: str, where: int | str, answers: dict[str, Any]) -> None:
    household_codes, member_codes = _evaluated(answers)

    found_for = household_codes if where == HOUSEHOLD else member_codes[int(where)]
    assert code in found_for


@pytest.mark.parametrize(("code", "answers"), MISSED)
def test_rule_does_not_find_the_vulnerability_just_outside_it(code: str, answers: dict[str, Any]) -> None:
    household_codes, member_codes = _evaluated(answers)

    assert code not in household_codes
    assert all(code not in codes for codes in member_codes)


def test_every_code_of_the_catalogue_has_a_positive_and_a_negative_case() -> None:
    codes = set(load_catalogue("mps-v1").codes)

    assert {param.values[0] for param in FOUND} == codes
    assert {param.values[0] for param in MISSED} == codes


def test_household_rules_are_reported_for_the_household_and_person_rules_for_members() -> None:
    catalogue = load_catalogue("mps-v1")
    for param in FOUND:
        code, where, _answers = param.values
        expected_level = "household" if where == HOUSEHOLD else "person"
        assert catalogue.vulnerability(code).level == expected_level, code
