"""Coverage of a small known campaign, counted the way the campaign page shows it."""

import datetime as dt

import pytest

from mps.accounts.tests.factories import county_supervisor_of, national_monitor, worker_of
from mps.census import selectors, services
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


def _visit(worker, entry, outcome, day):
    services.visit_record(actor=worker, entry=entry, outcome=outcome, visited_on=dt.date(2026, 3, day))


def test_progress_of_a_small_known_campaign(django_assert_max_num_queries):
    campaign = CensusCampaignFactory.create()
    ana = worker_of(campaign.locality, first_name="Ana", last_name="Rusu")
    dan = worker_of(campaign.locality, first_name="Dan", last_name="Lupu")
    listed = [CensusEntryFactory.create(campaign=campaign) for _ in range(6)]
    invisibles = [
        services.entry_add_new_household_found_in_field(
            actor=ana, campaign=campaign, address=f"Str. Nouă {n}"
        )
        for n in range(2)
    ]
    # Entry 0: nobody home twice, then assessed (3 attempts). Entry 1: refused. Entry 2: nobody home, then
    # moved (2 attempts). Entry 3: nobody home. Entries 4 and 5: not visited. Invisible 0: assessed.
    _visit(ana, listed[0], "nobody_home", 2)
    _visit(dan, listed[0], "nobody_home", 3)
    _visit(ana, listed[0], "assessed", 4)
    _visit(dan, listed[1], "refused", 2)
    _visit(ana, listed[2], "nobody_home", 2)
    _visit(ana, listed[2], "moved_or_not_found", 6)
    _visit(dan, listed[3], "nobody_home", 7)
    _visit(ana, invisibles[0], "assessed", 5)
    # Another campaign's visits do not leak into this one.
    _visit(
        ana,
        CensusEntryFactory.create(
            campaign=CensusCampaignFactory.create(locality=campaign.locality, wave="T1", wave_number=1)
        ),
        "assessed",
        5,
    )

    with django_assert_max_num_queries(2):
        progress = selectors.campaign_progress(campaign)
    assert (progress.listed, progress.invisibles, progress.total) == (6, 2, 8)
    assert progress.visited == 5
    assert progress.attempts == 8
    assert progress.repeated == 2
    assert progress.by_status == {
        "to_visit": 3,
        "assessed": 2,
        "nobody_home": 1,
        "refused": 1,
        "moved_or_not_found": 1,
    }
    assert progress.coverage_percent == 25.0
    assert progress.visited_percent == 62.5
    by_worker = {w.name: (w.visits, w.assessed) for w in progress.workers}
    assert by_worker == {"Ana Rusu": (5, 2), "Dan Lupu": (3, 0)}


def test_an_empty_campaign_has_zero_coverage():
    progress = selectors.campaign_progress(CensusCampaignFactory.create())
    assert (progress.total, progress.coverage_percent, progress.attempts, progress.workers) == (0, 0.0, 0, [])


def test_campaigns_visible_follow_the_access_policy():
    mine, theirs = LocalityFactory.create(), LocalityFactory.create()
    in_mine = CensusCampaignFactory.create(locality=mine)
    in_theirs = CensusCampaignFactory.create(locality=theirs)
    assert list(selectors.campaign_list_for_user(worker_of(mine))) == [in_mine]
    assert set(selectors.campaign_list_for_user(county_supervisor_of("BC"))) == {in_mine, in_theirs}
    assert not selectors.campaign_list_for_user(national_monitor()).exists()


def test_entry_list_filters_by_status():
    campaign = CensusCampaignFactory.create()
    worker = worker_of(campaign.locality)
    refused, untouched = (
        CensusEntryFactory.create(campaign=campaign),
        CensusEntryFactory.create(campaign=campaign),
    )
    _visit(worker, refused, "refused", 3)
    assert list(selectors.entry_list(campaign, status="refused")) == [refused]
    assert list(selectors.entry_list(campaign, status="to_visit")) == [untouched]
    assert list(selectors.entry_list(campaign, source="field")) == []
