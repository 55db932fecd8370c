"""A rule set: the pure function that decides each vulnerability code, registered by code.

Rule functions return True when the vulnerability is found. Person rules are asked once per member, household
rules once per household. Which codes are evaluated, with which weights and parameters, is the catalogue's
decision; a rule set only knows how to decide a code.
"""

from collections.abc import Callable

from mps.assessment.rules.catalogue import Level, Parameters
from mps.assessment.rules.facts import Household, Person

PersonRule = Callable[[Person, Household, Parameters], bool]
HouseholdRule = Callable[[Household, Parameters], bool]


class RuleSet:
    """The rules of one methodology version, by vulnerability code."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.person_rules: dict[str, PersonRule] = {}
        self.household_rules: dict[str, HouseholdRule] = {}

    def person(self, code: str) -> Callable[[PersonRule], PersonRule]:
        """Register the decorated function as the person-level rule for ``code``."""

        def register(rule: PersonRule) -> PersonRule:
            self._ensure_new(code)
            self.person_rules[code] = rule
            return rule

        return register

    def household(self, code: str) -> Callable[[HouseholdRule], HouseholdRule]:
        """Register the decorated function as the household-level rule for ``code``."""

        def register(rule: HouseholdRule) -> HouseholdRule:
            self._ensure_new(code)
            self.household_rules[code] = rule
            return rule

        return register

    def level_of(self, code: str) -> Level | None:
        """Return whether ``code`` is decided per person or per household, or None if this set lacks it."""
        if code in self.person_rules:
            return "person"
        if code in self.household_rules:
            return "household"
        return None

    def _ensure_new(self, code: str) -> None:
        if code in self.person_rules or code in self.household_rules:
            raise ValueError(f"Rule {code} is registered twice in rule set {self.code}.")
