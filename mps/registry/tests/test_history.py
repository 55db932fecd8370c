"""The household page's history reads as people write: labels, names and dates, never keys and ids."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mps.accounts.tests.factories import worker_of
from mps.geography.tests.factories import LocalityFactory, VillageFactory
from mps.registry import services
from mps.registry.models import Relation

pytestmark = pytest.mark.django_db


def test_history_shows_labels_names_and_romanian_dates(client):
    locality = LocalityFactory.create()
    village = VillageFactory.create(locality=locality, name="Pădureni")
    worker = worker_of(locality)
    household = services.household_create(
        actor=worker, locality=locality, address="Str. Școlii nr. 4", village=village
    )
    mother = services.member_add(
        actor=worker,
        household=household,
        first_name="Maria",
        last_name="Țurcanu",
        sex="F",
        birth_date=dt.date(1990, 3, 2),
        relation=Relation.HEAD,
        start_date=dt.date(2020, 1, 1),
    ).person
    services.member_add(
        actor=worker, household=household, first_name="Ana", last_name="Țurcanu", sex="F",
        birth_date=dt.date(2015, 6, 9), relation=Relation.CHILD, mother=mother, start_date=dt.date(2020, 1, 1),
    )  # fmt: skip
    client.force_login(worker)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("registry:household_detail", args=[household.id])).content.decode()
    history = page[page.index("<h2>Istoric</h2>") :]
    text = " ".join(re.sub(r"<[^>]+>", " ", history).split())

    assert "Prenume : — → Ana" in text
    assert "Mama : — → Maria Țurcanu" in text
    assert "Sat : — → Pădureni" in text
    assert "09.06.2015" in text
    assert "first_name" not in text
    assert str(mother.id) not in text
    assert "Relația cu capul gospodăriei : — → copil" in text
    assert "Gospodărie : — → Str. Școlii nr. 4" in text
    assert str(household.id) not in text
    # Names come in one query per kind of record, not one per line.
    assert len(queries) < 40
