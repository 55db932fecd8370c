"""Reads of census campaigns, entries and coverage, always through the user's scope (see mps.access.policy)."""

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from mps.access.policy import case_localities
from mps.accounts.models import User
from mps.core.collation import romanian

from .models import CensusCampaign, CensusEntry, CensusVisit, EntrySource, EntryStatus, VisitOutcome


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def campaign_list_for_user(user: User) -> QuerySet[CensusCampaign]:
    """Return the campaigns of the user's localities, each with its listed and assessed counts."""
    return (
        CensusCampaign.objects.filter(locality__in=case_localities(user))
        .select_related("locality__county")
        .annotate(
            listed=Count("entries"),
            assessed=Count("entries", filter=Q(entries__status=EntryStatus.ASSESSED)),
        )
        .order_by(romanian("locality__name"), "-wave_number")
    )


def campaign_get_for_user(user: User, siruta: int, wave: str) -> CensusCampaign:
    """Return a locality's campaign for a wave; 404 when it is missing or outside the user's scope alike."""
    try:
        return CensusCampaign.objects.select_related("locality__county").get(
            locality_id=siruta, wave=wave.upper(), locality__in=case_localities(user)
        )
    except CensusCampaign.DoesNotExist as error:
        raise Http404 from error


def entry_get_for_user(user: User, ref: uuid.UUID | str) -> CensusEntry:
    """Return one census entry the user may see, or 404."""
    try:
        return CensusEntry.objects.select_related("campaign__locality", "household__village").get(
            id=ref, campaign__locality__in=case_localities(user)
        )
    except (CensusEntry.DoesNotExist, ValueError) as error:
        raise Http404 from error


def entry_list(campaign: CensusCampaign, *, status: str = "", source: str = "") -> QuerySet[CensusEntry]:
    """Return a campaign's entries with their household, optionally only one status or one source."""
    entries = CensusEntry.objects.filter(campaign=campaign)
    if status:
        entries = entries.filter(status=status)
    if source:
        entries = entries.filter(source=source)
    return entries.select_related("household__village").order_by("household__address", "id")


@dataclass(frozen=True)
class WorkerCoverage:
    """One worker's share of a campaign: visits made and households assessed."""

    worker_id: int
    name: str
    visits: int
    assessed: int


@dataclass(frozen=True)
class CampaignProgress:
    """How far a campaign has come; "total" counts register entries and invisibles together."""

    listed: int
    invisibles: int
    visited: int
    attempts: int
    repeated: int
    by_status: dict[str, int]
    workers: list[WorkerCoverage]

    @property
    def total(self) -> int:
        return self.listed + self.invisibles

    @property
    def assessed(self) -> int:
        return self.by_status.get(EntryStatus.ASSESSED, 0)

    @property
    def to_visit(self) -> int:
        return self.by_status.get(EntryStatus.TO_VISIT, 0)

    @property
    def coverage_percent(self) -> float:
        return _percent(self.assessed, self.total)

    @property
    def visited_percent(self) -> float:
        return _percent(self.visited, self.total)


def campaign_progress(campaign: CensusCampaign) -> CampaignProgress:
    """Count a campaign's progress in two queries: one over its entries, one over its visits by worker."""
    status_counts = {
        f"status_{status}": Count("id", filter=Q(status=status)) for status in EntryStatus.values
    }
    totals = CensusEntry.objects.filter(campaign=campaign).aggregate(
        listed=Count("id", filter=Q(source=EntrySource.REGISTER)),
        invisibles=Count("id", filter=Q(source=EntrySource.FIELD)),
        visited=Count("id", filter=Q(attempts__gt=0)),
        repeated=Count("id", filter=Q(attempts__gte=2)),
        attempts=Sum("attempts"),
        **status_counts,
    )
    workers = [
        WorkerCoverage(
            worker_id=row["worker_id"],
            name=f"{row['worker__first_name']} {row['worker__last_name']}".strip() or row["worker__username"],
            visits=row["visits"],
            assessed=row["assessed"],
        )
        for row in CensusVisit.objects.filter(entry__campaign=campaign)
        .values("worker_id", "worker__first_name", "worker__last_name", "worker__username")
        .annotate(visits=Count("id"), assessed=Count("id", filter=Q(outcome=VisitOutcome.ASSESSED)))
        .order_by("-visits", romanian("worker__last_name"), "worker_id")
    ]
    return CampaignProgress(
        listed=totals["listed"],
        invisibles=totals["invisibles"],
        visited=totals["visited"],
        attempts=totals["attempts"] or 0,
        repeated=totals["repeated"],
        by_status={status: totals[f"status_{status}"] for status in EntryStatus.values},
        workers=workers,
    )
