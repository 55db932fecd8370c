"""Reads of the data-protection work: which audit events concern one person, and the data-subject requests.

Policy of a person's trail. It is every event on their own record, and on the records that showed their data to
whoever opened them:
- their record, and every duplicate record merged into it, at any time;
- each household they lived in, while they lived there (from the first day of the membership to its last,
  inclusive, in the platform's time zone); a household's events before or after their stay are other people's;
- each assessment of those households made during their stay, at any time, since it keeps their answers.
Their data-subject requests show there through the reads and changes of their record that handling them made.

It lives in `privacy`, above the registry, the assessments and the trail, which it reads together; the trail's
own query (`mps.audit.selectors.records_trail`) knows records only by type and id. The trail page
(`mps.web.person_trail_views`) and the access report (`access_report.py`) both read it here.
"""

import datetime as dt
import uuid
from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone

from mps.assessment.models import Assessment
from mps.audit.models import AuditEvent
from mps.audit.selectors import TrailRecord, records_trail
from mps.privacy.models import OPEN_REQUEST_STATUSES, DataSubjectRequest
from mps.registry.models import Membership, Person

# Merges chain rarely (a duplicate of a duplicate); a bound keeps a corrupt loop from spinning.
_MAX_MERGE_DEPTH = 20


def person_find(*, cnp: str | None = None, person_id: uuid.UUID | str | None = None) -> Person | None:
    """Return the person recorded with this CNP or id, as the record that survived any merge; None if unknown."""
    people = Person.objects.all()
    if cnp is not None:
        # Merged duplicates may keep the CNP they were recorded with: the one living record first.
        person = people.filter(cnp=cnp, merged_into__isnull=True).first() or people.filter(cnp=cnp).first()
    elif person_id is not None:
        person = people.filter(id=person_id).first()
    else:
        return None
    for _depth in range(_MAX_MERGE_DEPTH):
        if person is None or person.merged_into_id is None:
            break
        person = people.filter(id=person.merged_into_id).first()
    return person


def person_record_ids(person: Person) -> list[uuid.UUID]:
    """Return the ids of the person's record and of every record merged into it, directly or not."""
    ids = [person.id]
    frontier = [person.id]
    for _depth in range(_MAX_MERGE_DEPTH):
        frontier = [
            pid
            for pid in Person.objects.filter(merged_into_id__in=frontier)
            .order_by()
            .values_list("id", flat=True)
            if pid not in ids
        ]
        if not frontier:
            break
        ids += frontier
    return ids


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def person_trail(person: Person) -> QuerySet[AuditEvent]:
    """Return every audit event concerning the person (see the module's policy), newest first."""
    person_ids = person_record_ids(person)
    records = [TrailRecord("person", str(pid)) for pid in person_ids]
    stays: dict[uuid.UUID, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for household_id, start, end in Membership.objects.filter(person_id__in=person_ids).values_list(
        "household_id", "start_date", "end_date"
    ):
        stays[household_id].append((start, end))
        records.append(
            TrailRecord(
                "household",
                str(household_id),
                since=_day_start(start),
                until=_day_start(end + dt.timedelta(days=1)) if end is not None else None,
            )
        )
    for assessment_id, household_id, assessed_on in Assessment.objects.filter(
        household_id__in=list(stays)
    ).values_list("id", "household_id", "assessed_on"):
        if any(
            start <= assessed_on and (end is None or assessed_on <= end) for start, end in stays[household_id]
        ):
            records.append(TrailRecord("assessment", str(assessment_id)))
    return records_trail(records)


def person_locality_id(person: Person) -> int | None:
    """Return the locality the person lives in now, to file a read of their record under; None if nowhere."""
    return (
        Membership.objects.filter(person=person, end_date__isnull=True)
        .values_list("household__locality_id", flat=True)
        .first()
    )


def subject_requests(*, status: str = "", overdue_only: bool = False) -> QuerySet[DataSubjectRequest]:
    """Return the data-subject requests, optionally of one status or only the overdue ones, soonest due first."""
    requests = DataSubjectRequest.objects.select_related("person", "recorded_by").order_by("due_on", "id")
    if status:
        requests = requests.filter(status=status)
    if overdue_only:
        requests = requests.filter(status__in=OPEN_REQUEST_STATUSES, due_on__lt=timezone.localdate())
    return requests


def subject_request_get(request_id: int) -> DataSubjectRequest | None:
    """Return one data-subject request with its person and deciders, or None if there is none by this id."""
    return (
        DataSubjectRequest.objects.select_related(
            "person", "recorded_by", "decided_by", "identity_checked_by"
        )
        .filter(id=request_id)
        .first()
    )
