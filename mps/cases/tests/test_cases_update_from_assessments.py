"""Case management for a batch of assessments: the same rows as one call per assessment, in a fixed number of
queries whatever the batch's size."""

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.accounts.models import User
from mps.accounts.tests.factories import worker_of
from mps.assessment.importing import assessments_import
from mps.assessment.models import Assessment
from mps.assessment.tests.builders import REMOVE, assessment_with
from mps.audit.models import AuditEvent
from mps.cases import transitions
from mps.cases.followup import case_update_from_assessment, cases_update_from_assessments
from mps.cases.models import (
    AssessmentProcessing,
    Case,
    CaseEvent,
    CaseStatus,
    CloseReason,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralEvent,
    Task,
    TaskKind,
)
from mps.cases.tests.factories import SIRUTA, builders_locality, team_of
from mps.census.tests.batch_helpers import rolled_back, statements
from mps.demo.synthetic import synthetic_assessments
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household

pytestmark = pytest.mark.django_db

NO_DOCTOR = {"members[2].health.family_doctor": False}  # HE01 for the son
NO_HEATING = {"household.housing.heating": False}  # HO06 for the household
NEGLECT = {"members[2].protection.neglect_signs": True}  # FA02, critical
VIOLENCE = {"household.family.domestic_violence_signs": True}  # FA03, critical, to the police
UNVACCINATED = {"members[3].health.vaccination": "incomplete"}  # a catch-up for the daughter
WITHOUT_DAUGHTER = {"members[3]": REMOVE}
RE_EVALUATION = {"wave": "T1", "assessed_on": "2025-01-15"}
OTHER_SIRUTA = 179132  # a locality of the synthetic generator


def family(number: int, answers: dict[str, Any] | None = None, *, second: bool = False, **top: Any) -> str:
    """Return, as a JSON line, the builders' family number ``number`` (its own refs) with these answers.

    ``second`` gives the assessment another ref, for the family's re-evaluation.
    """
    document = assessment_with({**top, **(answers or {})})
    document["ref"] = str(uuid.UUID(int=number * 16 + second))
    text = json.dumps(document, ensure_ascii=False)
    return (
        text.replace("00000000-0000-4000-8000-00000000000", f"{number:08d}-0000-4000-8000-00000000000")
        .replace("bbbbbbbb-0000-", f"bbbbbbbb-{number:04d}-")
        .replace("Strada Școlii nr. 7", f"Strada Școlii nr. {number}")
    )


def synthetic(count: int, seed: int, siruta: int = SIRUTA) -> list[str]:
    """Return synthetic T0 assessments of households of one locality, as JSON lines."""
    lines = []
    for document in synthetic_assessments(count, seed=seed):
        document["wave"] = "T0"
        document["household"]["locality"] = str(siruta)
        lines.append(json.dumps(document, ensure_ascii=False))
    return lines


def stored(lines: Sequence[str]) -> list[Assessment]:
    """Store the assessments as an import does (no signal: case management is not told) and return them."""
    summary = assessments_import(lines)
    assert not summary.rejected, summary.rejected[:1]
    refs = [uuid.UUID(json.loads(line)["ref"]) for line in lines]
    by_ref = Assessment.objects.in_bulk(refs)
    return [by_ref[ref] for ref in refs]


def processed(lines: Sequence[str]) -> list[Assessment]:
    """Store the assessments and let case management process them one at a time."""
    assessments = stored(lines)
    for assessment in assessments:
        case_update_from_assessment(actor=None, assessment=assessment)
    return assessments


def one_by_one(actor: User | None, assessments: Sequence[Assessment]) -> None:
    for assessment in assessments:
        case_update_from_assessment(actor=actor, assessment=assessment)


def in_bulk(actor: User | None, assessments: Sequence[Assessment]) -> None:
    cases_update_from_assessments(actor=actor, assessments=assessments)


def outcome(process: Callable[[], None]) -> dict[str, list[Any]]:
    """Return the rows case management holds after ``process``, then undo it."""

    def process_and_read() -> dict[str, list[Any]]:
        process()
        return case_rows()

    return rolled_back(process_and_read)


def case_rows() -> dict[str, list[Any]]:
    """Every row case management writes, by what identifies it for a user (no generated keys, no clocks)."""
    household_of = dict(Case.objects.values_list("id", "household_id"))
    referral_of = {
        r.id: (household_of[r.case_id], r.code, r.person_id)
        for r in Referral.objects.only("case", "code", "person")
    }

    usernames = dict(User.objects.values_list("id", "username"))
    goals = {g.id: (household_of[g.case_id], g.code, g.person_id) for g in PlanGoal.objects.all()}

    def user(user_id: int | None) -> str | None:
        return usernames[user_id] if user_id else None

    def goal(goal_id: int | None) -> Any:
        return goals.get(goal_id) if goal_id else None

    def audited(event: AuditEvent) -> tuple[Any, ...]:
        subject: Any = event.object_id
        if event.object_type in ("case", "referral"):
            key = uuid.UUID(event.object_id)
            subject = household_of.get(key) or referral_of.get(key)
        return (
            event.action,
            event.object_type,
            subject,
            event.locality_id,
            user(event.actor_id),
            event.changes,
        )

    return {
        "cases": sorted(
            (
                c.household_id,
                c.locality_id,
                user(c.case_manager_id),
                c.status,
                c.opened_on,
                c.closed_on,
                c.close_reason,
                c.last_assessment_id,
                c.reevaluation_due_on,
                c.version,
            )
            for c in Case.objects.all()
        ),
        "households": sorted(
            (h.id, user(h.case_manager_id)) for h in Household.objects.filter(case_manager__isnull=False)
        ),
        "events": [
            (
                household_of[e.case_id],
                e.kind,
                e.from_status,
                e.to_status,
                user(e.from_manager_id),
                user(e.to_manager_id),
                user(e.actor_id),
                e.note,
            )
            for e in CaseEvent.objects.order_by("id")
        ],
        "goals": sorted(
            (
                household_of[g.case_id],
                g.code,
                str(g.person_id),
                g.critical,
                g.status,
                g.persisting,
                g.first_assessment_id,
                g.last_seen_assessment_id,
                g.resolved_on,
                g.resolved_by_assessment_id,
            )
            for g in PlanGoal.objects.all()
        ),
        "actions": sorted(
            (str(goal(a.goal_id)), a.service.code, str(user(a.owner_id)), a.due_on, a.status, a.done_on)
            for a in PlanAction.objects.select_related("service")
        ),
        "referrals": sorted(
            (
                str(referral_of[r.id]),
                str(goal(r.goal_id)),
                r.institution,
                r.reason,
                r.urgent,
                r.status,
                r.due_on,
                r.locality_id,
                r.opened_for,
                str(user(r.created_by_id)),
            )
            for r in Referral.objects.all()
        ),
        "referral_events": sorted(
            (str(referral_of[e.referral_id]), e.from_status, e.to_status, str(user(e.actor_id)), e.note)
            for e in ReferralEvent.objects.all()
        ),
        "tasks": sorted(
            (
                household_of[t.case_id],
                t.kind,
                t.title,
                str(user(t.assignee_id)),
                t.urgent,
                str(referral_of[t.referral_id] if t.referral_id else None),
                str(t.person_id),
                t.locality_id,
                # The urgent ones: due 24 hours after they were opened, a clock this comparison leaves out.
                t.due_at if t.kind == TaskKind.VACCINATION else None,
                t.dedupe_key.split(":")[0] + str(referral_of[t.referral_id] if t.referral_id else None)
                if t.referral_id
                else t.dedupe_key,
            )
            for t in Task.objects.all()
        ),
        "processed": sorted(
            (p.assessment_id, str(household_of[p.case_id] if p.case_id else None))
            for p in AssessmentProcessing.objects.all()
        ),
        "audit": [
            audited(event) for event in AuditEvent.objects.exclude(object_type="assessment").order_by("id")
        ],
    }


@pytest.fixture
def locality():
    return builders_locality(name="Pâncești")


@pytest.fixture
def team(locality):
    return {**team_of(locality), "second_social_worker": worker_of(locality, username="bogdan.popa")}


@pytest.fixture
def batch(locality, team):
    """A batch of assessments of every kind case management meets, on top of cases already there."""
    other = LocalityFactory.create(siruta=OTHER_SIRUTA, name="Nicolae Bălcescu")
    worker_of(other, username="carmen.dinu")
    # Already processed before the batch arrives.
    processed([family(1, {**NO_HEATING, **NEGLECT, **UNVACCINATED})])  # an open case, managed by ana.ionescu
    processed([family(2, NO_DOCTOR)])  # a case closed since, see below
    processed([family(3, NO_HEATING, second=True, **RE_EVALUATION)])  # its T0 comes late
    done = processed([family(4, NO_DOCTOR)])
    processed([family(13, NO_DOCTOR)])  # its re-evaluation finds nothing any more
    transitions.case_close(
        actor=team["social_worker"],
        case=Case.objects.get(household__address="Strada Școlii nr. 2"),
        reason=CloseReason.MOVED_AWAY,
        note="S-au mutat la Bacău.",
    )
    assessments = stored(
        [
            # The open case: heating repaired, neglect still seen (its referral is pending), the daughter
            # left the household (her goal is no longer followed).
            family(1, {**NEGLECT, **WITHOUT_DAUGHTER}, second=True, **RE_EVALUATION),
            family(2, {**NO_DOCTOR, **NEGLECT}, second=True, **RE_EVALUATION),  # reopens the closed case
            family(3, NO_DOCTOR),  # the older wave imported late
            family(5),  # no finding
            family(6, {**NEGLECT, **UNVACCINATED}),
            family(7, {**VIOLENCE, **NO_HEATING}),
            family(8, NO_DOCTOR),
            family(9, UNVACCINATED),
            family(10, NO_HEATING),  # its case manager has left, see below
            family(11, NO_DOCTOR),  # the nurse is its case manager, see below
            family(12, NO_HEATING),
            family(12, {**NEGLECT, **NO_DOCTOR}, second=True, **RE_EVALUATION),  # two waves in one batch
            family(13, second=True, **RE_EVALUATION),
            *synthetic(12, seed=7),
            *synthetic(3, seed=8, siruta=OTHER_SIRUTA),
        ]
    )
    Household.objects.filter(address="Strada Școlii nr. 10").update(
        case_manager=worker_of(locality, username="gone", is_active=False)
    )
    Household.objects.filter(address="Strada Școlii nr. 11").update(case_manager=team["nurse"])
    return [*assessments[:3], done[0], *assessments[3:]]


def test_a_batch_writes_the_rows_one_call_per_assessment_writes(team, batch):
    actor = team["social_worker"]

    alone = outcome(lambda: one_by_one(actor, batch))
    together = outcome(lambda: in_bulk(actor, batch))

    assert together == alone
    # The scenario reaches what it is meant to: reopening, urgent referrals, vaccinations, balanced caseloads.
    assert any(kind == "status" and to == CaseStatus.OPEN for _h, kind, _f, to, *_ in together["events"])
    assert {row[2] for row in together["referrals"]} == {"dgaspc", "police"}
    assert any(row[1] == TaskKind.VACCINATION for row in together["tasks"])
    managers = {row[2] for row in together["cases"]}
    assert {"ana.ionescu", "bogdan.popa", "maria.nurse", "carmen.dinu"} <= managers
    assert len(together["processed"]) == Assessment.objects.count()


def _case_of(number: int) -> Case | None:
    return Case.objects.filter(household__address=f"Strada Școlii nr. {number}").first()


def _goals_of(number: int) -> dict[str, str]:
    return dict(PlanGoal.objects.filter(case=_case_of(number)).values_list("code", "status"))


def test_a_batch_does_what_each_of_its_assessments_asks(team, batch):
    cases_update_from_assessments(actor=team["social_worker"], assessments=batch)

    # Re-evaluated: heating repaired, neglect still seen, the daughter left (her goal is no longer followed).
    assert _goals_of(1) == {"HO06": "resolved", "FA02": "open", "HE03": "cancelled"}
    assert PlanGoal.objects.get(case=_case_of(1), code="FA02").persisting
    assert _case_of(1).referrals.count() == 1  # the first one still waits for an answer
    # The closed case is reopened, its new critical finding referred at once.
    reopened = _case_of(2)
    assert reopened.status == CaseStatus.OPEN
    assert reopened.events.filter(from_status="closed", to_status="open").exists()
    assert reopened.referrals.get(urgent=True).code == "FA02"
    # The older wave is kept in the history only.
    late = Assessment.objects.get(id=batch[2].id)
    assert AssessmentProcessing.objects.get(assessment=late).case == _case_of(3)
    assert _case_of(3).last_assessment_id != late.id
    assert _goals_of(3) == {"HO06": "open"}
    # No finding, no case.
    assert _case_of(5) is None
    assert AssessmentProcessing.objects.filter(assessment__household__address="Strada Școlii nr. 5").exists()
    # Critical findings: an urgent referral, a 24-hour task for the case manager and the coordinator each.
    referral = _case_of(6).referrals.get()
    assert {task.assignee for task in referral.tasks.all()} == {_case_of(6).case_manager, team["coordinator"]}
    assert _case_of(6).tasks.get(kind=TaskKind.VACCINATION).assignee == team["nurse"]
    assert _case_of(7).referrals.get().institution == "police"
    # Case managers: not one who left, the household's own when still in the team.
    assert _case_of(10).case_manager.username in ("ana.ionescu", "bogdan.popa")
    assert Household.objects.get(address="Strada Școlii nr. 10").case_manager == _case_of(10).case_manager
    assert _case_of(11).case_manager == team["nurse"]
    # Two waves of one household in one batch: the later one has the last word.
    assert _goals_of(12)["HO06"] == "resolved"
    assert _case_of(12).last_assessment.wave == "T1"
    # A re-evaluation that finds nothing resolves the goals of the people it assessed.
    assert _goals_of(13) == {"HE01": "resolved"}


def test_a_batch_is_processed_once(team, batch):
    cases_update_from_assessments(actor=None, assessments=batch)
    before = case_rows()
    cases_update_from_assessments(actor=None, assessments=batch)
    assert case_rows() == before


def test_the_caseload_counts_the_cases_opened_earlier_in_the_batch(locality, team):
    assessments = stored([family(number, NO_HEATING) for number in range(1, 6)])

    cases_update_from_assessments(actor=None, assessments=assessments)

    managers = [Case.objects.get(last_assessment=a).case_manager.username for a in assessments]
    assert managers == ["ana.ionescu", "bogdan.popa", "ana.ionescu", "bogdan.popa", "ana.ionescu"]


def _queries_for(team: dict[str, User], first: int, count: int) -> list[str]:
    """Return the statements one batch takes: a closed case found vulnerable again and ``count`` new families."""
    reopened = family(first, {**NO_DOCTOR, **NEGLECT}, second=True, **RE_EVALUATION)
    processed([family(first, NO_DOCTOR)])
    case = Case.objects.get(household__address=f"Strada Școlii nr. {first}")
    transitions.case_close(actor=None, case=case, reason=CloseReason.MOVED_AWAY, note="Plecați.")
    answers = {**NEGLECT, **UNVACCINATED, **NO_HEATING}
    assessments = stored([reopened, *(family(first + n, answers) for n in range(1, count + 1))])
    with CaptureQueriesContext(connection) as captured:
        cases_update_from_assessments(actor=team["social_worker"], assessments=assessments)
    assert Case.objects.filter(last_assessment__in=assessments).count() == count + 1
    return statements(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_batch(team):
    three = _queries_for(team, 100, 3)
    thirty = _queries_for(team, 200, 30)
    assert len(thirty) == len(three)
    assert len(three) <= 30


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seeds=st.lists(st.integers(0, 10_000), min_size=1, max_size=6, unique=True),
    families=st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from([{}, NO_HEATING, NEGLECT, UNVACCINATED, NO_DOCTOR])),
        max_size=6,
    ),
    shuffle=st.randoms(use_true_random=False),
)
def test_any_batch_matches_one_call_per_assessment(team, seeds, families, shuffle):
    """Synthetic households, and builder families assessed up to twice, in any order (waves out of order too)."""

    def scenario() -> None:
        lines = [line for seed in seeds for line in synthetic(1, seed)]
        seen: set[int] = set()
        for number, answers in families:
            again = number in seen
            seen.add(number)
            lines.append(family(number, answers, second=again, **(RE_EVALUATION if again else {})))
        shuffle.shuffle(lines)
        unique = list(dict.fromkeys(lines))
        assessments = stored(unique)
        actor = team["social_worker"]
        alone = outcome(lambda: one_by_one(actor, assessments))
        together = outcome(lambda: in_bulk(actor, assessments))
        assert together == alone

    rolled_back(scenario)
