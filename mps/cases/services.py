"""Every change to case management: one function each, keyword-only, atomic, validated, audited.

Policy. Case management follows the assessments. `case_update_from_assessment` is called once an assessment is
stored (by the web and API layers right after `assessment_record`, by imports and by the demo through
`cases_sync_from_assessments`). For the household's latest assessment it opens the case if there are findings
(reopening a closed one), gives it a case manager (the household's, else the locality's social worker with the
fewest open cases), proposes one plan goal per finding with the catalogue's suggested services, resolves the
goals whose vulnerability the re-evaluation no longer finds, flags the ones that persist, and for every
critical finding opens an urgent referral and a task due within 24 hours. Each assessment is processed once:
running it again changes nothing. Waves are processed in visit order; a wave older than one already processed
(imported late) is marked processed without changing the present. Status changes of cases and referrals live in `transitions.py`.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.access.policy import may_edit_in
from mps.accounts.models import FIELD_ROLES, Role, User
from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import load_catalogue
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.cases import transitions
from mps.cases.catalogue import load_services
from mps.cases.models import (
    OPEN_CASE_STATUSES,
    PENDING_REFERRAL_STATUSES,
    ActionStatus,
    ActivityKind,
    AssessmentProcessing,
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
from mps.geography.models import Locality
from mps.registry.models import Household, Membership, Person

# A plan runs at most two years from the day the case was opened.
PLAN_MAX_DAYS = 730
URGENT_TASK_HOURS = 24
URGENT_REFERRAL_ANSWER_DAYS = 3
VACCINATION_TASK_DAYS = 30
VACCINATION_CODES = frozenset({"HE03", "HE04"})
# Where each critical vulnerability is referred: violence to the police, the rest to child protection.
URGENT_INSTITUTION = {"FA03": Institution.POLICE}
# How long each kind of service takes to arrange, to propose a due date the case manager can change.
DUE_DAYS_BY_KIND = {
    "information_counselling": 14,
    "home_visit": 14,
    "referral": 14,
    "accompaniment": 30,
    "material_support": 30,
    "direct_service": 60,
    "group_activity": 90,
}


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


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _workers_of(locality_id: int, roles: Iterable[str]) -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=list(roles), localities__siruta=locality_id).order_by(
            "username"
        )
    )


def lightest_social_worker(locality_id: int) -> User | None:
    """Return the locality's active social worker with the fewest open cases (the default case manager)."""
    return (
        User.objects.filter(is_active=True, role=Role.SOCIAL_WORKER, localities__siruta=locality_id)
        .annotate(
            caseload=Count(
                "cases_managed", filter=Q(cases_managed__status__in=OPEN_CASE_STATUSES), distinct=True
            )
        )
        .order_by("caseload", "username")
        .first()
    )


# Opening and updating cases from assessments ---------------------------------------------------------------


@dataclass
class _Owners:
    """Who delivers each role's services in a locality, looked up once per assessment."""

    by_role: dict[str, User]
    fallback: User | None

    @classmethod
    def of(cls, locality_id: int, fallback: User | None) -> "_Owners":
        by_role: dict[str, User] = {}
        for worker in _workers_of(locality_id, FIELD_ROLES):
            by_role.setdefault(worker.role, worker)
        if fallback is not None:
            by_role[fallback.role] = fallback
        return cls(by_role=by_role, fallback=fallback)

    def for_role(self, role: str) -> User | None:
        return self.by_role.get(role, self.fallback)


def case_update_from_assessment(*, actor: User | None, assessment: Assessment) -> Case | None:
    """Open or update the household's case from a stored assessment; idempotent per assessment."""
    with transaction.atomic():
        # Lock the household: two tablets syncing the same family must not open two cases.
        Household.objects.select_for_update().filter(id=assessment.household_id).first()
        case = (
            Case.objects.select_related("case_manager").filter(household_id=assessment.household_id).first()
        )
        if AssessmentProcessing.objects.filter(assessment=assessment).exists():
            return case
        newer_processed = AssessmentProcessing.objects.filter(
            assessment__household_id=assessment.household_id,
            assessment__assessed_on__gt=assessment.assessed_on,
        ).exists()
        if newer_processed:
            # An older wave imported late: it stays in the history, the present is not rewritten.
            AssessmentProcessing.objects.create(assessment=assessment, case=case)
            return case
        findings = list(assessment.findings.all())
        if case is None and not findings:
            AssessmentProcessing.objects.create(assessment=assessment, case=None)
            return None
        if case is None:
            case = _case_open(actor=actor, assessment=assessment)
        elif case.status == CaseStatus.CLOSED and findings:
            transitions.case_reopen(
                actor=None, case=case, note=_("A new assessment found vulnerabilities again.")
            )
        summary = _goals_update(case=case, assessment=assessment, findings=findings)
        urgent = _urgent_referrals_open(case=case, assessment=assessment, findings=findings)
        _vaccination_tasks_open(case=case, assessment=assessment, findings=findings)
        case.last_assessment = assessment
        case.reevaluation_due_on = add_months(assessment.assessed_on, reevaluation_months())
        case.version += 1
        case.save(update_fields=["last_assessment", "reevaluation_due_on", "version", "updated_at"])
        note = _(
            "%(wave)s of %(date)s: %(new)d new goals, %(resolved)d resolved, %(persisting)d persisting, "
            "%(urgent)d urgent referrals."
        ) % {
            "wave": assessment.wave,
            "date": assessment.assessed_on.strftime("%d.%m.%Y"),
            "urgent": urgent,
            **summary,
        }
        CaseEvent.objects.create(case=case, actor=_actor(actor), kind=CaseEventKind.ASSESSMENT, note=note)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="case",
            object_id=case.id,
            locality_id=case.locality_id,
            changes={"assessment": [None, str(assessment.id)], **{k: [None, v] for k, v in summary.items()}},
        )
        AssessmentProcessing.objects.create(assessment=assessment, case=case)
    return case


def _case_open(*, actor: User | None, assessment: Assessment) -> Case:
    household = assessment.household
    manager = household.case_manager
    if (
        manager is None
        or not manager.is_active
        or not manager.localities.filter(siruta=household.locality_id).exists()
    ):
        manager = lightest_social_worker(household.locality_id)
    case = Case.objects.create(
        household=household,
        locality_id=household.locality_id,
        case_manager=manager,
        opened_on=assessment.assessed_on,
    )
    CaseEvent.objects.create(
        case=case,
        actor=_actor(actor),
        kind=CaseEventKind.OPENED,
        to_status=CaseStatus.OPEN,
        to_manager=manager,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="case",
        object_id=case.id,
        locality_id=case.locality_id,
        changes={
            "household": [None, str(household.id)],
            "case_manager": [None, manager.username if manager else None],
        },
    )
    if manager is not None and household.case_manager_id != manager.id:
        _household_manager_set(actor=actor, household=household, manager=manager)
    return case


def _household_manager_set(*, actor: User | None, household: Household, manager: User | None) -> None:
    """Mirror the case manager on the household, which the registry pages show."""
    before = household.case_manager.username if household.case_manager else None
    Household.objects.filter(id=household.id).update(case_manager=manager)
    household.case_manager = manager
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="household",
        object_id=household.id,
        locality_id=household.locality_id,
        changes={"case_manager": [before, manager.username if manager else None]},
    )


def _goals_update(*, case: Case, assessment: Assessment, findings: Sequence[Finding]) -> dict[str, int]:
    found = {(finding.code, finding.person_id): finding for finding in findings}
    assessed_people = set(
        MemberAnswers.objects.filter(assessment=assessment).values_list("person_id", flat=True)
    )
    summary = {"new": 0, "resolved": 0, "persisting": 0}
    open_goals = {(goal.code, goal.person_id): goal for goal in case.goals.filter(status=GoalStatus.OPEN)}
    for key, goal in open_goals.items():
        if key in found:
            goal.persisting = True
            goal.last_seen_assessment = assessment
            summary["persisting"] += 1
        elif goal.person_id is not None and goal.person_id not in assessed_people:
            # The person was not part of this visit (moved out, died): nothing says the problem is solved.
            goal.status = GoalStatus.CANCELLED
            goal.resolved_on = assessment.assessed_on
        else:
            goal.status = GoalStatus.RESOLVED
            goal.resolved_on = assessment.assessed_on
            goal.resolved_by_assessment = assessment
            summary["resolved"] += 1
        goal.save()
        if goal.status != GoalStatus.OPEN:
            goal.actions.filter(status__in=[ActionStatus.PROPOSED, ActionStatus.PLANNED]).update(
                status=ActionStatus.CANCELLED
            )
    new_keys = [key for key in found if key not in open_goals]
    if not new_keys:
        return summary
    catalogue = load_services(assessment.catalogue)
    services = {s.code: s for s in Service.objects.filter(catalogue=assessment.catalogue)}
    owners = _Owners.of(case.locality_id, case.case_manager)
    deadline = plan_deadline(case)
    actions = []
    for code, person_id in sorted(new_keys, key=lambda key: (key[0], str(key[1]))):
        finding = found[(code, person_id)]
        goal = PlanGoal.objects.create(
            case=case,
            code=code,
            person_id=person_id,
            critical=finding.critical,
            first_assessment=assessment,
            last_seen_assessment=assessment,
        )
        summary["new"] += 1
        for entry in catalogue.suggested_for(code):
            days = 1 if finding.critical else DUE_DAYS_BY_KIND[entry.kind]
            due = min(max(assessment.assessed_on, case.opened_on) + dt.timedelta(days=days), deadline)
            actions.append(
                PlanAction(
                    goal=goal, service=services[entry.code], owner=owners.for_role(entry.role), due_on=due
                )
            )
    PlanAction.objects.bulk_create(actions)
    return summary


def _urgent_referrals_open(*, case: Case, assessment: Assessment, findings: Sequence[Finding]) -> int:
    critical = [finding for finding in findings if finding.critical]
    if not critical:
        return 0
    vulnerabilities = load_catalogue(assessment.catalogue)
    goals = {(g.code, g.person_id): g for g in case.goals.filter(status=GoalStatus.OPEN)}
    people = Person.objects.in_bulk([f.person_id for f in critical if f.person_id])
    opened = 0
    now = timezone.now()
    for finding in critical:
        key = f"{assessment.id}:{finding.code}:{finding.person_id or '-'}"
        same_person = Q(person_id=finding.person_id) if finding.person_id else Q(person__isnull=True)
        pending = (
            case.referrals.filter(
                same_person, urgent=True, code=finding.code, status__in=PENDING_REFERRAL_STATUSES
            )
        ).exists()
        if pending or Referral.objects.filter(opened_for=key).exists():
            continue
        name = vulnerabilities.vulnerability(finding.code).name()
        person = people.get(finding.person_id) if finding.person_id else None
        who = person.full_name if person else _("the household")
        institution = URGENT_INSTITUTION.get(finding.code, Institution.DGASPC)
        referral = Referral.objects.create(
            case=case,
            goal=goals.get((finding.code, finding.person_id)),
            code=finding.code,
            person=person,
            institution=institution,
            reason=_(
                "Critical finding at the assessment of %(date)s: %(name)s (%(who)s). The situation needs an "
                "urgent assessment by your institution."
            )
            % {"date": assessment.assessed_on.strftime("%d.%m.%Y"), "name": name, "who": who},
            urgent=True,
            due_on=timezone.localdate() + dt.timedelta(days=URGENT_REFERRAL_ANSWER_DAYS),
            locality_id=case.locality_id,
            opened_for=key,
        )
        ReferralEvent.objects.create(referral=referral, to_status=ReferralStatus.DRAFT)
        for assignee in _urgent_assignees(case):
            Task.objects.create(
                case=case,
                kind=TaskKind.URGENT_REFERRAL,
                title=_("Send the urgent referral to %(institution)s: %(name)s (%(who)s)")
                % {"institution": referral.get_institution_display(), "name": name, "who": who},
                assignee=assignee,
                due_at=now + dt.timedelta(hours=URGENT_TASK_HOURS),
                urgent=True,
                referral=referral,
                person=person,
                locality_id=case.locality_id,
                dedupe_key=f"urgent:{referral.id}:{assignee.id}",
            )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="referral",
            object_id=referral.id,
            locality_id=case.locality_id,
            changes={
                "code": [None, finding.code],
                "urgent": [None, True],
                "institution": [None, institution],
            },
        )
        opened += 1
    return opened


def _urgent_assignees(case: Case) -> list[User]:
    """Return who must see an urgent task: the case manager and the locality's local coordinators."""
    people = [case.case_manager] if case.case_manager else []
    people += [u for u in _workers_of(case.locality_id, [Role.LOCAL_COORDINATOR]) if u not in people]
    return people


def _vaccination_tasks_open(*, case: Case, assessment: Assessment, findings: Sequence[Finding]) -> None:
    children = {f.person_id for f in findings if f.code in VACCINATION_CODES and f.person_id}
    if not children:
        return
    nurse = _Owners.of(case.locality_id, case.case_manager).for_role(Role.COMMUNITY_NURSE)
    already = set(
        case.tasks.filter(kind=TaskKind.VACCINATION, done_at__isnull=True).values_list("person_id", flat=True)
    )
    people = Person.objects.in_bulk(list(children - already))
    due = timezone.make_aware(
        dt.datetime.combine(
            max(assessment.assessed_on, timezone.localdate()) + dt.timedelta(days=VACCINATION_TASK_DAYS),
            dt.time(12),
        )
    )
    Task.objects.bulk_create(
        [
            Task(
                case=case,
                kind=TaskKind.VACCINATION,
                title=_("Vaccination catch-up for %(name)s") % {"name": person.full_name},
                assignee=nurse,
                due_at=due,
                person=person,
                locality_id=case.locality_id,
                dedupe_key=f"vaccination:{assessment.id}:{person.id}",
            )
            for person in people.values()
        ],
        ignore_conflicts=True,
    )


def cases_sync_from_assessments(*, since: dt.datetime | None = None, actor: User | None = None) -> int:
    """Process every stored assessment that case management has not seen yet; return how many it processed.

    Assessments are taken oldest visit first, so that each household's waves are processed in order.
    """
    pending = Assessment.objects.exclude(
        id__in=AssessmentProcessing.objects.values("assessment_id")
    ).select_related("household__case_manager")
    if since is not None:
        pending = pending.filter(created_at__gte=since)
    count = 0
    for assessment in pending.order_by("assessed_on", "created_at").iterator(chunk_size=500):
        case_update_from_assessment(actor=actor, assessment=assessment)
        count += 1
    return count


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
