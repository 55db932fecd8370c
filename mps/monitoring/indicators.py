"""The names of the indicators stored in the aggregate tables, in one place for the refresh and the readers."""

from mps.assessment.models import RiskLevel

RISK_LEVELS = [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE]

HOUSEHOLDS = "households"
HOUSEHOLDS_CRITICAL = "households.critical"
PERSONS = "persons"
CHILDREN = "children"
CHILDREN_VULNERABLE = "children.vulnerable"
PERSONS_VULNERABLE = "persons.vulnerable"

# Equity groups of people, counted from typed answer columns: (indicator prefix, SQL condition on a member row).
PERSON_GROUPS = {
    "roma": "roma",
    "disability": "disability",
}


def households_at(risk: str) -> str:
    """Return the indicator of households at a risk level."""
    return f"households.risk.{risk}"


def children_at(risk: str) -> str:
    """Return the indicator of children living in households at a risk level."""
    return f"children.risk.{risk}"


def code_units(code: str, split: str = "") -> str:
    """Return the indicator of the units with a vulnerability (``split``: children, roma, disability)."""
    return f"code.{code}.{split}" if split else f"code.{code}"


def dimension_units(dimension: str, unit: str) -> str:
    """Return the indicator of households, persons or children with any vulnerability of a dimension."""
    return f"dim.{dimension}.{unit}"


# Every census indicator starts with it, and no other does: a run that recomputes only a locality's census
# figures (or only its assessment figures) tells the two apart by it.
CENSUS_PREFIX = "census."


def census(what: str) -> str:
    """Return a census coverage indicator (register, field, visited, status.<status>)."""
    return f"{CENSUS_PREFIX}{what}"


# Month-bound activity indicators.
SERVICES = "services"
SERVICES_MINUTES = "services.minutes"


def services_of_kind(kind: str) -> str:
    return f"services.kind.{kind}"


def services_by_role(role: str) -> str:
    return f"services.role.{role}"


def referrals_in_status(status: str) -> str:
    return f"referrals.status.{status}"


def referrals_to(institution: str) -> str:
    return f"referrals.institution.{institution}"


def referrals_completed(institution: str) -> str:
    """Return the indicator of referrals completed, bucketed by the days they took."""
    return f"referrals.completed.{institution}"
