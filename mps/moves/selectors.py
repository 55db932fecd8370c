"""The transfers each user may see, and what each side may be told about the family before a decision."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mps.access.policy import case_localities
from mps.accounts.models import Role, User
from mps.moves.models import HouseholdTransfer, PersonTransfer, RequestSide, TransferStatus
from mps.moves.services import decision_days
from mps.registry.models import Membership, Relation


def _visible(user: User, transfers: QuerySet) -> QuerySet:
    readable = case_localities(user).values("siruta")
    return transfers.filter(Q(from_locality__in=readable) | Q(to_locality__in=readable))


def household_transfers_for(user: User, *, status: str | None = None) -> QuerySet[HouseholdTransfer]:
    """Return the household transfers that leave or reach the user's localities, newest first."""
    transfers = _visible(user, HouseholdTransfer.objects.all())
    if status:
        transfers = transfers.filter(status=status)
    return transfers.select_related(
        "from_locality__county", "to_locality__county", "requested_by", "decided_by", "new_case_manager"
    )


def person_transfers_for(user: User, *, status: str | None = None) -> QuerySet[PersonTransfer]:
    """Return the person transfers that leave or reach the user's localities, newest first."""
    transfers = _visible(user, PersonTransfer.objects.all())
    if status:
        transfers = transfers.filter(status=status)
    return transfers.select_related("from_locality", "to_locality", "requested_by", "decided_by", "person")


def household_transfer_for(user: User, ref: uuid.UUID | str) -> HouseholdTransfer:
    """Return one household transfer the user may see, or 404."""
    try:
        return household_transfers_for(user).select_related("household", "to_village").get(id=ref)
    except (HouseholdTransfer.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def person_transfer_for(user: User, ref: uuid.UUID | str) -> PersonTransfer:
    """Return one person transfer the user may see, or 404."""
    try:
        return person_transfers_for(user).select_related("from_household", "to_household").get(id=ref)
    except (PersonTransfer.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def overdue_before() -> dt.datetime:
    """Return the moment before which a pending request is overdue."""
    return timezone.now() - dt.timedelta(days=decision_days())


def overdue_for_coordinator(user: User) -> tuple[list[HouseholdTransfer], list[PersonTransfer]]:
    """Return the pending transfers into the coordinator's localities that wait longer than allowed."""
    if user.role != Role.LOCAL_COORDINATOR:
        return [], []
    localities = case_localities(user).values("siruta")
    cutoff = overdue_before()
    households = HouseholdTransfer.objects.filter(
        to_locality__in=localities, status=TransferStatus.PENDING, created_at__lt=cutoff
    ).select_related("from_locality", "to_locality", "requested_by")
    people = PersonTransfer.objects.filter(
        to_locality__in=localities, status=TransferStatus.PENDING, created_at__lt=cutoff
    ).select_related("from_locality", "to_locality", "requested_by")
    return list(households.order_by("created_at")), list(people.order_by("created_at"))


def pending_counts(user: User) -> dict[str, int]:
    """Return how many pending transfers reach and leave the user's localities."""
    readable = case_localities(user).values("siruta")
    pending = HouseholdTransfer.objects.filter(status=TransferStatus.PENDING)
    pending_people = PersonTransfer.objects.filter(status=TransferStatus.PENDING)
    return {
        "incoming": pending.filter(to_locality__in=readable).count()
        + pending_people.filter(to_locality__in=readable).count(),
        "outgoing": pending.filter(from_locality__in=readable).count()
        + pending_people.filter(from_locality__in=readable).count(),
    }


def pending_incoming_count(user: User) -> int:
    """Return how many pending transfers wait for this coordinator's decision (0 for everyone else)."""
    if user.role != Role.LOCAL_COORDINATOR:
        return 0
    localities = case_localities(user).values("siruta")
    return (
        HouseholdTransfer.objects.filter(status=TransferStatus.PENDING, to_locality__in=localities).count()
        + PersonTransfer.objects.filter(status=TransferStatus.PENDING, to_locality__in=localities).count()
    )


def readable_locality_ids(user: User) -> set[int]:
    """Return the SIRUTA codes of the localities whose records the user may read."""
    return set(case_localities(user).values_list("siruta", flat=True))


def person_named_for(user: User, transfer: PersonTransfer, readable: set[int] | None = None) -> bool:
    """Tell whether the viewer may be told who moves: the sending side always, the receiving one once accepted.

    A receiving team that asked by CNP learns nothing of the person before the decision, as for a family.
    """
    readable = readable_locality_ids(user) if readable is None else readable
    if transfer.from_locality_id in readable:
        return True
    return transfer.status == TransferStatus.ACCEPTED and transfer.to_locality_id in readable


@dataclass(frozen=True)
class FamilySummary:
    """What the viewer may be told about the family of a transfer; empty fields are withheld."""

    may_open_household: bool
    head_name: str = ""
    members: int | None = None
    address: str = ""
    has_case: bool | None = None


def family_summary(
    user: User, transfer: HouseholdTransfer, readable: set[int] | None = None
) -> FamilySummary:
    """Tell the family to the sending team and, once accepted, to the receiving one.

    Before the decision the receiving side learns the head's name and the family's size only when the sending
    team made the request (it chose to hand the family over); a claim by CNP tells it nothing.
    """
    household = transfer.household
    readable = readable_locality_ids(user) if readable is None else readable
    may_open = household.locality_id in readable
    receiving_told = transfer.requested_side == RequestSide.SENDING and transfer.to_locality_id in readable
    if not may_open and not receiving_told:
        return FamilySummary(may_open_household=False)
    current = Membership.objects.filter(household=household, end_date__isnull=True).select_related("person")
    head = next((m.person.full_name for m in current if m.relation == Relation.HEAD), "")
    return FamilySummary(
        may_open_household=may_open,
        head_name=head,
        members=len(current),
        address=household.address if may_open else "",
        has_case=hasattr(household, "case") if may_open else None,
    )


def households_moved_away(locality_ids: list[int], since: dt.datetime | None) -> QuerySet[HouseholdTransfer]:
    """Return the accepted transfers that took households out of these localities (after ``since``)."""
    moved = HouseholdTransfer.objects.filter(
        status=TransferStatus.ACCEPTED, from_locality_id__in=locality_ids
    )
    if since is not None:
        moved = moved.filter(decided_at__gt=since)
    return moved
