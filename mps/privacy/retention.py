"""The legal-retention rule that decides whether an erasure request erases or restricts (mps/privacy/README.md).

Policy. The right to erasure does not apply while the records are needed to comply with a legal obligation
(GDPR art. 17(3)(b)): the social-assistance service must keep the file of the support it gives (Law 292/2011
on social assistance and the case-management methodology) while the case is open and for a retention period
after the last service. So a person is erased only when no household they ever lived in has an open case, and
`MPS_RECORD_RETENTION_YEARS` (5 by default) have passed since the last of: a case of those households closed,
a service delivered to those households or to the person, an assessment of those households. Until then the
answer is a restriction of processing (art. 18(1)(b)-(c)), with the reason told to the requester.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Q
from django.utils import formats
from django.utils.translation import gettext as _

from mps.assessment.models import Assessment
from mps.cases.models import OPEN_CASE_STATUSES, Case, ServiceDelivery
from mps.privacy.selectors import person_record_ids
from mps.registry.models import Membership, Person


@dataclass(frozen=True)
class RetentionObstacle:
    """Why the person's records must be kept (and are restricted instead), and until when if it is known."""

    reason: str
    until: dt.date | None = None


def add_years(day: dt.date, years: int) -> dt.date:
    """Return the same day `years` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_service_date(person: Person) -> dt.date | None:
    """Return the day of the last case closure, service delivered or assessment concerning the person."""
    person_ids = person_record_ids(person)
    households = list(
        Membership.objects.filter(person_id__in=person_ids).values_list("household_id", flat=True)
    )
    dates = [
        Case.objects.filter(household_id__in=households).aggregate(last=Max("closed_on"))["last"],
        ServiceDelivery.objects.filter(Q(case__household_id__in=households) | Q(person_id__in=person_ids))
        .order_by()
        .aggregate(last=Max("delivered_on"))["last"],
        Assessment.objects.filter(household_id__in=households).aggregate(last=Max("assessed_on"))["last"],
    ]
    known = [day for day in dates if day is not None]
    return max(known) if known else None


def erasure_obstacle(person: Person, *, today: dt.date) -> RetentionObstacle | None:
    """Return why the person's records must be kept rather than erased today, or None if they may be erased."""
    person_ids = person_record_ids(person)
    households = Membership.objects.filter(person_id__in=person_ids).values("household_id")
    if Case.objects.filter(household_id__in=households, status__in=OPEN_CASE_STATUSES).exists():
        return RetentionObstacle(
            _(
                "The household has an open case: its records are kept while the case is open "
                "(GDPR art. 17(3)(b), the social-assistance record-keeping obligation)."
            )
        )
    last = last_service_date(person)
    if last is None:
        return None
    years = settings.MPS_RECORD_RETENTION_YEARS
    until = add_years(last, years)
    if today < until:
        return RetentionObstacle(
            _(
                "The records must be kept for %(years)d years after the last service (%(last)s), that is "
                "until %(until)s (GDPR art. 17(3)(b), the social-assistance record-keeping obligation)."
            )
            % {
                "years": years,
                "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
                "until": formats.date_format(until, "SHORT_DATE_FORMAT"),
            },
            until=until,
        )
    return None
