"""The CNP check of mps.core.cnp: structure and check digit, and agreement with the recorded sex and birth date."""

from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from stdnum.ro import cnp as stdnum_cnp

from mps.core.cnp import cnp_problems, is_valid_cnp, make_cnp

KNOWN_VALID = "1630615123457"  # python-stdnum's own example: a man born 15 June 1963 in Cluj
# The same digits in fullwidth form, which str.isdigit() accepts but a CNP may not contain.
FULLWIDTH_DIGITS = "".join(chr(0xFF10 + int(digit)) for digit in KNOWN_VALID)


def _foreign_resident_cnp(first_digit: str, yymmdd: str) -> str:
    body = f"{first_digit}{yymmdd}12001"
    return body + stdnum_cnp.calc_check_digit(body)


def _messages(cnp: str, sex: str | None = None, birth_date: date | None = None) -> list[str]:
    with translation.override("en"):
        return cnp_problems(cnp, sex, birth_date)


def test_a_known_cnp_is_valid_and_agrees_with_its_owner() -> None:
    assert is_valid_cnp(KNOWN_VALID)
    assert cnp_problems(KNOWN_VALID, "M", date(1963, 6, 15)) == []


@pytest.mark.parametrize(
    ("cnp", "message"),
    [
        ("1630615123458", "check digit is wrong"),
        ("163061512345", "exactly 13 digits"),
        ("16306151234570", "exactly 13 digits"),
        ("16306151234a7", "exactly 13 digits"),
        (FULLWIDTH_DIGITS, "exactly 13 digits"),
        ("0630615123457", "cannot start with 0"),
        ("1631315123457", "birth date that does not exist"),
        ("1630615993454", "unknown county"),
    ],
)
def test_malformed_cnps_are_refused_with_a_reason(cnp: str, message: str) -> None:
    assert not is_valid_cnp(cnp)
    [problem] = _messages(cnp)
    assert message in problem


def test_sex_disagreement_is_reported() -> None:
    [problem] = _messages(KNOWN_VALID, "F", date(1963, 6, 15))

    assert problem == "The CNP belongs to a man, but the person is recorded as a woman."


def test_birth_date_disagreement_is_reported() -> None:
    [problem] = _messages(KNOWN_VALID, "M", date(1963, 6, 16))

    assert problem == "The CNP encodes the birth date 1963-06-15, but the recorded birth date is 1963-06-16."


def test_sex_and_birth_date_disagreements_are_both_reported() -> None:
    assert len(_messages(KNOWN_VALID, "F", date(1964, 6, 15))) == 2


@pytest.mark.parametrize(
    ("sex", "birth_date", "first_digit"),
    [
        ("M", date(1899, 12, 31), "3"),
        ("F", date(1850, 1, 1), "4"),
        ("M", date(1900, 1, 1), "1"),
        ("F", date(1999, 12, 31), "2"),
        ("M", date(2004, 2, 29), "5"),
        ("F", date(2024, 6, 15), "6"),
    ],
)
def test_the_first_digit_encodes_sex_and_century(sex: str, birth_date: date, first_digit: str) -> None:
    cnp = make_cnp(sex, birth_date)

    assert cnp[0] == first_digit
    assert cnp_problems(cnp, sex, birth_date) == []
    # The same digits with another century are another birth date.
    other_century = birth_date.replace(
        year=birth_date.year - 100 if birth_date.year >= 1900 else birth_date.year + 100
    )
    assert len(cnp_problems(cnp, sex, other_century)) == 1


@pytest.mark.parametrize(("first_digit", "sex"), [("7", "M"), ("8", "F")])
def test_a_foreign_resident_cnp_encodes_sex_but_not_the_century(first_digit: str, sex: str) -> None:
    cnp = _foreign_resident_cnp(first_digit, "050312")

    assert is_valid_cnp(cnp)
    assert cnp_problems(cnp, sex, date(2005, 3, 12)) == []
    assert cnp_problems(cnp, sex, date(1905, 3, 12)) == []
    assert len(cnp_problems(cnp, sex, date(2005, 3, 13))) == 1
    assert len(cnp_problems(cnp, "F" if sex == "M" else "M", date(2005, 3, 12))) == 1


def test_a_cnp_for_other_foreigners_encodes_neither_sex_nor_century() -> None:
    cnp = _foreign_resident_cnp("9", "881224")

    assert cnp_problems(cnp, "F", date(1988, 12, 24)) == []
    assert cnp_problems(cnp, "M", date(1988, 12, 24)) == []


def test_make_cnp_refuses_dates_a_cnp_cannot_encode() -> None:
    with pytest.raises(ValueError, match="cannot encode"):
        make_cnp("M", date(2100, 1, 1))


COUNTIES = [f"{n:02d}" for n in range(1, 47)] + ["51", "52"]
people = st.tuples(
    st.sampled_from(["F", "M"]),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(COUNTIES),
    st.integers(min_value=1, max_value=999),
)


@given(people)
def test_every_cnp_built_for_a_person_is_valid_and_agrees_with_them(
    person: tuple[str, date, str, int],
) -> None:
    sex, birth_date, county, serial = person
    cnp = make_cnp(sex, birth_date, county, serial)

    assert is_valid_cnp(cnp)
    assert stdnum_cnp.is_valid(cnp)
    assert cnp_problems(cnp, sex, birth_date) == []
    assert len(cnp_problems(cnp, "F" if sex == "M" else "M", birth_date)) == 1


@given(people, st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_always_caught(person: tuple[str, date, str, int], shift: int) -> None:
    cnp = make_cnp(*person)
    typo = cnp[:-1] + str((int(cnp[-1]) + shift) % 10)

    assert not is_valid_cnp(typo)


@given(people, st.integers(min_value=1, max_value=11), st.integers(min_value=1, max_value=9))
def test_a_single_digit_typo_is_caught_unless_the_check_digit_is_the_ambiguous_1(
    person: tuple[str, date, str, int], position: int, shift: int
) -> None:
    cnp = make_cnp(*person)
    typo = cnp[:position] + str((int(cnp[position]) + shift) % 10) + cnp[position + 1 :]

    # The check digit is the weighted sum mod 11, with 10 written as 1: a typo moving the sum between 1 and 10
    # keeps the check digit 1. Every other single-digit typo changes it.
    assert not is_valid_cnp(typo) or cnp[-1] == "1"


@given(st.text(max_size=20))
def test_any_text_gets_an_answer_and_never_an_exception(text: str) -> None:
    assert isinstance(cnp_problems(text), list)
