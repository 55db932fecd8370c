"""Conflicts: two devices changing one household offline both keep their records, and a conflict is shown."""

import pytest
from django.test import Client

from mps.accounts.tests.factories import worker_of
from mps.assessment.models import Assessment
from mps.sync.models import Conflict, ConflictKind
from mps.sync.tests.conftest import ApiClient, bearer
from mps.sync.tests.documents import again, family

pytestmark = pytest.mark.django_db


def test_two_devices_editing_one_household_both_survive_and_a_conflict_is_shown(worker, locality):
    colleague = worker_of(locality, username="maria.lupu")
    tablet_a, tablet_b = ApiClient(bearer(worker, "tableta A")), ApiClient(bearer(colleague, "tableta B"))
    first = family(locality, assessed_on="2024-06-14", assessed_by=worker.username)
    tablet_a.push("tableta A", assessments=[first])
    # Tablet B was offline since before tablet A synced, and assessed the same family the next day.
    second = again(first, assessed_on="2024-06-15", assessed_by=colleague.username)
    second["household"]["housing"]["rooms"] = 1
    assert tablet_b.push("tableta B", assessments=[second]).json()["results"][0]["status"] == "accepted"

    assert Assessment.objects.filter(household_id=first["household"]["ref"]).count() == 2
    assert Assessment.objects.get(id=second["ref"]).is_latest
    conflict = Conflict.objects.get()
    assert conflict.kind == ConflictKind.SAME_WAVE
    assert {conflict.assessment_id, conflict.other_id} == {
        Assessment.objects.get(id=first["ref"]).id,
        Assessment.objects.get(id=second["ref"]).id,
    }
    assert (conflict.device_id, conflict.other_device_id) == ("tableta B", "tableta A")

    page = Client()
    page.force_login(worker)
    listing = page.get("/teren/conflicte/")
    assert listing.status_code == 200
    assert str(conflict.id) in listing.content.decode()
    page.post(f"/teren/conflicte/{conflict.id}/rezolva/", {"note": "Am păstrat vizita Mariei."})
    conflict.refresh_from_db()
    assert conflict.resolved_by == worker
    assert str(conflict.id) not in page.get("/teren/conflicte/").content.decode()


def test_an_assessment_older_than_the_current_one_is_kept_and_flagged(api, locality):
    latest = family(locality, wave="T1", assessed_on="2024-12-01")
    api.push(assessments=[latest])
    late = again(latest, wave="T0", assessed_on="2024-06-15")
    assert api.push(assessments=[late]).json()["results"][0]["status"] == "accepted"
    assert Assessment.objects.get(id=latest["ref"]).is_latest
    assert not Assessment.objects.get(id=late["ref"]).is_latest
    assert Conflict.objects.get().kind == ConflictKind.OLDER_THAN_CURRENT


def test_the_same_worker_on_the_same_tablet_re_evaluating_is_no_conflict(api, locality):
    first = family(locality)
    api.push(assessments=[first])
    api.push(assessments=[again(first, wave="T1", assessed_on="2024-12-01")])
    assert not Conflict.objects.exists()


def test_conflicts_of_another_locality_are_not_shown(worker, other_worker, other_locality):
    tablet = ApiClient(bearer(other_worker))
    first = family(other_locality)
    tablet.push(assessments=[first])
    tablet.push("tableta 9", assessments=[again(first, assessed_on="2024-06-16")])
    assert Conflict.objects.count() == 1
    page = Client()
    page.force_login(worker)
    assert "data-conflict" not in page.get("/teren/conflicte/").content.decode()
    conflict = Conflict.objects.get()
    assert page.post(f"/teren/conflicte/{conflict.id}/rezolva/", {"note": "x"}).status_code == 404
