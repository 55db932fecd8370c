"""A worker records a day's visits with no network, reloads the app offline, and syncs when the network returns."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.assessment.models import Assessment
from mps.census.models import CensusVisit, EntryStatus, VisitOutcome
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Relation, Sex
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("MPS_SCREENSHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/field-{name}.png", full_page=True)


def _answer_every_visible_question(page: Page) -> None:
    """Answer what is still unanswered the way a healthy, ordinary family would (the form asks only what applies)."""
    page.evaluate(
        """() => {
          const form = document.getElementById("field-assessment");
          for (let round = 0; round < 4; round++) {
            form.querySelectorAll(".q:not([hidden])").forEach((q) => {
              const radios = q.querySelectorAll('input[type=radio]:not(:disabled)');
              if (radios.length && !Array.from(radios).some((r) => r.checked)) {
                const field = q.dataset.field;
                const yes = ["documents.birth_certificate", "health.family_doctor", "health.insured",
                             "housing.electricity", "housing.safe_water", "housing.indoor_toilet", "housing.heating",
                             "housing.legal_documents", "consent.given", "documents.identity_card"].includes(field);
                radios[yes ? 0 : 1].checked = true;
                radios[yes ? 0 : 1].dispatchEvent(new Event("change", { bubbles: true }));
              }
              const select = q.querySelector("select:not(:disabled)");
              if (select && !select.value && !select.dataset.memberSelect) {
                select.selectedIndex = 1;
                select.dispatchEvent(new Event("change", { bubbles: true }));
              }
            });
          }
        }"""
    )


def test_a_day_offline_survives_a_reload_and_syncs_when_the_network_returns(
    live_server, page: Page, context: BrowserContext
) -> None:
    today = timezone.localdate()
    locality = LocalityFactory.create(name="Pâncești")
    campaign = CensusCampaignFactory.create(locality=locality, starts_on=today - dt.timedelta(days=30))
    worker = worker_of(locality, username="asistent.teren", first_name="Ana", last_name="Rusu")
    away = CensusEntryFactory.create(
        campaign=campaign, household=HouseholdFactory.create(locality=locality, address="Str. Gării 2")
    )
    family_home = HouseholdFactory.create(locality=locality, address="Str. Școlii 7")
    entry = CensusEntryFactory.create(campaign=campaign, household=family_home)
    father = PersonFactory.create(first_name="Ion", last_name="Matei", birth_date=dt.date(1980, 5, 1))
    daughter = PersonFactory.create(
        first_name="Ioana", last_name="Matei", sex=Sex.FEMALE, birth_date=dt.date(2016, 9, 3), father=father
    )
    MembershipFactory.create(household=family_home, person=father, relation=Relation.HEAD)
    MembershipFactory.create(household=family_home, person=daughter, relation=Relation.CHILD)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 46.5386, "longitude": 26.9067, "accuracy": 12})

    # One online login, then the tablet is prepared: a device token, the key, the first pull.
    page.goto(f"{live_server.url}/cont/autentificare/")
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    page.goto(f"{live_server.url}/teren/")
    page.locator("#password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Pregătește tableta").click()
    expect(page.locator("#household-list li")).to_have_count(2, timeout=20000)
    # The service worker has kept the app for offline use and controls the page.
    # Polled from the test rather than with wait_for_function, whose predicate runs through eval, which the
    # platform's Content-Security-Policy refuses, as it should.
    for _ in range(300):
        if page.evaluate("() => navigator.serviceWorker.controller !== null"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the service worker never took control of the page")
    _shot(page, "1-online")

    context.set_offline(True)
    expect(page.locator("#network")).to_have_text("Fără rețea")

    # Nobody at home at the first house.
    page.locator(f'#household-list li[data-ref="{away.household_id}"] a').click()
    page.locator("#record-visit").click()
    page.locator("#visit-outcome").select_option("nobody_home")
    page.get_by_role("button", name="Salvează vizita").click()
    expect(page.locator("#pending-count")).to_have_attribute("data-count", "1")

    # The family at the second house is assessed: the whole form, with the tablet's position.
    page.locator("a.brand").click()
    page.locator(f'#household-list li[data-ref="{family_home.id}"] a').click()
    page.locator("#new-assessment").click()
    expect(page.locator("#field-assessment")).to_be_visible()
    page.locator('[name="household.housing.dwelling"]').select_option("house")
    page.locator('[name="household.housing.rooms"]').fill("2")
    page.locator('[name="household.income.monthly_net_income_ron"]').fill("450")
    page.locator(f'[name="m.{father.id}.education.status"]').select_option("finished")
    page.locator(f'[name="m.{father.id}.education.highest_grade"]').fill("10")
    page.locator(f'[name="m.{father.id}.employment.status"]').select_option("employed_informal")
    page.locator(f'[name="m.{daughter.id}.education.status"]').select_option("school")
    page.locator(f'[name="m.{daughter.id}.education.highest_grade"]').fill("2")
    page.locator(f'[name="m.{daughter.id}.education.unexcused_absences_30d"]').fill("0")
    _answer_every_visible_question(page)
    expect(page.locator('[name="household.location.lat"]')).to_have_value("46.538600")
    _shot(page, "2-form")
    page.locator("#save-assessment").click()
    expect(page.locator("#pending-count")).to_have_attribute("data-count", "2")
    _shot(page, "3-offline-pending")

    # A reload with no network: the service worker opens the app, the password unlocks the outbox.
    page.reload()
    page.locator("#password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Deblochează").click()
    expect(page.locator("#pending-count")).to_have_attribute("data-count", "2")
    _shot(page, "4-reloaded-offline")
    assert not Assessment.objects.exists()

    # The network returns: the app syncs by itself.
    context.set_offline(False)
    expect(page.locator("#pending-count")).to_have_attribute("data-count", "0", timeout=30000)
    _shot(page, "5-synced")

    assessment = Assessment.objects.get(household=family_home)
    assert assessment.source == "sync"
    assert assessment.assessed_by == worker
    assert assessment.findings.exists(), "450 RON a month for two people is below the poverty line"
    family_home.refresh_from_db()
    assert family_home.latitude == pytest.approx(46.5386)
    visit = CensusVisit.objects.get(entry=away)
    assert visit.outcome == VisitOutcome.NOBODY_HOME
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ASSESSED


def test_a_household_transferred_away_leaves_the_tablet_and_its_unsent_visit_is_kept_for_the_new_team(
    live_server, page: Page, context: BrowserContext
) -> None:
    from mps.accounts.models import Role
    from mps.moves import services as moves
    from mps.sync.models import Conflict, ConflictKind

    today = timezone.localdate()
    locality = LocalityFactory.create(name="Pâncești")
    new_locality = LocalityFactory.create(name="Răcăciuni")
    campaign = CensusCampaignFactory.create(locality=locality, starts_on=today - dt.timedelta(days=30))
    worker = worker_of(locality, username="asistent.teren", first_name="Ana", last_name="Rusu")
    coordinator = worker_of(new_locality, role=Role.LOCAL_COORDINATOR, username="coord.racaciuni")
    leaving = HouseholdFactory.create(locality=locality, address="Str. Gării 2")
    CensusEntryFactory.create(campaign=campaign, household=leaving)
    staying = HouseholdFactory.create(locality=locality, address="Str. Școlii 7")

    page.goto(f"{live_server.url}/cont/autentificare/")
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    page.goto(f"{live_server.url}/teren/")
    page.locator("#password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Pregătește tableta").click()
    expect(page.locator("#household-list li")).to_have_count(2, timeout=20000)

    # The worker records a visit the tablet has not sent yet when the family's move is accepted.
    context.set_offline(True)
    expect(page.locator("#network")).to_have_text("Fără rețea")
    page.locator(f'#household-list li[data-ref="{leaving.id}"] a').click()
    page.locator("#record-visit").click()
    page.locator("#visit-outcome").select_option("moved_or_not_found")
    page.get_by_role("button", name="Salvează vizita").click()
    expect(page.locator("#pending-count")).to_have_attribute("data-count", "1")
    transfer = moves.household_transfer_request(
        actor=worker, household=leaving, to_locality=new_locality, moved_on=today, to_address="Str. Morii 4"
    )
    moves.household_transfer_accept(actor=coordinator, transfer=transfer)

    # The network returns: the app syncs by itself, sending the visit first, then pulling.
    context.set_offline(False)
    gone = page.locator(f'#gone-list li[data-ref="{leaving.id}"]')
    expect(gone).to_contain_text("Transferată în altă localitate", timeout=20000)
    expect(page.locator("#household-list li")).to_have_count(1)
    expect(page.locator(f'#household-list li[data-ref="{staying.id}"]')).to_be_visible()
    expect(gone).to_contain_text("Str. Gării 2")
    _shot(page, "6-transferred-away")

    page.locator("#rejected-count").click()
    expect(page.locator("#outbox li.rejected")).to_contain_text("a fost transferată în Răcăciuni")
    expect(page.locator("#outbox li.rejected a.button")).to_have_count(0)
    conflict = Conflict.objects.get(kind=ConflictKind.MOVED_AWAY)
    assert conflict.household_id == leaving.id
    assert conflict.payload["outcome"] == "moved_or_not_found"

    page.locator("a.brand").click()
    gone.get_by_role("button", name="Am înțeles").click()
    expect(page.locator("#gone-list")).to_have_count(0)
