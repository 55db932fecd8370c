"""Factories for geography rows; other apps' tests build their localities and villages with these.

Call `LocalityFactory.create(...)` rather than `LocalityFactory(...)` where the type matters: factory_boy
types `create` as returning the model, while mypy sees a bare call as returning the factory.
"""

import factory

from mps.geography.models import County, Locality, LocalityKind, Village


class LocalityFactory(factory.django.DjangoModelFactory[Locality]):
    """A commune of Bacău county with a SIRUTA code no real locality uses (900000 and up)."""

    class Meta:
        model = Locality

    siruta = factory.Sequence(lambda n: 900_000 + n)
    name = factory.Sequence(lambda n: f"Comuna de test {n}")
    # Looked up, not created: counties are fixed facts loaded by migration 0002.
    county = factory.LazyFunction(lambda: County.objects.get(code="BC"))
    kind = LocalityKind.COMMUNE
    population = 3000
    children = 700


class VillageFactory(factory.django.DjangoModelFactory[Village]):
    """A village of a new test locality, without a SIRUTA code of its own."""

    class Meta:
        model = Village

    locality = factory.SubFactory(LocalityFactory)
    name = factory.Sequence(lambda n: f"Satul de test {n}")
    siruta = None
