"""The `any` lookup finds what `in` finds, with one parameter on PostgreSQL."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mps.geography.models import Locality
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household
from mps.registry.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_any_finds_what_in_finds():
    households = [HouseholdFactory.create() for _ in range(3)]
    wanted = [households[0].id, households[2].id, uuid.uuid4(), None]

    assert set(Household.objects.filter(id__any=wanted)) == set(Household.objects.filter(id__in=wanted))
    assert set(Household.objects.filter(id__any=wanted)) == {households[0], households[2]}
    assert not Household.objects.filter(id__any=[]).exists()
    # Through a foreign key, by column or by the related object.
    locality = households[1].locality
    assert list(Household.objects.filter(locality_id__any=[locality.siruta])) == [households[1]]
    assert list(Household.objects.filter(locality__any=[locality])) == [households[1]]


def test_any_on_numbers_and_text():
    locality = LocalityFactory.create(siruta=54975, name="Pâncești")

    assert list(Locality.objects.filter(siruta__any={54975, 1})) == [locality]
    assert list(Locality.objects.filter(name__any=["Pâncești"])) == [locality]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one array parameter is PostgreSQL's")
def test_a_thousand_keys_make_one_parameter():
    with CaptureQueriesContext(connection) as queries:
        list(Household.objects.filter(id__any=[uuid.uuid4() for _ in range(1000)]))
    sql = queries.captured_queries[0]["sql"]
    assert "= ANY(" in sql
    assert " IN (" not in sql
