"""The service catalogue (the minimum package) as versioned data, and its mirror table.

A catalogue version is the JSON file ``catalogue/services-<code>.json``, paired with the vulnerability catalogue
of the same code. The file is the source of truth; the `Service` table is a copy (loaded by a data migration and
by `services_sync`) that plans, deliveries and reports point at. Codes are stable forever; a later version adds
rows under its own catalogue code and never rewrites the old ones.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
ROLES = (
    "social_worker",
    "community_nurse",
    "school_counsellor",
    "school_mediator",
    "health_mediator",
    "community_facilitator",
)
KINDS = (
    "information_counselling",
    "accompaniment",
    "referral",
    "home_visit",
    "group_activity",
    "material_support",
    "direct_service",
)
TARGETS = ("person", "household")
SYNCED_FIELDS = ("name_ro", "name_en", "role", "kind", "target", "addresses", "closes_ro", "closes_en")


class ServiceCatalogueError(Exception):
    """A service catalogue file is malformed or names a vulnerability its paired catalogue does not have."""


@dataclass(frozen=True)
class ServiceEntry:
    """One service of the minimum package as the data file states it."""

    code: str
    name_ro: str
    name_en: str
    role: str
    kind: str
    target: str
    addresses: tuple[str, ...]
    closes_ro: str
    closes_en: str


@dataclass(frozen=True, eq=False)
class ServiceCatalogue:
    """One version of the service catalogue."""

    code: str
    services: tuple[ServiceEntry, ...]

    def suggested_for(self, code: str) -> tuple[ServiceEntry, ...]:
        """Return the services that address a vulnerability code, in catalogue order."""
        return tuple(service for service in self.services if code in service.addresses)


@cache
def load_services(code: str = CURRENT_CATALOGUE) -> ServiceCatalogue:
    """Load and check a service catalogue version, once per process."""
    path = CATALOGUE_DIR / f"services-{code}.json"
    if not path.is_file():
        raise ServiceCatalogueError(f"There is no service catalogue {code!r} (looked for {path}).")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("catalogue") != code:
        raise ServiceCatalogueError(f"{path.name} declares catalogue {data.get('catalogue')!r}.")
    try:
        services = tuple(
            ServiceEntry(**{**item, "addresses": tuple(item["addresses"])}) for item in data["services"]
        )
    except (KeyError, TypeError) as error:
        raise ServiceCatalogueError(f"Malformed service catalogue: {error}") from error
    _check(code, services)
    return ServiceCatalogue(code=code, services=services)


def _check(code: str, services: tuple[ServiceEntry, ...]) -> None:
    known = set(load_catalogue(code).codes)
    seen: set[str] = set()
    for service in services:
        if service.code in seen:
            raise ServiceCatalogueError(f"{code}: service {service.code} appears twice.")
        seen.add(service.code)
        if service.role not in ROLES or service.kind not in KINDS or service.target not in TARGETS:
            raise ServiceCatalogueError(f"{code}: {service.code} has an unknown role, kind or target.")
        unknown = set(service.addresses) - known
        if unknown or not service.addresses:
            raise ServiceCatalogueError(f"{code}: {service.code} addresses unknown codes {sorted(unknown)}.")
    uncovered = known - {c for service in services for c in service.addresses}
    if uncovered:
        raise ServiceCatalogueError(f"{code}: no service addresses {sorted(uncovered)}.")


def services_sync(code: str = CURRENT_CATALOGUE, *, model: Any = None) -> int:
    """Create or update the Service rows of a catalogue version; return how many rows were written.

    Migrations pass their historical ``model``; everyone else gets the current one.
    """
    if model is None:
        from mps.cases.models import Service

        model = Service
    written = 0
    for service in load_services(code).services:
        defaults = {name: getattr(service, name) for name in SYNCED_FIELDS}
        defaults["addresses"] = list(service.addresses)
        model.objects.update_or_create(catalogue=code, code=service.code, defaults=defaults)
        written += 1
    return written


def catalogue_document(code: str = CURRENT_CATALOGUE) -> dict[str, Any]:
    """Return the whole catalogue, vulnerabilities and services, as one JSON-ready object."""
    vulnerabilities = load_catalogue(code)
    return {
        "catalogue": code,
        "vulnerabilities": [
            {
                "code": v.code,
                "dimension": v.dimension,
                "level": v.level,
                "weight": v.weight,
                "critical": v.critical,
                "name_ro": v.name_ro,
                "name_en": v.name_en,
            }
            for v in vulnerabilities.vulnerabilities
        ],
        "services": [
            {
                "code": s.code,
                "name_ro": s.name_ro,
                "name_en": s.name_en,
                "role": s.role,
                "kind": s.kind,
                "target": s.target,
                "addresses": list(s.addresses),
                "closes_ro": s.closes_ro,
                "closes_en": s.closes_en,
            }
            for s in load_services(code).services
        ],
    }
