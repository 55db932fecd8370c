"""Transfers of households and persons between localities: request, claim, accept, refuse, withdraw.

Policy.
- A household transfer is asked for by the team the family left (it knows where they went: `household_transfer_
  request`) or by the team the family came to (the family says it was registered elsewhere: `household_transfer_
  claim`, matched by one member's CNP). The claiming team learns nothing of the family until the transfer is
  accepted: the claim answers the same whether or not the family has a case, and names no place or person.
- The receiving locality's coordinator decides. On acceptance the household, its people, its assessments and
  waves (they hang on the household), its case with the plan, referrals and tasks move at once: the case gets a
  case manager of the new team (the social worker with the fewest open cases unless the coordinator chooses), and
  the sending team loses access at that moment, because every page and the field app scope by the household's
  current locality. Past assessments, visits and deliveries keep the locality they were made in: the
  dashboards count the household where it lived on each date.
- A person moves to another household at once when the actor works with both; otherwise it is a request that
  the receiving locality's coordinator decides. A person's open goals, pending referrals and open tasks follow
  them to the new household's case (a child's case follows the child).
- Everything is audited on both sides: each audit row of a move is written once with the sending locality and
  once with the receiving one, so each team's trail tells the story.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.access.policy import may_edit_in
from mps.accounts.models import Role, User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.cases.models import (
    OPEN_CASE_STATUSES,
    PENDING_REFERRAL_STATUSES,
    ActionStatus,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    GoalStatus,
    PlanAction,
    PlanGoal,
    Referral,
    Task,
)
from mps.census.household_moves import entries_follow_household_move
from mps.core.cnp import cnp_problems
from mps.core.errors import DomainValidationError
from mps.core.limits import ADDRESS_MAX, NOTE_MAX, too_long
from mps.geography.models import Locality, Village
from mps.moves.models import HouseholdTransfer, PersonTransfer, RequestSide, TransferStatus
from mps.registry.models import Household, Membership, MembershipEnd, Person, Relation
from mps.registry.services import require_processable


def decision_days() -> int:
    """Return how many days a coordinator has to decide a transfer (setting MPS_TRANSFER_DECISION_DAYS)."""
    return int(getattr(settings, "MPS_TRANSFER_DECISION_DAYS", 7))


def is_coordinator_of(user: User, locality_id: int) -> bool:
    """Tell whether the user is a local coordinator who may act in this locality."""
    return user.role == Role.LOCAL_COORDINATOR and may_edit_in(user, locality_id)


def lightest_social_worker(locality_id: int) -> User | None:
    """Return the locality's active social worker with the fewest open cases (by username on a tie)."""
    return (
        User.objects.filter(is_active=True, role=Role.SOCIAL_WORKER, localities__siruta=locality_id)
        .annotate(open_cases=Count("cases_managed", filter=Q(cases_managed__status__in=OPEN_CASE_STATUSES)))
        .order_by("open_cases", "username")
        .first()
    )


def _team_of(locality_id: int) -> list[User]:
    return list(User.objects.filter(is_active=True, localities__siruta=locality_id).order_by("username"))


def _audit_both_sides(
    *,
    actor: User | None,
    action: AuditAction,
    object_type: str,
    object_id: object,
    localities: Iterable[int],
    changes: dict[str, Any],
) -> None:
    for locality_id in dict.fromkeys(localities):
        audit_record(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            locality_id=locality_id,
            changes=changes,
        )


def _moved_on_problems(moved_on: dt.date | None, field: str = "moved_on") -> dict[str, list[str]]:
    if moved_on is None:
        return {field: [_("Give the date the family moved.")]}
    if moved_on > timezone.localdate():
        return {field: [_("The date cannot be in the future.")]}
    return {}


def _text_problems(**values: tuple[str, int]) -> dict[str, list[str]]:
    return too_long(values)


def _village_problems(village: Village | None, locality_id: int) -> dict[str, list[str]]:
    if village is not None and village.locality_id != locality_id:
        return {"village": [_("The village must belong to the new locality.")]}
    return {}


def _current_membership(person: Person) -> Membership | None:
    return Membership.objects.select_related("household").filter(person=person, end_date__isnull=True).first()


def _active_person_with_cnp(cnp: str) -> Person | None:
    return Person.objects.filter(cnp=cnp, merged_into__isnull=True).first()


def _audit_cnp_lookup(actor: User, person: Person | None, locality_id: int, outcome: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="cnp_lookup",
        object_id=person.id if person else "-",
        locality_id=locality_id,
        changes={"outcome": [None, outcome]},
    )


def _cnp_found_elsewhere(
    *, actor: User, cnp: str, receiving_locality_id: int
) -> tuple[Person, Membership] | dict[str, list[str]]:
    """Find where the CNP's holder lives now, for a claim; problems (named by field) when it cannot be claimed."""
    cnp = (cnp or "").strip()
    format_problems = cnp_problems(cnp)
    if format_problems:
        return {"cnp": format_problems}
    person = _active_person_with_cnp(cnp)
    membership = _current_membership(person) if person else None
    if person is None or membership is None:
        _audit_cnp_lookup(actor, person, receiving_locality_id, "not_found")
        return {
            "cnp": [
                _("No person living in a household is registered with this CNP; register the family here.")
            ]
        }
    if membership.household.locality_id == receiving_locality_id:
        _audit_cnp_lookup(actor, person, receiving_locality_id, "already_here")
        return {"cnp": [_("This person is already registered in this locality.")]}
    return person, membership


# Households -------------------------------------------------------------------------------------------------


def household_transfer_request(
    *,
    actor: User,
    household: Household,
    to_locality: Locality,
    moved_on: dt.date | None,
    reason: str = "",
    to_village: Village | None = None,
    to_address: str = "",
) -> HouseholdTransfer:
    """Ask, as the family's current team, that the household be transferred to the locality it moved to."""
    if not may_edit_in(actor, household.locality_id):
        raise DomainValidationError(household=_("You may not change households in this locality."))
    to_address, reason = to_address.strip(), reason.strip()
    problems: dict[str, list[str]] = {}
    if to_locality.siruta == household.locality_id:
        problems["to_locality"] = [_("The household already lives in this locality.")]
    problems |= _moved_on_problems(moved_on)
    problems |= _village_problems(to_village, to_locality.siruta)
    problems |= _text_problems(to_address=(to_address, ADDRESS_MAX), reason=(reason, NOTE_MAX))
    if HouseholdTransfer.objects.filter(household=household, status=TransferStatus.PENDING).exists():
        problems["household"] = [_("A transfer of this household is already waiting for a decision.")]
    if problems:
        raise DomainValidationError(problems)
    assert moved_on is not None
    with transaction.atomic():
        transfer = HouseholdTransfer.objects.create(
            household=household,
            from_locality_id=household.locality_id,
            to_locality=to_locality,
            to_village=to_village,
            to_address=to_address,
            moved_on=moved_on,
            requested_side=RequestSide.SENDING,
            requested_by=actor,
            reason=reason,
        )
        _audit_transfer(actor, transfer, AuditAction.CREATE, {"status": [None, TransferStatus.PENDING]})
    return transfer


def household_transfer_claim(
    *, actor: User, cnp: str, to_locality: Locality, moved_on: dt.date | None, reason: str = ""
) -> HouseholdTransfer:
    """Ask, as the team the family came to, for the household of the person with this CNP.

    The answer names nothing of the family: the claiming team sees it only once the transfer is accepted.
    """
    if not may_edit_in(actor, to_locality.siruta):
        raise DomainValidationError(to_locality=_("You may not register households in this locality."))
    reason = reason.strip()
    problems = _moved_on_problems(moved_on) | _text_problems(reason=(reason, NOTE_MAX))
    found = _cnp_found_elsewhere(actor=actor, cnp=cnp, receiving_locality_id=to_locality.siruta)
    if isinstance(found, dict):
        raise DomainValidationError(problems | found)
    person, membership = found
    household = membership.household
    if HouseholdTransfer.objects.filter(household=household, status=TransferStatus.PENDING).exists():
        problems["cnp"] = [_("A transfer of this family is already waiting for a decision.")]
    if problems:
        raise DomainValidationError(problems)
    assert moved_on is not None
    with transaction.atomic():
        _audit_cnp_lookup(actor, person, to_locality.siruta, "transfer_requested")
        transfer = HouseholdTransfer.objects.create(
            household=household,
            from_locality_id=household.locality_id,
            to_locality=to_locality,
            moved_on=moved_on,
            requested_side=RequestSide.RECEIVING,
            requested_by=actor,
            claimed_cnp=cnp.strip(),
            reason=reason,
        )
        _audit_transfer(actor, transfer, AuditAction.CREATE, {"status": [None, TransferStatus.PENDING]})
    return transfer


def _audit_transfer(
    actor: User | None,
    transfer: HouseholdTransfer | PersonTransfer,
    action: AuditAction,
    changes: dict[str, Any],
) -> None:
    _audit_both_sides(
        actor=actor,
        action=action,
        object_type=transfer._meta.model_name or "transfer",
        object_id=transfer.id,
        localities=(transfer.from_locality_id, transfer.to_locality_id),
        changes=changes,
    )


def _record_decision(
    actor: User, transfer: HouseholdTransfer | PersonTransfer, status: str, at: dt.datetime | None = None
) -> None:
    """Save the decision on the transfer, who took it and when, and audit it on both sides."""
    transfer.status = status
    transfer.decided_by, transfer.decided_at = actor, at or timezone.now()
    transfer.version += 1
    transfer.save()
    _audit_transfer(actor, transfer, AuditAction.UPDATE, {"status": [TransferStatus.PENDING, status]})


def _pending_for_decision(actor: User, transfer: HouseholdTransfer | PersonTransfer) -> None:
    if not is_coordinator_of(actor, transfer.to_locality_id):
        raise DomainValidationError(
            transfer=_("Only the coordinator of the receiving locality may accept or refuse a transfer.")
        )
    if not transfer.is_pending:
        raise DomainValidationError(transfer=_("This transfer has already been decided."))


def household_transfer_accept(
    *,
    actor: User,
    transfer: HouseholdTransfer,
    case_manager: User | None = None,
    address: str | None = None,
    village: Village | None = None,
    note: str = "",
) -> HouseholdTransfer:
    """Accept the household into the receiving locality: the family, its case and its plan follow at once."""
    _pending_for_decision(actor, transfer)
    to_locality_id = transfer.to_locality_id
    address = (address if address is not None else transfer.to_address).strip()
    village = village if village is not None else transfer.to_village
    note = note.strip()
    team = _team_of(to_locality_id)
    problems: dict[str, list[str]] = {}
    if not address:
        problems["address"] = [_("Give the family's address in the new locality.")]
    problems |= _text_problems(address=(address, ADDRESS_MAX), note=(note, NOTE_MAX))
    problems |= _village_problems(village, to_locality_id)
    if case_manager is not None and case_manager not in team:
        problems["case_manager"] = [_("The case manager must work in the receiving locality.")]
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(id=transfer.household_id)
        locked = HouseholdTransfer.objects.select_for_update().get(id=transfer.id)
        if not locked.is_pending or household.locality_id != transfer.from_locality_id:
            raise DomainValidationError(transfer=_("This transfer has already been decided."))
        manager = case_manager or lightest_social_worker(to_locality_id)
        now = timezone.now()
        before = {
            "locality": household.locality_id,
            "village": household.village_id,
            "address": household.address,
            "case_manager": household.case_manager.username if household.case_manager else None,
        }
        household.locality_id = to_locality_id
        household.village = village
        household.address = address
        household.case_manager = manager
        household.refresh_search_keys()
        household.version += 1
        household.save()
        after = {
            "locality": to_locality_id,
            "village": village.id if village else None,
            "address": address,
            "case_manager": manager.username if manager else None,
        }
        _audit_both_sides(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="household",
            object_id=household.id,
            localities=(transfer.from_locality_id, to_locality_id),
            changes={key: [before[key], value] for key, value in after.items() if before[key] != value}
            | {"transfer": [None, str(transfer.id)]},
        )
        case = Case.objects.filter(household=household).first()
        if case is not None:
            _case_follow(actor=actor, case=case, transfer=transfer, manager=manager, team=team)
        # The census of the locality left stops waiting for the family; the new locality's lists it.
        entries_follow_household_move(
            actor=actor,
            household=household,
            from_locality=transfer.from_locality,
            to_locality=transfer.to_locality,
        )
        locked.decision_note = note
        locked.new_case_manager, locked.to_address, locked.to_village = manager, address, village
        _record_decision(actor, locked, TransferStatus.ACCEPTED, at=now)
    return locked


def _case_follow(
    *, actor: User, case: Case, transfer: HouseholdTransfer, manager: User | None, team: list[User]
) -> None:
    """Move the case, its referrals, tasks and open plan actions to the receiving locality and team."""
    from_locality, to_locality = transfer.from_locality_id, transfer.to_locality_id
    before_manager = case.case_manager
    case.locality_id = to_locality
    case.case_manager = manager
    case.version += 1
    case.save(update_fields=["locality", "case_manager", "version", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEventKind.TRANSFER,
        from_manager=before_manager,
        to_manager=manager,
        note=_("The family moved from %(from)s to %(to)s.")
        % {"from": transfer.from_locality.name, "to": transfer.to_locality.name},
    )
    _audit_both_sides(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="case",
        object_id=case.id,
        localities=(from_locality, to_locality),
        changes={
            "locality": [from_locality, to_locality],
            "case_manager": [
                before_manager.username if before_manager else None,
                manager.username if manager else None,
            ],
        },
    )
    Referral.objects.filter(case=case).update(locality_id=to_locality)
    team_ids = {user.id for user in team}
    fallback = manager
    open_tasks = Task.objects.filter(case=case, done_at__isnull=True).exclude(assignee_id__in=team_ids)
    open_tasks.update(assignee=fallback)
    Task.objects.filter(case=case).update(locality_id=to_locality)
    by_role: dict[str, User] = {}
    for user in team:
        by_role.setdefault(user.role, user)
    actions = (
        PlanAction.objects.filter(goal__case=case, status__in=(ActionStatus.PROPOSED, ActionStatus.PLANNED))
        .exclude(owner_id__in=team_ids)
        .select_related("owner")
    )
    for action in actions:
        action.owner = by_role.get(action.owner.role, fallback) if action.owner else fallback
        action.save(update_fields=["owner"])


def household_transfer_refuse(*, actor: User, transfer: HouseholdTransfer, note: str) -> HouseholdTransfer:
    """Refuse the transfer, saying why; the household stays where it was."""
    return _refuse(actor, transfer, note)


def _refuse(actor: User, transfer: HouseholdTransfer | PersonTransfer, note: str) -> Any:
    _pending_for_decision(actor, transfer)
    note = note.strip()
    problems = _text_problems(note=(note, NOTE_MAX))
    if not note:
        problems["note"] = [_("Say why the transfer is refused.")]
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        transfer.decision_note = note
        _record_decision(actor, transfer, TransferStatus.REFUSED)
    return transfer


def may_withdraw(user: User, transfer: HouseholdTransfer | PersonTransfer) -> bool:
    """Tell whether the user asked for the transfer or works in the locality that asked for it."""
    if isinstance(transfer, HouseholdTransfer):
        receiving_asked = transfer.requested_side == RequestSide.RECEIVING
    else:
        # A person transfer keeps no side: a claim by CNP came from a requester who cannot edit the sending side.
        receiving_asked = not may_edit_in(transfer.requested_by, transfer.from_locality_id)
    requesting_locality = transfer.to_locality_id if receiving_asked else transfer.from_locality_id
    return transfer.requested_by_id == user.id or may_edit_in(user, requesting_locality)


def transfer_withdraw(
    *, actor: User, transfer: HouseholdTransfer | PersonTransfer
) -> HouseholdTransfer | PersonTransfer:
    """Withdraw a pending request, as someone of the team that made it."""
    if not may_withdraw(actor, transfer):
        raise DomainValidationError(transfer=_("Only the team that asked for the transfer may withdraw it."))
    if not transfer.is_pending:
        raise DomainValidationError(transfer=_("This transfer has already been decided."))
    with transaction.atomic():
        _record_decision(actor, transfer, TransferStatus.CANCELLED)
    return transfer


# Persons ----------------------------------------------------------------------------------------------------


def _person_move_problems(
    person: Person, membership: Membership, to_household: Household, relation: str, moved_on: dt.date | None
) -> dict[str, list[str]]:
    problems = _moved_on_problems(moved_on)
    if to_household.id == membership.household_id:
        problems["to_household"] = [_("The person already lives in this household.")]
    if relation not in Relation.values:
        problems["relation"] = [_("Choose the relation to the head of household.")]
    elif (
        relation == Relation.HEAD
        and to_household.memberships.filter(end_date__isnull=True, relation=Relation.HEAD).exists()
    ):
        problems["relation"] = [_("This household already has a head.")]
    if moved_on is not None and moved_on < membership.start_date:
        problems["moved_on"] = [_("The date cannot be before the person came to live here.")]
    if PersonTransfer.objects.filter(person=person, status=TransferStatus.PENDING).exists():
        problems["person"] = [_("A transfer of this person is already waiting for a decision.")]
    return problems


def person_transfer_request(
    *,
    actor: User,
    membership: Membership,
    to_household: Household,
    relation: str,
    moved_on: dt.date | None,
    reason: str = "",
) -> PersonTransfer:
    """Move a current member to another household: at once when the actor works with both, else as a request."""
    if not may_edit_in(actor, membership.household.locality_id):
        raise DomainValidationError(person=_("You may not change households in this locality."))
    if membership.end_date is not None:
        raise DomainValidationError(person=_("This person no longer lives in the household."))
    return _person_transfer_open(
        actor=actor,
        membership=membership,
        to_household=to_household,
        relation=relation,
        moved_on=moved_on,
        reason=reason,
    )


def person_transfer_claim(
    *,
    actor: User,
    cnp: str,
    to_household: Household,
    relation: str,
    moved_on: dt.date | None,
    reason: str = "",
) -> PersonTransfer:
    """Ask, as the receiving household's team, for the person with this CNP who lives elsewhere now."""
    if not may_edit_in(actor, to_household.locality_id):
        raise DomainValidationError(to_household=_("You may not change households in this locality."))
    found = _cnp_found_elsewhere(actor=actor, cnp=cnp, receiving_locality_id=to_household.locality_id)
    if isinstance(found, dict):
        raise DomainValidationError(found)
    person, membership = found
    _audit_cnp_lookup(actor, person, to_household.locality_id, "transfer_requested")
    return _person_transfer_open(
        actor=actor,
        membership=membership,
        to_household=to_household,
        relation=relation,
        moved_on=moved_on,
        reason=reason,
    )


def _person_transfer_open(
    *,
    actor: User,
    membership: Membership,
    to_household: Household,
    relation: str,
    moved_on: dt.date | None,
    reason: str,
) -> PersonTransfer:
    person = membership.person
    require_processable(person)
    reason = reason.strip()
    problems = _person_move_problems(person, membership, to_household, relation, moved_on)
    problems |= _text_problems(reason=(reason, NOTE_MAX))
    if problems:
        raise DomainValidationError(problems)
    assert moved_on is not None
    at_once = may_edit_in(actor, membership.household.locality_id) and may_edit_in(
        actor, to_household.locality_id
    )
    with transaction.atomic():
        transfer = PersonTransfer.objects.create(
            person=person,
            from_household=membership.household,
            to_household=to_household,
            from_locality_id=membership.household.locality_id,
            to_locality_id=to_household.locality_id,
            relation=relation,
            moved_on=moved_on,
            requested_by=actor,
            reason=reason,
        )
        _audit_transfer(actor, transfer, AuditAction.CREATE, {"status": [None, TransferStatus.PENDING]})
        if at_once:
            _person_move(actor, transfer, membership)
    return transfer


def person_transfer_accept(*, actor: User, transfer: PersonTransfer, note: str = "") -> PersonTransfer:
    """Accept the person into the receiving household: the membership moves and their case follows them."""
    _pending_for_decision(actor, transfer)
    note = note.strip()
    problems = _text_problems(note=(note, NOTE_MAX))
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        locked = PersonTransfer.objects.select_for_update().get(id=transfer.id)
        membership = _current_membership(locked.person)
        if not locked.is_pending or membership is None or membership.household_id != locked.from_household_id:
            raise DomainValidationError(transfer=_("This transfer has already been decided."))
        locked.decision_note = note
        _person_move(actor, locked, membership)
    return locked


def person_transfer_refuse(*, actor: User, transfer: PersonTransfer, note: str) -> PersonTransfer:
    """Refuse the person's transfer, saying why; the person stays in their household."""
    return _refuse(actor, transfer, note)


def _person_move(actor: User, transfer: PersonTransfer, membership: Membership) -> None:
    """End the membership, start the new one, and move the person's open case work to the new household."""
    moved_on = transfer.moved_on
    membership.end_date, membership.end_reason = moved_on, MembershipEnd.MOVED_OUT
    membership.version += 1
    membership.save()
    Membership.objects.create(
        household=transfer.to_household,
        person=transfer.person,
        relation=transfer.relation,
        start_date=moved_on,
    )
    _audit_both_sides(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=transfer.person_id,
        localities=(transfer.from_locality_id, transfer.to_locality_id),
        changes={
            "household": [str(transfer.from_household_id), str(transfer.to_household_id)],
            "relation": [membership.relation, transfer.relation],
            "transfer": [None, str(transfer.id)],
        },
    )
    _person_case_follow(actor, transfer)
    _record_decision(actor, transfer, TransferStatus.ACCEPTED)


def _person_case_follow(actor: User, transfer: PersonTransfer) -> None:
    """Give the person's open goals, pending referrals and open tasks to the receiving household's case."""
    person = transfer.person
    old_case = Case.objects.filter(household_id=transfer.from_household_id).first()
    if old_case is None:
        return
    goals = list(PlanGoal.objects.filter(case=old_case, person=person, status=GoalStatus.OPEN))
    referrals = Referral.objects.filter(case=old_case, person=person, status__in=PENDING_REFERRAL_STATUSES)
    tasks = Task.objects.filter(case=old_case, person=person, done_at__isnull=True)
    if not goals and not referrals.exists() and not tasks.exists():
        return
    new_case = _case_of(actor, transfer.to_household, opened_on=transfer.moved_on)
    to_locality = transfer.to_household.locality_id
    team = _team_of(to_locality)
    team_ids = {user.id for user in team}
    for goal in goals:
        goal.case = new_case
        goal.save(update_fields=["case"])
    PlanAction.objects.filter(
        goal__in=goals, status__in=(ActionStatus.PROPOSED, ActionStatus.PLANNED)
    ).exclude(owner_id__in=team_ids).update(owner=new_case.case_manager)
    referrals.update(case=new_case, locality_id=to_locality)
    tasks.exclude(assignee_id__in=team_ids).update(assignee=new_case.case_manager)
    tasks.update(case=new_case, locality_id=to_locality)
    CaseEvent.objects.create(
        case=new_case,
        actor=actor,
        kind=CaseEventKind.TRANSFER,
        to_manager=new_case.case_manager,
        note=_("%(name)s moved here from another household, with their open goals.")
        % {"name": person.full_name},
    )
    _audit_both_sides(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="case",
        object_id=new_case.id,
        localities=(transfer.from_locality_id, to_locality),
        changes={
            "goals": [str(old_case.id), [str(goal.id) for goal in goals]],
            "person": [None, str(person.id)],
        },
    )


def _case_of(actor: User, household: Household, *, opened_on: dt.date) -> Case:
    """Return the household's case, reopened or opened for work that moves into it."""
    case = Case.objects.filter(household=household).first()
    if case is not None and case.status == CaseStatus.CLOSED:
        case.status, case.closed_on, case.close_reason = CaseStatus.OPEN, None, ""
        case.version += 1
        case.save()
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEventKind.STATUS,
            from_status=CaseStatus.CLOSED,
            to_status=CaseStatus.OPEN,
        )
    if case is None:
        manager = household.case_manager or lightest_social_worker(household.locality_id)
        case = Case.objects.create(
            household=household, locality_id=household.locality_id, case_manager=manager, opened_on=opened_on
        )
        CaseEvent.objects.create(
            case=case, actor=actor, kind=CaseEventKind.OPENED, to_status=CaseStatus.OPEN, to_manager=manager
        )
        if household.case_manager_id is None and manager is not None:
            Household.objects.filter(id=household.id).update(case_manager=manager)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="case",
            object_id=case.id,
            locality_id=household.locality_id,
            changes={"household": [None, str(household.id)]},
        )
    return case
