"""A family moves, in the browser: its team asks for the transfer, the new locality's coordinator accepts it with
the default case manager, the new social worker opens the household, and the old team no longer can."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mps.accounts.models import Role
from mps.accounts.tests.factories import worker_of
from mps.cases.tests.factories import CaseFactory
from mps.geography.models import County
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import MembershipFactory, PersonFactory
from mps.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_family_is_transferred_from_request_to_acceptance(live_server, page: Page) -> None:
    sending = LocalityFactory.create(name="Pâncești", county=County.objects.get(code="SV"))
    receiving = LocalityFactory.create(name="Răcăciuni")
    old_worker = worker_of(sending, username="ana.ionescu", first_name="Ana", last_name="Ionescu")
    worker_of(
        receiving, role=Role.LOCAL_COORDINATOR, username="elena.sandu", first_name="Elena", last_name="Sandu"
    )
    new_worker = worker_of(receiving, username="ion.lupu", first_name="Ion", last_name="Lupu")
    case = CaseFactory.create(household__locality=sending, household__address="Str. Morii nr. 4")
    household = case.household
    MembershipFactory.create(
        household=household, person=PersonFactory.create(first_name="Maria", last_name="Rusu")
    )
    household_url = f"{live_server.url}/gospodarii/{household.id}/"
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    log_in(page, live_server.url, old_worker.username)
    page.goto(household_url)
    page.get_by_role("link", name="Transferă gospodăria în altă localitate").click()
    expect(page.get_by_role("heading", name="Transferă gospodăria în altă localitate")).to_be_visible()
    page.get_by_label("Județ").select_option(label="Bacău")
    # The locality list follows the county (HTMX swaps it in).
    page.get_by_label("Noua localitate").select_option(label="Răcăciuni (BC)")
    page.get_by_label("Noua adresă").fill("Str. Gării nr. 12")
    page.get_by_label("Data mutării").fill(yesterday)
    page.get_by_label("Motiv").fill("S-au mutat la bunici.")
    page.get_by_role("button", name="Cereți transferul").click()
    expect(page.get_by_text("Transferul a fost cerut.")).to_be_visible()
    transfer_url = page.url
    page.goto(household_url)
    expect(page.locator("#pending-transfer")).to_contain_text("Răcăciuni")

    log_in(page, live_server.url, "elena.sandu")
    page.get_by_role("link", name="Transferuri").click()
    expect(page.locator("#transfers")).to_contain_text("Pâncești")
    page.locator("#transfers a").first.click()
    expect(page).to_have_url(transfer_url)
    expect(page.locator("#family")).to_contain_text("Maria Rusu")
    expect(page.get_by_label("Noul manager de caz")).to_have_value(str(new_worker.id))
    page.get_by_role("button", name="Acceptați transferul").click()
    expect(page.get_by_text("Transferul a fost acceptat")).to_be_visible()

    log_in(page, live_server.url, new_worker.username)
    page.goto(transfer_url)
    page.get_by_role("link", name="Deschideți gospodăria").click()
    expect(page.get_by_role("heading", name="Str. Gării nr. 12")).to_be_visible()
    expect(page.get_by_text("Răcăciuni, Bacău")).to_be_visible()

    log_in(page, live_server.url, old_worker.username)
    response = page.goto(household_url)
    assert response is not None
    assert response.status == 404
    page.goto(transfer_url)
    expect(page.get_by_role("link", name="Deschideți gospodăria")).to_have_count(0)
