"""Who sees what: every page of a household answers 404 outside the user's localities."""

import pytest
from django.test import Client
from django.urls import reverse

from mps.access.policy import can_edit_cases, case_localities
from mps.accounts.models import Role
from mps.accounts.tests.factories import TEST_PASSWORD, county_supervisor_of, national_monitor, worker_of
from mps.geography.models import County
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_localities_and_a_stranger():
    home = LocalityFactory()
    other = LocalityFactory()
    elsewhere = LocalityFactory(county=County.objects.get(code="NT"))
    households = {
        "home": MembershipFactory(household=HouseholdFactory(locality=home)).household,
        "other": MembershipFactory(household=HouseholdFactory(locality=other)).household,
        "elsewhere": MembershipFactory(household=HouseholdFactory(locality=elsewhere)).household,
    }
    return home, other, elsewhere, households


def _household_pages(household, person_id):
    return [
        reverse("registry:household_detail", args=[household.id]),
        reverse("registry:household_edit", args=[household.id]),
        reverse("registry:member_add", args=[household.id]),
        reverse("registry:member_edit", args=[household.id, person_id]),
        reverse("registry:member_end", args=[household.id, person_id]),
    ]


def _client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_worker_gets_404_on_every_page_of_another_localitys_household(two_localities_and_a_stranger):
    home, _other, _elsewhere, households = two_localities_and_a_stranger
    client = _client_for(worker_of(home))
    foreign = households["other"]
    person_id = foreign.memberships.get().person_id
    for url in _household_pages(foreign, person_id):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"address": "x"}).status_code == 404, url


def test_worker_sees_own_households_pages(two_localities_and_a_stranger):
    home, _other, _elsewhere, households = two_localities_and_a_stranger
    client = _client_for(worker_of(home))
    own = households["home"]
    for url in _household_pages(own, own.memberships.get().person_id):
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("registry:household_list")).content.decode()
    assert own.address in listing
    assert households["other"].address not in listing


def test_a_missing_household_looks_the_same_as_a_foreign_one(two_localities_and_a_stranger):
    home, *_ = two_localities_and_a_stranger
    client = _client_for(worker_of(home))
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("registry:household_detail", args=[missing])).status_code == 404


def test_county_supervisor_reads_the_whole_county_and_nothing_outside(two_localities_and_a_stranger):
    _home, _other, _elsewhere, households = two_localities_and_a_stranger
    supervisor = county_supervisor_of("BC")
    client = _client_for(supervisor)
    assert client.get(reverse("registry:household_detail", args=[households["home"].id])).status_code == 200
    assert client.get(reverse("registry:household_detail", args=[households["other"].id])).status_code == 200
    assert (
        client.get(reverse("registry:household_detail", args=[households["elsewhere"].id])).status_code == 404
    )
    listing = client.get(reverse("registry:household_list")).content.decode()
    assert households["elsewhere"].address not in listing
    # Read-only: a supervisor cannot change cases.
    assert not can_edit_cases(supervisor)
    assert client.get(reverse("registry:household_edit", args=[households["home"].id])).status_code == 404


def test_national_monitor_sees_no_household_at_all(two_localities_and_a_stranger):
    *_, households = two_localities_and_a_stranger
    monitor = national_monitor()
    client = _client_for(monitor)
    assert not case_localities(monitor).exists()
    for household in households.values():
        assert client.get(reverse("registry:household_detail", args=[household.id])).status_code == 404
    listing = client.get(reverse("registry:household_list")).content.decode()
    for household in households.values():
        assert household.address not in listing


def test_user_without_scope_sees_nothing():
    LocalityFactory()
    lonely = worker_of()
    assert not case_localities(lonely).exists()


def test_anonymous_visitor_is_sent_to_login():
    response = Client().get(reverse("registry:household_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_nurse_and_coordinator_share_the_workers_view(two_localities_and_a_stranger):
    home, _other, _elsewhere, households = two_localities_and_a_stranger
    for role in (Role.COMMUNITY_NURSE, Role.LOCAL_COORDINATOR, Role.SCHOOL_MEDIATOR):
        client = _client_for(worker_of(home, role=role))
        assert (
            client.get(reverse("registry:household_detail", args=[households["home"].id])).status_code == 200
        )
        assert (
            client.get(reverse("registry:household_detail", args=[households["other"].id])).status_code == 404
        )
