"""Check a Romanian personal numeric code (CNP) and whether it belongs to the person it is recorded for.

A CNP reads S YYMMDD CC NNN K. S encodes sex and century: 1/2 born 1900-1999, 3/4 born 1800-1899, 5/6 born
2000-2099 (odd for men, even for women); 7/8 are foreign residents (sex encoded, century not); 9 other
foreigners (neither encoded). YYMMDD is the birth date, CC the county, NNN a serial number and K the check digit.
The structure, county table and check digit come from python-stdnum; the agreement with the recorded sex and
birth date is checked here, because that is what catches a CNP typed into the wrong person's record.

Pure functions of plain values: the registry, the assessment validator and imports all call them.
"""

import datetime

from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidComponent
from stdnum.ro import cnp as stdnum_cnp

_SEX_BY_FIRST_DIGIT = {"1": "M", "2": "F", "3": "M", "4": "F", "5": "M", "6": "F", "7": "M", "8": "F"}
_CENTURY_BY_FIRST_DIGIT = {"1": 1900, "2": 1900, "3": 1800, "4": 1800, "5": 2000, "6": 2000}
_FIRST_DIGIT_BY_SEX_AND_CENTURY = {
    ("M", 1800): "3",
    ("F", 1800): "4",
    ("M", 1900): "1",
    ("F", 1900): "2",
    ("M", 2000): "5",
    ("F", 2000): "6",
}


def is_valid_cnp(cnp: str) -> bool:
    """Return whether the CNP is well formed: 13 digits, a known first digit, date and county, right check digit."""
    return not cnp_problems(cnp)


def cnp_problems(cnp: str, sex: str | None = None, birth_date: datetime.date | None = None) -> list[str]:
    """Return what is wrong with a CNP, checked against the recorded sex and birth date when they are known.

    Returns translated whole-sentence messages in the active language; an empty list means the CNP is valid
    and agrees with ``sex`` ("F" or "M") and ``birth_date``.
    """
    if len(cnp) != 13 or not cnp.isascii() or not cnp.isdigit():
        return [_("A CNP must have exactly 13 digits.")]
    first_digit = cnp[0]
    if first_digit == "0":
        return [_("A CNP cannot start with 0.")]
    try:
        encoded_date = stdnum_cnp.get_birth_date(cnp)
    except InvalidComponent:
        return [_("The CNP encodes a birth date that does not exist.")]
    try:
        stdnum_cnp.get_county(cnp)
    except InvalidComponent:
        return [_("The CNP encodes an unknown county code.")]
    if stdnum_cnp.calc_check_digit(cnp[:-1]) != cnp[-1]:
        return [_("The CNP check digit is wrong; the number was probably mistyped.")]

    problems: list[str] = []
    encoded_sex = _SEX_BY_FIRST_DIGIT.get(first_digit)
    if sex is not None and encoded_sex is not None and sex != encoded_sex:
        if encoded_sex == "M":
            problems.append(_("The CNP belongs to a man, but the person is recorded as a woman."))
        else:
            problems.append(_("The CNP belongs to a woman, but the person is recorded as a man."))
    if birth_date is not None and not _birth_date_agrees(first_digit, encoded_date, birth_date):
        problems.append(
            _("The CNP encodes the birth date %(encoded)s, but the recorded birth date is %(recorded)s.")
            % {"encoded": _encoded_date_text(first_digit, encoded_date), "recorded": birth_date.isoformat()}
        )
    return problems


def make_cnp(sex: str, birth_date: datetime.date, county: str = "12", serial: int = 1) -> str:
    """Build the valid CNP of a Romanian citizen born on ``birth_date`` in ``county``, for tests and samples."""
    century = birth_date.year // 100 * 100
    first_digit = _FIRST_DIGIT_BY_SEX_AND_CENTURY.get((sex, century))
    if first_digit is None:
        raise ValueError(f"A CNP cannot encode sex {sex!r} born in {birth_date.year}.")
    body = f"{first_digit}{birth_date:%y%m%d}{county}{serial:03d}"
    return body + stdnum_cnp.calc_check_digit(body)


def _birth_date_agrees(first_digit: str, encoded: datetime.date, recorded: datetime.date) -> bool:
    if first_digit in _CENTURY_BY_FIRST_DIGIT:
        return encoded == recorded
    # 7, 8 and 9 do not encode the century (stdnum assumes the 1900s), so only year-in-century, month and day
    # can be compared.
    return (encoded.year % 100, encoded.month, encoded.day) == (
        recorded.year % 100,
        recorded.month,
        recorded.day,
    )


def _encoded_date_text(first_digit: str, encoded: datetime.date) -> str:
    if first_digit in _CENTURY_BY_FIRST_DIGIT:
        return encoded.isoformat()
    return f"..{encoded:%y-%m-%d}"
