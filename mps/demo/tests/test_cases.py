"""Demo case work is consistent with the assessments it starts from."""

import random
import uuid

import pytest
from django.utils import timezone

from mps.assessment.models import Finding
from mps.assessment.signals import assessments_recorded
from mps.cases.models import Case, CaseStatus, GroupActivity, Referral, ServiceDelivery
from mps.cases.receivers import update_cases_for_assessments
from mps.cases.selectors import activity_figures
from mps.cases.tests.factories import builders_locality, record, team_of
from mps.demo.cases import build_demo_cases

pytestmark = pytest.mark.django_db

PROFILES = [
    {"members[2].health.family_doctor": False, "household.housing.heating": False},
    {"members[2].protection.neglect_signs": True},
    {"members[3].health.vaccination": "incomplete", "members[2].education.status": "dropped_out"},
    {"household.housing.safe_water": False},
]


@pytest.fixture
def assessed_households():
    team = team_of(builders_locality(name="Pâncești"))
    assessments_recorded.disconnect(dispatch_uid="cases_update_from_assessment")
    try:
        for n in range(8):
            refs = {"ref": str(uuid.UUID(int=n + 1)), "household.ref": str(uuid.UUID(int=1000 + n))}
            people = {f"members[{i}].ref": str(uuid.UUID(int=5000 + 10 * n + i)) for i in range(4)}
            people |= {
                f"members[{i}].{p}_ref": str(uuid.UUID(int=5000 + 10 * n + j))
                for i in (2, 3)
                for p, j in (("mother", 1), ("father", 0))
            }
            people |= {"household.consent.by_member": str(uuid.UUID(int=5000 + 10 * n))}
            record(team["social_worker"], {**PROFILES[n % 4], **people}, **refs)
    finally:
        assessments_recorded.connect(
            update_cases_for_assessments, dispatch_uid="cases_update_from_assessment"
        )
    return team


def test_demo_cases_follow_the_assessments(assessed_households):
    summary = build_demo_cases(random.Random(42), today=timezone.localdate(), agreement_share=1.0)

    assert summary.assessments_processed == 8
    assert Case.objects.count() == 8
    assert summary.agreements == 8
    assert Case.objects.filter(status=CaseStatus.ACTIVE).count() == 8
    # Every critical finding has its urgent referral.
    critical = set(
        Finding.objects.filter(critical=True).values_list("assessment__household_id", "code", "person_id")
    )
    urgent = set(Referral.objects.filter(urgent=True).values_list("case__household_id", "code", "person_id"))
    assert critical == urgent
    assert ServiceDelivery.objects.exists()
    figures = activity_figures(GroupActivity.objects.all())
    assert figures.sessions == summary.activities >= 2
    assert figures.parents > 0
    assert figures.children >= figures.parents // 2
