"""The communities a scenario covers: records from the platform's geography or from national aggregates.

A community is an administrative unit (commune, town or municipality). When the full list of localities is
not loaded, the national aggregates are spread over the eight development regions in proportion to each
region's communes and towns, giving a few rows that each stand for ``count`` identical average communities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mps.core.errors import DomainValidationError
from mps.planning.costing.parameters import (
    DEFAULT_SCENARIO_3_REGIONS,
    REGION_CODES,
    REGION_PROFILES,
    NationalAggregates,
)

HIGH = "high"
MARGINALISATION_PRIORITY = {"high": 0, "medium": 1, "low": 2, "none": 3, "": 4}


class Scenario(IntEnum):
    """The five scenarios of the 2020 costing exercise."""

    HIGHLY_MARGINALISED_RURAL = 1
    RURAL = 2
    REGIONS = 3
    ALL = 4
    HIGHLY_MARGINALISED = 5

    @property
    def title(self) -> Promise:
        """Return the scenario's name as the seeds state it."""
        return SCENARIO_TITLES[self]


SCENARIO_TITLES: dict[Scenario, Promise] = {
    Scenario.HIGHLY_MARGINALISED_RURAL: gettext_lazy("Highly marginalised communities only"),
    Scenario.RURAL: gettext_lazy("All rural communities"),
    Scenario.REGIONS: gettext_lazy("Chosen development regions"),
    Scenario.ALL: gettext_lazy("All communities in Romania"),
    Scenario.HIGHLY_MARGINALISED: gettext_lazy("All highly marginalised rural and urban communities"),
}


@dataclass(frozen=True)
class Community:
    """One community, or ``count`` identical average communities when built from aggregates."""

    siruta: int | None
    population: float
    children: float
    urban: bool
    marginalisation: str  # "" unknown | "none" | "low" | "medium" | "high"
    region: str  # development region code, e.g. "RO21"
    county: str | None = None  # two-letter county code; None for aggregate rows
    name: str = ""
    count: float = 1.0

    @property
    def highly_marginalised(self) -> bool:
        """Return whether the community gets mediators and a community centre."""
        return self.marginalisation == HIGH


def validate_communities(communities: Sequence[Community]) -> None:
    """Reject communities with negative or inconsistent figures, naming the row."""
    problems: dict[str, list[str]] = {}
    for index, community in enumerate(communities):
        where = f"communities[{index}]"
        label = community.name or (str(community.siruta) if community.siruta else where)
        if community.count < 0:
            problems.setdefault(f"{where}.count", []).append(
                _("The number of communities of %(community)s must not be negative.") % {"community": label}
            )
        if community.children < 0:
            problems.setdefault(f"{where}.children", []).append(
                _("The number of children of %(community)s must not be negative.") % {"community": label}
            )
        if community.population < 0:
            problems.setdefault(f"{where}.population", []).append(
                _("The population of %(community)s must not be negative.") % {"community": label}
            )
        if community.marginalisation not in MARGINALISATION_PRIORITY:
            problems.setdefault(f"{where}.marginalisation", []).append(
                _("The marginalisation degree of %(community)s is unknown: %(value)s.")
                % {"community": label, "value": community.marginalisation}
            )
    if problems:
        raise DomainValidationError(problems)


def communities_from_aggregates(aggregates: NationalAggregates) -> list[Community]:
    """Spread the national aggregates over the development regions as rows of average communities."""
    commune_total = sum(profile.communes for profile in REGION_PROFILES)
    urban_total = sum(profile.urban_localities for profile in REGION_PROFILES)
    urban_children = aggregates.children - aggregates.children_in_communes
    # (urban, highly marginalised, national count, national children)
    strata = (
        (
            False,
            True,
            aggregates.highly_marginalised_communes,
            aggregates.children_in_highly_marginalised_communes,
        ),
        (
            False,
            False,
            aggregates.communes - aggregates.highly_marginalised_communes,
            aggregates.children_in_communes - aggregates.children_in_highly_marginalised_communes,
        ),
        (True, True, aggregates.highly_marginalised_towns, aggregates.children_in_highly_marginalised_towns),
        (
            True,
            False,
            aggregates.urban_localities - aggregates.highly_marginalised_towns,
            urban_children - aggregates.children_in_highly_marginalised_towns,
        ),
    )
    rows = []
    for profile in REGION_PROFILES:
        for urban, marginalised, count, children in strata:
            share = profile.urban_localities / urban_total if urban else profile.communes / commune_total
            if count <= 0 or share <= 0:
                continue
            rows.append(
                Community(
                    siruta=None,
                    population=0,
                    children=children * share,
                    urban=urban,
                    marginalisation=HIGH if marginalised else "",
                    region=profile.code,
                    count=count * share,
                )
            )
    return rows


def validate_regions(regions: Iterable[str]) -> tuple[str, ...]:
    """Return the chosen region codes, or raise naming the unknown ones; none chosen means the default."""
    chosen = tuple(dict.fromkeys(code.strip().upper() for code in regions if code.strip()))
    unknown = [code for code in chosen if code not in REGION_CODES]
    if unknown:
        raise DomainValidationError(
            regions=_("Unknown development region: %(codes)s. Use one of %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(REGION_CODES)}
        )
    return chosen or DEFAULT_SCENARIO_3_REGIONS


def select_communities(
    scenario: Scenario, communities: Iterable[Community], regions: Sequence[str] = DEFAULT_SCENARIO_3_REGIONS
) -> list[Community]:
    """Return the communities a scenario covers."""
    chosen = set(regions)
    rules = {
        Scenario.HIGHLY_MARGINALISED_RURAL: lambda c: not c.urban and c.highly_marginalised,
        Scenario.RURAL: lambda c: not c.urban,
        Scenario.REGIONS: lambda c: c.region in chosen,
        Scenario.ALL: lambda c: True,
        Scenario.HIGHLY_MARGINALISED: lambda c: c.highly_marginalised,
    }
    rule = rules[scenario]
    return [community for community in communities if rule(community)]


def counties_covered(communities: Sequence[Community]) -> float:
    """Return how many counties have at least one covered community (estimated by region for aggregates)."""
    named = {c.county for c in communities if c.county is not None and c.count > 0}
    by_region: dict[str, tuple[bool, bool]] = {}
    for community in communities:
        if community.county is None and community.count > 0:
            rural, urban = by_region.get(community.region, (False, False))
            by_region[community.region] = (rural or not community.urban, urban or community.urban)
    profiles = {profile.code: profile for profile in REGION_PROFILES}
    estimated = 0
    for code, (_rural, urban) in by_region.items():
        profile = profiles.get(code)
        if profile is not None:
            # Every county has towns; Bucharest has no communes.
            estimated += profile.counties if urban else profile.counties_with_communes
    return len(named) + estimated


def rollout_order(communities: Sequence[Community]) -> list[Community]:
    """Order communities for a progressive roll-out: the most marginalised first, then the largest."""
    return sorted(
        communities,
        key=lambda c: (
            MARGINALISATION_PRIORITY.get(c.marginalisation, 4),
            c.urban,
            -c.children / max(c.count, 1e-9),
        ),
    )
