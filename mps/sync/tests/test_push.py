"""Push: one result per item in order, duplicates create nothing, one bad item never blocks the others."""

import datetime as dt
import uuid

import pytest

from mps.assessment.models import Assessment, Finding
from mps.audit.models import AuditEvent
from mps.census.models import CensusVisit, EntryStatus
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.registry.models import Household, Person
from mps.sync.models import ItemStatus, PushedItem
from mps.sync.tests.documents import family

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "findings": Finding.objects.count(),
        "households": Household.objects.count(),
        "people": Person.objects.count(),
        "visits": CensusVisit.objects.count(),
        "audit": AuditEvent.objects.exclude(action="view").count(),
    }


def test_push_stores_assessments_with_their_findings(api, locality):
    poor = family(locality, {"household.income.monthly_net_income_ron": 300})
    response = api.push(assessments=[poor])
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"ref": poor["ref"], "kind": "assessment", "status": "accepted", "errors": {}}]
    }
    stored = Assessment.objects.get(id=poor["ref"])
    assert stored.source == "sync"
    assert stored.findings.exists()
    assert PushedItem.objects.get(ref=poor["ref"]).device_id == "tableta 1"


def test_the_same_push_twice_creates_nothing_new(api, locality):
    documents = [family(locality), family(locality, {"household.income.monthly_net_income_ron": 300})]
    first = api.push(assessments=documents).json()["results"]
    before = _counts()
    second = api.push(assessments=documents).json()["results"]
    assert [r["status"] for r in first] == ["accepted", "accepted"]
    assert [r["status"] for r in second] == ["duplicate", "duplicate"]
    assert _counts() == before


def test_a_batch_with_one_bad_item_stores_the_good_ones(api, locality):
    good_before, good_after = family(locality), family(locality)
    bad = family(locality, {"members[0].birth_date": "not a date", "household.housing.rooms": -1})
    results = api.push(assessments=[good_before, bad, good_after]).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert [r["ref"] for r in results] == [good_before["ref"], bad["ref"], good_after["ref"]]
    assert {"members[0].birth_date", "household.housing.rooms"} <= set(results[1]["errors"])
    assert Assessment.objects.filter(id__in=[good_before["ref"], good_after["ref"]]).count() == 2
    assert not Assessment.objects.filter(id=bad["ref"]).exists()
    # What the worker typed is kept even though it was refused.
    kept = PushedItem.objects.get(ref=bad["ref"])
    assert kept.status == ItemStatus.REJECTED
    assert kept.payload == bad


def test_a_rejected_item_sent_again_corrected_is_accepted(api, locality):
    document = family(locality, {"household.housing.rooms": -1})
    assert api.push(assessments=[document]).json()["results"][0]["status"] == "rejected"
    document["household"]["housing"]["rooms"] = 2
    assert api.push(assessments=[document]).json()["results"][0]["status"] == "accepted"
    assert PushedItem.objects.get(ref=document["ref"]).status == ItemStatus.ACCEPTED


def test_an_item_that_is_not_an_object_is_rejected_alone(api, locality):
    good = family(locality)
    results = api.push(assessments=[{"ref": "nonsense"}, good], visits=[{"ref": 3}]).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "accepted", "rejected"]
    assert "ref" in results[0]["errors"]


def test_census_visits_services_and_referrals_travel_in_the_same_push(api, worker, locality):
    campaign = CensusCampaignFactory.create(locality=locality, starts_on=dt.date(2024, 1, 1))
    entry = CensusEntryFactory.create(campaign=campaign)
    nobody_home = {
        "ref": str(uuid.uuid4()),
        "household": str(entry.household_id),
        "outcome": "nobody_home",
        "visited_on": "2024-06-14",
        "note": "Vecinii spun că revin diseară.",
    }
    results = api.push(visits=[nobody_home]).json()["results"]
    assert results == [{"ref": nobody_home["ref"], "kind": "visit", "status": "accepted", "errors": {}}]
    entry.refresh_from_db()
    assert entry.status == EntryStatus.NOBODY_HOME
    assert api.push(visits=[nobody_home]).json()["results"][0]["status"] == "duplicate"
    assert CensusVisit.objects.count() == 1


def test_a_visit_with_a_bad_field_names_it(api, locality):
    results = api.push(
        visits=[
            {"ref": str(uuid.uuid4()), "household": str(uuid.uuid4()), "outcome": "gone", "visited_on": "x"}
        ]
    ).json()["results"]
    assert results[0]["status"] == "rejected"
    assert {"outcome", "visited_on"} <= set(results[0]["errors"])


def test_an_item_for_a_household_of_another_locality_is_rejected_at_household_locality(
    api, other_api, locality, other_locality
):
    theirs = family(other_locality)
    assert other_api.push(assessments=[theirs]).json()["results"][0]["status"] == "accepted"
    mine_elsewhere = family(other_locality)
    visit = {
        "ref": str(uuid.uuid4()),
        "household": theirs["household"]["ref"],
        "outcome": "refused",
        "visited_on": "2024-06-14",
    }
    service = {
        "ref": str(uuid.uuid4()),
        "household": theirs["household"]["ref"],
        "service": "S01",
        "delivered_on": "2024-06-14",
        "place": "home_visit",
        "duration_minutes": 30,
    }
    results = api.push(assessments=[mine_elsewhere], visits=[visit], services=[service]).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert all("household.locality" in r["errors"] for r in results)
    assert not Assessment.objects.filter(id=mine_elsewhere["ref"]).exists()


def test_push_without_a_valid_token_is_refused(client):
    response = client.post("/api/v1/sync/push", {"device_id": "x"}, content_type="application/json")
    assert response.status_code == 401
    response = client.post(
        "/api/v1/sync/push",
        {"device_id": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )
    assert response.status_code == 401


def test_a_body_that_is_not_json_is_refused_with_400_and_stores_nothing(api):
    before = _counts()
    response = api.client.post(
        "/api/v1/sync/push",
        b"\x00{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=api.authorization,
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert _counts() == before
