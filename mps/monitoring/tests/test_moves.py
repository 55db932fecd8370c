"""A family that moves: each wave counts where it was assessed, its case where it lives now, its waves paired.

Household 3 of the known data set is assessed at T0 in Valea Mare (Bacău), moves to a commune of Neamț, and is
re-assessed there at T1.
"""

import datetime as dt

import pytest
from django.utils import timezone

from mps.accounts.models import Role
from mps.accounts.tests.factories import worker_of
from mps.assessment.services import assessment_record
from mps.cases.models import Case
from mps.geography.models import County
from mps.geography.tests.factories import LocalityFactory
from mps.monitoring import indicators as ind
from mps.monitoring.areas import area_get
from mps.monitoring.dhis2 import data_value_set
from mps.monitoring.evaluation import wave_evaluation
from mps.monitoring.models import AreaLevel, WorkerCaseload
from mps.monitoring.privacy import CellPolicy
from mps.monitoring.refresh import monitoring_refresh
from mps.monitoring.selectors import area_figures
from mps.monitoring.tests.aggregates import assert_a_rebuild_agrees
from mps.monitoring.tests.data import document
from mps.moves.services import household_transfer_accept, household_transfer_request
from mps.registry.models import Household

pytestmark = pytest.mark.django_db

MOVING = 3  # household 3: assessed at T0 only, with no electricity (HO02) and a son without a family doctor


def _figures(level, code, wave):
    return area_figures(area_get(level, code), wave)


@pytest.fixture
def new_home():
    """A commune of Neamț county with its coordinator and a social worker, who will manage the case."""
    locality = LocalityFactory.create(
        siruta=123456, name="Răcăciuni", county=County.objects.get(code="NT"), latitude=47.0, longitude=26.5
    )
    return {
        "locality": locality,
        "coordinator": worker_of(locality, role=Role.LOCAL_COORDINATOR, username="coord.nt"),
        "social_worker": worker_of(locality, username="asistent.nt"),
    }


def _move(worker, new_home):
    household = Household.objects.get(id=document(MOVING, 0, "T0", dt.date(2024, 6, 16))["household"]["ref"])
    transfer = household_transfer_request(
        actor=worker,
        household=household,
        to_locality=new_home["locality"],
        moved_on=timezone.localdate() - dt.timedelta(days=3),
        to_address="Str. Morii 4",
    )
    return household_transfer_accept(actor=new_home["coordinator"], transfer=transfer)


def _reassess_in(new_home):
    assessment_record(
        actor=None,
        document=document(
            MOVING,
            1,
            "T1",
            dt.date(2025, 2, 3),
            {"household.housing.electricity": False},
            siruta=new_home["locality"].siruta,
        ),
    )


@pytest.fixture
def moved(refreshed, worker, new_home, settings):
    """The household moved and was re-assessed at T1 in its new locality; the figures rolled forward."""
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    monitoring_refresh(full=True)
    _move(worker, new_home)
    _reassess_in(new_home)
    monitoring_refresh(now=timezone.now() + dt.timedelta(minutes=5))
    return refreshed, new_home["locality"]


def test_each_wave_counts_the_family_where_it_was_assessed(moved):
    old, new = moved

    # T0 stays in the old locality and its county; T1 is in the new one and its county.
    assert _figures(AreaLevel.LOCALITY, str(old.siruta), 0)[ind.HOUSEHOLDS] == 4
    assert _figures(AreaLevel.LOCALITY, str(old.siruta), 0)[ind.code_units("HO02")] == 2
    assert _figures(AreaLevel.LOCALITY, str(old.siruta), 1)[ind.HOUSEHOLDS] == 3
    assert ind.HOUSEHOLDS not in _figures(AreaLevel.LOCALITY, str(new.siruta), 0)
    assert _figures(AreaLevel.LOCALITY, str(new.siruta), 1)[ind.HOUSEHOLDS] == 1
    assert _figures(AreaLevel.LOCALITY, str(new.siruta), 1)[ind.code_units("HO02")] == 1
    assert _figures(AreaLevel.COUNTY, "BC", 1)[ind.HOUSEHOLDS] == 3
    assert _figures(AreaLevel.COUNTY, "NT", 1)[ind.HOUSEHOLDS] == 1
    assert ind.HOUSEHOLDS not in _figures(AreaLevel.COUNTY, "NT", 0)
    # The country counts the family once in each wave.
    assert _figures(AreaLevel.COUNTRY, "RO", 0)[ind.HOUSEHOLDS] == 4
    assert _figures(AreaLevel.COUNTRY, "RO", 1)[ind.HOUSEHOLDS] == 4
    assert_a_rebuild_agrees()


def test_the_case_and_its_caseload_follow_the_family_at_the_next_run(refreshed, worker, new_home, settings):
    settings.MPS_MONITORING_REFRESH_OVERLAP = 0
    household_id = document(MOVING, 0, "T0", dt.date(2024, 6, 16))["household"]["ref"]
    case = Case.objects.get(household_id=household_id)
    Case.objects.filter(id=case.id).update(case_manager=worker)
    monitoring_refresh(full=True)
    before = WorkerCaseload.objects.get(locality=refreshed, worker=worker).open_cases

    # Nothing is assessed: only the transfer tells the run that both localities changed.
    _move(worker, new_home)
    monitoring_refresh(now=timezone.now() + dt.timedelta(minutes=5))

    after = WorkerCaseload.objects.filter(locality=refreshed, worker=worker).values_list(
        "open_cases", flat=True
    )
    assert sum(after) == before - 1
    assert WorkerCaseload.objects.get(locality=new_home["locality"]).worker == new_home["social_worker"]
    assert_a_rebuild_agrees()


def test_the_wave_table_pairs_the_family_across_the_move_where_it_was_followed_up(moved):
    old, new = moved

    assert wave_evaluation("T0", "T1").households == 4
    # In the new locality (and its county), where the T1 follow-up was made: paired, not a new household.
    in_new = wave_evaluation("T0", "T1", [new.siruta])
    assert in_new.households == 1
    codes = {code.code: code for code in in_new.codes}
    assert (codes["HO02"].from_count, codes["HO02"].to_count) == (1, 1)
    assert (codes["HE01"].from_count, codes["HE01"].to_count) == (1, 0)  # the son got a family doctor
    assert (
        wave_evaluation(
            "T0", "T1", list(area_get(AreaLevel.COUNTY, "NT").localities().values_list("siruta", flat=True))
        ).households
        == 1
    )
    # The locality it left keeps its own three pairs and does not count the family as lost.
    assert wave_evaluation("T0", "T1", [old.siruta]).households == 3
    assert wave_evaluation("T0", "T1", [old.siruta, new.siruta]).households == 4


def test_children_followed_across_a_move_are_counted_once_where_they_were_last_seen(
    refreshed, worker, new_home
):
    # Household 4 (two children, seen at T0, T1 and T2 in the old locality) moves and is seen again at T3.
    household = Household.objects.get(id=document(4, 0, "T0", dt.date(2024, 6, 17))["household"]["ref"])
    transfer = household_transfer_request(
        actor=worker,
        household=household,
        to_locality=new_home["locality"],
        moved_on=timezone.localdate(),
        to_address="Str. Morii 4",
    )
    household_transfer_accept(actor=new_home["coordinator"], transfer=transfer)
    assessment_record(
        actor=None,
        document=document(4, 3, "T3", dt.date(2025, 11, 5), {}, siruta=new_home["locality"].siruta),
    )

    assert wave_evaluation("T0", "T3").children_three_or_more == 2
    assert wave_evaluation("T0", "T3", [new_home["locality"].siruta]).children_three_or_more == 2
    assert wave_evaluation("T0", "T3", [refreshed.siruta]).children_three_or_more == 0
    # Before the move, the old locality still follows them.
    assert wave_evaluation("T0", "T2", [refreshed.siruta]).children_three_or_more == 2


def test_dhis2_sends_each_wave_to_the_locality_where_it_was_assessed(moved):
    old, new = moved
    exact = CellPolicy(exact=True, threshold=5)

    def values(level, code, wave):
        document = data_value_set(area_get(level, code), wave, exact)
        return {
            (v["orgUnit"], v["period"], v["dataElement"]): v["value"]
            for v in document["dataValues"]
            if v["value"] != "0"
        }

    assert values(AreaLevel.COUNTY, "BC", 0)[(str(old.siruta), "20240601", "HO02")] == "2"
    # The T1 of the new locality: the family's one household and its month of assessment there.
    assert values(AreaLevel.COUNTY, "NT", 1) == {(str(new.siruta), "20250201", "HO02"): "1"}
    assert not values(AreaLevel.COUNTY, "NT", 0)
    assert (str(old.siruta), "20250101", "HO02") in values(AreaLevel.COUNTY, "BC", 1)
