"""Every URL is Romanian; the old English paths answer a permanent redirect that keeps the rest of the path."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mps.accounts.tests.factories import worker_of
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

HOUSEHOLD = uuid.UUID("6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f")
PERSON = uuid.UUID("0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/accounts/login/", "/cont/autentificare/"),
        ("/accounts/password/", "/cont/parola/"),
        ("/accounts/password/done/", "/cont/parola/schimbata/"),
        ("/households/", "/gospodarii/"),
        ("/households/new/", "/gospodarii/noua/"),
        ("/households/duplicates/", "/gospodarii/duplicate/"),
        (f"/households/{HOUSEHOLD}/", f"/gospodarii/{HOUSEHOLD}/"),
        (f"/households/{HOUSEHOLD}/edit/", f"/gospodarii/{HOUSEHOLD}/editeaza/"),
        (f"/households/{HOUSEHOLD}/members/new/", f"/gospodarii/{HOUSEHOLD}/membri/nou/"),
        (
            f"/households/{HOUSEHOLD}/members/{PERSON}/edit/",
            f"/gospodarii/{HOUSEHOLD}/membri/{PERSON}/editeaza/",
        ),
        (
            f"/households/{HOUSEHOLD}/members/{PERSON}/end/",
            f"/gospodarii/{HOUSEHOLD}/membri/{PERSON}/incheie/",
        ),
    ],
)
def test_an_old_english_path_moved_permanently_to_its_romanian_name(old, new):
    client = Client()
    client.force_login(worker_of(LocalityFactory.create()))
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_the_query_string_survives_the_redirect():
    client = Client()
    client.force_login(worker_of(LocalityFactory.create()))
    response = client.get("/households/?q=Popescu&page=2")
    assert response.status_code == 301
    assert response["Location"] == "/gospodarii/?q=Popescu&page=2"


def test_an_old_bookmark_opens_the_household_after_the_redirect():
    locality = LocalityFactory.create()
    household = HouseholdFactory.create(locality=locality)
    client = Client()
    client.force_login(worker_of(locality))
    response = client.get(f"/households/{household.id}/", follow=True)
    assert response.redirect_chain == [(reverse("registry:household_detail", args=[household.id]), 301)]
    assert response.status_code == 200


def test_an_anonymous_visitor_of_the_old_login_page_reaches_the_new_one():
    response = Client().get("/accounts/login/?next=/cazuri/")
    assert response.status_code == 301
    assert response["Location"] == "/cont/autentificare/?next=/cazuri/"


def test_a_form_posted_to_an_old_path_keeps_its_method():
    client = Client()
    client.force_login(worker_of(LocalityFactory.create()))
    response = client.post("/accounts/logout/")
    assert response.status_code == 308
    assert response["Location"] == reverse("logout")


def test_the_login_setting_points_at_the_romanian_page():
    assert reverse(settings.LOGIN_URL) == "/cont/autentificare/"
    response = Client().get(reverse("registry:household_list"))
    assert response["Location"].startswith("/cont/autentificare/?next=")
