"""Rolling the aggregates forward: figures equal the base tables, only changed localities are recomputed."""

import datetime as dt

import pytest
from django.utils import timezone

from mps.assessment.services import assessment_record
from mps.geography.tests.factories import LocalityFactory
from mps.monitoring import indicators as ind
from mps.monitoring.areas import area_get
from mps.monitoring.models import AreaFigure, AreaLevel, LocalityRefresh, RefreshMark
from mps.monitoring.refresh import monitoring_refresh
from mps.monitoring.selectors import area_figures
from mps.monitoring.tests.data import NO_ELECTRICITY, document

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
