"""Rolling the aggregates forward: figures equal the base tables, only changed localities are recomputed."""

import datetime as dt

import pytest
from django.utils import timezone

from mps.accounts.models import Role
from mps.accounts.tests.factories import worker_of
from mps.assessment.models import Assessment
from mps.assessment.services import assessment_record
from mps.cases.models import Case, Place, Service
from mps.cases.services import delivery_record
from mps.census.models import EntrySource
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.geography.models import Locality
from mps.geography.tests.factories import LocalityFactory
from mps.monitoring import indicators as ind
from mps.monitoring.areas import area_get
from mps.monitoring.models import (
    AreaActivity,
    AreaFigure,
    AreaLevel,
    CountedAssessment,
    LocalityRefresh,
    RefreshMark,
)
from mps.monitoring.refresh import monitoring_refresh, pause_after
from mps.monitoring.selectors import area_figures
from mps.monitoring.tests.aggregates import assert_a_rebuild_agrees
from mps.monitoring.tests.data import DAMP, NO_ELECTRICITY, NO_HEATING, document
from mps.moves.services import household_transfer_accept, household_transfer_request
from mps.registry.models import Household

pytestmark = pytest.mark.django_db


def _figures(level, code, wave):
    return area_figures(area_get(level, code), wave)


def test_locality_figures_match_the_known_data(refreshed):
    t0 = _figures(AreaLevel.LOCALITY, str(refreshed.siruta), 0)

    # Household 2 was visited twice at T0: its later visit counts, once.
    assert t0[ind.HOUSEHOLDS] == 4
    assert t0[ind.PERSONS] == 16
    assert t0[ind.CHILDREN] == 8
    assert t0[ind.code_units("HO02")] == 2  # households 1 and 3 (household 2's first visit no longer counts)
    assert t0[ind.code_units("HO06")] == 1
    assert t0[ind.code_units("HE01")] == 3  # two children of household 1, one of household 3
    assert t0[ind.code_units("HE01", "children")] == 3
    assert t0[ind.code_units("HE02")] == 6
    assert t0[ind.dimension_units("HO", "households")] == 4
    assert t0[ind.dimension_units("HE", "children")] == 3
    assert t0[ind.CHILDREN_VULNERABLE] == 3
    assert sum(t0.get(ind.households_at(r), 0) for r in ind.RISK_LEVELS) == 4
    t1 = _figures(AreaLevel.LOCALITY, str(refreshed.siruta), 1)
    assert t1[ind.HOUSEHOLDS] == 3
    assert t1[ind.PERSONS] == 11  # household 1's daughter moved out


def test_county_region_and_country_are_sums_of_their_localities(refreshed):
    other = LocalityFactory.create(siruta=54976)
    assessment_record(
        actor=None, document=document(9, 0, "T0", dt.date(2024, 6, 18), NO_ELECTRICITY, siruta=other.siruta)
    )
    monitoring_refresh()

    locality_sum = sum(
        _figures(AreaLevel.LOCALITY, str(s), 0)[ind.HOUSEHOLDS] for s in (refreshed.siruta, other.siruta)
    )
    assert locality_sum == 5
    for level, code in ((AreaLevel.COUNTY, "BC"), (AreaLevel.REGION, "RO21"), (AreaLevel.COUNTRY, "RO")):
        figures = _figures(level, code, 0)
        assert figures[ind.HOUSEHOLDS] == 5, level
        assert figures[ind.code_units("HO02")] == 3, level


def test_a_new_assessment_is_counted_by_the_next_run_and_only_its_locality_is_recomputed(refreshed, settings):
    # No overlap: the run looks back exactly to the previous one, as it would once nothing is in flight.
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    other = LocalityFactory.create(siruta=54976)
    monitoring_refresh(full=True)
    before = LocalityRefresh.objects.get(locality=refreshed).refreshed_at
    later = timezone.now() + dt.timedelta(minutes=5)

    assessment_record(
        actor=None, document=document(9, 0, "T0", dt.date(2024, 6, 18), NO_ELECTRICITY, siruta=other.siruta)
    )
    result = monitoring_refresh(now=later)

    assert result.localities == 1
    assert not result.full
    assert LocalityRefresh.objects.get(locality=other).refreshed_at == later
    assert LocalityRefresh.objects.get(locality=refreshed).refreshed_at == before
    assert _figures(AreaLevel.LOCALITY, str(other.siruta), 0)[ind.HOUSEHOLDS] == 1
    assert _figures(AreaLevel.COUNTY, "BC", 0)[ind.HOUSEHOLDS] == 5
    assert RefreshMark.objects.get().as_of == later


def test_a_run_with_nothing_changed_recomputes_nothing(refreshed, settings):
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    monitoring_refresh()
    rows = AreaFigure.objects.count()

    result = monitoring_refresh()

    assert result.localities == 0
    assert AreaFigure.objects.count() == rows


def test_incremental_and_full_refresh_agree(refreshed):
    other = LocalityFactory.create(siruta=54976)
    assessment_record(
        actor=None, document=document(9, 0, "T0", dt.date(2024, 6, 18), NO_ELECTRICITY, siruta=other.siruta)
    )
    monitoring_refresh()
    incremental = set(
        AreaFigure.objects.values_list(
            "level", "area", "urban", "marginalisation", "wave_number", "indicator", "value"
        )
    )

    monitoring_refresh(full=True)

    assert (
        set(
            AreaFigure.objects.values_list(
                "level", "area", "urban", "marginalisation", "wave_number", "indicator", "value"
            )
        )
        == incremental
    )


# The optimised run: each source recomputed only where it changed, only the changed rows written, the
# differences added to the areas above. Whatever it skips, its figures must be the rebuild's, to the unit.


def _row_versions(**filters):
    """Return (id, value) of the locality figure rows matching ``filters``: a row rewritten gets a new id."""
    return set(AreaFigure.objects.filter(level=AreaLevel.LOCALITY, **filters).values_list("id", "value"))


def test_every_kind_of_change_rolled_forward_equals_a_rebuild(refreshed, worker, settings):
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    other = LocalityFactory.create(siruta=54976)
    monitoring_refresh(full=True)

    # A later T2 visit of household 4 without damp: T2's only HO05 disappears, at every level.
    assessment_record(
        actor=None, document=document(4, 3, "T2", dt.date(2025, 5, 28), {}, siruta=refreshed.siruta)
    )
    monitoring_refresh()
    assert ind.code_units("HO05") not in _figures(AreaLevel.LOCALITY, str(refreshed.siruta), 2)
    assert ind.code_units("HO05") not in _figures(AreaLevel.COUNTRY, "RO", 2)
    assert _figures(AreaLevel.COUNTRY, "RO", 2)[ind.HOUSEHOLDS] == 1
    assert_a_rebuild_agrees()

    # A household of another locality of the county, in a new wave: the county adds it to its sums.
    assessment_record(
        actor=None, document=document(9, 0, "T1", dt.date(2025, 2, 3), NO_ELECTRICITY, siruta=other.siruta)
    )
    monitoring_refresh()
    assert _figures(AreaLevel.COUNTY, "BC", 1)[ind.HOUSEHOLDS] == 4
    assert_a_rebuild_agrees()

    # Census entries only.
    campaign = CensusCampaignFactory.create(locality=refreshed, wave="T3", wave_number=3)
    CensusEntryFactory.create_batch(3, campaign=campaign)
    monitoring_refresh()
    assert _figures(AreaLevel.REGION, "RO21", 3)[ind.census(EntrySource.REGISTER)] == 3
    assert_a_rebuild_agrees()

    # Case work only: a service delivered.
    case = Case.objects.filter(locality=refreshed).first()
    delivery_record(
        actor=worker,
        case=case,
        service=Service.objects.first(),
        person=None,
        worker=worker,
        delivered_on=dt.date(2025, 3, 4),
        place=Place.HOME_VISIT,
        duration_minutes=45,
    )
    monitoring_refresh()
    assert AreaActivity.objects.get(level=AreaLevel.COUNTRY, indicator=ind.SERVICES_MINUTES).value == 45
    assert_a_rebuild_agrees()


def test_a_run_recomputes_only_the_sources_and_waves_that_changed(refreshed, settings):
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    monitoring_refresh(full=True)
    siruta = str(refreshed.siruta)
    t0 = _row_versions(area=siruta, wave_number=0)
    t1 = _row_versions(area=siruta, wave_number=1)

    # A later T1 visit of household 3: only the locality's T1 figures can change, and only those that did are
    # written again.
    assessment_record(
        actor=None, document=document(3, 1, "T1", dt.date(2025, 1, 20), {}, siruta=refreshed.siruta)
    )
    monitoring_refresh()

    assert _row_versions(area=siruta, wave_number=0) == t0
    kept = _row_versions(area=siruta, wave_number=1) & t1
    assert kept, "figures of T1 that did not change keep their rows"
    assert _figures(AreaLevel.LOCALITY, siruta, 1)[ind.HOUSEHOLDS] == 4

    # Census entries of the locality's T1 campaign: its assessment figures are not touched.
    assessment_rows = _row_versions(area=siruta)
    campaign = CensusCampaignFactory.create(locality=refreshed, wave="T1", wave_number=1)
    CensusEntryFactory.create(campaign=campaign)
    monitoring_refresh()

    assert assessment_rows <= _row_versions(area=siruta)
    assert _figures(AreaLevel.LOCALITY, siruta, 1)[ind.census(EntrySource.REGISTER)] == 1
    assert_a_rebuild_agrees()


@pytest.mark.parametrize(
    ("run_seconds", "every", "pause"),
    [
        (0.2, 30, 30),  # a short run: the interval
        (4.0, 30, 36),  # nine times the run, beyond the interval
        (5.0, 5, 45),  # the benchmark's 5 s interval, paced to a tenth
        (10.0, 30, 40),  # freshness first: 40 + 2·10 = 60
        (40.0, 30, 30),  # runs too long for a minute: never sooner than the interval
    ],
)
def test_the_worker_waits_nine_times_its_run_but_keeps_a_change_within_a_minute(run_seconds, every, pause):
    assert pause_after(run_seconds, every=every, share=0.1, freshness=60) == pytest.approx(pause)


def test_pacing_bounds_the_share_while_freshness_allows_it():
    for tenths in range(1, 200):
        run = tenths / 10
        pause = pause_after(run, every=30, share=0.1, freshness=60)
        assert pause >= 30
        if (
            run * 11 <= 60
        ):  # nine times the run fits in the minute: the worker runs at most a tenth of the time
            assert run / (run + pause) <= 0.1 + 1e-9
        if run <= 15:  # the rest of this run, the pause and the next run fit in the minute
            assert run + pause + run <= 60 + 1e-9


def test_without_pacing_the_worker_runs_at_its_interval():
    assert pause_after(12.0, every=30, share=1, freshness=60) == 30


def test_a_household_seen_again_through_the_overlap_is_not_counted_twice(refreshed):
    # The default overlap: every run looks back ten seconds, so it sees the last run's assessments again.
    assessment_record(
        actor=None, document=document(5, 0, "T1", dt.date(2025, 1, 22), DAMP, siruta=refreshed.siruta)
    )
    monitoring_refresh()
    monitoring_refresh()

    assert _figures(AreaLevel.COUNTRY, "RO", 1)[ind.HOUSEHOLDS] == 4
    assert_a_rebuild_agrees()


def test_a_household_that_moved_leaves_the_figures_of_its_old_locality(refreshed, settings):
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    other = LocalityFactory.create(siruta=54976)
    monitoring_refresh(full=True)
    later = timezone.now() + dt.timedelta(minutes=5)

    # Household 2 moves to the other locality (a transfer, the only way), and its T1 visit is made there: its T1
    # counts there, no longer here.
    household = Household.objects.get(id=document(2, 0, "T0", dt.date(2024, 6, 15))["household"]["ref"])
    transfer = household_transfer_request(
        actor=worker_of(refreshed),
        household=household,
        to_locality=other,
        moved_on=dt.date(2025, 1, 20),
        to_address="Str. Morii 4",
    )
    household_transfer_accept(actor=worker_of(other, role=Role.LOCAL_COORDINATOR), transfer=transfer)
    assessment_record(
        actor=None, document=document(2, 3, "T1", dt.date(2025, 2, 1), NO_HEATING, siruta=other.siruta)
    )
    monitoring_refresh(now=later)

    assert _figures(AreaLevel.LOCALITY, str(refreshed.siruta), 1)[ind.HOUSEHOLDS] == 2
    assert _figures(AreaLevel.LOCALITY, str(other.siruta), 1)[ind.HOUSEHOLDS] == 1
    assert _figures(AreaLevel.COUNTY, "BC", 1)[ind.HOUSEHOLDS] == 3
    # Both localities' pages are built again: the one it left changed too.
    assert LocalityRefresh.objects.get(locality=refreshed).refreshed_at == later
    assert_a_rebuild_agrees()


def test_a_locality_that_changed_kind_is_rebuilt_under_its_new_split(refreshed, settings):
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    monitoring_refresh(full=True)
    Locality.objects.filter(siruta=refreshed.siruta).update(kind="town", marginalisation="high")
    assessment_record(
        actor=None, document=document(5, 0, "T1", dt.date(2025, 1, 22), DAMP, siruta=refreshed.siruta)
    )

    result = monitoring_refresh()

    assert result.full
    rows = AreaFigure.objects.filter(area__in=[str(refreshed.siruta), "BC", "RO"])
    assert set(rows.values_list("urban", "marginalisation")) == {(True, "high")}
    assert _figures(AreaLevel.COUNTRY, "RO", 1)[ind.HOUSEHOLDS] == 4
    assert_a_rebuild_agrees()


def test_a_rebuild_remembers_only_what_its_mark_cannot_tell(refreshed, settings):
    # Within the overlap of its mark, a rebuild cannot tell later runs which assessment it counted: it says so.
    monitoring_refresh(full=True)
    households_and_waves = Assessment.objects.values("household_id", "wave_number").distinct().count()
    assert CountedAssessment.objects.count() == households_and_waves == 8

    # Beyond it, a rebuild writes nothing per household: it counted the latest of those created before its mark.
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    monitoring_refresh(full=True)
    assert not CountedAssessment.objects.exists()
    assert _figures(AreaLevel.COUNTRY, "RO", 2)[ind.HOUSEHOLDS] == 1

    # A visit again in the same wave replaces the one the rebuild counted (subtracted, not added to it).
    assessment_record(
        actor=None, document=document(4, 3, "T2", dt.date(2025, 5, 28), {}, siruta=refreshed.siruta)
    )
    monitoring_refresh()
    assert _figures(AreaLevel.COUNTRY, "RO", 2)[ind.HOUSEHOLDS] == 1
    assert list(CountedAssessment.objects.values_list("assessment_id", flat=True)) == [
        Assessment.objects.filter(wave_number=2).latest("assessed_on").id
    ]
    assert_a_rebuild_agrees()
