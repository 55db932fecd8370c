"""Census pages: in Romanian, within the user's scope, quick to record a visit, a bounded number of queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mps.accounts.tests.factories import TEST_PASSWORD, county_supervisor_of, worker_of
from mps.census import services
from mps.census.models import CensusCampaign, CensusEntry, CensusVisit, EntrySource
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def _detail(campaign):
    return reverse("census:campaign_detail", args=[campaign.locality_id, campaign.wave])


@pytest.fixture
def campaign():
    return CensusCampaignFactory.create(locality=LocalityFactory.create(name="Pâncești"))


@pytest.fixture
def worker(campaign):
    return worker_of(campaign.locality, first_name="Ana", last_name="Rusu")


def test_the_campaign_page_speaks_romanian_and_shows_progress(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    services.visit_record(actor=worker, entry=entry, outcome="nobody_home", visited_on=dt.date(2026, 3, 2))
    services.entry_add_new_household_found_in_field(actor=worker, campaign=campaign, address="Str. Nouă 1")
    page = _client(worker).get(_detail(campaign)).content.decode()
    assert "Recensământ T0, Pâncești" in page
    assert "Găsite pe teren" in page
    assert "Acoperire pe lucrător" in page
    assert "nimeni acasă" in page
    assert "Ana Rusu" in page
    assert 'id="outcomes-data"' in page
    assert "vendor/chart.umd.min.js" in page


def test_the_campaign_list_shows_coverage(worker, campaign):
    entries = [CensusEntryFactory.create(campaign=campaign) for _ in range(4)]
    services.visit_record(actor=worker, entry=entries[0], outcome="assessed", visited_on=dt.date(2026, 3, 2))
    page = _client(worker).get(reverse("census:campaign_list")).content.decode()
    assert "Pâncești" in page
    assert 'aria-valuenow="25"' in page


def test_another_localitys_campaign_and_entries_answer_404(campaign):
    outsider = worker_of(LocalityFactory.create())
    entry = CensusEntryFactory.create(campaign=campaign)
    client = _client(outsider)
    assert client.get(_detail(campaign)).status_code == 404
    assert client.get(reverse("census:register_import", args=[campaign.locality_id, "T0"])).status_code == 404
    assert client.get(reverse("census:found_in_field", args=[campaign.locality_id, "T0"])).status_code == 404
    response = client.post(
        reverse("census:visit_record", args=[entry.id]),
        {"outcome": "assessed", "visited_on": "2026-03-02"},
    )
    assert response.status_code == 404
    assert not CensusVisit.objects.exists()
    assert "Pâncești" not in client.get(reverse("census:campaign_list")).content.decode()


def test_a_county_supervisor_reads_the_county_but_records_nothing(campaign):
    supervisor = county_supervisor_of(campaign.locality.county_id)
    entry = CensusEntryFactory.create(campaign=campaign)
    client = _client(supervisor)
    page = client.get(_detail(campaign)).content.decode()
    assert entry.household.address in page
    assert "Înregistrează vizita" not in page
    assert client.get(reverse("census:register_import", args=[campaign.locality_id, "T0"])).status_code == 404
    response = client.post(
        reverse("census:visit_record", args=[entry.id]), {"outcome": "assessed", "visited_on": "2026-03-02"}
    )
    assert response.status_code == 404


def test_recording_a_visit_with_htmx_returns_the_updated_row(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    url = reverse("census:visit_record", args=[entry.id])
    data = {"outcome": "refused", "visited_on": "2026-03-03", "ref": "8b0f1a2e-6c1d-4d53-9a43-0f7c3d1e2b10"}
    client = _client(worker)
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert response.status_code == 200
    assert row.lstrip().startswith(f'<tr id="entry-{entry.id}"')
    assert "refuz" in row
    client.post(url, data, HTTP_HX_REQUEST="true")
    assert CensusVisit.objects.filter(entry=entry).count() == 1


def test_a_visit_in_the_future_comes_back_in_the_row_in_romanian(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _client(worker).post(
        reverse("census:visit_record", args=[entry.id]),
        {"outcome": "assessed", "visited_on": tomorrow},
        HTTP_HX_REQUEST="true",
    )
    assert "Data vizitei nu poate fi în viitor." in response.content.decode()
    assert not CensusVisit.objects.exists()


def test_the_entries_filter_by_status(worker, campaign):
    refused = CensusEntryFactory.create(campaign=campaign)
    untouched = CensusEntryFactory.create(campaign=campaign)
    services.visit_record(actor=worker, entry=refused, outcome="refused", visited_on=dt.date(2026, 3, 2))
    page = _client(worker).get(_detail(campaign), {"status": "to_visit"}).content.decode()
    assert untouched.household.address in page
    assert refused.household.address not in page


def test_opening_a_campaign_and_importing_a_register(worker, campaign):
    client = _client(worker)
    response = client.post(
        reverse("census:campaign_open"),
        {"locality": campaign.locality_id, "wave": "T1", "starts_on": "2026-03-01", "name": ""},
    )
    t1 = CensusCampaign.objects.get(locality=campaign.locality, wave="T1")
    assert response.status_code == 302
    upload = SimpleUploadedFile(
        "registru.csv",
        "register_ref,address,village,head_name\nR1,Str. Gării 2,,Ion Ene\nR2,,,\n".encode(),
        content_type="text/csv",
    )
    page = client.post(reverse("census:register_import", args=[t1.locality_id, "T1"]), {"file": upload})
    assert "Linia 3: lipsește adresa." in page.content.decode()
    assert not CensusEntry.objects.filter(campaign=t1).exists()
    upload = SimpleUploadedFile(
        "registru.csv", b"register_ref,address,village,head_name\nR1,Str. G\xc4\x83rii 2,,Ion Ene\n"
    )
    response = client.post(reverse("census:register_import", args=[t1.locality_id, "T1"]), {"file": upload})
    assert response.status_code == 302
    assert CensusEntry.objects.get(campaign=t1).household.address == "Str. Gării 2"


def test_adding_a_household_found_in_the_field(worker, campaign):
    response = _client(worker).post(
        reverse("census:found_in_field", args=[campaign.locality_id, "T0"]),
        {"address": "Str. Podului 8", "head_name": "Elena Stan"},
    )
    assert response.status_code == 302
    entry = CensusEntry.objects.get(campaign=campaign)
    assert (entry.source, entry.register_head_name) == (EntrySource.FIELD, "Elena Stan")


def test_the_campaign_page_has_a_fixed_number_of_queries(worker, campaign, django_assert_max_num_queries):
    entries = [CensusEntryFactory.create(campaign=campaign) for _ in range(40)]
    for entry in entries[:20]:
        services.visit_record(
            actor=worker, entry=entry, outcome="nobody_home", visited_on=dt.date(2026, 3, 2)
        )
    client = _client(worker)
    with django_assert_max_num_queries(12):
        assert client.get(_detail(campaign)).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("census:campaign_list")).status_code == 200
