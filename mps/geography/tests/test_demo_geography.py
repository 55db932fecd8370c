"""load_demo_geography: the demo county loads, and loads again without duplicates."""

import csv

import pytest

from mps.geography.models import Locality, LocalityKind, Marginalisation, Village
from mps.geography.services import DEMO_LOCALITIES_CSV, DEMO_VILLAGES_CSV, load_demo_geography

pytestmark = pytest.mark.django_db


def test_loads_the_demo_localities_of_bacau_with_their_villages() -> None:
    localities = load_demo_geography()

    with DEMO_LOCALITIES_CSV.open(encoding="utf-8") as handle:
        expected = {int(row["siruta"]) for row in csv.DictReader(handle)}
    with DEMO_VILLAGES_CSV.open(encoding="utf-8") as handle:
        village_count = sum(1 for _row in csv.DictReader(handle))
    assert {locality.siruta for locality in localities} == expected
    assert 12 <= len(localities) <= 14
    assert all(locality.county_id == "BC" for locality in localities)
    assert Village.objects.count() == village_count
    bacau = Locality.objects.get(siruta=20297)
    assert (bacau.name, bacau.kind, bacau.marginalisation) == ("Bacău", LocalityKind.MUNICIPALITY, "none")
    assert bacau.latitude == pytest.approx(46.567, abs=0.05)
    assert bacau.longitude == pytest.approx(26.917, abs=0.05)
    assert set(Locality.objects.get(siruta=24837).villages.values_list("name", flat=True)) >= {
        "Răchitoasa",
        "Fundătura Răchitoasa",
        "Oprișești",
    }


def test_loading_twice_creates_no_duplicates() -> None:
    first = load_demo_geography()
    villages = Village.objects.count()

    second = load_demo_geography()

    assert [locality.siruta for locality in second] == [locality.siruta for locality in first]
    assert Locality.objects.count() == len(first)
    assert Village.objects.count() == villages


def test_demo_figures_are_plausible() -> None:
    localities = load_demo_geography()

    for locality in localities:
        assert 0.18 <= locality.children / locality.population <= 0.26, locality
        assert 45.9 <= (locality.latitude or 0) <= 46.8, locality
        assert 25.9 <= (locality.longitude or 0) <= 27.5, locality
        assert locality.villages.exists(), locality
    degrees = {locality.marginalisation for locality in localities}
    assert {Marginalisation.NONE, Marginalisation.HIGH} <= degrees
    assert sum(1 for locality in localities if locality.kind == LocalityKind.COMMUNE) > len(localities) / 2


def test_every_demo_village_carries_its_siruta_code() -> None:
    load_demo_geography()

    assert not Village.objects.filter(siruta__isnull=True).exists()
