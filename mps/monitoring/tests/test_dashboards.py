"""Dashboards at every level: drill-down, figures from the aggregates, scope and a bounded number of queries."""

import pytest
from django.urls import reverse

from mps.accounts.tests.factories import TEST_PASSWORD, UserFactory, worker_of
from mps.geography.tests.factories import LocalityFactory
from mps.monitoring.refresh import monitoring_refresh

pytestmark = pytest.mark.django_db

COUNTRY = "/monitorizare/tara/RO/"
REGION = "/monitorizare/regiune/RO21/"
COUNTY = "/monitorizare/judet/BC/"


def locality_url(locality):
    return f"/monitorizare/localitate/{locality.siruta}/"


def _login(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)


def test_a_national_monitor_drills_down_from_the_country_to_a_locality(client, monitor, refreshed):
    _login(client, monitor)

    response = client.get("/monitorizare/")
    assert response.status_code == 302
    assert response["Location"] == COUNTRY
    for url, link in ((COUNTRY, REGION), (REGION, COUNTY), (COUNTY, locality_url(refreshed))):
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'href="{link}' in page.content.decode(), url
    page = client.get(locality_url(refreshed))
    assert page.status_code == 200
    assert "Valea Mare" in page.content.decode()


def test_every_level_says_as_of_when_its_figures_are(client, monitor, refreshed):
    _login(client, monitor)

    for url in (COUNTRY, REGION, COUNTY, locality_url(refreshed)):
        content = client.get(url).content.decode()
        assert "Cifre la data de" in content or "Figures as of" in content, url


def test_before_the_first_refresh_the_page_says_so(client, monitor, known_data):
    _login(client, monitor)

    content = client.get(COUNTRY).content.decode()

    assert "nu au fost calculate" in content or "have not been computed" in content


def test_a_county_supervisor_sees_exact_figures_of_their_county(client, supervisor, refreshed):
    _login(client, supervisor)

    response = client.get("/monitorizare/")
    assert response["Location"] == COUNTY
    board = client.get(COUNTY, {"wave": "T0"}).context["board"]
    assert board.policy.exact
    assert board.headline["households"].value == 4
    assert board.headline["children"].value == 8


def test_a_county_supervisor_cannot_open_other_counties_or_wider_areas(client, supervisor, refreshed):
    cluj = LocalityFactory.create(siruta=54990, county_id="CJ")
    _login(client, supervisor)

    for url in (
        COUNTRY,
        REGION,
        "/monitorizare/judet/CJ/",
        locality_url(cluj),
        "/monitorizare/judet/CJ/export/risk.csv",
        "/monitorizare/judet/CJ/dhis2.json",
        "/monitorizare/judet/CJ/evaluare/",
        "/monitorizare/judet/CJ/harta/zone.geojson",
        "/monitorizare/judet/CJ/raport.pdf",
        "/monitorizare/judet/ZZ/",
        "/monitorizare/planeta/RO/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_worker_opens_only_their_locality(client, refreshed):
    worker = worker_of(refreshed)
    _login(client, worker)

    assert client.get("/monitorizare/")["Location"] == locality_url(refreshed)
    assert client.get(locality_url(refreshed)).status_code == 200
    assert client.get(COUNTY).status_code == 404


def test_a_worker_with_several_localities_chooses_one(client, refreshed):
    second = LocalityFactory.create(siruta=54976)
    worker = worker_of(refreshed, second)
    _login(client, worker)

    page = client.get("/monitorizare/")

    assert page.status_code == 200
    assert locality_url(second) in page.content.decode()


def test_filters_pick_the_wave(client, supervisor, refreshed):
    _login(client, supervisor)

    assert client.get(COUNTY).context["board"].wave_number == 2  # the latest by default
    board = client.get(COUNTY, {"wave": "T1"}).context["board"]
    assert board.wave_number == 1
    assert board.headline["households"].value == 3


def test_dashboard_pages_run_a_bounded_number_of_queries(
    client, monitor, refreshed, django_assert_max_num_queries
):
    for siruta in range(54980, 54990):
        LocalityFactory.create(siruta=siruta)
    monitoring_refresh(full=True)
    _login(client, monitor)
    client.get(COUNTRY)  # warm the session and the content types

    for url in (COUNTRY, REGION, COUNTY, locality_url(refreshed)):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_the_menu_offers_monitoring_to_everyone(client, refreshed):
    user = UserFactory.create()
    _login(client, user)

    assert reverse("monitoring:dashboard") in client.get("/").content.decode()
