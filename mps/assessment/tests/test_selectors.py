"""Reading assessments: only within the user's scope, and wave comparisons by code."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from mps.accounts.tests.factories import worker_of
from mps.assessment import selectors
from mps.assessment.selectors import ChangeStatus
from mps.assessment.services import assessment_record
from mps.assessment.tests.builders import DAUGHTER, REFS, SON, assessment_with
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def locality():
    return LocalityFactory.create(siruta=54975)


@pytest.fixture
def worker(locality):
    return worker_of(locality)


def _wave(wave: str, on: str, ref_suffix: str, answers: dict | None = None) -> dict:
    return assessment_with(
        {
            "ref": f"aaaaaaaa-0000-4000-8000-{ref_suffix:0>12}",
            "wave": wave,
            "assessed_on": on,
            **(answers or {}),
        }
    )


@pytest.fixture
def household(worker):
    # T0: the son has no family doctor (HE01), the house no heating (HO06), the daughter misses kindergarten.
    assessment_record(
        actor=worker,
        document=_wave(
            "T0",
            "2024-06-15",
            "1",
            {
                "members[2].health.family_doctor": False,
                "household.housing.heating": False,
                "members[3].education.status": "not_enrolled",
            },
        ),
    )
    # A second T0 visit the same year corrects the first: the daughter is enrolled after all.
    assessment_record(
        actor=worker,
        document=_wave(
            "T0",
            "2024-07-01",
            "2",
            {"members[2].health.family_doctor": False, "household.housing.heating": False},
        ),
    )
    # T1: heating fixed, the son still without a doctor, the head lost his job; the daughter moved away.
    later = _wave(
        "T1",
        "2025-06-15",
        "3",
        {"members[2].health.family_doctor": False, "members[0].employment.status": "inactive"},
    )
    later["members"].pop(DAUGHTER)
    assessment_record(actor=worker, document=later)
    return Household.objects.get()


def test_list_and_latest_are_scoped(worker, household):
    assert [a.wave for a in selectors.assessment_list_for_household(worker, household)] == ["T1", "T0", "T0"]
    assert selectors.latest_assessment_for_household(worker, household).wave == "T1"

    outsider = worker_of(LocalityFactory.create())
    assert not selectors.assessment_list_for_household(outsider, household).exists()
    assert selectors.latest_assessment_for_household(outsider, household) is None


def test_get_outside_scope_is_404_like_missing(worker, household):
    ref = "aaaaaaaa-0000-4000-8000-000000000003"
    assert selectors.assessment_get_for_user(worker, ref).wave == "T1"
    outsider = worker_of(LocalityFactory.create())
    with pytest.raises(Http404):
        selectors.assessment_get_for_user(outsider, ref)
    with pytest.raises(Http404):
        selectors.assessment_get_for_user(worker, "not-a-uuid")


def test_wave_comparison_uses_the_latest_assessment_of_each_wave(worker, household):
    with CaptureQueriesContext(connection) as queries:
        [comparison] = selectors.wave_comparison_for_household(worker, household)

    assert len(queries) <= 5
    assert (comparison.earlier.assessed_on.isoformat(), comparison.later.wave) == ("2024-07-01", "T1")
    summary = {(c.person.id.hex[-1] if c.person else None, c.code, c.status) for c in comparison.changes}
    assert ("2", "HE01", ChangeStatus.PERSISTING) in summary  # the son
    assert (None, "HO06", ChangeStatus.RESOLVED) in summary
    assert ("0", "EM01", ChangeStatus.NEW) in summary  # the head
    # The second T0 visit replaced the first: the daughter's kindergarten finding is not compared.
    assert not [c for c in comparison.changes if c.person and str(c.person.id) == REFS[DAUGHTER]]
    assert comparison.by_status(ChangeStatus.PERSISTING)[0].person.id.hex[-1] == REFS[SON][-1]


def test_moved_out_persons_codes_are_not_reassessed(worker, locality):
    assessment_record(
        actor=worker, document=_wave("T0", "2024-06-15", "1", {"members[3].health.vaccination": "unknown"})
    )
    later = _wave("T1", "2025-06-15", "2")
    later["members"].pop(DAUGHTER)
    assessment_record(actor=worker, document=later)

    [comparison] = selectors.wave_comparison_for_household(worker, Household.objects.get())

    assert [(c.code, c.status) for c in comparison.changes] == [("HE04", ChangeStatus.NOT_REASSESSED)]


def test_no_comparison_outside_scope(household):
    assert selectors.wave_comparison_for_household(worker_of(LocalityFactory.create()), household) == []
