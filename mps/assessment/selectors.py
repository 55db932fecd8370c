"""Reads of stored assessments, always through the user's scope (see mps.access.policy).

An assessment is visible to whoever may read its household's cases: a ref outside the user's localities
answers 404, exactly like a ref that does not exist.
"""

import contextlib
import datetime as dt
import itertools
import uuid
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from mps.access.policy import case_localities
from mps.accounts.models import User
from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.registry.models import Household, Person


def _visible(user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(household__locality__in=case_localities(user))


def assessment_list_for_household(user: User, household: Household) -> QuerySet[Assessment]:
    """Return the household's assessments the user may see, the latest visit first."""
    return (
        _visible(user)
        .filter(household=household)
        .select_related("assessed_by", "household_answers")
        .order_by("-assessed_on", "-created_at")
    )


def latest_assessment_for_household(user: User, household: Household) -> Assessment | None:
    """Return the household's current assessment (its latest visit), or None if there is none to see."""
    return _visible(user).filter(household=household, is_latest=True).select_related("assessed_by").first()


def assessment_same_day(
    user: User, household: Household, day: dt.date, *, other_than: str
) -> Assessment | None:
    """Return an assessment of the household already made on that day, other than the one being saved.

    A second visit on the same day is most often the same visit entered twice (a tablet and the web, or a
    re-evaluation opened by mistake); the form asks before it records another wave.
    """
    same_day = _visible(user).filter(household=household, assessed_on=day).order_by("-created_at")
    with contextlib.suppress(ValueError):
        same_day = same_day.exclude(id=uuid.UUID(other_than))
    return same_day.first()


def assessment_get_for_user(user: User, ref: uuid.UUID | str) -> Assessment:
    """Return one assessment the user may see; 404 when it is missing or outside their scope alike."""
    try:
        return (
            _visible(user)
            .select_related("household", "locality", "assessed_by", "household_answers")
            .get(id=ref)
        )
    except (Assessment.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


class ChangeStatus(StrEnum):
    RESOLVED = "resolved"  # found in the earlier wave, not in the later one
    PERSISTING = "persisting"  # found in both
    NEW = "new"  # found in the later wave only
    # The person was not part of the later visit (moved out, died): nothing can be said about their codes.
    NOT_REASSESSED = "not_reassessed"


@dataclass(frozen=True)
class CodeChange:
    """What happened to one vulnerability code of the household (person None) or of one person."""

    code: str
    person: Person | None
    status: ChangeStatus


@dataclass(frozen=True)
class WaveComparison:
    """The changes between the latest assessments of two consecutive waves of one household."""

    earlier: Assessment
    later: Assessment
    changes: list[CodeChange]

    def by_status(self, status: ChangeStatus) -> list[CodeChange]:
        """Return the changes with one status."""
        return [change for change in self.changes if change.status == status]


def wave_comparison_for_household(user: User, household: Household) -> list[WaveComparison]:
    """Compare each wave with the next one (latest assessment of each wave), by code, for the household and
    for each person; the user must be allowed to see the household."""
    latest_of_wave: dict[int, Assessment] = {}
    # Oldest first, so that the latest assessment of each wave overwrites the earlier ones.
    for assessment in _visible(user).filter(household=household).order_by("assessed_on", "created_at"):
        latest_of_wave[assessment.wave_number] = assessment
    waves = [latest_of_wave[number] for number in sorted(latest_of_wave)]
    if len(waves) < 2:
        return []

    ids = [assessment.id for assessment in waves]
    codes: dict[uuid.UUID, set[tuple[uuid.UUID | None, str]]] = defaultdict(set)
    for assessment_id, person_id, code in Finding.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "person_id", "code"
    ):
        codes[assessment_id].add((person_id, code))
    assessed: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for assessment_id, person_id in MemberAnswers.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "person_id"
    ):
        assessed[assessment_id].add(person_id)
    people = Person.objects.in_bulk({person_id for members in assessed.values() for person_id in members})

    comparisons = []
    for earlier, later in itertools.pairwise(waves):
        before, after = codes[earlier.id], codes[later.id]
        changes = []
        for who, code in before | after:
            if (who, code) in before and (who, code) in after:
                status = ChangeStatus.PERSISTING
            elif (who, code) in after:
                status = ChangeStatus.NEW
            elif who is not None and who not in assessed[later.id]:
                status = ChangeStatus.NOT_REASSESSED
            else:
                status = ChangeStatus.RESOLVED
            changes.append(CodeChange(code=code, person=people.get(who) if who else None, status=status))
        # The household's own codes first, then each person's (by name), each by code.
        changes.sort(
            key=lambda change: (
                change.person is not None,
                str(change.person or ""),
                str(change.person.id if change.person else ""),
                change.code,
            )
        )
        comparisons.append(WaveComparison(earlier=earlier, later=later, changes=changes))
    return comparisons
