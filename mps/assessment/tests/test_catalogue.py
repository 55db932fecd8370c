"""The mps-v1 catalogue data holds exactly the methodology's codes, weights, critical flags and parameters."""

import json
from pathlib import Path

import pytest

from mps.assessment.rules import available_catalogues, check_catalogue, load_catalogue
from mps.assessment.rules.catalogue import CATALOGUE_DIR, Parameters

# The methodology-v1 table: code -> (level, weight, critical).
METHODOLOGY_V1 = {
    "ID01": ("person", 3, False),
    "ID02": ("person", 2, False),
    "HE01": ("person", 2, False),
    "HE02": ("person", 1, False),
    "HE03": ("person", 2, False),
    "HE04": ("person", 1, False),
    "HE05": ("person", 3, False),
    "HE06": ("person", 3, False),
    "HE07": ("person", 3, False),
    "HE08": ("person", 2, False),
    "HE09": ("person", 2, False),
    "ED01": ("person", 2, False),
    "ED02": ("person", 3, False),
    "ED03": ("person", 2, False),
    "ED04": ("person", 1, False),
    "ED05": ("person", 3, False),
    "ED06": ("person", 2, False),
    "ED07": ("person", 1, False),
    "ED08": ("person", 2, False),
    "IN01": ("household", 2, False),
    "IN02": ("household", 3, False),
    "IN03": ("person", 2, False),
    "IN04": ("household", 3, False),
    "IN05": ("person", 2, False),
    "EM01": ("person", 1, False),
    "EM02": ("person", 1, False),
    "EM03": ("person", 1, False),
    "EM04": ("household", 2, False),
    "FA01": ("person", 2, False),
    "FA02": ("person", 3, True),
    "FA03": ("household", 3, True),
    "FA04": ("household", 2, False),
    "FA05": ("household", 1, False),
    "FA06": ("household", 1, False),
    "FA07": ("person", 3, True),
    "FA08": ("person", 3, True),
    "FA09": ("person", 3, False),
    "HO01": ("household", 1, False),
    "HO02": ("household", 2, False),
    "HO03": ("household", 2, False),
    "HO04": ("household", 2, False),
    "HO05": ("household", 1, False),
    "HO06": ("household", 2, False),
    "HO07": ("household", 1, False),
    "HO08": ("household", 3, True),
    "HO09": ("household", 1, False),
}


def test_mps_v1_has_the_46_vulnerabilities_of_the_methodology() -> None:
    catalogue = load_catalogue("mps-v1")

    assert len(catalogue.vulnerabilities) == 46
    assert {v.code: (v.level, v.weight, v.critical) for v in catalogue.vulnerabilities} == METHODOLOGY_V1


def test_mps_v1_has_seven_dimensions_and_every_code_sits_in_the_dimension_of_its_prefix() -> None:
    catalogue = load_catalogue("mps-v1")

    assert [d.code for d in catalogue.dimensions] == ["ID", "HE", "ED", "IN", "EM", "FA", "HO"]
    assert all(v.code.startswith(v.dimension) for v in catalogue.vulnerabilities)


def test_mps_v1_has_the_methodology_parameters() -> None:
    assert load_catalogue("mps-v1").parameters == Parameters(
        poverty_line_ron=1600,
        minimum_income_threshold_ron=600,
        overcrowding_persons_per_room=2,
        absence_hours=10,
        long_term_unemployment_months=12,
        risk_medium_score=5,
        risk_high_score=10,
    )


@pytest.mark.parametrize("code", available_catalogues())
def test_every_shipped_catalogue_has_a_rule_for_each_code(code: str) -> None:
    check_catalogue(load_catalogue(code))


def test_every_vulnerability_is_named_and_explained_in_both_languages() -> None:
    for vulnerability in load_catalogue("mps-v1").vulnerabilities:
        for text in (v := vulnerability).name_ro, v.name_en, v.explanation_ro, v.explanation_en:
            assert text.strip(), vulnerability.code
        assert vulnerability.name("en") == vulnerability.name_en
        assert vulnerability.name("ro") == vulnerability.name_ro


@pytest.mark.parametrize("path", sorted(CATALOGUE_DIR.glob("*.json")), ids=lambda p: Path(p).name)
def test_romanian_text_uses_comma_below_letters_not_cedillas(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    json.loads(text)

    for cedilla in "şŞţŢ":
        assert cedilla not in text, f"{path.name} spells {cedilla!r} with a cedilla; Romanian uses ș and ț"
    assert "ș" in text or "ț" in text
