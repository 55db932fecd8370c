"""Evaluate one household assessment against a catalogue version: findings, score and risk level.

Policy: the score is the sum of the weights of every finding, the household's own and every member's. The risk
level is high when any finding is critical or the score reaches the catalogue's high threshold, medium when it
reaches the medium threshold, low when there is at least one finding, and none otherwise. The same assessment
and catalogue always give the same evaluation: nothing here reads the clock, the database or the environment.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from mps.assessment.rules import mps_v1
from mps.assessment.rules.catalogue import Catalogue, CatalogueError, Vulnerability
from mps.assessment.rules.facts import household_from_assessment
from mps.assessment.rules.ruleset import HouseholdRule, PersonRule, RuleSet

RULE_SETS: dict[str, RuleSet] = {rule_set.code: rule_set for rule_set in (mps_v1.rules,)}


class RiskLevel(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Finding:
    """A vulnerability found for the household (``member_ref`` None) or for one member."""

    vulnerability: Vulnerability
    member_ref: str | None

    @property
    def code(self) -> str:
        """The vulnerability code."""
        return self.vulnerability.code


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of evaluating one assessment with one catalogue version."""

    assessment_ref: str
    catalogue: str
    findings: tuple[Finding, ...]
    score: int
    risk_level: RiskLevel
    household_codes: tuple[str, ...]
    # Member ref -> sorted codes, in the order the members were given; every member appears.
    member_codes: Mapping[str, tuple[str, ...]]

    @property
    def has_critical_finding(self) -> bool:
        """Whether a finding needs an urgent referral."""
        return any(finding.vulnerability.critical for finding in self.findings)

    def as_report(self) -> dict[str, Any]:
        """Return the evaluation in the shape the evaluate_household command prints."""
        return {
            "assessment": self.assessment_ref,
            "catalogue": self.catalogue,
            "score": self.score,
            "risk_level": str(self.risk_level),
            "household": list(self.household_codes),
            "members": {ref: list(codes) for ref, codes in self.member_codes.items()},
        }


@dataclass(frozen=True)
class _Plan:
    person_checks: tuple[tuple[Vulnerability, PersonRule], ...]
    household_checks: tuple[tuple[Vulnerability, HouseholdRule], ...]


def evaluate(assessment: Mapping[str, Any], catalogue: Catalogue) -> Evaluation:
    """Evaluate a valid household assessment (one that ``validate`` accepts) with a catalogue version."""
    plan = _plan_for(catalogue)
    parameters = catalogue.parameters
    household = household_from_assessment(assessment)

    findings: list[Finding] = []
    household_codes = []
    for vulnerability, household_rule in plan.household_checks:
        if household_rule(household, parameters):
            findings.append(Finding(vulnerability, None))
            household_codes.append(vulnerability.code)

    member_codes: dict[str, tuple[str, ...]] = {}
    for person in household.members:
        codes = []
        for vulnerability, person_rule in plan.person_checks:
            if person_rule(person, household, parameters):
                findings.append(Finding(vulnerability, person.ref))
                codes.append(vulnerability.code)
        member_codes[person.ref] = tuple(codes)

    score = sum(finding.vulnerability.weight for finding in findings)
    return Evaluation(
        assessment_ref=assessment["ref"],
        catalogue=catalogue.code,
        findings=tuple(findings),
        score=score,
        risk_level=risk_level(
            score, any(f.vulnerability.critical for f in findings), bool(findings), catalogue
        ),
        # The plan is sorted by code, so codes come out sorted.
        household_codes=tuple(household_codes),
        member_codes=member_codes,
    )


def risk_level(score: int, has_critical: bool, has_findings: bool, catalogue: Catalogue) -> RiskLevel:
    """Return the risk level for a score, given whether any finding is critical and whether there is any."""
    parameters = catalogue.parameters
    if has_critical or score >= parameters.risk_high_score:
        return RiskLevel.HIGH
    if score >= parameters.risk_medium_score:
        return RiskLevel.MEDIUM
    if has_findings:
        return RiskLevel.LOW
    return RiskLevel.NONE


def check_catalogue(catalogue: Catalogue) -> None:
    """Raise CatalogueError unless every code of the catalogue has a rule of the right level in its rule set."""
    _plan_for(catalogue)


@cache
def _plan_for(catalogue: Catalogue) -> _Plan:
    rule_set = RULE_SETS.get(catalogue.rule_set)
    if rule_set is None:
        raise CatalogueError(f"{catalogue.code}: there is no rule set {catalogue.rule_set!r}.")
    person_checks = []
    household_checks = []
    for vulnerability in sorted(catalogue.vulnerabilities, key=lambda v: v.code):
        level = rule_set.level_of(vulnerability.code)
        if level is None:
            raise CatalogueError(
                f"{catalogue.code}: rule set {rule_set.code} has no rule for {vulnerability.code}."
            )
        if level != vulnerability.level:
            raise CatalogueError(
                f"{catalogue.code}: {vulnerability.code} is a {vulnerability.level} vulnerability "
                f"but its rule is a {level} rule."
            )
        if level == "person":
            person_checks.append((vulnerability, rule_set.person_rules[vulnerability.code]))
        else:
            household_checks.append((vulnerability, rule_set.household_rules[vulnerability.code]))
    return _Plan(person_checks=tuple(person_checks), household_checks=tuple(household_checks))
