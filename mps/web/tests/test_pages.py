"""The shell every user meets: Romanian login, English on request, sessions that expire."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mps.accounts.tests.factories import TEST_PASSWORD, national_monitor, worker_of
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Relation
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_login_page_speaks_romanian_by_default():
    page = Client().get(reverse("login")).content.decode()
    assert 'lang="ro"' in page
    assert "Autentificare" in page
    assert "Nume de utilizator" in page


def test_english_on_request():
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page
    assert "Log in" in page


def test_wrong_password_is_refused_in_romanian():
    worker_of(LocalityFactory.create(), username="ana")
    page = Client().post(reverse("login"), {"username": "ana", "password": "gresit"}).content.decode()
    assert "Introduceți" in page  # Django's Romanian "Please enter a correct username and password"


def test_sessions_expire_after_a_working_day_idle_but_live_while_used():
    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client = Client()
    client.force_login(national_monitor())
    client.get(reverse("home"))
    session = Session.objects.get()
    first_expiry = session.expire_date
    # A request soon after does not write the session again ...
    client.get(reverse("home"))
    assert Session.objects.get().expire_date == first_expiry
    # ... but one after the touch interval pushes the expiry forward.
    data = session.get_decoded()
    data["_touched"] -= 10 * 60
    session.session_data = Session.objects.encode(data)
    session.save()
    client.get(reverse("home"))
    assert Session.objects.get().expire_date > first_expiry


def test_home_for_a_worker_counts_her_households():
    locality = LocalityFactory.create(name="Pâncești")
    HouseholdFactory.create(locality=locality)
    client = Client()
    client.force_login(worker_of(locality))
    page = client.get(reverse("home")).content.decode()
    assert "1 gospodărie în localitățile dumneavoastră." in page
    assert "Pâncești" in page


def test_home_for_a_national_monitor_says_aggregates_only():
    client = Client()
    client.force_login(national_monitor())
    page = client.get(reverse("home")).content.decode()
    assert "Doar date agregate" in page
    assert reverse("registry:household_list") not in page


def test_household_form_errors_are_in_romanian_next_to_the_field():
    locality = LocalityFactory.create()
    client = Client()
    assert client.login(username=worker_of(locality, username="w").username, password=TEST_PASSWORD)
    response = client.post(
        reverse("registry:household_create"), {"locality": locality.siruta, "address": "", "latitude": "95"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Acest câmp este obligatoriu." in page
    assert "Asigurați-vă că această valoare este mai mică sau egală cu 90." in page


def test_household_list_has_a_fixed_number_of_queries(django_assert_max_num_queries):
    locality = LocalityFactory.create()
    worker = worker_of(locality)
    for _ in range(30):
        HouseholdFactory.create(locality=locality)
    client = Client()
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("registry:household_list")).status_code == 200


def test_a_search_shows_the_head_of_household_and_who_matched():
    locality = LocalityFactory.create()
    worker = worker_of(locality)
    household = HouseholdFactory.create(locality=locality, address="Str. Principală nr. 112")
    head = PersonFactory.create(first_name="Vasile", last_name="Roman")
    child = PersonFactory.create(first_name="Ilinca", last_name="Roman")
    MembershipFactory.create(household=household, person=head, relation=Relation.HEAD)
    MembershipFactory.create(household=household, person=child, relation=Relation.CHILD)
    client = Client()
    client.force_login(worker)
    page = client.get(reverse("registry:household_list"), {"q": "ilinca"}).content.decode()
    assert "Vasile Roman" in page
    assert 'Ilinca Roman <span class="muted">(copil)</span>' in page
    page = client.get(reverse("registry:household_list"), {"q": "Principala 112"}).content.decode()
    assert "Str. Principală nr. 112" in page
    assert "adresa" in page


def test_an_english_tablet_still_gets_romanian_until_the_user_switches():
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert "Autentificare" in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_logging_out_wipes_what_the_browser_kept():
    client = Client()
    client.force_login(national_monitor())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_one_menu_entry_is_marked_as_the_current_page():
    worker = worker_of(LocalityFactory.create())
    client = Client()
    assert client.login(username=worker.username, password=TEST_PASSWORD)
    page = client.get(reverse("cases:my_day")).content.decode()
    current = [line for line in page.splitlines() if 'aria-current="page"' in line and "<a " in line]
    assert len(current) == 1
    assert "Ziua mea" in current[0]
