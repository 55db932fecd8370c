"""The factories other apps' tests rely on."""

import pytest

from mps.geography.models import LocalityKind
from mps.geography.tests.factories import LocalityFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_locality_factory_makes_a_commune_of_bacau_with_an_unused_siruta_code() -> None:
    first, second = LocalityFactory.create(), LocalityFactory.create()

    assert first.county_id == "BC"
    assert first.kind == LocalityKind.COMMUNE
    assert (first.population, first.children) == (3000, 700)
    assert first.siruta >= 900_000
    assert first.siruta != second.siruta


def test_village_factory_makes_its_locality() -> None:
    village = VillageFactory.create()

    assert village.locality.county_id == "BC"
    assert village.locality.villages.get() == village


def test_villages_can_share_one_locality() -> None:
    locality = LocalityFactory.create()

    VillageFactory.create_batch(3, locality=locality)

    assert locality.villages.count() == 3
