"""Census visits for a batch of assessments: the same rows and answers as one call per assessment, in a fixed
number of queries whatever the batch's size."""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.accounts.models import User
from mps.accounts.tests.factories import worker_of
from mps.assessment.models import Assessment
from mps.audit.models import AuditEvent
from mps.census import services
from mps.census.models import CampaignStatus, CensusCampaign, CensusEntry, CensusVisit, EntryStatus
from mps.census.tests.batch_helpers import rolled_back, statements
from mps.census.tests.factories import AssessmentFactory, CensusCampaignFactory, CensusEntryFactory
from mps.core.errors import DomainValidationError
from mps.geography.models import Locality
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household
from mps.registry.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

T0_START = dt.date(2026, 3, 1)
T1_START = dt.date(2026, 9, 1)

Answers = dict[uuid.UUID, Any]


def one_by_one(actor: User, assessments: Sequence[Assessment]) -> Answers:
    """Call the single service for each assessment, as the receiver does, keeping what each one answered."""
    answers: Answers = {}
    for assessment in assessments:
        try:
            answers[assessment.id] = _visit(
                services.visit_record_for_assessment(actor=actor, assessment=assessment)
            )
        except DomainValidationError as error:
            answers[assessment.id] = error.problems
    return answers


def in_bulk(actor: User, assessments: Sequence[Assessment]) -> Answers:
    recorded = services.visits_record_for_assessments(actor=actor, assessments=assessments)
    assert set(recorded.visits) | set(recorded.refusals) == {a.id for a in assessments}
    return {
        **{assessment_id: _visit(visit) for assessment_id, visit in recorded.visits.items()},
        **{assessment_id: error.problems for assessment_id, error in recorded.refusals.items()},
    }


def _visit(visit: CensusVisit | None) -> Any:
    if visit is None:
        return None
    return (
        visit.entry.household_id,
        visit.entry.campaign_id,
        visit.visited_on,
        visit.outcome,
        visit.assessment_id,
    )


def outcome(process: Callable[[], Answers]) -> tuple[Answers, dict[str, list[Any]]]:
    """Return what ``process`` answered and the census rows after it, then undo it."""
    return rolled_back(lambda: (process(), census_rows()))


def census_rows() -> dict[str, list[Any]]:
    """The census rows by what identifies them for a user (no generated keys, no clocks)."""
    entry_of = {e.id: (e.campaign_id, e.household_id) for e in CensusEntry.objects.all()}
    visit_of = {v.id: (entry_of[v.entry_id], v.visited_on, v.outcome) for v in CensusVisit.objects.all()}

    def audited(event: AuditEvent) -> tuple[Any, ...]:
        subject = entry_of.get(uuid.UUID(event.object_id)) or visit_of.get(uuid.UUID(event.object_id))
        changes = {
            **event.changes,
            **({"entry": entry_of[uuid.UUID(event.changes["entry"][1])]} if "entry" in event.changes else {}),
        }
        return (event.action, event.object_type, subject, event.locality_id, event.actor_id, str(changes))

    return {
        "campaigns": sorted((c.id, c.status, c.version) for c in CensusCampaign.objects.all()),
        "entries": sorted(
            (
                e.campaign_id,
                e.household_id,
                e.source,
                e.register_ref,
                e.status,
                e.attempts,
                e.last_visited_on,
                e.version,
                e.listed_by_id,
            )
            for e in CensusEntry.objects.all()
        ),
        "visits": sorted(
            (*visit_of[v.id], v.worker_id, v.note, v.assessment_id) for v in CensusVisit.objects.all()
        ),
        "audit": [
            audited(event)
            for event in AuditEvent.objects.filter(object_type__startswith="census").order_by("id")
        ],
    }


@pytest.fixture
def locality():
    return LocalityFactory.create()


@pytest.fixture
def worker(locality):
    return worker_of(locality)


def _assessed(household: Household, on: dt.date, wave: str = "T0", **kwargs: Any) -> Assessment:
    return AssessmentFactory.create(
        household=household, assessed_on=on, wave=wave, wave_number=int(wave[1:]), **kwargs
    )


@pytest.fixture
def batch(locality, worker):
    """Assessments of every kind the census meets, in campaigns of every status."""
    t0 = CensusCampaignFactory.create(locality=locality, starts_on=T0_START)
    CensusCampaignFactory.create(
        locality=locality, wave="T1", wave_number=1, starts_on=T1_START, status=CampaignStatus.PLANNED
    )
    CensusCampaignFactory.create(
        locality=locality, wave="T2", wave_number=2, starts_on=T0_START, status=CampaignStatus.CLOSED
    )
    elsewhere = CensusCampaignFactory.create(starts_on=T0_START)
    march = dt.date(2026, 3, 10)

    listed = CensusEntryFactory.create(campaign=t0)
    tried = CensusEntryFactory.create(campaign=t0)
    services.visit_record(actor=worker, entry=tried, outcome="nobody_home", visited_on=dt.date(2026, 3, 2))
    done = CensusEntryFactory.create(campaign=t0)
    services.visit_record(actor=worker, entry=done, outcome="assessed", visited_on=dt.date(2026, 3, 4))
    linked = _assessed(CensusEntryFactory.create(campaign=t0).household, march)
    services.visit_record_for_assessment(actor=worker, assessment=linked)
    refused_later = CensusEntryFactory.create(campaign=t0)
    services.visit_record(
        actor=worker, entry=refused_later, outcome="refused", visited_on=dt.date(2026, 3, 20)
    )
    twice = HouseholdFactory.create(locality=locality)
    unlisted = HouseholdFactory.create(locality=locality)
    moved = HouseholdFactory.create(locality=LocalityFactory.create())
    return [
        _assessed(listed.household, march),
        _assessed(tried.household, march),
        _assessed(unlisted, march),  # found in the field
        _assessed(done.household, march),  # assessed already: its visit is the answer
        linked,  # its visit is recorded already
        _assessed(HouseholdFactory.create(locality=locality), march, wave="T3"),  # no campaign
        _assessed(HouseholdFactory.create(locality=locality), march, wave="T2"),  # campaign closed
        _assessed(HouseholdFactory.create(locality=locality), dt.date(2026, 2, 1)),  # before the campaign
        _assessed(HouseholdFactory.create(locality=locality), timezone.localdate() + dt.timedelta(days=1)),
        _assessed(CensusEntryFactory.create(campaign=elsewhere).household, march),  # not the worker's
        _assessed(HouseholdFactory.create(locality=elsewhere.locality), march),  # not the worker's, unlisted
        _assessed(HouseholdFactory.create(locality=locality), dt.date(2026, 9, 3), wave="T1"),  # opens T1
        _assessed(HouseholdFactory.create(locality=locality), dt.date(2026, 9, 4), wave="T1"),
        _assessed(twice, march, is_latest=False),
        _assessed(twice, dt.date(2026, 3, 12)),  # the same household again: the first visit stands
        AssessmentFactory.create(household=moved, locality=locality, assessed_on=march),  # moved since
        _assessed(refused_later.household, march),  # a later refusal stays the entry's status
    ]


def test_a_batch_writes_and_answers_what_one_call_per_assessment_does(worker, batch):
    alone = outcome(lambda: one_by_one(worker, batch))
    together = outcome(lambda: in_bulk(worker, batch))
    assert together == alone


def test_a_batch_records_each_assessment_as_the_single_path_would(locality, worker, batch):
    recorded = services.visits_record_for_assessments(actor=worker, assessments=batch)

    listed, tried, unlisted, done, linked = (recorded.visits[a.id] for a in batch[:5])
    assert listed.entry.status == EntryStatus.ASSESSED
    assert (tried.entry.attempts, tried.entry.status) == (2, EntryStatus.ASSESSED)
    assert unlisted.entry.is_invisible
    assert done.assessment is None  # the visit that assessed it first
    assert linked.assessment == batch[4]
    assert [recorded.visits[a.id] for a in batch[5:8]] == [None, None, None]
    assert set(recorded.refusals) == {batch[8].id, batch[9].id, batch[10].id, batch[15].id}
    assert "visited_on" in recorded.refusals[batch[8].id].problems
    assert "entry" in recorded.refusals[batch[9].id].problems
    assert "campaign" in recorded.refusals[batch[10].id].problems
    assert "household" in recorded.refusals[batch[15].id].problems
    assert CensusCampaign.objects.get(locality=locality, wave="T1").status == CampaignStatus.OPEN
    assert recorded.visits[batch[14].id] == recorded.visits[batch[13].id]
    assert recorded.visits[batch[16].id].entry.status == EntryStatus.REFUSED
    assert not CensusVisit.objects.filter(assessment_id__in=recorded.refusals).exists()


def test_the_single_service_raises_the_refusal(worker, batch):
    with pytest.raises(DomainValidationError) as error:
        services.visit_record_for_assessment(actor=worker, assessment=batch[8])
    assert "visited_on" in error.value.problems


def test_a_visit_saved_meanwhile_refuses_only_its_assessment(monkeypatch, worker, batch):
    """A concurrent writer's row makes the batch's insert fail: the batch is retried one assessment at a time."""
    first = batch[0]
    real_create = CensusVisit.objects.bulk_create

    def racing_bulk_create(visits: list[CensusVisit], **kwargs: Any) -> list[CensusVisit]:
        if any(visit.assessment_id == first.id for visit in visits):
            # Another request recorded this assessment's visit a moment ago.
            other = CensusEntryFactory.create(campaign=CensusCampaignFactory.create())
            CensusVisit.objects.create(
                entry=other, visited_on=first.assessed_on, worker=worker, outcome="assessed", assessment=first
            )
        return real_create(visits, **kwargs)

    monkeypatch.setattr(CensusVisit.objects, "bulk_create", racing_bulk_create)
    recorded = services.visits_record_for_assessments(actor=worker, assessments=batch[:3])
    assert set(recorded.refusals) == {first.id}
    assert recorded.visits[batch[1].id] is not None
    assert recorded.visits[batch[2].id] is not None


def _queries_for(worker: User, locality: Locality, count: int) -> list[str]:
    """The statements for ``count`` assessments in a planned campaign, half of them listed, half found in the field."""
    campaign = CensusCampaignFactory.create(
        locality=locality,
        wave=f"T{count}",
        wave_number=count,
        starts_on=T0_START,
        status=CampaignStatus.PLANNED,
    )
    assessments = []
    for n in range(count):
        household = (
            CensusEntryFactory.create(campaign=campaign).household
            if n % 2
            else HouseholdFactory.create(locality=locality)
        )
        assessments.append(_assessed(household, dt.date(2026, 3, 10), wave=campaign.wave))
    with CaptureQueriesContext(connection) as captured:
        recorded = services.visits_record_for_assessments(actor=worker, assessments=assessments)
    assert not recorded.refusals
    assert CensusVisit.objects.filter(entry__campaign=campaign).count() == count
    return statements(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_batch(locality, worker):
    three = _queries_for(worker, locality, 3)
    thirty = _queries_for(worker, locality, 30)
    assert len(thirty) == len(three)
    assert len(three) <= 15


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    visits=st.lists(
        st.tuples(
            st.integers(0, 3),  # which household: 0 and 1 are listed, 2 and 3 are not
            st.sampled_from(["T0", "T1", "T2"]),
            st.integers(-3, 30),  # days after the wave's campaign started
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_batch_matches_one_call_per_assessment(locality, worker, visits):
    def scenario() -> None:
        t0 = CensusCampaignFactory.create(locality=locality, starts_on=T0_START)
        CensusCampaignFactory.create(
            locality=locality, wave="T1", wave_number=1, starts_on=T1_START, status=CampaignStatus.PLANNED
        )
        households = [CensusEntryFactory.create(campaign=t0).household for _ in range(2)]
        households += [HouseholdFactory.create(locality=locality) for _ in range(2)]
        start = {"T0": T0_START, "T1": T1_START, "T2": T0_START}
        assessments = [
            _assessed(households[number], start[wave] + dt.timedelta(days=days), wave=wave, is_latest=False)
            for number, wave, days in visits
        ]
        alone = outcome(lambda: one_by_one(worker, assessments))
        together = outcome(lambda: in_bulk(worker, assessments))
        assert together == alone

    rolled_back(scenario)
