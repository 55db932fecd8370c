"""Cached dashboard pages: new figures after each refresh run, never another viewer class's page, the language kept."""

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.assessment.services import assessment_record
from mps.monitoring.dashboard import period_choices
from mps.monitoring.models import AreaActivity, AreaLevel, WorkerCaseload
from mps.monitoring.refresh import monitoring_refresh
from mps.monitoring.tests.data import NO_ELECTRICITY, document

pytestmark = pytest.mark.django_db

COUNTRY = "/monitorizare/tara/RO/"
REGION = "/monitorizare/regiune/RO21/"
COUNTY = "/monitorizare/judet/BC/"


@pytest.fixture(autouse=True)
def _empty_caches():
    # Locality pages live in this process's memory, which outlives each test's database.
    from mps.monitoring.pages import dashboard_caches_clear

    dashboard_caches_clear()


def _login(client, user):
    client.logout()
    assert client.login(username=user.username, password=TEST_PASSWORD)


def _households(response) -> str:
    """Return the headline "Households assessed" figure as the page shows it."""
    return re.findall(r'<div class="big">([^<]*)</div>', response.content.decode())[0]


def _from_cache(response) -> bool:
    return response.context["page"].board is None


def test_the_second_view_comes_from_the_cache_with_fewer_queries(
    client, supervisor, refreshed, django_assert_max_num_queries
):
    _login(client, supervisor)
    first = client.get(COUNTY, {"wave": "T0"})

    with django_assert_max_num_queries(7):
        second = client.get(COUNTY, {"wave": "T0"})

    assert not _from_cache(first)
    assert _from_cache(second)
    assert second.context["page"].body == first.context["page"].body


def test_a_new_refresh_run_shows_new_figures(client, supervisor, refreshed):
    _login(client, supervisor)
    assert _households(client.get(COUNTY, {"wave": "T0"})) == "4"
    assessment_record(actor=None, document=document(9, 0, "T0", dt.date(2024, 6, 18), NO_ELECTRICITY))

    before_the_run = client.get(COUNTY, {"wave": "T0"})
    monitoring_refresh()
    after_the_run = client.get(COUNTY, {"wave": "T0"})

    assert _from_cache(before_the_run)
    assert _households(before_the_run) == "4"
    assert not _from_cache(after_the_run)
    assert _households(after_the_run) == "5"
    locality = f"/monitorizare/localitate/{refreshed.siruta}/"
    assert _households(client.get(locality, {"wave": "T0"})) == "5"


def test_a_national_monitor_never_gets_a_supervisors_cached_page(client, supervisor, monitor, refreshed):
    _login(client, supervisor)
    exact = client.get(COUNTY, {"wave": "T0"})
    _login(client, monitor)
    aggregate = client.get(COUNTY, {"wave": "T0"})
    aggregate_again = client.get(COUNTY, {"wave": "T0"})
    _login(client, supervisor)
    exact_again = client.get(COUNTY, {"wave": "T0"})

    assert _households(exact) == _households(exact_again) == "4"
    assert _households(aggregate) == _households(aggregate_again) == "&lt;5"
    assert not _from_cache(aggregate)
    assert _from_cache(aggregate_again)
    assert _from_cache(exact_again)
    assert "&lt;5" not in exact_again.content.decode()


def test_a_locality_page_is_cached_apart_for_its_team_and_for_monitors(client, monitor, refreshed):
    locality = f"/monitorizare/localitate/{refreshed.siruta}/"
    _login(client, worker_of(refreshed))
    client.get(locality, {"wave": "T0"})
    _login(client, monitor)
    aggregate = client.get(locality, {"wave": "T0"})
    _login(client, worker_of(refreshed))
    exact = client.get(locality, {"wave": "T0"})

    assert not _from_cache(aggregate)
    assert _households(aggregate) == "&lt;5"
    assert _from_cache(exact)
    assert _households(exact) == "4"


def test_each_language_has_its_own_cached_page(client, monitor, refreshed):
    _login(client, monitor)
    romanian = client.get(COUNTRY)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(COUNTRY)
    english_again = client.get(COUNTRY)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ro"
    romanian_again = client.get(COUNTRY)

    assert "Gospodării evaluate" in romanian.content.decode()
    assert not _from_cache(english)
    assert "Households assessed" in english.content.decode()
    assert "Gospodării evaluate" not in english.content.decode()
    assert _from_cache(english_again)
    assert _from_cache(romanian_again)
    assert "Gospodării evaluate" in romanian_again.content.decode()


def test_filters_have_their_own_pages_and_links_keep_only_the_filters(client, supervisor, refreshed):
    _login(client, supervisor)
    t0 = client.get(COUNTY, {"wave": "T0", "period": "2024-H1", "other": "x"})
    t1 = client.get(COUNTY, {"wave": "T1", "period": "2024-H1"})

    assert _households(t0) == "4"
    assert _households(t1) == "3"
    body = t0.context["page"].body
    assert f'href="/monitorizare/localitate/{refreshed.siruta}/?wave=T0&amp;period=2024-H1"' in body
    assert "other=x" not in body


def test_the_refresh_worker_warms_the_country_regions_and_counties(client, monitor, refreshed):
    call_command("monitoring_refresh", verbosity=0)
    _login(client, monitor)

    for url in (COUNTRY, REGION, COUNTY):
        assert _from_cache(client.get(url)), url
    assert not _from_cache(client.get(f"/monitorizare/localitate/{refreshed.siruta}/"))


def test_the_figures_as_of_line_is_never_cached(client, monitor, refreshed, settings):
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0  # the next run finds nothing changed
    monitoring_refresh()
    _login(client, monitor)
    client.get(COUNTRY)
    monitoring_refresh()  # nothing changed: the same figures, a later "as of"

    page = client.get(COUNTRY)

    assert _from_cache(page)
    assert page.context["page"].version.as_of == page.context["board"].as_of


def test_services_referrals_and_caseloads_come_from_their_aggregates(client, supervisor, monitor, refreshed):
    for level, code in ((AreaLevel.LOCALITY, str(refreshed.siruta)), (AreaLevel.COUNTY, "BC")):
        for month, services in ((dt.date(2024, 3, 1), 7), (dt.date(2024, 9, 1), 5)):
            AreaActivity.objects.create(
                level=level,
                area=code,
                urban=False,
                marginalisation="",
                month=month,
                indicator="services",
                value=services,
            )
        AreaActivity.objects.create(
            level=level,
            area=code,
            urban=False,
            marginalisation="",
            month=dt.date(2024, 9, 1),
            indicator="referrals.completed.hospital",
            bucket=12,
            value=3,
        )
    worker = worker_of(refreshed, first_name="Ana", last_name="Pop")
    WorkerCaseload.objects.create(locality=refreshed, worker=worker, open_cases=400)
    _login(client, supervisor)

    whole = client.get(COUNTY)
    first_half = client.get(COUNTY, {"period": "2024-H1"})
    _login(client, monitor)
    aggregate = client.get(COUNTY)

    services = whole.context["board"].tables["services"].rows[0].cells[0]
    assert services.value == 12
    assert first_half.context["board"].tables["services"].rows[0].cells[0].value == 7
    periods = period_choices(whole.context["board"].months)
    assert [period.key for period in periods] == ["", "2024", "2024-H1", "2024-H2"]
    assert '<option value="2024-H2">' in whole.content.decode()
    referrals = whole.context["board"].tables["referrals"].rows[0].cells
    assert (referrals[1].value, referrals[2].value) == (3, 12.0)
    assert "Ana Pop" in whole.content.decode()
    assert "Ana Pop" not in aggregate.content.decode()
    caseload = aggregate.context["board"].tables["caseload"].rows
    managers = WorkerCaseload.objects.values("worker").distinct().count()
    assert caseload[0].cells[0].value == managers  # case managers with open cases
    assert caseload[2].cells[0].value == 400  # the most open cases of one
    assert caseload[3].cells[0].value == 1  # above 250


def _trail_links(response) -> list[str]:
    trail = re.search(r'<nav class="trail".*?</nav>', response.content.decode(), re.S)
    assert trail is not None
    return re.findall(r'href="([^"]+)"', trail.group(0))


@pytest.mark.parametrize("who", ["worker", "supervisor", "monitor"])
def test_the_breadcrumb_links_only_to_dashboards_the_viewer_may_open(client, refreshed, who, request):
    viewer = request.getfixturevalue(who)
    _login(client, viewer)
    page = client.get(f"/monitorizare/localitate/{refreshed.siruta}/")
    assert page.status_code == 200
    links = _trail_links(page)
    assert len(links) == {"worker": 0, "supervisor": 1, "monitor": 3}[who]
    assert "România" in page.content.decode()
    for link in links:
        assert client.get(link).status_code == 200, link


def test_an_area_with_no_assessed_wave_offers_no_dhis2_download_that_would_answer_404(
    client, worker, locality
):
    _login(client, worker)
    page = client.get(f"/monitorizare/localitate/{locality.siruta}/")
    assert page.status_code == 200
    assert "/dhis2" not in page.content.decode()
    assert client.get(f"/monitorizare/localitate/{locality.siruta}/dhis2.json").status_code == 404


def test_an_area_with_data_offers_a_dhis2_download_that_works(client, worker, refreshed):
    _login(client, worker)
    page = client.get(f"/monitorizare/localitate/{refreshed.siruta}/").content.decode()
    link = re.search(r'href="([^"]*dhis2[^"]*)"', page)
    assert link is not None
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200
