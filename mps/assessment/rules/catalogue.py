"""Catalogue versions: the vulnerability codes, weights, critical flags and parameters, read from data files.

A catalogue version is a JSON file in ``mps/assessment/catalogue/`` named after its code (``mps-v1.json``).
What a version may change by data alone: which codes exist, their names, explanations, weights and critical
flags, and the parameters. The rule logic for each code lives in a rule set (``rule_set`` in the file), so a
version that changes how a code is decided names a new rule set instead of silently changing an old one.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import get_language

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogue"
CURRENT_CATALOGUE = "mps-v1"

Level = Literal["person", "household"]


class CatalogueError(Exception):
    """A catalogue file is malformed or names a rule that does not exist."""


def text_in_language(text_ro: str, text_en: str, language: str | None = None) -> str:
    """Return the English text for an English language code, else the Romanian one (the default language)."""
    language = language or get_language() or "ro"
    return text_en if language.startswith("en") else text_ro


@dataclass(frozen=True)
class Parameters:
    """Thresholds the rules compare answers against; a catalogue version may change any of them."""

    poverty_line_ron: float
    minimum_income_threshold_ron: float
    overcrowding_persons_per_room: float
    absence_hours: int
    long_term_unemployment_months: int
    risk_medium_score: int
    risk_high_score: int


@dataclass(frozen=True)
class Dimension:
    """A group of vulnerabilities (health, education, housing ...) used to organise reports."""

    code: str
    name_ro: str
    name_en: str

    def name(self, language: str | None = None) -> str:
        """Return the name in ``language`` (default: the active language)."""
        return text_in_language(self.name_ro, self.name_en, language)


@dataclass(frozen=True)
class Vulnerability:
    """One coded vulnerability: who it is about, how much it weighs and whether it needs an urgent referral."""

    code: str
    dimension: str
    level: Level
    weight: int
    critical: bool
    name_ro: str
    name_en: str
    explanation_ro: str
    explanation_en: str

    def name(self, language: str | None = None) -> str:
        """Return the name in ``language`` (default: the active language)."""
        return text_in_language(self.name_ro, self.name_en, language)

    def explanation(self, language: str | None = None) -> str:
        """Return the explanation for the worker in ``language`` (default: the active language)."""
        return text_in_language(self.explanation_ro, self.explanation_en, language)


# eq=False: a catalogue is identified by the loaded object, which keeps hashing it (to cache compiled rule
# plans) constant-time instead of walking 46 vulnerabilities on every evaluation.
@dataclass(frozen=True, eq=False)
class Catalogue:
    """One version of the vulnerability catalogue, with its parameters."""

    code: str
    rule_set: str
    schema_version: str
    name_ro: str
    name_en: str
    parameters: Parameters
    dimensions: tuple[Dimension, ...]
    vulnerabilities: tuple[Vulnerability, ...]

    def vulnerability(self, code: str) -> Vulnerability:
        """Return the vulnerability with this code; raise KeyError if the catalogue has none."""
        for vulnerability in self.vulnerabilities:
            if vulnerability.code == code:
                return vulnerability
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of this version, sorted."""
        return tuple(sorted(v.code for v in self.vulnerabilities))


@cache
def load_catalogue(code: str = CURRENT_CATALOGUE) -> Catalogue:
    """Load a catalogue version by its code, once per process."""
    path = CATALOGUE_DIR / f"{code}.json"
    if not path.is_file():
        raise CatalogueError(f"There is no catalogue {code!r} (looked for {path}).")
    data = json.loads(path.read_text(encoding="utf-8"))
    catalogue = catalogue_from_data(data)
    if catalogue.code != code:
        raise CatalogueError(f"{path.name} declares code {catalogue.code!r}.")
    return catalogue


def available_catalogues() -> list[str]:
    """Return the codes of every catalogue version shipped with the project, sorted."""
    return sorted(path.stem for path in CATALOGUE_DIR.glob("mps-v*.json"))


def catalogue_from_data(data: dict[str, Any]) -> Catalogue:
    """Build a catalogue from its JSON data, checking that it is complete and consistent."""
    try:
        parameters = Parameters(**data["parameters"])
        dimensions = tuple(Dimension(**item) for item in data["dimensions"])
        vulnerabilities = tuple(Vulnerability(**item) for item in data["vulnerabilities"])
        catalogue = Catalogue(
            code=data["code"],
            rule_set=data["rule_set"],
            schema_version=data["schema_version"],
            name_ro=data["name_ro"],
            name_en=data["name_en"],
            parameters=parameters,
            dimensions=dimensions,
            vulnerabilities=vulnerabilities,
        )
    except (KeyError, TypeError) as error:
        raise CatalogueError(f"Malformed catalogue: {error}") from error
    _check_consistency(catalogue)
    return catalogue


def _check_consistency(catalogue: Catalogue) -> None:
    dimension_codes = {d.code for d in catalogue.dimensions}
    seen: set[str] = set()
    for vulnerability in catalogue.vulnerabilities:
        if vulnerability.code in seen:
            raise CatalogueError(f"{catalogue.code}: code {vulnerability.code} appears twice.")
        seen.add(vulnerability.code)
        if vulnerability.dimension not in dimension_codes:
            raise CatalogueError(f"{catalogue.code}: {vulnerability.code} has an unknown dimension.")
        if vulnerability.level not in ("person", "household"):
            raise CatalogueError(f"{catalogue.code}: {vulnerability.code} has an unknown level.")
        if not isinstance(vulnerability.weight, int) or vulnerability.weight < 0:
            raise CatalogueError(
                f"{catalogue.code}: {vulnerability.code} needs a whole, non-negative weight."
            )
