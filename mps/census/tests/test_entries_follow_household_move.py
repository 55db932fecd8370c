"""A family transferred out: the old census stops waiting for it, the new locality's census lists it."""

import datetime as dt

import pytest
from django.utils import timezone

from mps.accounts.models import Role
from mps.accounts.tests.factories import worker_of
from mps.audit.models import AuditEvent
from mps.census import services
from mps.census.models import CampaignStatus, CensusEntry, EntrySource, EntryStatus, VisitOutcome
from mps.census.selectors import campaign_progress
from mps.census.tests.factories import AssessmentFactory, CensusCampaignFactory, CensusEntryFactory
from mps.geography.tests.factories import LocalityFactory
from mps.moves.services import (
    household_transfer_accept,
    household_transfer_refuse,
    household_transfer_request,
)
from mps.registry.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def places():
    old = LocalityFactory.create(name="Pâncești")
    new = LocalityFactory.create(name="Răcăciuni")
    return {
        "old": old,
        "new": new,
        "worker": worker_of(old, username="asistent.vechi"),
        "coordinator": worker_of(new, role=Role.LOCAL_COORDINATOR, username="coord.nou"),
    }


@pytest.fixture
def family(places):
    """A household of the old locality, assessed at T0 there, still to visit in the old locality's T1 census."""
    household = HouseholdFactory.create(locality=places["old"])
    AssessmentFactory.create(household=household, wave="T0", wave_number=0, assessed_on=dt.date(2025, 5, 2))
    return household


def _transfer(places, household):
    return household_transfer_request(
        actor=places["worker"],
        household=household,
        to_locality=places["new"],
        moved_on=timezone.localdate() - dt.timedelta(days=2),
        to_address="Str. Morii 4",
    )


def _accept(places, household):
    return household_transfer_accept(actor=places["coordinator"], transfer=_transfer(places, household))


def test_the_old_census_records_the_family_as_moved_and_stops_waiting_for_it(places, family):
    t1 = CensusCampaignFactory.create(locality=places["old"], wave="T1", wave_number=1, starts_on=MARCH)
    entry = CensusEntryFactory.create(campaign=t1, household=family)
    neighbour = CensusEntryFactory.create(campaign=t1)

    _accept(places, family)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.MOVED_OR_NOT_FOUND
    visit = entry.visits.get()
    assert visit.outcome == VisitOutcome.MOVED_OR_NOT_FOUND
    assert visit.visited_on == timezone.localdate()
    assert "Răcăciuni" in visit.note
    neighbour.refresh_from_db()
    assert neighbour.status == EntryStatus.TO_VISIT
    progress = campaign_progress(t1)
    assert progress.by_status[EntryStatus.TO_VISIT] == 1
    assert progress.by_status[EntryStatus.MOVED_OR_NOT_FOUND] == 1
    # The old team's trail tells it.
    assert AuditEvent.objects.filter(
        object_type="census_visit", object_id=str(visit.id), locality_id=places["old"].siruta
    ).exists()


def test_a_family_found_with_nobody_home_is_closed_too_but_an_assessed_one_keeps_its_visit(places, family):
    t1 = CensusCampaignFactory.create(locality=places["old"], wave="T1", wave_number=1, starts_on=MARCH)
    entry = CensusEntryFactory.create(campaign=t1, household=family)
    services.visit_record(
        actor=places["worker"], entry=entry, outcome=VisitOutcome.NOBODY_HOME, visited_on=dt.date(2026, 3, 5)
    )
    t0 = CensusCampaignFactory.create(locality=places["old"], wave="T0", wave_number=0, starts_on=MARCH)
    assessed = CensusEntryFactory.create(campaign=t0, household=family)
    services.visit_record(
        actor=places["worker"], entry=assessed, outcome=VisitOutcome.ASSESSED, visited_on=dt.date(2026, 3, 6)
    )

    _accept(places, family)

    entry.refresh_from_db()
    assessed.refresh_from_db()
    assert (entry.status, entry.attempts) == (EntryStatus.MOVED_OR_NOT_FOUND, 2)
    assert (assessed.status, assessed.attempts) == (EntryStatus.ASSESSED, 1)


def test_closed_or_not_yet_started_campaigns_are_left_as_they_are(places, family):
    closed = CensusCampaignFactory.create(
        locality=places["old"],
        wave="T1",
        wave_number=1,
        starts_on=MARCH,
        ends_on=dt.date(2026, 4, 30),
        status=CampaignStatus.CLOSED,
    )
    ahead = CensusCampaignFactory.create(
        locality=places["old"],
        wave="T2",
        wave_number=2,
        starts_on=timezone.localdate() + dt.timedelta(days=10),
        status=CampaignStatus.PLANNED,
    )
    in_closed = CensusEntryFactory.create(campaign=closed, household=family)
    in_ahead = CensusEntryFactory.create(campaign=ahead, household=family)

    _accept(places, family)

    for entry in (in_closed, in_ahead):
        entry.refresh_from_db()
        assert (entry.status, entry.attempts) == (EntryStatus.TO_VISIT, 0)


def test_a_campaign_that_ended_dates_the_visit_on_its_last_day(places, family):
    ended = CensusCampaignFactory.create(
        locality=places["old"], wave="T1", wave_number=1, starts_on=MARCH, ends_on=dt.date(2026, 4, 30)
    )
    entry = CensusEntryFactory.create(campaign=ended, household=family)

    _accept(places, family)

    assert entry.visits.get().visited_on == dt.date(2026, 4, 30)


def test_the_new_locality_lists_the_family_in_its_open_campaigns_of_waves_it_was_not_assessed_in(
    places, family
):
    t0 = CensusCampaignFactory.create(locality=places["new"], wave="T0", wave_number=0, starts_on=MARCH)
    t1 = CensusCampaignFactory.create(locality=places["new"], wave="T1", wave_number=1, starts_on=MARCH)
    closed_t2 = CensusCampaignFactory.create(
        locality=places["new"], wave="T2", wave_number=2, starts_on=MARCH, status=CampaignStatus.CLOSED
    )

    _accept(places, family)

    added = CensusEntry.objects.get(household=family)
    assert added.campaign == t1
    assert (added.source, added.status, added.listed_by) == (
        EntrySource.FIELD,
        EntryStatus.TO_VISIT,
        places["coordinator"],
    )
    assert not CensusEntry.objects.filter(campaign__in=[t0, closed_t2]).exists()
    assert AuditEvent.objects.filter(
        object_type="census_entry", object_id=str(added.id), locality_id=places["new"].siruta
    ).exists()


def test_a_refused_transfer_changes_no_census(places, family):
    t1 = CensusCampaignFactory.create(locality=places["old"], wave="T1", wave_number=1, starts_on=MARCH)
    CensusCampaignFactory.create(locality=places["new"], wave="T1", wave_number=1, starts_on=MARCH)
    entry = CensusEntryFactory.create(campaign=t1, household=family)

    household_transfer_refuse(
        actor=places["coordinator"], transfer=_transfer(places, family), note="Nu locuiesc aici."
    )

    entry.refresh_from_db()
    assert entry.status == EntryStatus.TO_VISIT
    assert CensusEntry.objects.filter(household=family).count() == 1
