"""Demo case management, consistent with the demo assessments: cases, plans, agreements, services delivered,
referrals with their statuses, and parenting-education sessions with attendance.

Run after the assessments exist. It opens the cases through `cases_sync_from_assessments` (so the goals, the
urgent referrals and their tasks come from the same code as in production), accepts most plans and records the
family agreements through the services, then writes what the team has done since as a bulk load: services
delivered for the actions that came due, referrals moving through their statuses (a few overdue, a few urgent
ones still to send, so the "my day" and overdue pages have something to show), and parenting-education sessions.
Every random choice comes from ``rng`` and rows are visited in a stable order, so the same seed gives the same
story.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from mps.accounts.models import Role, User
from mps.cases import followup, services, transitions
from mps.cases.models import (
    ActionStatus,
    ActivityKind,
    Case,
    CaseStatus,
    GoalStatus,
    GroupActivity,
    Institution,
    Participation,
    Place,
    PlanAction,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ServiceDelivery,
)
from mps.registry.models import Membership

# Where each kind of service usually happens.
_PLACE_BY_KIND: dict[str, str] = {
    "home_visit": Place.HOME_VISIT,
    "accompaniment": Place.OFFICE,
    "referral": Place.OFFICE,
    "information_counselling": Place.HOME_VISIT,
    "material_support": Place.COMMUNITY_CENTRE,
    "direct_service": Place.OFFICE,
    "group_activity": Place.COMMUNITY_CENTRE,
}
_PLACE_BY_ROLE: dict[str, str] = {
    Role.SCHOOL_COUNSELLOR: Place.SCHOOL,
    Role.SCHOOL_MEDIATOR: Place.SCHOOL,
    Role.COMMUNITY_NURSE: Place.MEDICAL_OFFICE,
}
_INSTITUTION_BY_PREFIX = {
    "S-ID": Institution.CIVIL_STATUS,
    "S-HE": Institution.FAMILY_DOCTOR,
    "S-ED": Institution.CJRAE,
    "S-EM": Institution.EMPLOYMENT_AGENCY,
    "S-FA": Institution.DGASPC,
    "S-HO": Institution.NGO,
    "S-IN": Institution.NGO,
}
_SESSION_TITLES = (
    "Educație parentală: comunicarea cu copilul",
    "Educație parentală: disciplina pozitivă",
    "Educație parentală: sănătatea și alimentația copilului",
    "Educație parentală: sprijin pentru școală",
    "Educație parentală: siguranța copilului acasă",
)


@dataclass(frozen=True)
class DemoCasesSummary:
    """What the demo step added."""

    assessments_processed: int
    cases: int
    agreements: int
    deliveries: int
    referrals: int
    activities: int


def build_demo_cases(
    rng: random.Random, *, today: dt.date, agreement_share: float = 0.8, delivery_share: float = 0.6
) -> DemoCasesSummary:
    """Open the cases of the stored assessments and add a plausible year of case work up to ``today``."""
    with transaction.atomic():
        processed = followup.cases_sync_from_assessments()
        cases = list(
            Case.objects.filter(status__in=[CaseStatus.OPEN, CaseStatus.ACTIVE])
            .select_related("household", "case_manager")
            .order_by("household_id")
        )
        agreements = deliveries = referrals = 0
        for case in cases:
            if case.case_manager is None or rng.random() > agreement_share:
                continue
            if _agree(rng, case, today):
                agreements += 1
                deliveries += _deliver(rng, case, today, delivery_share)
                referrals += _refer(rng, case, today)
        referrals += _urgent_referrals_followed(rng, today)
        activities = _parenting_sessions(rng, today)
    return DemoCasesSummary(
        assessments_processed=processed,
        cases=len(cases),
        agreements=agreements,
        deliveries=deliveries,
        referrals=referrals,
        activities=activities,
    )


def _agree(rng: random.Random, case: Case, today: dt.date) -> bool:
    manager = case.case_manager
    assert manager is not None
    actions = list(PlanAction.objects.filter(goal__case=case, status=ActionStatus.PROPOSED).order_by("id"))
    if not actions:
        return False
    # The case manager keeps most suggestions and drops some, as families and teams do.
    choices = [
        services.ActionChoice(a.id, rng.random() < 0.75 or a.goal.critical, a.owner or manager, a.due_on)
        for a in actions
    ]
    if not any(choice.include for choice in choices):
        choices[0] = services.ActionChoice(
            actions[0].id, True, actions[0].owner or manager, actions[0].due_on
        )
    services.plan_accept(actor=manager, case=case, choices=choices)
    head = (
        case.household.memberships.filter(end_date__isnull=True, relation="head")
        .select_related("person")
        .first()
    )
    signed_on = min(case.opened_on + dt.timedelta(days=rng.randint(3, 21)), today)
    services.agreement_record(
        actor=manager,
        case=case,
        signed_on=signed_on,
        signed_by=head.person.full_name if head else "—",
        family_commitments="Participăm la întâlnirile stabilite, mergem cu copiii la programări și la școală "
        "și anunțăm orice schimbare în familie.",
        team_commitments="Echipa acordă serviciile din plan la termen, însoțește familia la instituții și "
        "revizuiește planul la fiecare reevaluare.",
    )
    return True


def _deliver(rng: random.Random, case: Case, today: dt.date, share: float) -> int:
    due = list(
        PlanAction.objects.filter(goal__case=case, status=ActionStatus.PLANNED, due_on__lte=today)
        .select_related("service", "owner", "goal")
        .order_by("due_on", "id")
    )
    rows, done = [], []
    for action in due:
        if action.owner is None or rng.random() > share:
            continue
        delivered_on = action.due_on - dt.timedelta(days=rng.randint(0, 10))
        delivered_on = max(delivered_on, case.opened_on)
        place = _PLACE_BY_ROLE.get(action.owner.role) if action.service.kind != "home_visit" else None
        rows.append(
            ServiceDelivery(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                case=case,
                service=action.service,
                person_id=action.goal.person_id,
                action=action,
                worker=action.owner,
                delivered_on=delivered_on,
                place=place or _PLACE_BY_KIND[action.service.kind],
                duration_minutes=rng.choice((20, 30, 45, 60, 90)),
                locality_id=case.locality_id,
            )
        )
        action.status, action.done_on = ActionStatus.DONE, delivered_on
        done.append(action)
    ServiceDelivery.objects.bulk_create(rows)
    PlanAction.objects.bulk_update(done, ["status", "done_on"])
    return len(rows)


def _refer(rng: random.Random, case: Case, today: dt.date) -> int:
    """Draft referrals for the planned services that are referrals, and move them on as time passed."""
    actions = (
        PlanAction.objects.filter(goal__case=case, service__kind="referral", goal__status=GoalStatus.OPEN)
        .exclude(goal__critical=True)
        .select_related("service", "goal")
        .order_by("id")
    )
    count = 0
    for action in actions:
        if rng.random() > 0.5:
            continue
        sent_on = max(case.opened_on, action.due_on - dt.timedelta(days=14))
        if sent_on > today:
            continue
        referral = Referral.objects.create(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            case=case,
            goal=action.goal,
            code=action.goal.code,
            person_id=action.goal.person_id,
            institution=_INSTITUTION_BY_PREFIX.get(action.service.code[:4], Institution.NGO),
            reason=action.service.name_ro,
            due_on=sent_on + dt.timedelta(days=30),
            created_by=case.case_manager,
            locality_id=case.locality_id,
            status=ReferralStatus.SENT,
            sent_on=sent_on,
        )
        events = [(ReferralStatus.DRAFT, ReferralStatus.SENT)]
        roll = rng.random()
        if referral.due_on < today and roll < 0.55:
            referral.status, referral.closed_on = ReferralStatus.COMPLETED, min(referral.due_on, today)
            referral.outcome = "Solicitarea a fost soluționată."
            events += [
                (ReferralStatus.SENT, ReferralStatus.ACCEPTED),
                (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED),
            ]
        elif roll < 0.75:
            referral.status = ReferralStatus.ACCEPTED
            events.append((ReferralStatus.SENT, ReferralStatus.ACCEPTED))
        elif roll < 0.82:
            referral.status, referral.closed_on = ReferralStatus.REJECTED, min(referral.due_on, today)
            referral.outcome = "Instituția a cerut documente suplimentare."
            events.append((ReferralStatus.SENT, ReferralStatus.REJECTED))
        # Otherwise it stays sent: past its due date, it shows on the overdue list.
        referral.save()
        ReferralEvent.objects.bulk_create(
            [
                ReferralEvent(referral=referral, actor=case.case_manager, from_status=a, to_status=b)
                for a, b in events
            ]
        )
        count += 1
    return count


def _urgent_referrals_followed(rng: random.Random, today: dt.date) -> int:
    """Send most urgent referrals (the DGASPC or the police took them on); leave a few to send today."""
    urgent = list(
        Referral.objects.filter(urgent=True, status=ReferralStatus.DRAFT)
        .select_related("case__case_manager")
        .order_by("opened_for")
    )
    sent = 0
    for referral in urgent:
        manager = referral.case.case_manager
        if manager is None or rng.random() < 0.1:
            continue
        sent += 1
        sent_on = min(referral.case.opened_on + dt.timedelta(days=1), today)
        transitions.referral_send(actor=manager, referral=referral, sent_on=sent_on)
        transitions.referral_accept(actor=manager, referral=referral)
        if rng.random() < 0.6:
            transitions.referral_complete(
                actor=manager,
                referral=referral,
                outcome="DGASPC a evaluat situația; copilul rămâne în familie, cu monitorizare.",
                closed_on=min(sent_on + dt.timedelta(days=rng.randint(2, 20)), today),
            )
    return sent


def _parenting_sessions(rng: random.Random, today: dt.date) -> int:
    """Hold 2 to 4 parenting-education sessions per locality with parents of the families in case management."""
    localities = sorted(set(Case.objects.values_list("locality_id", flat=True)))
    count = 0
    for locality_id in localities:
        facilitator = (
            User.objects.filter(is_active=True, role=Role.SOCIAL_WORKER, localities__siruta=locality_id)
            .order_by("username")
            .first()
        )
        if facilitator is None:
            continue
        parents = list(
            Membership.objects.filter(
                end_date__isnull=True,
                household__case__locality_id=locality_id,
                relation__in=["head", "spouse"],
            )
            .filter(
                Q(household__memberships__relation="child", household__memberships__end_date__isnull=True)
            )
            .values_list("person_id", "household_id")
            .distinct()
            .order_by("person_id")
        )
        if not parents:
            continue
        for n in range(rng.randint(2, 4)):
            activity = GroupActivity.objects.create(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                locality_id=locality_id,
                kind=ActivityKind.PARENTING,
                title=_SESSION_TITLES[n % len(_SESSION_TITLES)],
                held_on=today - dt.timedelta(days=rng.randint(7, 180)),
                place="Centrul comunitar",
                facilitator=facilitator,
            )
            invited = rng.sample(parents, min(len(parents), rng.randint(8, 15)))
            Participation.objects.bulk_create(
                [
                    Participation(
                        activity=activity,
                        person_id=person_id,
                        household_id=household_id,
                        attended=rng.random() < 0.8,
                    )
                    for person_id, household_id in invited
                ]
            )
            count += 1
    return count
