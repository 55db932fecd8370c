"""The case manager's actions: one function each, keyword-only, atomic, validated, audited.

Policy. Every change a person makes to case management goes through one function here: reassigning the case,
accepting the plan and adding or completing its actions, recording the family's agreement and each service
delivered, referring to another institution, completing a task, and the group activities with their
participants and attendance. Each checks that the actor may edit in the case's locality (an actor of None is the
platform itself), refuses what the case's state does not allow with an error that names the field, and writes
its audit rows and case events in the same transaction. What the platform does on its own after each assessment
(opening cases, proposing goals, urgent referrals) lives in `followup.py`; status changes of cases and referrals
live in `transitions.py`.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.access.policy import may_edit_in
from mps.accounts.models import FIELD_ROLES, Role, User
from mps.assessment.rules import load_catalogue
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.cases import transitions
from mps.cases.models import (
    ActionStatus,
    ActivityKind,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    FamilyAgreement,
    GoalStatus,
    GroupActivity,
    Institution,
    Participation,
    Place,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Service,
    ServiceDelivery,
    Task,
    TaskKind,
)
from mps.core.errors import DomainValidationError
from mps.core.limits import NOTE_MAX, SHORT_TEXT_MAX, too_long
from mps.geography.models import Locality
from mps.registry.models import Household, Membership, Person

# A plan runs at most two years from the day the case was opened.
PLAN_MAX_DAYS = 730


def reevaluation_months() -> int:
    """Return how many months pass between a household's assessments (setting MPS_REEVALUATION_MONTHS)."""
    return int(getattr(settings, "MPS_REEVALUATION_MONTHS", 6))


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def plan_deadline(case: Case) -> dt.date:
    """Return the last day a plan action may be due: two years after the case was opened."""
    return case.opened_on + dt.timedelta(days=PLAN_MAX_DAYS)


def _require_editor(actor: User | None, locality_id: int, field: str = "case") -> None:
    if actor is not None and not may_edit_in(actor, locality_id):
        raise DomainValidationError({field: [_("You may not change cases in this locality.")]})


def acting_user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def household_manager_change(household: Household, manager: User | None) -> dict[str, list[str | None]]:
    """Set the case manager on the household object; return the changes to audit, for the caller to save."""
    before = household.case_manager.username if household.case_manager else None
    household.case_manager = manager
    return {"case_manager": [before, manager.username if manager else None]}


def _household_manager_set(*, actor: User | None, household: Household, manager: User | None) -> None:
    """Mirror the case manager on the household, which the registry pages show."""
    changes = household_manager_change(household, manager)
    Household.objects.filter(id=household.id).update(case_manager=manager)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="household",
        object_id=household.id,
        locality_id=household.locality_id,
        changes=changes,
    )


# The case manager -----------------------------------------------------------------------------------------


def case_reassign(*, actor: User, case: Case, manager: User, note: str = "") -> Case:
    """Give the case to another worker of its locality; only the local coordinator may, and it is recorded."""
    if actor.role != Role.LOCAL_COORDINATOR or not may_edit_in(actor, case.locality_id):
        raise DomainValidationError(
            {"manager": [_("Only the local coordinator may change the case manager.")]}
        )
    if (
        not manager.is_active
        or manager.role not in FIELD_ROLES
        or not manager.localities.filter(siruta=case.locality_id).exists()
    ):
        raise DomainValidationError(
            {"manager": [_("The case manager must be a field worker of this locality.")]}
        )
    if problems := too_long({"note": (note, NOTE_MAX)}):
        raise DomainValidationError(problems)
    if manager.id == case.case_manager_id:
        return case
    with transaction.atomic():
        before = case.case_manager
        case.case_manager = manager
        case.version += 1
        case.save(update_fields=["case_manager", "version", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEventKind.TRANSFER,
            from_manager=before,
            to_manager=manager,
            note=note,
        )
        # The open urgent tasks follow the case.
        if before is not None:
            for task in case.tasks.filter(assignee=before, done_at__isnull=True):
                if (
                    task.referral_id is None
                    or not case.tasks.filter(referral_id=task.referral_id, assignee=manager).exists()
                ):
                    task.assignee = manager
                    task.dedupe_key = f"{task.dedupe_key}>{manager.id}"
                    task.save(update_fields=["assignee", "dedupe_key"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="case",
            object_id=case.id,
            locality_id=case.locality_id,
            changes={"case_manager": [before.username if before else None, manager.username]},
        )
        _household_manager_set(actor=actor, household=case.household, manager=manager)
    return case


# The plan --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionChoice:
    """What the case manager decided about one proposed or planned action."""

    action_id: int
    include: bool
    owner: User | None
    due_on: dt.date


def _due_problems(case: Case, due_on: dt.date) -> list[str]:
    if due_on < case.opened_on:
        return [_("The date cannot be before the case was opened.")]
    if due_on > plan_deadline(case):
        return [
            _("A plan lasts at most two years: choose a date until %(date)s.")
            % {"date": plan_deadline(case).strftime("%d.%m.%Y")}
        ]
    return []


def _owner_problems(case: Case, owner: User | None) -> list[str]:
    if owner is None:
        return [_("Choose who does it.")]
    if (
        not owner.is_active
        or owner.role not in FIELD_ROLES
        or not owner.localities.filter(siruta=case.locality_id).exists()
    ):
        return [_("Choose a field worker of this locality.")]
    return []


def plan_accept(*, actor: User, case: Case, choices: Sequence[ActionChoice]) -> Case:
    """Turn the proposed actions into the plan: keep the chosen ones with their owners and dates."""
    _require_editor(actor, case.locality_id)
    if case.status == CaseStatus.CLOSED:
        raise DomainValidationError({"case": [_("The case is closed.")]})
    actions = {
        action.id: action
        for action in PlanAction.objects.filter(
            goal__case=case, status__in=[ActionStatus.PROPOSED, ActionStatus.PLANNED]
        )
    }
    problems: dict[str, list[str]] = {}
    for choice in choices:
        if choice.action_id not in actions:
            problems.setdefault("actions", []).append(_("An action of the plan no longer exists."))
        elif choice.include:
            for message in _owner_problems(case, choice.owner):
                problems.setdefault(f"owner_{choice.action_id}", []).append(message)
            for message in _due_problems(case, choice.due_on):
                problems.setdefault(f"due_{choice.action_id}", []).append(message)
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        changed = []
        for choice in choices:
            action = actions[choice.action_id]
            if choice.include:
                action.status, action.owner, action.due_on = ActionStatus.PLANNED, choice.owner, choice.due_on
            else:
                action.status = ActionStatus.CANCELLED
            changed.append(action)
        PlanAction.objects.bulk_update(changed, ["status", "owner", "due_on"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="case",
            object_id=case.id,
            locality_id=case.locality_id,
            changes={
                "plan": [
                    None,
                    f"{sum(c.include for c in choices)} planned, {sum(not c.include for c in choices)} dropped",
                ]
            },
        )
    return case


def plan_action_add(
    *, actor: User, goal: PlanGoal, service: Service, owner: User | None, due_on: dt.date
) -> PlanAction:
    """Add a service to a goal of the plan."""
    case = goal.case
    _require_editor(actor, case.locality_id)
    problems = {"owner": _owner_problems(case, owner), "due_on": _due_problems(case, due_on)}
    if goal.status != GoalStatus.OPEN:
        problems["goal"] = [_("The goal is no longer open.")]
    problems = {k: v for k, v in problems.items() if v}
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        action = PlanAction.objects.create(
            goal=goal, service=service, owner=owner, due_on=due_on, status=ActionStatus.PLANNED
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="plan_action",
            object_id=action.id,
            locality_id=case.locality_id,
            changes={"service": [None, service.code], "due_on": [None, due_on.isoformat()]},
        )
    return action


def plan_action_done(*, actor: User | None, action: PlanAction, done_on: dt.date | None = None) -> PlanAction:
    """Mark a planned action as done."""
    _require_editor(actor, action.goal.case.locality_id)
    if action.status not in (ActionStatus.PLANNED, ActionStatus.PROPOSED):
        return action
    with transaction.atomic():
        action.status = ActionStatus.DONE
        action.done_on = done_on or timezone.localdate()
        action.save(update_fields=["status", "done_on"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="plan_action",
            object_id=action.id,
            locality_id=action.goal.case.locality_id,
            changes={"status": [ActionStatus.PLANNED, ActionStatus.DONE]},
        )
    return action


def agreement_record(
    *,
    actor: User,
    case: Case,
    signed_on: dt.date,
    signed_by: str,
    family_commitments: str,
    team_commitments: str,
) -> FamilyAgreement:
    """Record the family's agreement to the plan; an open case becomes active."""
    _require_editor(actor, case.locality_id)
    planned = list(
        PlanAction.objects.filter(goal__case=case, goal__status=GoalStatus.OPEN, status=ActionStatus.PLANNED)
        .select_related("goal__person", "service", "owner")
        .order_by("goal__code", "due_on")
    )
    problems: dict[str, list[str]] = {}
    if not planned:
        problems["plan"] = [_("Accept the plan before recording the family's agreement.")]
    if signed_on > timezone.localdate():
        problems["signed_on"] = [_("The signature date cannot be in the future.")]
    if signed_on < case.opened_on:
        problems["signed_on"] = [_("The signature date cannot be before the case was opened.")]
    for name, value in (
        ("signed_by", signed_by),
        ("family_commitments", family_commitments),
        ("team_commitments", team_commitments),
    ):
        if not value.strip():
            problems[name] = [_("This field is required.")]
    problems |= too_long(
        {
            "signed_by": (signed_by, SHORT_TEXT_MAX),
            "family_commitments": (family_commitments, NOTE_MAX),
            "team_commitments": (team_commitments, NOTE_MAX),
        }
    )
    if problems:
        raise DomainValidationError(problems)
    vulnerabilities = load_catalogue(case.last_assessment.catalogue if case.last_assessment else "mps-v1")
    snapshot = [
        {
            "code": action.goal.code,
            "goal_ro": vulnerabilities.vulnerability(action.goal.code).name_ro,
            "person": action.goal.person.full_name if action.goal.person else "",
            "service": action.service.code,
            "service_ro": action.service.name_ro,
            "closes_ro": action.service.closes_ro,
            "owner": action.owner.get_full_name() or action.owner.username if action.owner else "",
            "due_on": action.due_on.isoformat(),
        }
        for action in planned
    ]
    with transaction.atomic():
        agreement = FamilyAgreement.objects.create(
            case=case,
            signed_on=signed_on,
            signed_by=signed_by.strip(),
            family_commitments=family_commitments.strip(),
            team_commitments=team_commitments.strip(),
            recorded_by=actor,
            plan_snapshot=snapshot,
        )
        CaseEvent.objects.create(
            case=case, actor=actor, kind=CaseEventKind.AGREEMENT, note=signed_on.strftime("%d.%m.%Y")
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="family_agreement",
            object_id=agreement.id,
            locality_id=case.locality_id,
            changes={"signed_on": [None, signed_on.isoformat()], "actions": [None, len(snapshot)]},
        )
        if case.status in (CaseStatus.OPEN, CaseStatus.MONITORING):
            transitions.case_activate(actor=actor, case=case, note=_("The family agreement was signed."))
    return agreement


# Services delivered ---------------------------------------------------------------------------------------


def _current_member(case: Case, person: Person | None, field: str = "person") -> None:
    if (
        person is not None
        and not Membership.objects.filter(
            household_id=case.household_id, person=person, end_date__isnull=True
        ).exists()
    ):
        raise DomainValidationError({field: [_("The person does not live in this household.")]})


def delivery_record(
    *,
    actor: User,
    case: Case,
    service: Service,
    person: Person | None,
    worker: User,
    delivered_on: dt.date,
    place: str,
    duration_minutes: int,
    note: str = "",
    ref: uuid.UUID | None = None,
) -> ServiceDelivery:
    """Log a service delivered to a person or the household; a tablet resending the same ref changes nothing."""
    if ref is not None:
        stored = ServiceDelivery.objects.filter(id=ref).first()
        if stored is not None:
            return stored
    _require_editor(actor, case.locality_id)
    problems: dict[str, list[str]] = {}
    if delivered_on > timezone.localdate():
        problems["delivered_on"] = [_("A service cannot be logged before it happens.")]
    if place not in Place.values:
        problems["place"] = [_("Choose where the service took place.")]
    if not 1 <= duration_minutes <= 720:
        problems["duration_minutes"] = [_("The duration is between 1 and 720 minutes.")]
    if not worker.is_active or not worker.localities.filter(siruta=case.locality_id).exists():
        problems["worker"] = [_("Choose a worker of this locality.")]
    problems |= too_long({"note": (note, NOTE_MAX)})
    if problems:
        raise DomainValidationError(problems)
    _current_member(case, person)
    with transaction.atomic():
        action = (
            PlanAction.objects.filter(
                goal__case=case,
                service=service,
                status=ActionStatus.PLANNED,
                goal__status=GoalStatus.OPEN,
            )
            .filter(Q(goal__person=person) | Q(goal__person__isnull=True) if person else Q())
            .order_by("due_on")
            .first()
        )
        delivery = ServiceDelivery.objects.create(
            id=ref or uuid.uuid4(),
            case=case,
            service=service,
            person=person,
            action=action,
            worker=worker,
            delivered_on=delivered_on,
            place=place,
            duration_minutes=duration_minutes,
            note=note.strip(),
            locality_id=case.locality_id,
        )
        if action is not None:
            plan_action_done(actor=actor, action=action, done_on=delivered_on)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="service_delivery",
            object_id=delivery.id,
            locality_id=case.locality_id,
            changes={"service": [None, service.code], "delivered_on": [None, delivered_on.isoformat()]},
        )
    return delivery


# Referrals ------------------------------------------------------------------------------------------------


def referral_create(
    *,
    actor: User,
    case: Case,
    goal: PlanGoal,
    institution: str,
    reason: str,
    due_on: dt.date,
    institution_name: str = "",
    urgent: bool = False,
) -> Referral:
    """Draft a referral to another institution for one goal (one finding) of the plan."""
    _require_editor(actor, case.locality_id)
    problems: dict[str, list[str]] = {}
    if goal.case_id != case.id:
        problems["goal"] = [_("Choose a goal of this case.")]
    if institution not in Institution.values:
        problems["institution"] = [_("Choose the institution.")]
    if not reason.strip():
        problems["reason"] = [_("Write why the person is referred.")]
    if due_on < timezone.localdate():
        problems["due_on"] = [_("The answer cannot be due in the past.")]
    problems |= too_long(
        {"reason": (reason, NOTE_MAX), "institution_name": (institution_name, SHORT_TEXT_MAX)}
    )
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            goal=goal,
            code=goal.code,
            person=goal.person,
            institution=institution,
            institution_name=institution_name.strip(),
            reason=reason.strip(),
            urgent=urgent,
            due_on=due_on,
            created_by=actor,
            locality_id=case.locality_id,
        )
        ReferralEvent.objects.create(referral=referral, actor=actor, to_status=ReferralStatus.DRAFT)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="referral",
            object_id=referral.id,
            locality_id=case.locality_id,
            changes={"code": [None, goal.code], "institution": [None, institution]},
        )
    return referral


# Tasks ----------------------------------------------------------------------------------------------------


def task_complete(*, actor: User, task: Task) -> Task:
    """Mark a task as handled. An urgent referral's task is handled by sending the referral."""
    _require_editor(actor, task.locality_id)
    if (
        task.kind == TaskKind.URGENT_REFERRAL
        and task.referral
        and task.referral.status == ReferralStatus.DRAFT
    ):
        raise DomainValidationError({"task": [_("Send the urgent referral; the task is then handled.")]})
    if task.done_at is not None:
        return task
    with transaction.atomic():
        task.done_at, task.done_by = timezone.now(), actor
        task.save(update_fields=["done_at", "done_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="task",
            object_id=task.id,
            locality_id=task.locality_id,
            changes={"done": [False, True]},
        )
    return task


# Group activities -----------------------------------------------------------------------------------------


def activity_create(
    *,
    actor: User,
    locality: Locality,
    kind: str,
    title: str,
    held_on: dt.date,
    place: str,
    facilitator: User,
    note: str = "",
) -> GroupActivity:
    """Record a group activity (parenting education, health education, a school activity)."""
    _require_editor(actor, locality.siruta, "locality")
    problems: dict[str, list[str]] = {}
    if kind not in ActivityKind.values:
        problems["kind"] = [_("Choose the kind of activity.")]
    if not title.strip():
        problems["title"] = [_("This field is required.")]
    if not place.strip():
        problems["place"] = [_("This field is required.")]
    if not facilitator.is_active or not facilitator.localities.filter(siruta=locality.siruta).exists():
        problems["facilitator"] = [_("Choose a worker of this locality.")]
    problems |= too_long(
        {"title": (title, SHORT_TEXT_MAX), "place": (place, SHORT_TEXT_MAX), "note": (note, NOTE_MAX)}
    )
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        activity = GroupActivity.objects.create(
            locality=locality,
            kind=kind,
            title=title.strip(),
            held_on=held_on,
            place=place.strip(),
            facilitator=facilitator,
            note=note.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="group_activity",
            object_id=activity.id,
            locality_id=locality.siruta,
            changes={"title": [None, activity.title], "held_on": [None, held_on.isoformat()]},
        )
    return activity


def participant_add(
    *, actor: User, activity: GroupActivity, person: Person, attended: bool = True
) -> Participation:
    """Add a person of the locality (with their current household) to a group activity."""
    _require_editor(actor, activity.locality_id, "person")
    membership = (
        Membership.objects.filter(
            person=person, end_date__isnull=True, household__locality_id=activity.locality_id
        )
        .select_related("household")
        .first()
    )
    if membership is None:
        raise DomainValidationError({"person": [_("The person does not live in this locality.")]})
    with transaction.atomic():
        participation, created = Participation.objects.get_or_create(
            activity=activity,
            person=person,
            defaults={"household": membership.household, "attended": attended},
        )
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="participation",
                object_id=participation.id,
                locality_id=activity.locality_id,
                changes={"person": [None, str(person.id)], "attended": [None, attended]},
            )
    return participation


def attendance_set(*, actor: User, activity: GroupActivity, attended: Iterable[uuid.UUID]) -> int:
    """Set who attended among the activity's participants; return how many attended."""
    _require_editor(actor, activity.locality_id, "attended")
    present = set(attended)
    with transaction.atomic():
        participations = list(activity.participants.all())
        for participation in participations:
            participation.attended = participation.person_id in present
        Participation.objects.bulk_update(participations, ["attended"])
        count = sum(p.attended for p in participations)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="group_activity",
            object_id=activity.id,
            locality_id=activity.locality_id,
            changes={"attended": [None, count]},
        )
    return count
