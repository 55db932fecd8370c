"""The password change page: the product's own layout, and Romanian written with its diacritics."""

import pytest
from django.test import Client
from django.urls import reverse

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db

# Django's own Romanian catalogue writes these without diacritics or with cedillas; none may reach the page.
BAD_ROMANIAN = (
    "sa fie",
    "de doua ori",
    "Confirmarea parolă nouă",
    "parola precedentă",
    "atât de comună. ",
    "doar cu numere",
    "Nu este recomandabil",
    "ţ",
    "ş",
    "Ţ",
    "Ş",
    "Parolă schimbată cu succes",
    "Administrare",
)


@pytest.fixture
def client_of_a_worker() -> Client:
    client = Client()
    client.force_login(worker_of(LocalityFactory.create(), username="ana.pop"))
    return client


def assert_correct_romanian(page: str) -> None:
    for bad in BAD_ROMANIAN:
        assert bad not in page, bad


def test_the_page_has_the_products_layout_and_correct_romanian(client_of_a_worker):
    page = client_of_a_worker.get(reverse("password_change")).content.decode()
    assert 'class="brand"' in page
    assert "Pachetul Minim de Servicii" in page
    assert "admin/css" not in page
    assert "Schimbă parola" in page
    assert "Parola actuală" in page
    assert "Parola nouă" in page
    assert "Parola nouă, încă o dată" in page
    assert "Parola trebuie să aibă cel puțin 10 caractere." in page
    assert_correct_romanian(page)


def _change(client, old: str, new: str, again: str | None = None) -> str:
    """Post the password form and return the page it answers with."""
    response = client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new if again is None else again},
    )
    return response.content.decode() if response.status_code == 200 else response["Location"]


def test_a_mismatched_new_password_names_the_field_in_romanian(client_of_a_worker):
    page = _change(client_of_a_worker, TEST_PASSWORD, "Livada-Pâncești-7", again="Livada-Pancesti-7")
    assert "Parola nouă, încă o dată" in page
    assert "Cele două parole noi nu sunt la fel." in page
    assert_correct_romanian(page)


def test_weak_and_wrong_passwords_are_refused_in_correct_romanian(client_of_a_worker):
    page = _change(client_of_a_worker, "nu-e-a-mea", "12345")
    assert "Parola actuală nu este cea corectă. Introduceți-o din nou." in page
    assert_correct_romanian(page)
    page = _change(client_of_a_worker, TEST_PASSWORD, "1234567890")
    assert "Această parolă este prea des întâlnită." in page
    assert "Această parolă conține doar cifre." in page
    assert_correct_romanian(page)


def test_a_changed_password_ends_on_the_done_page_in_correct_romanian(client_of_a_worker):
    response = client_of_a_worker.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Livada-Pâncești-7",
            "new_password2": "Livada-Pâncești-7",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Parola dumneavoastră a fost schimbată." in page
    assert "Pachetul Minim de Servicii" in page
    assert_correct_romanian(page)
