"""Pull: the households of the user's localities, whole the first time, then only what changed."""

import gzip
import json

import pytest

from mps.audit.models import AuditEvent
from mps.sync.tests.documents import again, family

pytestmark = pytest.mark.django_db


def test_first_pull_has_households_members_latest_assessment_and_catalogue(api, locality):
    document = family(locality, {"household.income.monthly_net_income_ron": 300})
    api.push(assessments=[document])
    response = api.pull()
    assert response.status_code == 200
    body = response.json()
    assert body["full"] is True
    [household] = body["households"]
    assert household["ref"] == document["household"]["ref"]
    assert {m["ref"] for m in household["members"]} == {m["ref"] for m in document["members"]}
    assert household["latest"]["ref"] == document["ref"]
    assert household["latest"]["findings"]
    assert household["latest"]["document"] == document
    assert household["goals"], "the case opened on the findings has goals"
    catalogue = body["catalogue"]
    assert {q["field"] for q in catalogue["questions"]["member"]} >= {"birth_date", "health.pregnant"}
    assert catalogue["vulnerabilities"]
    assert catalogue["services"]
    assert body["localities"][0]["siruta"] == str(locality.siruta)


def test_pull_is_gzip_compressed_when_the_device_accepts_it(api, locality):
    api.push(assessments=[family(locality) for _ in range(3)])
    response = api.pull(HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.content))
    assert len(body["households"]) == 3


def test_pull_with_a_cursor_sends_only_what_changed(api, locality):
    first, second = family(locality), family(locality)
    api.push(assessments=[first, second])
    cursor = api.pull().json()["cursor"]
    # Nothing changed since: nothing but the households inside the overlap window, which are upserted.
    api.push(assessments=[again(first, wave="T1", assessed_on="2024-12-01")])
    body = api.pull(cursor).json()
    assert body["full"] is False
    assert "catalogue" not in body
    assert first["household"]["ref"] in {h["ref"] for h in body["households"]}


def test_pull_with_a_cursor_after_the_overlap_sends_nothing_unchanged(api, locality, settings):
    from mps.sync import selectors

    api.push(assessments=[family(locality)])
    cursor = api.pull().json()["cursor"]
    original = selectors.CURSOR_OVERLAP
    selectors.CURSOR_OVERLAP = original * 0
    try:
        assert api.pull(cursor).json()["households"] == []
    finally:
        selectors.CURSOR_OVERLAP = original


def test_a_foreign_or_broken_cursor_gives_a_full_pull(api, other_api, locality):
    api.push(assessments=[family(locality)])
    other_cursor = other_api.pull().json()["cursor"]
    assert api.pull(other_cursor).json()["full"] is True
    assert api.pull("garbage").json()["full"] is True


def test_a_token_of_locality_a_cannot_pull_locality_b(api, other_api, locality, other_locality):
    theirs = family(other_locality)
    other_api.push(assessments=[theirs])
    mine = family(locality)
    api.push(assessments=[mine])
    refs = {h["ref"] for h in api.pull().json()["households"]}
    assert refs == {mine["household"]["ref"]}


def test_pull_records_that_the_user_read_each_person(api, worker, locality):
    document = family(locality)
    api.push(assessments=[document])
    api.pull()
    read = set(
        AuditEvent.objects.filter(actor=worker, action="view", object_type="person").values_list(
            "object_id", flat=True
        )
    )
    assert read == {m["ref"] for m in document["members"]}
