"""Rows written in bulk: a refusal by the database is Django's error, whatever the database."""

import pytest
from django.db import IntegrityError, transaction

from mps.core.bulk import NewRows, insert_rows
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household

pytestmark = pytest.mark.django_db


def test_a_refused_bulk_write_raises_djangos_integrity_error():
    locality = LocalityFactory.create()
    rows = NewRows(Household)
    first = rows.add(locality_id=locality.siruta, address="Strada Mare 1", search_text="strada mare 1")
    rows.add(
        id=first["id"], locality_id=locality.siruta, address="Strada Mare 2", search_text="strada mare 2"
    )

    # Callers fall back line by line on IntegrityError and DatabaseError: psycopg's own errors would escape.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Household, rows.rows)

    assert not Household.objects.exists()
