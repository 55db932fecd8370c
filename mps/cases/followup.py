"""The follow-up of assessments: cases opened, goals proposed and resolved, urgent referrals sent.

Policy. Case management follows the assessments. `case_update_from_assessment` is called once an assessment is
stored (by the web and API layers right after `assessment_record`, by imports and by the demo through
`cases_sync_from_assessments`); `cases_update_from_assessments` does the same for a batch of assessments with a
fixed number of queries, and the single call is a batch of one. For the household's latest assessment it opens
the case if there are findings (reopening a closed one), gives it a case manager (the household's, else the
locality's social worker with the fewest open cases), proposes one plan goal per finding with the catalogue's
suggested services, resolves the goals whose vulnerability the re-evaluation no longer finds, flags the ones
that persist, and for every critical finding opens an urgent referral and a task due within 24 hours. Each
assessment is processed once: running it again changes nothing. Waves are processed in visit order; a wave older
than one already processed (imported late) is marked processed without changing the present. Status changes of
cases and referrals live in `transitions.py`.
"""

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.accounts.models import FIELD_ROLES, Role, User
from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import load_catalogue
from mps.audit.models import AuditAction, AuditEvent
from mps.cases.catalogue import load_services
from mps.cases.models import (
    OPEN_CASE_STATUSES,
    PENDING_REFERRAL_STATUSES,
    ActionStatus,
    AssessmentProcessing,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    GoalStatus,
    Institution,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Service,
    Task,
    TaskKind,
)
from mps.cases.services import (
    acting_user,
    add_months,
    household_manager_change,
    plan_deadline,
    reevaluation_months,
)
from mps.core.bulk import NewRows, insert_rows
from mps.registry.models import Household, Person

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


# Opening and updating cases from assessments ---------------------------------------------------------------


@dataclass
class _Owners:
    """Who delivers each role's services in a locality: its first worker of the role, else the case manager."""

    by_role: dict[str, User]
    fallback: User | None

    @classmethod
    def of(cls, workers: Iterable[User], fallback: User | None) -> "_Owners":
        by_role: dict[str, User] = {}
        for worker in workers:
            if worker.role in FIELD_ROLES:
                by_role.setdefault(worker.role, worker)
        if fallback is not None:
            by_role[fallback.role] = fallback
        return cls(by_role=by_role, fallback=fallback)

    def for_role(self, role: str) -> User | None:
        return self.by_role.get(role, self.fallback)


def case_update_from_assessment(*, actor: User | None, assessment: Assessment) -> Case | None:
    """Open or update the household's case from a stored assessment; idempotent per assessment."""
    return _cases_update(actor=actor, assessments=[assessment])[assessment.id]


def cases_update_from_assessments(*, actor: User | None, assessments: Sequence[Assessment]) -> None:
    """Open or update the cases of stored assessments, as `case_update_from_assessment` on each in turn would.

    Assessments of distinct households are read and written with a fixed number of queries, however many they
    are. A household met again starts a new round, so that its later assessment sees what the earlier one did.
    """
    _cases_update(actor=actor, assessments=assessments)


def _cases_update(*, actor: User | None, assessments: Sequence[Assessment]) -> dict[uuid.UUID, Case | None]:
    cases: dict[uuid.UUID, Case | None] = {}
    with transaction.atomic():
        for run in _runs_of_distinct_households(assessments):
            cases.update(_CasesRound(actor, run).process())
    return cases


def _runs_of_distinct_households(assessments: Iterable[Assessment]) -> Iterator[list[Assessment]]:
    """Split the assessments, kept in order, into consecutive runs in which no household appears twice."""
    run: list[Assessment] = []
    households: set[uuid.UUID] = set()
    for assessment in assessments:
        if assessment.household_id in households:
            yield run
            run, households = [], set()
        run.append(assessment)
        households.add(assessment.household_id)
    if run:
        yield run


def _urgent_key(assessment_id: uuid.UUID, finding: Finding) -> str:
    """Return what `Referral.opened_for` holds for the urgent referral of a critical finding."""
    return f"{assessment_id}:{finding.code}:{finding.person_id or '-'}"


_CASE_FIELDS_FROM_ASSESSMENT = [
    "status",
    "closed_on",
    "close_reason",
    "last_assessment",
    "reevaluation_due_on",
    "version",
    "updated_at",
]
_GOAL_FIELDS_FROM_ASSESSMENT = [
    "status",
    "persisting",
    "last_seen_assessment",
    "resolved_on",
    "resolved_by_assessment",
]


class _CasesRound:
    """Assessments of distinct households: read up front, decided in memory in order, written in bulk.

    Each decision is the one a call per assessment would take at its turn. Households being distinct, the only
    thing an earlier assessment changes that a later one reads is a social worker's caseload, counted here.
    """

    def __init__(self, actor: User | None, assessments: Sequence[Assessment]) -> None:
        self.actor = actor
        authenticated = acting_user(actor)
        self.actor_id = authenticated.id if authenticated else None
        self.assessments = assessments
        self.now = timezone.now()
        self.households: dict[uuid.UUID, Household] = {}
        self.cases: dict[uuid.UUID, Case] = {}  # by household
        self.existing_case_ids: set[uuid.UUID] = set()
        self.unprocessed: list[uuid.UUID] = []
        self.findings: dict[uuid.UUID, list[Finding]] = {}
        # Cases opened or reopened in this round, per case manager: caseload the database does not show yet.
        self.opened_in_round: Counter[int] = Counter()
        self.urgent_opened: set[tuple[uuid.UUID, str, uuid.UUID | None]] = set()
        # What to write, each list in the order one call per assessment would have written it.
        self.new_cases: list[Case] = []
        self.changed_cases: list[Case] = []
        self.changed_households: list[Household] = []
        self.changed_goals: list[PlanGoal] = []
        self.closed_goal_ids: list[int] = []
        self.new_goals: list[PlanGoal] = []
        self.new_actions: list[tuple[PlanGoal, Service, User | None, dt.date]] = []
        self.new_referrals: list[Referral] = []
        self.referral_events: list[ReferralEvent] = []
        self.new_tasks: list[Task] = []
        # The most numerous rows are plain dictionaries: no model instance each (see `mps.core.bulk`).
        self.case_events = NewRows(CaseEvent)
        self.audit = NewRows(AuditEvent)
        self.markers = NewRows(AssessmentProcessing)

    def process(self) -> dict[uuid.UUID, Case | None]:
        """Process the assessments in order and write the result; return each assessment's case, if any."""
        household_ids = sorted({assessment.household_id for assessment in self.assessments})
        # Two tablets syncing the same family must not open two cases; a fixed order keeps rounds from deadlocking.
        self.households = {
            household.id: household
            for household in Household.objects.select_for_update(of=("self",))
            .select_related("case_manager")
            .filter(id__in=household_ids)
            .order_by("id")
        }
        self.cases = {
            case.household_id: case
            for case in Case.objects.select_related("case_manager").filter(household_id__in=household_ids)
        }
        self.existing_case_ids = {case.id for case in self.cases.values()}
        processed, latest = self._processed(household_ids)
        self.unprocessed = [
            assessment.id for assessment in self.assessments if assessment.id not in processed
        ]
        if self.unprocessed:
            for finding in Finding.objects.filter(assessment_id__in=self.unprocessed):
                self.findings.setdefault(finding.assessment_id, []).append(finding)
        result: dict[uuid.UUID, Case | None] = {}
        for assessment in self.assessments:
            if assessment.id in processed:
                result[assessment.id] = self.cases.get(assessment.household_id)
            else:
                result[assessment.id] = self._process_one(assessment, latest.get(assessment.household_id))
        self._write()
        return result

    def _processed(
        self, household_ids: Sequence[uuid.UUID]
    ) -> tuple[set[uuid.UUID], dict[uuid.UUID, dt.date]]:
        """Return the assessments processed already, and the latest visit processed of each household."""
        rows = AssessmentProcessing.objects.filter(
            Q(assessment_id__in=[assessment.id for assessment in self.assessments])
            | Q(assessment__household_id__in=household_ids)
        ).values_list("assessment_id", "assessment__household_id", "assessment__assessed_on")
        processed: set[uuid.UUID] = set()
        latest: dict[uuid.UUID, dt.date] = {}
        for assessment_id, household_id, assessed_on in rows:
            processed.add(assessment_id)
            latest[household_id] = max(assessed_on, latest.get(household_id, assessed_on))
        return processed, latest

    def _process_one(self, assessment: Assessment, latest_processed: dt.date | None) -> Case | None:
        case = self.cases.get(assessment.household_id)
        if latest_processed is not None and latest_processed > assessment.assessed_on:
            # An older wave imported late: it stays in the history, the present is not rewritten.
            self.markers.add(assessment_id=assessment.id, case_id=case.id if case else None)
            return case
        findings = self.findings.get(assessment.id, [])
        if case is None and not findings:
            self.markers.add(assessment_id=assessment.id, case_id=None)
            return None
        if case is None:
            case = self._case_open(assessment)
        else:
            if case.status == CaseStatus.CLOSED and findings:
                self._case_reopen(case)
            case.updated_at = self.now
            self.changed_cases.append(case)
        summary, goals = self._goals_update(case, assessment, findings)
        urgent = self._urgent_referrals_open(case, assessment, findings, goals)
        self._vaccination_tasks_open(case, assessment, findings)
        case.last_assessment = assessment
        case.reevaluation_due_on = add_months(assessment.assessed_on, reevaluation_months())
        case.version += 1
        note = _(
            "%(wave)s of %(date)s: %(new)d new goals, %(resolved)d resolved, %(persisting)d persisting, "
            "%(urgent)d urgent referrals."
        ) % {
            "wave": assessment.wave,
            "date": assessment.assessed_on.strftime("%d.%m.%Y"),
            "urgent": urgent,
            **summary,
        }
        self.case_events.add(
            case_id=case.id, actor_id=self.actor_id, kind=CaseEventKind.ASSESSMENT, note=note
        )
        self._audit(
            AuditAction.UPDATE,
            case,
            {
                "assessment": [None, str(assessment.id)],
                **{key: [None, value] for key, value in summary.items()},
            },
        )
        self.markers.add(assessment_id=assessment.id, case_id=case.id)
        return case

    def _audit(
        self,
        action: AuditAction,
        record: Case | Household | Referral,
        changes: Mapping[str, Any],
        *,
        by_platform: bool = False,
    ) -> None:
        """Add the audit row `audit_record` would write; ``by_platform`` for a change no user made."""
        self.audit.add(
            actor_id=None if by_platform else self.actor_id,
            action=action,
            object_type=record._meta.model_name,
            object_id=str(record.id),
            locality_id=record.locality_id,
            changes=dict(changes),
        )

    # What the round reads, each with one query at most, and only when an assessment needs it.

    @cached_property
    def workers(self) -> dict[int, list[User]]:
        """The active users of each locality of the round, sorted by username as the database sorts them."""
        localities = {household.locality_id for household in self.households.values()}
        by_locality: dict[int, list[User]] = {}
        users = (
            User.objects.filter(is_active=True, localities__siruta__in=localities)
            .annotate(member_of=F("localities__siruta"))
            .order_by("username")
        )
        for user in users:
            by_locality.setdefault(user.member_of, []).append(user)
        return by_locality

    @cached_property
    def caseload(self) -> dict[int, int]:
        """The open cases of each social worker of the round's localities, as the database holds them."""
        social_workers = [
            user.id for users in self.workers.values() for user in users if user.role == Role.SOCIAL_WORKER
        ]
        rows = (
            Case.objects.filter(case_manager_id__in=social_workers, status__in=OPEN_CASE_STATUSES)
            .order_by()
            .values_list("case_manager_id")
            .annotate(cases=Count("id"))
        )
        return dict(rows)

    @cached_property
    def open_goals(self) -> dict[uuid.UUID, list[PlanGoal]]:
        by_case: dict[uuid.UUID, list[PlanGoal]] = {}
        for goal in PlanGoal.objects.filter(case_id__in=self.existing_case_ids, status=GoalStatus.OPEN):
            by_case.setdefault(goal.case_id, []).append(goal)
        return by_case

    @cached_property
    def assessed_people(self) -> dict[uuid.UUID, set[uuid.UUID]]:
        """The people each assessment of the round asked about."""
        people: dict[uuid.UUID, set[uuid.UUID]] = {}
        rows = MemberAnswers.objects.filter(assessment_id__in=self.unprocessed).values_list(
            "assessment_id", "person_id"
        )
        for assessment_id, person_id in rows:
            people.setdefault(assessment_id, set()).add(person_id)
        return people

    @cached_property
    def services(self) -> dict[tuple[str, str], Service]:
        catalogues = {assessment.catalogue for assessment in self.assessments}
        return {(s.catalogue, s.code): s for s in Service.objects.filter(catalogue__in=catalogues)}

    @cached_property
    def people(self) -> dict[uuid.UUID, Person]:
        """The people named in a critical or a vaccination finding of the round."""
        ids = {
            finding.person_id
            for findings in self.findings.values()
            for finding in findings
            if finding.person_id and (finding.critical or finding.code in VACCINATION_CODES)
        }
        return Person.objects.in_bulk(ids)

    @cached_property
    def pending_urgent(self) -> set[tuple[uuid.UUID, str, uuid.UUID | None]]:
        """(case, code, person) of every urgent referral still waiting for an answer in the round's cases."""
        return set(
            Referral.objects.filter(
                case_id__in=self.existing_case_ids, urgent=True, status__in=PENDING_REFERRAL_STATUSES
            ).values_list("case_id", "code", "person_id")
        )

    @cached_property
    def urgent_keys_taken(self) -> set[str]:
        keys = [
            _urgent_key(assessment_id, finding)
            for assessment_id, findings in self.findings.items()
            for finding in findings
            if finding.critical
        ]
        taken = Referral.objects.filter(opened_for__in=keys).values_list("opened_for", flat=True)
        return {key for key in taken if key}

    @cached_property
    def open_vaccinations(self) -> dict[uuid.UUID, set[uuid.UUID | None]]:
        """The people with a vaccination task still open, per case of the round."""
        by_case: dict[uuid.UUID, set[uuid.UUID | None]] = {}
        rows = Task.objects.filter(
            case_id__in=self.existing_case_ids, kind=TaskKind.VACCINATION, done_at__isnull=True
        ).values_list("case_id", "person_id")
        for case_id, person_id in rows:
            by_case.setdefault(case_id, set()).add(person_id)
        return by_case

    # What one assessment does, in memory.

    def _lightest_social_worker(self, locality_id: int) -> User | None:
        """Return the locality's active social worker with the fewest open cases, this round's included."""
        social_workers = [
            user for user in self.workers.get(locality_id, []) if user.role == Role.SOCIAL_WORKER
        ]
        return min(
            social_workers,
            key=lambda user: self.caseload.get(user.id, 0) + self.opened_in_round[user.id],
            default=None,
        )

    def _case_open(self, assessment: Assessment) -> Case:
        household = self.households[assessment.household_id]
        manager = household.case_manager
        if (
            manager is None
            or not manager.is_active
            or manager not in self.workers.get(household.locality_id, [])
        ):
            manager = self._lightest_social_worker(household.locality_id)
        case = Case(
            household=household,
            locality_id=household.locality_id,
            case_manager=manager,
            opened_on=assessment.assessed_on,
        )
        self.new_cases.append(case)
        if manager is not None:
            self.opened_in_round[manager.id] += 1
        self.case_events.add(
            case_id=case.id,
            actor_id=self.actor_id,
            kind=CaseEventKind.OPENED,
            to_status=CaseStatus.OPEN,
            to_manager_id=manager.id if manager else None,
        )
        self._audit(
            AuditAction.CREATE,
            case,
            {
                "household": [None, str(household.id)],
                "case_manager": [None, manager.username if manager else None],
            },
        )
        if manager is not None and household.case_manager_id != manager.id:
            self._audit(AuditAction.UPDATE, household, household_manager_change(household, manager))
            self.changed_households.append(household)
        return case

    def _case_reopen(self, case: Case) -> None:
        """Reopen a closed case as `transitions.case_reopen` does (no actor: the platform reopens it)."""
        note = _("A new assessment found vulnerabilities again.")
        before = case.status
        case.status, case.closed_on, case.close_reason = CaseStatus.OPEN, None, ""
        case.version += 1
        if case.case_manager_id is not None:
            self.opened_in_round[case.case_manager_id] += 1
        self.case_events.add(
            case_id=case.id,
            kind=CaseEventKind.STATUS,
            from_status=before,
            to_status=CaseStatus.OPEN,
            note=note,
        )
        self._audit(
            AuditAction.UPDATE,
            case,
            {"status": [before, CaseStatus.OPEN], "note": ["", note]},
            by_platform=True,
        )

    def _goals_update(
        self, case: Case, assessment: Assessment, findings: Sequence[Finding]
    ) -> tuple[dict[str, int], dict[tuple[str, uuid.UUID | None], PlanGoal]]:
        """Resolve, cancel or flag the open goals, add one per new finding; return the counts and the open goals."""
        found = {(finding.code, finding.person_id): finding for finding in findings}
        summary = {"new": 0, "resolved": 0, "persisting": 0}
        open_goals = {
            (goal.code, goal.person_id): goal
            for goal in (self.open_goals.get(case.id, []) if case.id in self.existing_case_ids else [])
        }
        for key, goal in open_goals.items():
            if key in found:
                goal.persisting = True
                goal.last_seen_assessment = assessment
                summary["persisting"] += 1
            elif goal.person_id is not None and goal.person_id not in self.assessed_people.get(
                assessment.id, ()
            ):
                # The person was not part of this visit (moved out, died): nothing says the problem is solved.
                goal.status = GoalStatus.CANCELLED
                goal.resolved_on = assessment.assessed_on
            else:
                goal.status = GoalStatus.RESOLVED
                goal.resolved_on = assessment.assessed_on
                goal.resolved_by_assessment = assessment
                summary["resolved"] += 1
            self.changed_goals.append(goal)
            if goal.status != GoalStatus.OPEN:
                self.closed_goal_ids.append(goal.id)
        still_open = {key: goal for key, goal in open_goals.items() if goal.status == GoalStatus.OPEN}
        new_keys = [key for key in found if key not in open_goals]
        if not new_keys:
            return summary, still_open
        catalogue = load_services(assessment.catalogue)
        owners = _Owners.of(self.workers.get(case.locality_id, []), case.case_manager)
        deadline = plan_deadline(case)
        for code, person_id in sorted(new_keys, key=lambda key: (key[0], str(key[1]))):
            finding = found[(code, person_id)]
            goal = PlanGoal(
                case=case,
                code=code,
                person_id=person_id,
                critical=finding.critical,
                first_assessment=assessment,
                last_seen_assessment=assessment,
            )
            self.new_goals.append(goal)
            still_open[(code, person_id)] = goal
            summary["new"] += 1
            for entry in catalogue.suggested_for(code):
                days = 1 if finding.critical else DUE_DAYS_BY_KIND[entry.kind]
                due = min(max(assessment.assessed_on, case.opened_on) + dt.timedelta(days=days), deadline)
                self.new_actions.append(
                    (
                        goal,
                        self.services[(assessment.catalogue, entry.code)],
                        owners.for_role(entry.role),
                        due,
                    )
                )
        return summary, still_open

    def _urgent_pending(self, case: Case, finding: Finding) -> bool:
        """Tell whether an urgent referral for the same code and person still waits for an answer."""
        key = (case.id, finding.code, finding.person_id)
        return key in self.urgent_opened or (case.id in self.existing_case_ids and key in self.pending_urgent)

    def _urgent_referrals_open(
        self,
        case: Case,
        assessment: Assessment,
        findings: Sequence[Finding],
        goals: Mapping[tuple[str, uuid.UUID | None], PlanGoal],
    ) -> int:
        critical = [finding for finding in findings if finding.critical]
        if not critical:
            return 0
        vulnerabilities = load_catalogue(assessment.catalogue)
        opened = 0
        for finding in critical:
            key = _urgent_key(assessment.id, finding)
            if self._urgent_pending(case, finding) or key in self.urgent_keys_taken:
                continue
            name = vulnerabilities.vulnerability(finding.code).name()
            person = self.people.get(finding.person_id) if finding.person_id else None
            who = person.full_name if person else _("the household")
            institution = URGENT_INSTITUTION.get(finding.code, Institution.DGASPC)
            referral = Referral(
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
            self.new_referrals.append(referral)
            self.urgent_opened.add((case.id, finding.code, finding.person_id))
            self.urgent_keys_taken.add(key)
            self.referral_events.append(ReferralEvent(referral=referral, to_status=ReferralStatus.DRAFT))
            for assignee in self._urgent_assignees(case):
                self.new_tasks.append(
                    Task(
                        case=case,
                        kind=TaskKind.URGENT_REFERRAL,
                        title=_("Send the urgent referral to %(institution)s: %(name)s (%(who)s)")
                        % {"institution": referral.get_institution_display(), "name": name, "who": who},
                        assignee=assignee,
                        due_at=self.now + dt.timedelta(hours=URGENT_TASK_HOURS),
                        urgent=True,
                        referral=referral,
                        person=person,
                        locality_id=case.locality_id,
                        dedupe_key=f"urgent:{referral.id}:{assignee.id}",
                    )
                )
            self._audit(
                AuditAction.CREATE,
                referral,
                {"code": [None, finding.code], "urgent": [None, True], "institution": [None, institution]},
                by_platform=True,
            )
            opened += 1
        return opened

    def _urgent_assignees(self, case: Case) -> list[User]:
        """Return who must see an urgent task: the case manager and the locality's local coordinators."""
        people = [case.case_manager] if case.case_manager else []
        people += [
            user
            for user in self.workers.get(case.locality_id, [])
            if user.role == Role.LOCAL_COORDINATOR and user not in people
        ]
        return people

    def _vaccination_tasks_open(
        self, case: Case, assessment: Assessment, findings: Sequence[Finding]
    ) -> None:
        children = {f.person_id for f in findings if f.code in VACCINATION_CODES and f.person_id}
        if not children:
            return
        nurse = _Owners.of(self.workers.get(case.locality_id, []), case.case_manager).for_role(
            Role.COMMUNITY_NURSE
        )
        already = self.open_vaccinations.get(case.id, set()) if case.id in self.existing_case_ids else set()
        due = timezone.make_aware(
            dt.datetime.combine(
                max(assessment.assessed_on, timezone.localdate()) + dt.timedelta(days=VACCINATION_TASK_DAYS),
                dt.time(12),
            )
        )
        for person_id in children - already:
            person = self.people.get(person_id)
            if person is None:
                continue
            self.new_tasks.append(
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
            )

    def _write(self) -> None:
        """Write the round's rows, parents before children, one statement per table and kind of change."""
        insert_rows(Case, _rows_of(self.new_cases))
        if self.changed_cases:
            Case.objects.bulk_update(self.changed_cases, _CASE_FIELDS_FROM_ASSESSMENT)
        if self.changed_households:
            Household.objects.bulk_update(self.changed_households, ["case_manager"])
        if self.changed_goals:
            PlanGoal.objects.bulk_update(self.changed_goals, _GOAL_FIELDS_FROM_ASSESSMENT)
        if self.closed_goal_ids:
            PlanAction.objects.filter(
                goal_id__in=self.closed_goal_ids, status__in=[ActionStatus.PROPOSED, ActionStatus.PLANNED]
            ).update(status=ActionStatus.CANCELLED)
        if self.new_goals:
            self._goals_insert()
        actions = NewRows(PlanAction)
        for goal, service, owner, due in self.new_actions:
            actions.add(
                goal_id=goal.id, service_id=service.id, owner_id=owner.id if owner else None, due_on=due
            )
        insert_rows(PlanAction, actions.rows)
        Referral.objects.bulk_create(self.new_referrals)
        ReferralEvent.objects.bulk_create(self.referral_events)
        # A vaccination task already opened for the same assessment and child is left as it is.
        Task.objects.bulk_create(self.new_tasks, ignore_conflicts=True)
        insert_rows(CaseEvent, self.case_events.rows)
        insert_rows(AuditEvent, self.audit.rows)
        insert_rows(AssessmentProcessing, self.markers.rows)

    def _goals_insert(self) -> None:
        """Insert the new goals and learn their keys, which their actions and referrals point to."""
        insert_rows(PlanGoal, _rows_of(self.new_goals))
        # A copy returns no keys; a new goal is the one open goal of its case, code and person (the database
        # holds that unique), so one read finds them all.
        keys: dict[tuple[uuid.UUID, str, uuid.UUID | None], int] = {
            (case_id, code, person_id): goal_id
            for goal_id, case_id, code, person_id in PlanGoal.objects.filter(
                case_id__in={goal.case_id for goal in self.new_goals}, status=GoalStatus.OPEN
            ).values_list("id", "case_id", "code", "person_id")
        }
        for goal in self.new_goals:
            goal.id = keys[(goal.case_id, goal.code, goal.person_id)]


def _rows_of(instances: Sequence[Case] | Sequence[PlanGoal]) -> list[dict[str, Any]]:
    """Return the column values of new model instances, for `insert_rows`."""
    return [
        {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
        for instance in instances
    ]


# Imports send no signal: they catch up here, a batch at a time.
SYNC_BATCH_SIZE = 100


def cases_sync_from_assessments(*, since: dt.datetime | None = None, actor: User | None = None) -> int:
    """Process every stored assessment that case management has not seen yet; return how many it processed.

    Assessments are taken oldest visit first, so that each household's waves are processed in order.
    """
    pending = (
        Assessment.objects.exclude(id__in=AssessmentProcessing.objects.values("assessment_id"))
        # Case management never reads the interchange document, the bulk of each row.
        .defer("document")
    )
    if since is not None:
        pending = pending.filter(created_at__gte=since)
    count = 0
    batch: list[Assessment] = []
    for assessment in pending.order_by("assessed_on", "created_at").iterator(chunk_size=500):
        batch.append(assessment)
        if len(batch) == SYNC_BATCH_SIZE:
            cases_update_from_assessments(actor=actor, assessments=batch)
            count, batch = count + len(batch), []
    if batch:
        cases_update_from_assessments(actor=actor, assessments=batch)
    return count + len(batch)
