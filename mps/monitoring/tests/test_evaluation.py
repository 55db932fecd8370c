"""The wave table computed by hand on the known data set, and the exact McNemar test."""

import csv
import io
import json
from fractions import Fraction
from math import comb

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mps.assessment.rules import load_catalogue
from mps.monitoring.evaluation import mcnemar_exact, wave_evaluation
from mps.monitoring.tests.data import SIRUTA

pytestmark = pytest.mark.django_db

EXPECTED = {
    # code: (units, from_count, to_count, p_value)
    "HO02": (3, 1, 1, 1.0),
    "HO05": (3, 1, 1, 1.0),
    "HO06": (3, 1, 1, 1.0),
    "HE01": (11, 1, 0, 1.0),
    "HE02": (11, 6, 0, 0.03125),
}


def _exact_p(b: int, c: int) -> Fraction:
    n = b + c
    return min(Fraction(1), 2 * Fraction(sum(comb(n, i) for i in range(min(b, c) + 1)), 2**n))


def _exact_p_fast(b: int, c: int) -> Fraction:
    """The same sum with each coefficient derived from the previous one (C(n, i+1) = C(n, i)·(n-i)/(i+1))."""
    n, term, tail = b + c, 1, 1
    for i in range(min(b, c)):
        term = term * (n - i) // (i + 1)
        tail += term
    return min(Fraction(1), 2 * Fraction(tail, 2**n))


@pytest.mark.parametrize(("b", "c"), [(0, 0), (1, 0), (6, 0), (3, 9), (10, 10), (25, 40), (0, 17), (120, 80)])
def test_mcnemar_matches_the_exact_binomial_sum(b, c):
    expected = 1.0 if b + c == 0 else float(_exact_p(b, c))
    assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-12)


def test_mcnemar_on_large_counts_agrees_with_exact_arithmetic():
    # 30,000 discordant pairs takes the floating-point path; the exact fraction is the reference.
    assert mcnemar_exact(14_800, 15_200) == pytest.approx(float(_exact_p_fast(14_800, 15_200)), rel=1e-9)


def test_wave_table_matches_the_hand_computation(known_data):
    evaluation = wave_evaluation("T0", "T1")

    assert evaluation.households == 3
    assert evaluation.persons == 11
    by_code = {code.code: code for code in evaluation.codes}
    assert [c.code for c in evaluation.codes] == sorted(load_catalogue("mps-v1").codes)
    for code, (units, from_count, to_count, p_value) in EXPECTED.items():
        row = by_code[code]
        assert (row.units, row.from_count, row.to_count) == (units, from_count, to_count), code
        assert row.p_value == pytest.approx(p_value), code
    for code, row in by_code.items():
        if code not in EXPECTED:
            assert (row.from_count, row.to_count, row.p_value) == (0, 0, 1.0), code
    assert by_code["HO05"].change == 0
    assert (evaluation.evaluated, evaluation.reduced) == (5, 2)


def test_children_followed_through_three_waves(known_data):
    # Household 4's two children are seen at T0, T1 and T2; household 1's son only twice.
    assert wave_evaluation("T0", "T2").children_three_or_more == 2
    assert wave_evaluation("T0", "T1").children_three_or_more == 0


def test_an_area_without_the_households_has_an_empty_cohort(known_data):
    evaluation = wave_evaluation("T0", "T1", [SIRUTA + 1])

    assert (evaluation.households, evaluation.persons, evaluation.evaluated) == (0, 0, 0)


def test_wave_report_command_prints_json(known_data):
    out = io.StringIO()
    call_command("wave_report", "--from", "T0", "--to", "T1", "--locality", str(SIRUTA), stdout=out)

    report = json.loads(out.getvalue())
    assert {key: report[key] for key in ("from", "to", "households", "persons", "evaluated", "reduced")} == {
        "from": "T0",
        "to": "T1",
        "households": 3,
        "persons": 11,
        "evaluated": 5,
        "reduced": 2,
    }
    assert len(report["vulnerabilities"]) == 46
    he02 = next(v for v in report["vulnerabilities"] if v["code"] == "HE02")
    assert he02 == {
        "code": "HE02",
        "level": "person",
        "units": 11,
        "from_count": 6,
        "to_count": 0,
        "p_value": 0.03125,
    }


def test_wave_report_command_prints_csv_for_a_county(known_data):
    out = io.StringIO()
    call_command("wave_report", "--from", "T0", "--to", "T1", "--county", "BC", "--format", "csv", stdout=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 46
    ho02 = next(row for row in rows if row["code"] == "HO02")
    assert ho02 == {
        "code": "HO02",
        "level": "household",
        "units": "3",
        "from_count": "1",
        "to_count": "1",
        "change": "0",
        "p_value": "1.0",
    }


def test_wave_report_command_refuses_a_bad_wave(known_data):
    with pytest.raises(CommandError):
        call_command("wave_report", "--from", "X0", "--to", "T1")
