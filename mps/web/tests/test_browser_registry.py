"""A social worker on a tablet: logs in in Romanian, finds her households, cannot reach another locality's."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_social_worker_sees_own_households_and_404_elsewhere(live_server, page: Page) -> None:
    home = LocalityFactory(name="Nicolae Bălcescu")
    other = LocalityFactory(name="Măgura")
    worker = worker_of(home, username="asistent.test", first_name="Elena", last_name="Munteanu")
    own = HouseholdFactory(locality=home, address="Str. Școlii nr. 7")
    MembershipFactory(
        household=own,
        person=PersonFactory(first_name="Ștefan", last_name="Țăranu", birth_date=dt.date(1979, 2, 3)),
    )
    foreign = HouseholdFactory.create(locality=other, address="Str. Morii nr. 1")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Autentificare")).to_be_visible()
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    expect(page.get_by_role("heading", name="Bine ați venit, Elena Munteanu")).to_be_visible()

    page.get_by_role("link", name="Gospodării").first.click()
    expect(page.get_by_role("link", name="Str. Școlii nr. 7")).to_be_visible()
    expect(page.get_by_text("Str. Morii nr. 1")).to_have_count(0)

    page.get_by_label("Căutare").fill("stefan taranu")
    page.get_by_role("button", name="Caută").click()
    page.get_by_role("link", name="Str. Școlii nr. 7").click()
    expect(page.get_by_role("heading", name="Str. Școlii nr. 7")).to_be_visible()
    expect(page.locator("#members")).to_contain_text("Ștefan Țăranu")
    expect(page.locator("#members")).to_contain_text("cap al gospodăriei")

    response = page.goto(f"{live_server.url}/gospodarii/{foreign.id}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Pagina nu a fost găsită")).to_be_visible()
