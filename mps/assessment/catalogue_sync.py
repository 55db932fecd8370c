"""Mirror a catalogue version's vulnerabilities into the Vulnerability table, for joins and reports.

The catalogue JSON files are the source of truth; the table is a copy that reports join findings to. Syncing is
idempotent: rows are matched by (catalogue, code), changed names or weights are updated, nothing is deleted
(stored findings keep pointing at their codes).
"""

from typing import Any

from mps.assessment.models import Vulnerability
from mps.assessment.rules.catalogue import Catalogue, load_catalogue

SYNCED_FIELDS = ("dimension", "level", "weight", "critical", "name_ro", "name_en")


def vulnerabilities_sync(catalogue: Catalogue | str, *, model: Any = None) -> int:
    """Create or update the Vulnerability rows of a catalogue version; return how many rows were written.

    Migrations pass their historical ``model``; everyone else gets the current one.
    """
    if isinstance(catalogue, str):
        catalogue = load_catalogue(catalogue)
    model = model or Vulnerability
    written = 0
    for vulnerability in catalogue.vulnerabilities:
        model.objects.update_or_create(
            catalogue=catalogue.code,
            code=vulnerability.code,
            defaults={name: getattr(vulnerability, name) for name in SYNCED_FIELDS},
        )
        written += 1
    return written
