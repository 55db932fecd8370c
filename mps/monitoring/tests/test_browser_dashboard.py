"""A ministry analyst opens the national dashboard, drills down to a locality and looks at its map."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD, county_supervisor_of, national_monitor
from mps.assessment.services import assessment_record
from mps.geography.tests.factories import LocalityFactory
from mps.monitoring.refresh import monitoring_refresh
from mps.monitoring.tests.data import SIRUTA, known_documents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _known_data_with_places() -> None:
    locality = LocalityFactory.create(siruta=SIRUTA, name="Valea Mare", latitude=46.5, longitude=26.9)
    for index, doc in enumerate(known_documents(locality.siruta)):
        house = int(doc["household"]["ref"][-2:])
        doc["household"]["location"] = {
            "lat": 46.5 + house * 0.004,
            "lon": 26.9 + (index % 3) * 0.003,
            "accuracy_m": 5,
        }
        assessment_record(actor=None, document=doc)
    LocalityFactory.create(siruta=SIRUTA + 1, name="Dealu Mic", latitude=46.35, longitude=26.7)
    monitoring_refresh(full=True)


def _log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/cont/autentificare/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()


def _shot(page: Page, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("MPS_SCREENSHOTS", tmp_path))
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_a_national_monitor_drills_down_to_a_locality_map(live_server, page: Page, tmp_path: Path) -> None:
    _known_data_with_places()
    monitor = national_monitor(username="analist.minister")
    _log_in(page, live_server, monitor.username)

    page.goto(f"{live_server.url}/monitorizare/")
    expect(page.locator("h1")).to_contain_text("România")
    expect(page.locator("canvas#chart-pyramid")).to_be_visible()
    _shot(page, tmp_path, "monitoring-country-dashboard.png")
    page.get_by_role("link", name="Nord-Est").first.click()
    page.get_by_role("link", name="Bacău").first.click()
    page.get_by_role("link", name="Valea Mare").first.click()
    expect(page.locator("h1")).to_contain_text("Valea Mare")
    # Four households: too few to show a national monitor.
    expect(page.locator(".headline .big").first).to_have_text("<5")
    page.locator("nav.tabs a").nth(2).click()
    expect(page.locator("#monitoring-map[data-ready=true]")).to_be_attached()
    expect(page.locator(".leaflet-interactive")).to_have_count(1)
    assert _shot(page, tmp_path, "monitoring-locality-map-monitor.png").exists()


def test_a_county_supervisor_sees_households_on_the_map(live_server, page: Page, tmp_path: Path) -> None:
    _known_data_with_places()
    supervisor = county_supervisor_of("BC", username="supervizor.bacau")
    _log_in(page, live_server, supervisor.username)

    page.goto(f"{live_server.url}/monitorizare/judet/BC/harta/?wave=T0")
    expect(page.locator("#monitoring-map[data-ready=true]")).to_be_attached()
    # Two localities as circles and the four households as points.
    expect(page.locator(".leaflet-interactive")).to_have_count(6)
    assert _shot(page, tmp_path, "monitoring-county-map-supervisor.png").exists()
