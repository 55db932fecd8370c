"""The needs-assessment rule engine: pure functions of plain data, no database.

The public API, for storage, imports, forms and commands:

- ``load_catalogue(code)`` returns a catalogue version (``mps-v1`` is current);
- ``validate(raw)`` returns every problem with an assessment, by field path (empty list: valid);
- ``evaluate(assessment, catalogue)`` returns the findings, score and risk level of a valid assessment.
"""

from mps.assessment.rules.catalogue import (
    CURRENT_CATALOGUE,
    Catalogue,
    CatalogueError,
    Dimension,
    Parameters,
    Vulnerability,
    available_catalogues,
    load_catalogue,
)
from mps.assessment.rules.engine import Evaluation, Finding, RiskLevel, check_catalogue, evaluate
from mps.assessment.rules.validation import Problem, ensure_valid, validate

__all__ = [
    "CURRENT_CATALOGUE",
    "Catalogue",
    "CatalogueError",
    "Dimension",
    "Evaluation",
    "Finding",
    "Parameters",
    "Problem",
    "RiskLevel",
    "Vulnerability",
    "available_catalogues",
    "check_catalogue",
    "ensure_valid",
    "evaluate",
    "load_catalogue",
    "validate",
]
