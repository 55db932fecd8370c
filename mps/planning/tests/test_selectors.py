"""The planner uses the platform's localities when loaded, and the national aggregates otherwise."""

import pytest

from mps.core.errors import DomainValidationError
from mps.geography.models import Locality
from mps.planning import selectors
from mps.planning.costing import SOURCE_AGGREGATES, SOURCE_LOCALITIES

pytestmark = pytest.mark.django_db


def _locality(siruta: int, county: str, kind: str, marginalisation: str, children: int) -> Locality:
    return Locality.objects.create(
        siruta=siruta,
        name=f"Loc {siruta}",
        county_id=county,
        kind=kind,
        marginalisation=marginalisation,
        population=children * 5,
        children=children,
    )


@pytest.fixture
def bacau():
    return [
        _locality(20297, "BC", "commune", "high", 900),
        _locality(20304, "BC", "commune", "low", 500),
        _locality(20019, "BC", "municipality", "medium", 30_000),
    ]


def test_a_partial_geography_falls_back_to_the_aggregates(bacau):
    [result] = selectors.scenario_results(scenarios=[4])

    assert result.source == SOURCE_AGGREGATES
    assert round(result.communities) == 3_181


def test_naming_a_county_plans_with_its_loaded_localities(bacau):
    results = selectors.scenario_results(scenarios=[1, 2, 4], counties=["BC"])

    assert all(r.source == SOURCE_LOCALITIES for r in results)
    assert [r.communities for r in results] == [1, 2, 3]
    everything = results[-1]
    assert everything.children == 31_400
    assert everything.counties == 1
    # 30,000 children in the municipality need 15 social workers at one per 2,000 children.
    assert everything.staff_by_role["social_worker"] == 1 + 1 + 15


def test_a_county_with_nothing_loaded_is_an_error(bacau):
    with pytest.raises(DomainValidationError):
        selectors.scenario_results(counties=["TM"])


def test_a_full_geography_is_used_directly(bacau, monkeypatch):
    monkeypatch.setattr(selectors, "FULL_GEOGRAPHY_MIN_LOCALITIES", 3)

    [result] = selectors.scenario_results(scenarios=[3], regions=["RO21"])

    assert result.source == SOURCE_LOCALITIES
    assert result.communities == 3


def test_the_whole_country_without_its_population_keeps_the_national_aggregates(bacau, monkeypatch):
    monkeypatch.setattr(selectors, "FULL_GEOGRAPHY_MIN_LOCALITIES", 3)
    Locality.objects.update(population=0, children=0)

    [result] = selectors.scenario_results(scenarios=[3], regions=["RO21"])

    assert result.source == SOURCE_AGGREGATES
