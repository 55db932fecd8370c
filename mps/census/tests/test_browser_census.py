"""A social worker on a tablet records a visit from the campaign page and sees the row change in place."""

import datetime as dt
import os

import pytest
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.census import services
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recording_a_visit_updates_the_row_in_place(live_server, page: Page) -> None:
    campaign = CensusCampaignFactory.create(locality=LocalityFactory.create(name="Pâncești"))
    worker = worker_of(campaign.locality, username="asistent.census", first_name="Ana", last_name="Rusu")
    entry = CensusEntryFactory.create(
        campaign=campaign,
        household=HouseholdFactory.create(locality=campaign.locality, address="Str. Gării 2"),
    )
    visited = CensusEntryFactory.create(campaign=campaign)
    services.visit_record(actor=worker, entry=visited, outcome="nobody_home", visited_on=dt.date(2026, 3, 2))

    page.goto(f"{live_server.url}/cont/autentificare/")
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    page.goto(f"{live_server.url}/recensamant/{campaign.locality_id}/T0/")
    expect(page.get_by_role("heading", name="Recensământ T0, Pâncești")).to_be_visible()

    row = page.locator(f"#entry-{entry.id}")
    row.get_by_label("Rezultat").select_option("refused")
    row.get_by_role("button", name="Înregistrează vizita").click()
    expect(page.locator(f"#entry-{entry.id} .badge")).to_have_text("refuz")
    if os.environ.get("MPS_SCREENSHOTS"):
        page.screenshot(path=os.environ["MPS_SCREENSHOTS"] + "/census.png", full_page=True)
