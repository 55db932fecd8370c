"""A social worker on a tablet runs a high-risk family's case: plan, home visit, referral, printed agreement."""

import os

import pytest
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD
from mps.cases.models import CaseStatus, ReferralStatus, ServiceDelivery
from mps.cases.tests.factories import builders_locality, record, team_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MPS_SCREENSHOTS", "/tmp")  # noqa: S108 (screenshots to look at, not secrets)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/cases-{name}.png", full_page=True)


def test_a_social_worker_runs_a_high_risk_case_from_the_tablet(live_server, page: Page) -> None:
    team = team_of(builders_locality(name="Pâncești"))
    worker = team["social_worker"]
    assessment = record(
        worker,
        {
            "members[2].protection.neglect_signs": True,
            "members[2].health.family_doctor": False,
            "household.housing.heating": False,
        },
    )
    assert assessment.risk_level == "high"
    case = assessment.household.case

    page.goto(f"{live_server.url}/cont/autentificare/")
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()

    page.goto(f"{live_server.url}/cazuri/{case.household_id}/")
    expect(page.get_by_role("alert")).to_contain_text("Trimitere urgentă de făcut")
    expect(page.locator("h1")).to_contain_text("risc ridicat")
    _shot(page, "1-case")

    page.get_by_role("link", name="Revizuiți și acceptați planul").click()
    expect(page.get_by_role("heading", name="Planul de servicii")).to_be_visible()
    _shot(page, "2-plan")
    page.get_by_role("button", name="Acceptă planul").click()
    expect(page.get_by_text("Planul a fost salvat")).to_be_visible()

    form = page.locator("form.quick")
    form.get_by_label("Serviciu").select_option(
        label="S-FA-04 · Vizită la domiciliu pentru evaluarea siguranței copilului"
    )
    form.get_by_label("Pentru").select_option(label="Andrei Popescu (02.05.2014)")
    form.get_by_label("Unde").select_option("home_visit")
    form.get_by_label("Durata (minute)").fill("50")
    form.get_by_label("Notă").fill("Copilul este îngrijit; mama a acceptat sprijinul.")
    form.get_by_role("button", name="Înregistrează serviciul").click()
    expect(page.locator("#deliveries tbody tr.fresh")).to_contain_text("Vizită la domiciliu pentru evaluarea")

    referral_row = page.locator("#referrals ~ div table tbody tr").first
    referral_row.get_by_role("button", name="Marchează ca trimisă").click()
    expect(page.get_by_text("Starea trimiterii a fost schimbată.")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_role("link", name="Înregistrează acordul familiei").click()
    page.get_by_role("button", name="Înregistrează acordul").click()
    expect(page.get_by_text("Acordul familiei a fost înregistrat")).to_be_visible()
    _shot(page, "3-after")

    link = page.get_by_role("link", name="Tipărește acordul")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert case.referrals.get(urgent=True).status == ReferralStatus.SENT
    assert ServiceDelivery.objects.filter(case=case, place="home_visit", duration_minutes=50).exists()

    page.goto(f"{live_server.url}/cazuri/ziua-mea/")
    expect(page.get_by_role("heading", name="Ziua mea")).to_be_visible()
    _shot(page, "4-my-day")
