"""The same seed builds the same census, assessments and cases; in its own module, on an empty database."""

import datetime as dt

import pytest
from django.db import transaction

from mps.assessment.models import Assessment, Finding
from mps.census.models import CensusEntry, CensusVisit
from mps.demo.context import REFERENCE_DATE
from mps.demo.tests.test_fieldwork import build
from mps.registry.models import Membership

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {
        "assessments": sorted(
            Assessment.objects.values_list("id", "household_id", "wave", "assessed_on", "score", "risk_level")
        ),
        "findings": sorted(
            Finding.objects.values_list("assessment_id", "person_id", "code"), key=lambda row: str(row)
        ),
        "entries": sorted(
            CensusEntry.objects.values_list(
                "id", "household_id", "source", "register_ref", "status", "attempts", "last_visited_on"
            )
        ),
        "visits": sorted(
            CensusVisit.objects.values_list(
                "id", "visited_on", "worker__username", "outcome", "assessment_id"
            )
        ),
        "memberships": sorted(
            Membership.objects.values_list("household_id", "person_id", "start_date", "end_date"),
            key=lambda row: str(row),
        ),
    }


def test_the_same_seed_gives_the_same_field_work() -> None:
    snapshots = []
    for _attempt in range(2):
        with transaction.atomic():
            build(households=40, seed=3)
            snapshots.append(snapshot())
            transaction.set_rollback(True)
    assert snapshots[0] == snapshots[1]
    days = [row[3] for row in snapshots[0]["assessments"]]
    assert days
    assert all(isinstance(day, dt.date) and dt.date(2025, 3, 1) <= day <= REFERENCE_DATE for day in days)
