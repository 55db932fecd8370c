"""Places are listed in Romanian alphabetical order on every database, as people look them up."""

import pytest

from mps.geography.models import Locality, Village
from mps.geography.tests.factories import LocalityFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_localities_and_villages_are_listed_in_romanian_order():
    names = ["Petrești", "Pâncești", "Pădurii", "Pacea", "Țibucani", "Tătărăști"]
    for name in names:
        LocalityFactory.create(name=name)
    commune = LocalityFactory.create(name="Sascut")
    for name in ["Ștefan cel Mare", "Schineni", "Sărata"]:
        VillageFactory.create(locality=commune, name=name)

    listed = list(Locality.objects.filter(name__in=names).values_list("name", flat=True))
    villages = list(Village.objects.filter(locality=commune).values_list("name", flat=True))

    assert listed == ["Pacea", "Pădurii", "Pâncești", "Petrești", "Tătărăști", "Țibucani"]
    assert villages == ["Sărata", "Schineni", "Ștefan cel Mare"]
