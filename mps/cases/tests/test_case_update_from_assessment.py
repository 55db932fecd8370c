"""Opening and updating cases from assessments: goals, suggestions, closing the loop, urgency, idempotence."""

import datetime as dt

import pytest
from django.utils import timezone

from mps.accounts.tests.factories import worker_of
from mps.assessment.signals import assessments_recorded
from mps.assessment.tests.builders import REFS, SON
from mps.cases import transitions
from mps.cases.followup import case_update_from_assessment, cases_sync_from_assessments
from mps.cases.models import (
    ActionStatus,
    AssessmentProcessing,
    Case,
    CaseEvent,
    CaseStatus,
    CloseReason,
    GoalStatus,
    Institution,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralStatus,
    Task,
    TaskKind,
)
from mps.cases.receivers import update_cases_for_assessments
from mps.cases.tests.factories import builders_locality, re_evaluation, record, team_of
from mps.core.errors import DomainValidationError
from mps.registry.models import Household

pytestmark = pytest.mark.django_db

NO_DOCTOR = {"members[2].health.family_doctor": False}  # HE01 for the son
NO_HEATING = {"household.housing.heating": False}  # HO06 for the household
NEGLECT = {"members[2].protection.neglect_signs": True}  # FA02, critical


@pytest.fixture
def locality():
    return builders_locality(name="Pâncești")


@pytest.fixture
def team(locality):
    return team_of(locality)


def _counts():
    return tuple(m.objects.count() for m in (Case, PlanGoal, PlanAction, Referral, Task, CaseEvent))


def test_a_household_without_findings_gets_no_case(team):
    assessment = record(team["social_worker"])
    assert case_update_from_assessment(actor=None, assessment=assessment) is None
    assert not Case.objects.exists()
    assert AssessmentProcessing.objects.filter(assessment=assessment, case=None).exists()


def test_findings_open_a_case_with_one_goal_each_and_suggested_services_preselected(team):
    assessment = record(team["social_worker"], {**NO_DOCTOR, **NO_HEATING})

    case = case_update_from_assessment(actor=None, assessment=assessment)

    assert case is not None
    assert case.status == CaseStatus.OPEN
    assert case.case_manager == team["social_worker"]
    assert Household.objects.get(id=case.household_id).case_manager == team["social_worker"]
    goals = {(g.code, str(g.person_id) if g.person_id else None): g for g in case.goals.all()}
    assert set(goals) == {("HE01", REFS[SON]), ("HO06", None)}
    he01 = goals[("HE01", REFS[SON])]
    services = {a.service.code: a for a in he01.actions.all()}
    assert "S-HE-01" in services
    assert all(a.status == ActionStatus.PROPOSED for a in services.values())
    # The nurse owns the nurse's services; the case manager the social worker's.
    assert services["S-HE-01"].owner == team["nurse"]
    heating = {a.service.code: a.owner for a in goals[("HO06", None)].actions.all()}
    assert heating["S-IN-07"] == team["social_worker"]
    assert case.reevaluation_due_on == dt.date(2024, 12, 15)


def test_the_default_case_manager_is_the_social_worker_with_the_lightest_caseload(locality, team):
    busy = team["social_worker"]
    light = worker_of(locality, username="zoe.light")
    for n in range(2):
        household = Household.objects.create(locality=locality, address=f"Str. Ocupată {n}")
        Case.objects.create(
            household=household, locality=locality, case_manager=busy, opened_on=dt.date(2024, 1, 1)
        )
    case = case_update_from_assessment(actor=None, assessment=record(busy, NO_DOCTOR))
    assert case.case_manager == light


def test_running_it_again_for_the_same_assessment_changes_nothing(team):
    assessment = record(team["social_worker"], {**NO_DOCTOR, **NEGLECT})
    case_update_from_assessment(actor=None, assessment=assessment)
    before = _counts()
    case_update_from_assessment(actor=None, assessment=assessment)
    assert cases_sync_from_assessments() == 0
    assert _counts() == before


def test_a_re_evaluation_resolves_goals_whose_vulnerability_is_gone_and_flags_the_persisting_ones(team):
    worker = team["social_worker"]
    case = case_update_from_assessment(actor=None, assessment=record(worker, {**NO_DOCTOR, **NO_HEATING}))
    later = re_evaluation(worker, NO_HEATING)  # the son is now registered with a doctor; still no heating

    case_update_from_assessment(actor=None, assessment=later)

    he01 = case.goals.get(code="HE01")
    assert he01.status == GoalStatus.RESOLVED
    assert he01.resolved_by_assessment == later
    assert he01.resolved_on == later.assessed_on
    assert not he01.actions.filter(status__in=[ActionStatus.PROPOSED, ActionStatus.PLANNED]).exists()
    ho06 = case.goals.get(code="HO06")
    assert ho06.status == GoalStatus.OPEN
    assert ho06.persisting
    assert ho06.last_seen_assessment == later
    case.refresh_from_db()
    assert case.last_assessment == later
    assert case.reevaluation_due_on == dt.date(2025, 7, 15)


def test_a_new_vulnerability_at_re_evaluation_adds_a_goal(team):
    worker = team["social_worker"]
    case = case_update_from_assessment(actor=None, assessment=record(worker, NO_HEATING))
    case_update_from_assessment(actor=None, assessment=re_evaluation(worker, {**NO_HEATING, **NO_DOCTOR}))
    assert set(case.goals.filter(status=GoalStatus.OPEN).values_list("code", flat=True)) == {"HE01", "HO06"}
    assert not case.goals.get(code="HE01").persisting


def test_an_older_wave_imported_late_changes_nothing_in_the_present(team):
    worker = team["social_worker"]
    case = case_update_from_assessment(actor=None, assessment=re_evaluation(worker, NO_HEATING))
    older = record(worker, NO_DOCTOR)  # T0, visited before T1, stored later
    assert not older.is_latest
    before = _counts()
    assert case_update_from_assessment(actor=None, assessment=older) == case
    assert _counts() == before


def test_a_critical_finding_opens_an_urgent_referral_and_a_24_hour_task(team):
    start = timezone.now()
    case = case_update_from_assessment(actor=None, assessment=record(team["social_worker"], NEGLECT))

    referral = case.referrals.get()
    assert referral.urgent
    assert referral.code == "FA02"
    assert str(referral.person_id) == REFS[SON]
    assert referral.institution == Institution.DGASPC
    assert referral.status == ReferralStatus.DRAFT
    assert referral.goal == case.goals.get(code="FA02")
    tasks = Task.objects.filter(referral=referral)
    # Shown to the case manager and to the local coordinator until it is handled.
    assert {t.assignee for t in tasks} == {team["social_worker"], team["coordinator"]}
    for task in tasks:
        assert task.urgent
        assert task.kind == TaskKind.URGENT_REFERRAL
        assert start + dt.timedelta(hours=23) < task.due_at <= timezone.now() + dt.timedelta(hours=24)


def test_domestic_violence_is_referred_to_the_police(team):
    case = case_update_from_assessment(
        actor=None,
        assessment=record(team["social_worker"], {"household.family.domestic_violence_signs": True}),
    )
    assert case.referrals.get().institution == Institution.POLICE


def test_every_critical_finding_has_an_urgent_referral(team):
    answers = {
        **NEGLECT,
        "members[2].protection.child_labour": True,
        "household.family.domestic_violence_signs": True,
    }
    assessment = record(team["social_worker"], answers)
    case = case_update_from_assessment(actor=None, assessment=assessment)
    critical = {(f.code, f.person_id) for f in assessment.findings.filter(critical=True)}
    urgent = {(r.code, r.person_id) for r in case.referrals.filter(urgent=True)}
    assert critical == urgent
    assert len(critical) == 3


def test_sending_the_urgent_referral_handles_its_task(team):
    case = case_update_from_assessment(actor=None, assessment=record(team["social_worker"], NEGLECT))
    referral = case.referrals.get()
    transitions.referral_send(actor=team["social_worker"], referral=referral)
    assert not Task.objects.filter(referral=referral, done_at__isnull=True).exists()
    assert referral.events.filter(from_status="draft", to_status="sent").exists()


def test_a_persisting_critical_finding_with_a_pending_referral_does_not_open_another(team):
    worker = team["social_worker"]
    case = case_update_from_assessment(actor=None, assessment=record(worker, NEGLECT))
    case_update_from_assessment(actor=None, assessment=re_evaluation(worker, NEGLECT))
    assert case.referrals.count() == 1


def test_a_critical_finding_again_after_the_referral_was_completed_opens_a_new_one(team):
    worker = team["social_worker"]
    case = case_update_from_assessment(actor=None, assessment=record(worker, NEGLECT))
    referral = case.referrals.get()
    transitions.referral_send(actor=worker, referral=referral)
    transitions.referral_accept(actor=worker, referral=referral)
    transitions.referral_complete(actor=worker, referral=referral, outcome="Evaluat de DGASPC.")
    case_update_from_assessment(actor=None, assessment=re_evaluation(worker, NEGLECT))
    assert case.referrals.filter(urgent=True).count() == 2


def test_vaccination_findings_open_a_catch_up_task_for_the_nurse(team):
    case = case_update_from_assessment(
        actor=None, assessment=record(team["social_worker"], {"members[3].health.vaccination": "incomplete"})
    )
    task = case.tasks.get(kind=TaskKind.VACCINATION)
    assert task.assignee == team["nurse"]
    assert "Ioana" in task.title


def test_a_closed_case_is_reopened_when_vulnerabilities_are_found_again(team):
    worker = team["social_worker"]
    case = case_update_from_assessment(actor=None, assessment=record(worker, NO_HEATING))
    transitions.case_close(
        actor=worker, case=case, reason=CloseReason.MOVED_AWAY, note="S-au mutat la Bacău."
    )
    case_update_from_assessment(actor=None, assessment=re_evaluation(worker, NO_HEATING))
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.events.filter(from_status="closed", to_status="open").exists()


def test_a_case_with_an_unsent_urgent_referral_cannot_be_closed(team):
    worker = team["social_worker"]
    case = case_update_from_assessment(actor=None, assessment=record(worker, NEGLECT))
    with pytest.raises(DomainValidationError) as error:
        transitions.case_close(actor=worker, case=case, reason=CloseReason.MOVED_AWAY, note="Plecați.")
    assert "reason" in error.value.problems


@pytest.fixture
def without_signal():
    """Record assessments as a bulk import does: nobody tells case management."""
    assessments_recorded.disconnect(dispatch_uid="cases_update_from_assessment")
    yield
    assessments_recorded.connect(update_cases_for_assessments, dispatch_uid="cases_update_from_assessment")


def test_recording_an_assessment_updates_the_case_at_once(team):
    record(team["social_worker"], NEGLECT)
    case = Case.objects.get()
    assert case.referrals.filter(urgent=True).count() == 1
    assert AssessmentProcessing.objects.filter(case=case).count() == 1


def test_sync_processes_every_unprocessed_assessment_once(team, without_signal):
    worker = team["social_worker"]
    record(worker, NO_HEATING)
    re_evaluation(worker, {})
    assert cases_sync_from_assessments() == 2
    case = Case.objects.get()
    assert case.goals.get(code="HO06").status == GoalStatus.RESOLVED
    assert cases_sync_from_assessments() == 0
