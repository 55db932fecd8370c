"""Reads of case management, always through the user's scope (see mps.access.policy).

A case, referral, task or group activity outside the user's localities answers 404, exactly like one that does
not exist. Lists are built with a fixed number of queries whatever their length.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mps.access.policy import case_localities
from mps.accounts.models import FIELD_ROLES, Role, User
from mps.assessment.rules import load_catalogue
from mps.audit.services import audit_reads
from mps.cases.models import (
    OPEN_CASE_STATUSES,
    PENDING_REFERRAL_STATUSES,
    ActionStatus,
    Case,
    FamilyAgreement,
    GoalStatus,
    GroupActivity,
    Participation,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralStatus,
    Service,
    ServiceDelivery,
    Task,
)
from mps.core.collation import romanian
from mps.registry.models import Household, Membership, Person
from mps.registry.selectors import household_get_for_user

# One social worker registers and serves 125 to 250 at-risk households a year (the seeds' caseload norm).
CASELOAD_NORM = (125, 250)


def vulnerability_names(catalogue: str = "mps-v1") -> dict[str, str]:
    """Return each vulnerability code's name in the active language."""
    return {v.code: v.name() for v in load_catalogue(catalogue).vulnerabilities}


# Cases ----------------------------------------------------------------------------------------------------


def case_list_for_user(
    user: User, *, status: str = "", mine: bool = False, urgent: bool = False
) -> QuerySet[Case]:
    """Return the cases the user may see, with their counts of open goals and unsent urgent referrals."""
    cases = Case.objects.filter(locality__in=case_localities(user))
    cases = cases.filter(status=status) if status else cases.filter(status__in=OPEN_CASE_STATUSES)
    if mine:
        cases = cases.filter(case_manager=user)
    unsent_urgent = Referral.objects.filter(case=OuterRef("pk"), urgent=True, status=ReferralStatus.DRAFT)
    cases = cases.annotate(
        open_goals=Count("goals", filter=Q(goals__status=GoalStatus.OPEN), distinct=True),
        persisting_goals=Count(
            "goals", filter=Q(goals__status=GoalStatus.OPEN, goals__persisting=True), distinct=True
        ),
        has_unsent_urgent=Exists(unsent_urgent),
    )
    if urgent:
        cases = cases.filter(has_unsent_urgent=True)
    return cases.select_related("household__village", "locality", "case_manager", "last_assessment").order_by(
        "-has_unsent_urgent", "locality__name", "household__address"
    )


def case_get_for_user(user: User, household_ref: uuid.UUID | str) -> Case:
    """Return the case of a household the user may see; 404 when there is none or it is outside their scope."""
    household = household_get_for_user(user, household_ref)
    try:
        return Case.objects.select_related(
            "household__locality__county", "household__village", "locality", "case_manager", "last_assessment"
        ).get(household=household)
    except Case.DoesNotExist as error:
        raise Http404 from error


@dataclass(frozen=True)
class CasePage:
    """Everything the case page shows."""

    case: Case
    goals: list[PlanGoal]
    members: list[Membership]
    agreements: list[FamilyAgreement]
    deliveries: list[ServiceDelivery]
    referrals: list[Referral]
    tasks: list[Task]
    events: list[Any]
    names: dict[str, str]
    proposed_count: int
    workers: list[User]
    services: list[Service]
    deadline: dt.date
    resolved_goals: list[PlanGoal] = field(default_factory=list)


def case_page_for_user(user: User, household_ref: uuid.UUID | str) -> CasePage:
    """Return the case page of a household and record that the user read it."""
    from mps.cases.services import plan_deadline

    case = case_get_for_user(user, household_ref)
    goals = list(
        case.goals.select_related("person", "first_assessment", "last_seen_assessment")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.exclude(status=ActionStatus.CANCELLED)
                .select_related("service", "owner")
                .order_by("due_on", "id"),
            )
        )
        .order_by("-critical", "code", romanian("person__first_name"))
    )
    open_goals = [g for g in goals if g.status == GoalStatus.OPEN]
    closed_goals = [g for g in goals if g.status != GoalStatus.OPEN]
    members = list(
        Membership.objects.filter(household_id=case.household_id, end_date__isnull=True)
        .select_related("person")
        .order_by("person__birth_date")
    )
    catalogue = case.last_assessment.catalogue if case.last_assessment else "mps-v1"
    audit_reads(actor=user, object_type="case", object_ids=[case.id], locality_id=case.locality_id)
    return CasePage(
        case=case,
        goals=open_goals,
        resolved_goals=closed_goals,
        members=members,
        agreements=list(case.agreements.select_related("recorded_by")[:5]),
        deliveries=list(case.deliveries.select_related("service", "person", "worker")[:30]),
        referrals=list(case.referrals.select_related("person")),
        tasks=list(case.tasks.filter(done_at__isnull=True).select_related("assignee")),
        events=list(case.events.select_related("actor", "from_manager", "to_manager")[:30]),
        names=vulnerability_names(catalogue),
        proposed_count=sum(
            1 for g in open_goals for a in g.actions.all() if a.status == ActionStatus.PROPOSED
        ),
        workers=field_workers_of(case.locality_id),
        services=list(Service.objects.filter(catalogue=catalogue)),
        deadline=plan_deadline(case),
    )


def field_workers_of(locality_id: int) -> list[User]:
    """Return the active field workers of a locality, who may own plan actions and deliver services."""
    return list(
        User.objects.filter(
            is_active=True, role__in=list(FIELD_ROLES), localities__siruta=locality_id
        ).order_by(romanian("last_name"), romanian("first_name"))
    )


def referral_get_for_user(user: User, ref: uuid.UUID | str) -> Referral:
    """Return one referral the user may see, or 404."""
    try:
        return Referral.objects.select_related(
            "case__household__locality__county", "case__case_manager", "person", "created_by", "locality"
        ).get(id=ref, locality__in=case_localities(user))
    except (Referral.DoesNotExist, ValueError) as error:
        raise Http404 from error


def agreement_get_for_user(user: User, household_ref: uuid.UUID | str, agreement_id: int) -> FamilyAgreement:
    """Return one family agreement of a case the user may see, or 404."""
    case = case_get_for_user(user, household_ref)
    try:
        return FamilyAgreement.objects.select_related("recorded_by").get(case=case, id=agreement_id)
    except FamilyAgreement.DoesNotExist as error:
        raise Http404 from error


def goal_get_for_case(case: Case, goal_id: int | str) -> PlanGoal:
    """Return one goal of a case, or 404."""
    try:
        return case.goals.select_related("person", "case").get(id=goal_id)
    except (PlanGoal.DoesNotExist, ValueError) as error:
        raise Http404 from error


def action_get_for_case(case: Case, action_id: int | str) -> PlanAction:
    """Return one plan action of a case, or 404."""
    try:
        return PlanAction.objects.select_related("goal__case").get(goal__case=case, id=action_id)
    except (PlanAction.DoesNotExist, ValueError) as error:
        raise Http404 from error


def task_get_for_user(user: User, task_id: int | str) -> Task:
    """Return one task the user may see, or 404."""
    try:
        return Task.objects.select_related("referral", "case__household").get(
            id=task_id, locality__in=case_localities(user)
        )
    except (Task.DoesNotExist, ValueError) as error:
        raise Http404 from error


def overdue_referrals_for_user(user: User, *, today: dt.date | None = None) -> QuerySet[Referral]:
    """Return the referrals still waiting for an answer after their due date, in the user's localities."""
    today = today or timezone.localdate()
    return (
        Referral.objects.filter(
            locality__in=case_localities(user), status__in=PENDING_REFERRAL_STATUSES, due_on__lt=today
        )
        .select_related("case__household", "case__case_manager", "person", "locality")
        .order_by("-urgent", "due_on")
    )


# My day ---------------------------------------------------------------------------------------------------

# The sections of a working day, in the order a worker handles them.
DAY_SECTIONS = ("urgent", "today", "overdue", "upcoming")
# What "Ziua mea" gathers; the item-type filter chooses among these.
DUE_ITEM_TYPES = ("task", "action", "referral", "reevaluation")


@dataclass(frozen=True)
class DueItem:
    """One thing a worker must do, with when it is due and how urgent it is (0 is the most urgent)."""

    rank: int
    due: dt.date
    kind: str
    title: str
    household: Household
    url_name: str = "cases:case_detail"
    task_id: int | None = None
    overdue: bool = False
    item_type: str = "task"
    section: str = "today"
    anchor: str = ""


@dataclass(frozen=True)
class HouseholdDue:
    """The items of one household within one section of the day."""

    household: Household
    items: list[DueItem]


@dataclass(frozen=True)
class DaySection:
    """One section of the day (urgent, due today, overdue, upcoming) with its households."""

    key: str
    households: list[HouseholdDue]

    @property
    def count(self) -> int:
        return sum(len(group.items) for group in self.households)


@dataclass(frozen=True)
class MyDay:
    """Everything due for a worker up to the end of the week, most urgent first."""

    items: list[DueItem]
    day: dt.date
    week_end: dt.date

    def filtered(
        self, *, item_type: str = "", household_id: uuid.UUID | None = None, locality_id: int | None = None
    ) -> "MyDay":
        """Return the day with only the items of this type, household and locality (each optional)."""
        items = [
            item
            for item in self.items
            if (not item_type or item.item_type == item_type)
            and (household_id is None or item.household.id == household_id)
            and (locality_id is None or item.household.locality_id == locality_id)
        ]
        return MyDay(items=items, day=self.day, week_end=self.week_end)

    def counts(self) -> dict[str, int]:
        """Return how many items each section holds, and the total."""
        counts = dict.fromkeys(DAY_SECTIONS, 0)
        for item in self.items:
            counts[item.section] += 1
        return {**counts, "total": len(self.items)}

    def households(self) -> list[Household]:
        """Return the households with something due, the one with the most pressing item first."""
        first: dict[uuid.UUID, tuple[int, dt.date, str]] = {}
        by_id: dict[uuid.UUID, Household] = {}
        for item in self.items:
            key = (DAY_SECTIONS.index(item.section), item.due, item.household.address)
            household_id = item.household.id
            by_id[household_id] = item.household
            first[household_id] = min(key, first.get(household_id, key))
        return [by_id[household_id] for household_id in sorted(first, key=lambda h: (first[h], str(h)))]

    def sections(self, households: list[Household] | None = None) -> list[DaySection]:
        """Return the non-empty sections, each grouping its items by household, for these households only."""
        order = [h.id for h in (households if households is not None else self.households())]
        position = {household_id: n for n, household_id in enumerate(order)}
        sections = []
        for key in DAY_SECTIONS:
            groups: dict[uuid.UUID, list[DueItem]] = {}
            for item in self.items:
                if item.section == key and item.household.id in position:
                    groups.setdefault(item.household.id, []).append(item)
            if groups:
                sections.append(
                    DaySection(
                        key=key,
                        households=[
                            HouseholdDue(household=items[0].household, items=items)
                            for _household_id, items in sorted(groups.items(), key=lambda g: position[g[0]])
                        ],
                    )
                )
        return sections


def _section(*, rank: int, due: dt.date, today: dt.date) -> str:
    if rank == 0:
        return "urgent"
    return "today" if due == today else "overdue" if due < today else "upcoming"


def my_day_for_user(user: User, *, today: dt.date | None = None) -> MyDay:
    """Gather the user's tasks, plan actions, overdue referrals and re-evaluations due this week.

    A worker's day is bounded by their caseload (at most a few hundred households), so it is read in four
    queries whatever its length and filtered, grouped and paged in memory; the filters' choices come from it.
    """
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    localities = case_localities(user)
    coordinator = user.role == Role.LOCAL_COORDINATOR
    items: list[DueItem] = []

    def add(**fields: Any) -> None:
        items.append(DueItem(section=_section(rank=fields["rank"], due=fields["due"], today=today), **fields))

    # Urgent tasks are shown today whatever their due time: they are due within 24 hours.
    tasks = Task.objects.filter(locality__in=localities, done_at__isnull=True).filter(
        Q(due_at__date__lte=week_end) | Q(urgent=True)
    )
    tasks = tasks.filter(Q(assignee=user) | Q(urgent=True)) if coordinator else tasks.filter(assignee=user)
    seen_referrals: set[uuid.UUID] = set()
    for task in tasks.select_related("case__household__locality").order_by("-urgent", "due_at"):
        if task.referral_id in seen_referrals:
            continue
        if task.referral_id:
            seen_referrals.add(task.referral_id)
        due = timezone.localtime(task.due_at).date()
        add(
            rank=0 if task.urgent else 2,
            due=due,
            kind=task.get_kind_display(),
            title=task.title,
            household=task.case.household,
            task_id=task.id,
            overdue=due < today,
            item_type="task",
            anchor="tasks",
        )

    names = vulnerability_names()
    actions = PlanAction.objects.filter(
        owner=user, status=ActionStatus.PLANNED, due_on__lte=week_end, goal__status=GoalStatus.OPEN
    ).select_related("service", "goal__case__household__locality", "goal__person")
    for action in actions:
        who = f" · {action.goal.person.full_name}" if action.goal.person else ""
        add(
            rank=1 if action.due_on < today else 3,
            due=action.due_on,
            kind=str(_("Plan action")),
            title=f"{action.service.name}{who} ({names.get(action.goal.code, action.goal.code)})",
            household=action.goal.case.household,
            overdue=action.due_on < today,
            item_type="action",
            anchor="plan",
        )

    referrals = Referral.objects.filter(
        locality__in=localities, status__in=PENDING_REFERRAL_STATUSES, due_on__lte=week_end
    ).exclude(status=ReferralStatus.DRAFT, urgent=True)
    referrals = referrals if coordinator else referrals.filter(case__case_manager=user)
    for referral in referrals.select_related("case__household__locality", "person"):
        who = f" · {referral.person.full_name}" if referral.person else ""
        add(
            rank=1 if referral.due_on < today else 3,
            due=referral.due_on,
            kind=str(_("Referral past due")) if referral.due_on < today else str(_("Referral answer due")),
            title=f"{referral.get_institution_display()}{who} ({referral.get_status_display()})",
            household=referral.case.household,
            overdue=referral.due_on < today,
            item_type="referral",
            anchor=f"referral-{referral.id}",
        )

    cases = Case.objects.filter(
        locality__in=localities, status__in=OPEN_CASE_STATUSES, reevaluation_due_on__lte=week_end
    )
    cases = cases if coordinator else cases.filter(case_manager=user)
    for case in cases.select_related("household__locality"):
        assert case.reevaluation_due_on is not None
        add(
            rank=2 if case.reevaluation_due_on < today else 4,
            due=case.reevaluation_due_on,
            kind=str(_("Re-evaluation due")),
            title=str(_("Re-evaluate the household")),
            household=case.household,
            overdue=case.reevaluation_due_on < today,
            item_type="reevaluation",
        )

    items.sort(key=lambda item: (item.rank, item.due, item.title))
    return MyDay(items=items, day=today, week_end=week_end)


# Caseload -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerLoad:
    """One worker's caseload: households in active case management now and over the year."""

    worker: User
    active: int
    in_year: int
    deliveries: int

    @property
    def band(self) -> str:
        low, high = CASELOAD_NORM
        return "under" if self.in_year < low else "over" if self.in_year > high else "within"


def workload_for_user(user: User, *, year: int | None = None) -> list[WorkerLoad]:
    """Return the caseload of every social worker and case manager of the user's localities for one year."""
    year = year or timezone.localdate().year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    localities = case_localities(user)
    in_year = Q(cases_managed__opened_on__lte=end) & (
        Q(cases_managed__closed_on__isnull=True) | Q(cases_managed__closed_on__gte=start)
    )
    workers = (
        User.objects.filter(is_active=True, localities__in=localities)
        .filter(Q(role=Role.SOCIAL_WORKER) | Q(cases_managed__isnull=False))
        .distinct()
        .annotate(
            active=Count(
                "cases_managed",
                filter=Q(
                    cases_managed__status__in=OPEN_CASE_STATUSES, cases_managed__locality__in=localities
                ),
                distinct=True,
            ),
            in_year=Count(
                "cases_managed", filter=in_year & Q(cases_managed__locality__in=localities), distinct=True
            ),
        )
        .order_by(romanian("last_name"), romanian("first_name"))
    )
    deliveries = dict(
        ServiceDelivery.objects.filter(locality__in=localities, delivered_on__range=(start, end))
        .values_list("worker_id")
        .annotate(n=Count("id"))
        .values_list("worker_id", "n")
    )
    return [
        WorkerLoad(worker=w, active=w.active, in_year=w.in_year, deliveries=deliveries.get(w.id, 0))
        for w in workers
    ]


# Group activities -----------------------------------------------------------------------------------------


def activity_list_for_user(user: User, *, kind: str = "") -> QuerySet[GroupActivity]:
    """Return the group activities of the user's localities with their participant counts."""
    activities = GroupActivity.objects.filter(locality__in=case_localities(user))
    if kind:
        activities = activities.filter(kind=kind)
    return (
        activities.select_related("locality", "facilitator")
        .annotate(
            invited=Count("participants", distinct=True),
            attended=Count("participants", filter=Q(participants__attended=True), distinct=True),
        )
        .order_by("-held_on", "title")
    )


def activity_get_for_user(user: User, ref: uuid.UUID | str) -> GroupActivity:
    """Return one group activity the user may see, or 404."""
    try:
        return GroupActivity.objects.select_related("locality", "facilitator").get(
            id=ref, locality__in=case_localities(user)
        )
    except (GroupActivity.DoesNotExist, ValueError) as error:
        raise Http404 from error


def activity_participants(activity: GroupActivity) -> list[Participation]:
    """Return the participants of an activity with their households."""
    return list(
        activity.participants.select_related("person", "household").order_by(romanian("person__last_name"))
    )


@dataclass(frozen=True)
class ActivityFigures:
    """How many parents took part and how many children benefited (the seeds' 2,166 and 2,615)."""

    parents: int
    children: int
    sessions: int


def activity_figures(activities: QuerySet[GroupActivity]) -> ActivityFigures:
    """Count the adults who attended and the children under 18 living in their households on the day.

    A parent counts once however many sessions they attended; a child benefits when a parent of their
    household attended (or when the child attended).
    """
    attended = Participation.objects.filter(activity__in=activities, attended=True)
    adult_rows = list(
        attended.values_list("person_id", "person__birth_date", "household_id", "activity__held_on")
    )
    parents: set[uuid.UUID] = set()
    children: set[uuid.UUID] = set()
    households: dict[uuid.UUID, dt.date] = {}
    for person_id, birth_date, household_id, held_on in adult_rows:
        if _age(birth_date, held_on) >= 18:
            parents.add(person_id)
            households[household_id] = max(held_on, households.get(household_id, held_on))
        else:
            children.add(person_id)
    if households:
        for person_id, birth_date, household_id, start, end in Membership.objects.filter(
            household_id__in=list(households)
        ).values_list("person_id", "person__birth_date", "household_id", "start_date", "end_date"):
            day = households[household_id]
            if start <= day and (end is None or end >= day) and _age(birth_date, day) < 18:
                children.add(person_id)
    return ActivityFigures(parents=len(parents), children=len(children), sessions=activities.count())


def _age(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def people_of_locality(locality_id: int, query: str = "", limit: int = 20) -> QuerySet[Person]:
    """Return current residents of a locality matching a diacritics-blind search, for adding participants."""
    from mps.core.search_text import fold_for_search

    people = Person.objects.filter(
        merged_into__isnull=True,
        memberships__end_date__isnull=True,
        memberships__household__locality_id=locality_id,
    )
    folded = fold_for_search(query)
    if folded:
        people = people.filter(search_text__contains=folded)
    return people.order_by(romanian("last_name"), romanian("first_name"))[:limit]
