"""Romanian alphabetical order: the same from PostgreSQL's ICU collation, SQLite's registered one and Python."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.core.collation import ROMANIAN, romanian_key

pytestmark = pytest.mark.django_db

NAMES = [
    "Petrești",
    "Pâncești",
    "Pădurii",
    "Pacea",
    "Ștefănești",
    "Sărata",
    "Sascut",
    "Tătărăști",
    "Țibucani",
    "Izvoru Berheciului",
    "Îndreptarea",
    "Érd",
    "Ecaterina",
    "pâine",
    "Pâine",
    "Ana Maria",
    "Ana-Maria",
    "Anamaria",
    "Zemeș",
]
ROMANIAN_ORDER = [
    "Ana Maria",
    "Ana-Maria",
    "Anamaria",
    "Ecaterina",
    "Érd",
    "Izvoru Berheciului",
    "Îndreptarea",
    "Pacea",
    "Pădurii",
    "pâine",
    "Pâine",
    "Pâncești",
    "Petrești",
    "Sascut",
    "Sărata",
    "Ștefănești",
    "Tătărăști",
    "Țibucani",
    "Zemeș",
]


def _database_order(texts: list[str]) -> list[str]:
    """Return the texts as the database sorts them with the Romanian collation."""
    values = ", ".join(["(%s)"] * len(texts))
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT column1 FROM (VALUES {values}) AS v ORDER BY column1 COLLATE "{ROMANIAN}"',  # noqa: S608
            texts,
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_database_sorts_village_names_as_romanian_does():
    assert _database_order(NAMES) == ROMANIAN_ORDER


def test_python_sorts_village_names_as_romanian_does():
    assert sorted(NAMES, key=romanian_key) == ROMANIAN_ORDER


def test_cedilla_letters_sort_as_the_comma_below_ones():
    assert sorted(["Ştefan", "Sorin", "Ţuţora", "Tudor"], key=romanian_key) == [
        "Sorin",
        "Ştefan",
        "Tudor",
        "Ţuţora",
    ]


ROMANIAN_TEXT = st.text(alphabet="aăâbcdeéfiîmnoösștțuzAĂÂEÉIÎOÖSȘTȚZ -", min_size=0, max_size=8)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROMANIAN_TEXT, min_size=2, max_size=8, unique=True))
def test_python_and_the_database_agree_on_any_names(texts):
    assert sorted(texts, key=romanian_key) == _database_order(texts)
