"""The regions and counties that migration 0002 loads."""

import pytest

from mps.geography.models import County, Region

pytestmark = pytest.mark.django_db


def test_there_are_eight_regions_and_forty_two_counties() -> None:
    assert Region.objects.count() == 8
    assert County.objects.count() == 42


@pytest.mark.parametrize(
    ("code", "name", "siruta", "region"),
    [
        ("BC", "Bacău", 4, "RO21"),
        ("B", "București", 40, "RO32"),
        ("CL", "Călărași", 51, "RO31"),
        ("GR", "Giurgiu", 52, "RO31"),
        ("BN", "Bistrița-Năsăud", 6, "RO11"),
        ("DB", "Dâmbovița", 15, "RO31"),
    ],
)
def test_counties_have_their_official_codes_and_names(code: str, name: str, siruta: int, region: str) -> None:
    county = County.objects.get(code=code)

    assert (county.name, county.siruta, county.region_id) == (name, siruta, region)


def test_region_names_are_written_with_diacritics() -> None:
    assert Region.objects.get(code="RO32").name == "București-Ilfov"
    assert set(Region.objects.values_list("code", flat=True)) == {
        "RO11",
        "RO12",
        "RO21",
        "RO22",
        "RO31",
        "RO32",
        "RO41",
        "RO42",
    }


def test_county_siruta_codes_are_unique() -> None:
    assert County.objects.values("siruta").distinct().count() == 42


def test_the_bucharest_ilfov_region_holds_bucharest_and_ilfov() -> None:
    assert set(County.objects.filter(region_id="RO32").values_list("code", flat=True)) == {"B", "IF"}
