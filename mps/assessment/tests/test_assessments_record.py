"""Recording many assessments at once (the sync path): the same outcome as recording them one after the other."""

import copy
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mps.accounts.tests.factories import worker_of
from mps.assessment import rows
from mps.assessment.models import Assessment
from mps.assessment.services import RecordResult, RecordStatus, assessment_record, assessments_record
from mps.assessment.signals import assessments_recorded
from mps.assessment.tests.stored import stored_clear, stored_snapshot
from mps.core.errors import DomainValidationError
from mps.demo.synthetic import LOCALITIES, synthetic_assessments
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    localities = [LocalityFactory.create(siruta=int(code)) for code in LOCALITIES]
    return worker_of(*localities[:-1], username="ana.ionescu")  # the last locality is not hers


def _day_of_visits() -> list[Any]:
    """A tablet's push: new households, a re-evaluation of one of them, a resent item, bad ones."""
    documents: list[Any] = synthetic_assessments(12, seed=3)
    documents = [d for d in documents if d["household"]["locality"] != str(LOCALITIES[-1])][:8]
    again = copy.deepcopy(documents[1])
    again["ref"] = str(uuid.UUID(int=77))
    again["wave"] = "T1"
    again["assessed_on"] = "2026-02-01"
    again["members"] = again["members"][:1]  # the others moved out
    outside = copy.deepcopy(documents[2])
    outside["ref"], outside["household"]["ref"] = str(uuid.UUID(int=78)), str(uuid.UUID(int=79))
    outside["household"]["locality"] = str(LOCALITIES[-1])
    for member in outside["members"]:
        member["ref"] = str(uuid.uuid4())
        member.pop("cnp", None)
        member.pop("mother_ref", None)
        member.pop("father_ref", None)
    outside["household"].pop("consent", None)
    broken = copy.deepcopy(documents[3])
    broken["ref"] = str(uuid.UUID(int=80))
    broken["members"][0]["sex"] = "X"
    return [*documents[:4], again, documents[0], outside, broken, [1, 2], *documents[4:]]


def _outcomes(outcomes: list[RecordResult | DomainValidationError]) -> list[Any]:
    return [
        sorted(outcome.problems)
        if isinstance(outcome, DomainValidationError)
        else (outcome.status, outcome.assessment.id)
        for outcome in outcomes
    ]


def _one_by_one(worker, documents) -> list[RecordResult | DomainValidationError]:
    outcomes: list[RecordResult | DomainValidationError] = []
    for document in documents:
        try:
            outcomes.append(assessment_record(actor=worker, document=document, source="sync"))
        except DomainValidationError as error:
            outcomes.append(error)
    return outcomes


@pytest.fixture
def storage_only():
    """Only the storage: the census and case management react in their own tests."""
    receivers = assessments_recorded.receivers
    assessments_recorded.receivers = []
    assessments_recorded.sender_receivers_cache.clear()
    yield
    assessments_recorded.receivers = receivers
    assessments_recorded.sender_receivers_cache.clear()


def test_a_batch_stores_what_one_by_one_stores(worker, storage_only):
    documents = _day_of_visits()
    expected_outcomes = _outcomes(_one_by_one(worker, documents))
    expected = stored_snapshot()
    stored_clear()

    outcomes = assessments_record(actor=worker, documents=documents, source="sync")

    assert _outcomes(outcomes) == expected_outcomes
    assert stored_snapshot() == expected
    statuses = [getattr(outcome, "status", None) for outcome in outcomes]
    assert statuses.count(RecordStatus.ACCEPTED) == 9
    assert statuses.count(RecordStatus.DUPLICATE) == 1
    outside = outcomes[6]
    assert isinstance(outside, DomainValidationError)
    assert "household.locality" in outside.problems
    assert "members[0].sex" in outcomes[7].problems


def test_each_batch_is_announced_once_with_its_assessments(worker):
    documents = _day_of_visits()
    announced: list[list[uuid.UUID]] = []

    def listen(sender, *, actor, assessments, **kwargs):
        assert actor == worker
        announced.append([assessment.id for assessment in assessments])

    assessments_recorded.connect(listen, dispatch_uid="test_listen")
    try:
        outcomes = assessments_record(actor=worker, documents=documents, source="sync")
    finally:
        assessments_recorded.disconnect(dispatch_uid="test_listen")

    accepted = [
        o.assessment.id for o in outcomes if isinstance(o, RecordResult) and o.status == RecordStatus.ACCEPTED
    ]
    assert sorted(ref for batch in announced for ref in batch) == sorted(accepted)
    # The re-evaluation waits for the batch that stores its household's first visit.
    assert len(announced) == 2
    assert uuid.UUID(int=77) in announced[1]


def test_then_runs_inside_each_batch_with_the_accepted_positions(worker):
    documents = _day_of_visits()
    seen: list[int] = []

    def then(accepted):
        seen.extend(index for index, _result in accepted)
        assert all(Assessment.objects.filter(id=result.assessment.id).exists() for _i, result in accepted)

    assessments_record(actor=worker, documents=documents, source="sync", then=then)

    assert sorted(seen) == [0, 1, 2, 3, 4, 9, 10, 11, 12]


def test_queries_do_not_grow_with_the_batch(worker, storage_only):
    small = synthetic_assessments(3, seed=21)
    large = synthetic_assessments(30, seed=22)
    for document in (*small, *large):
        document["household"]["locality"] = str(LOCALITIES[0])
    with CaptureQueriesContext(connection) as few:
        assessments_record(actor=worker, documents=small, source="sync")
    with CaptureQueriesContext(connection) as many:
        assessments_record(actor=worker, documents=large, source="sync")

    assert Assessment.objects.count() == 33
    if connection.vendor == "postgresql":
        assert len(many.captured_queries) == len(few.captured_queries)
    else:  # SQLite splits bulk inserts by its limit on parameters
        assert len(many.captured_queries) < 2 * len(few.captured_queries)


def test_a_batch_refused_because_of_a_concurrent_push_is_planned_again_not_line_by_line(
    worker, storage_only, monkeypatch
):
    documents = [
        d for d in synthetic_assessments(8, seed=4) if d["household"]["locality"] != str(LOCALITIES[-1])
    ]
    clashing = next(index for index, d in enumerate(documents) if any(m.get("cnp") for m in d["members"]))
    member = next(index for index, m in enumerate(documents[clashing]["members"]) if m.get("cnp"))
    # Another device stored someone with this CNP after this push read the registry: the first plan misses it.
    PersonFactory.create(cnp=documents[clashing]["members"][member]["cnp"])
    reads: list[int] = []
    real_load_state = rows.load_state

    def racing_load_state(lines, actor, *, lock=False):
        state = real_load_state(lines, actor, lock=lock)
        reads.append(len(lines))
        if len(reads) == 1:
            state.cnp_holders = {}
        return state

    monkeypatch.setattr(rows, "load_state", racing_load_state)

    outcomes = assessments_record(actor=worker, documents=documents, source="sync")

    assert reads == [len(documents), len(documents)]  # one read for the batch and one for its second plan
    refused = outcomes[clashing]
    assert isinstance(refused, DomainValidationError)
    assert list(refused.problems) == [f"members[{member}].cnp"]
    assert [o.status for i, o in enumerate(outcomes) if i != clashing] == [RecordStatus.ACCEPTED] * (
        len(documents) - 1
    )
    assert Assessment.objects.count() == len(documents) - 1
