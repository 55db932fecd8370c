"""What the storage of assessments wrote, as comparable values: for tests that compare two ways of storing."""

from typing import Any

from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.audit.models import AuditEvent
from mps.registry.models import Household, Membership, Person

_WRITTEN = (AuditEvent, Finding, MemberAnswers, Assessment, Membership, Person, Household)  # children first


def stored_snapshot() -> dict[str, Any]:
    """Return the rows assessments wrote, sorted, without ids or instants that differ between two runs."""
    return {
        "households": sorted(Household.objects.values_list("id", "address", "version")),
        "people": sorted(Person.objects.values_list("id", "first_name", "cnp", "version")),
        "memberships": sorted(
            Membership.objects.values_list(
                "household_id", "person_id", "start_date", "end_date", "end_reason"
            )
        ),
        "assessments": sorted(
            Assessment.objects.values_list("id", "is_latest", "score", "risk_level", "source")
        ),
        "member_answers": MemberAnswers.objects.count(),
        "findings": sorted(Finding.objects.values_list("assessment_id", "code", "person_id")),
        "audit": sorted(AuditEvent.objects.values_list("actor_id", "action", "object_type", "object_id")),
    }


def stored_clear() -> None:
    """Delete what assessments wrote, so that the same input can be stored again another way."""
    for model in _WRITTEN:
        model.objects.all().delete()
