"""The import's writer thread: planning batch N + 1 while batch N is written gives the same rows as one thread.

These tests commit (the writer thread has its own connection and sees only committed rows). On SQLite, and
inside a caller's transaction, the import writes inline; on PostgreSQL outside one it writes in a thread.
"""

import copy
import json
import uuid

import pytest
from django.db import transaction

from mps.assessment.importing import assessments_import
from mps.assessment.models import Assessment
from mps.assessment.tests.stored import stored_clear, stored_snapshot
from mps.demo.synthetic import LOCALITIES, synthetic_assessments
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def _file() -> list[str]:
    """Households, their re-evaluations and resent lines, spread so that dependent lines fall in nearby batches."""
    first = synthetic_assessments(40, seed=11)
    later = []
    for index, document in enumerate(first[:15]):
        again = copy.deepcopy(document)
        again["ref"] = str(uuid.UUID(int=index + 1))
        again["wave"] = "T1"
        again["assessed_on"] = "2026-01-15"
        if len(again["members"]) > 1 and index % 2:
            again["members"].pop()  # someone moved out
        later.append(again)
    documents = first[:20] + later[:8] + first[20:] + later[8:] + first[:5]  # the last five are resent
    return [json.dumps(document, ensure_ascii=False) for document in documents]


def test_the_threaded_writer_stores_what_one_thread_stores():
    for code in LOCALITIES:
        LocalityFactory.create(siruta=int(code))
    lines = _file()

    with transaction.atomic():  # inside a transaction the import writes inline
        inline = assessments_import(lines, batch_size=4)
        expected = stored_snapshot()
    stored_clear()
    threaded = assessments_import(lines, batch_size=4)

    assert (threaded.accepted, threaded.duplicate, len(threaded.rejected)) == (
        inline.accepted,
        inline.duplicate,
        len(inline.rejected),
    )
    assert threaded.duplicate == 5
    assert stored_snapshot() == expected
    assert Membership.objects.filter(end_reason="moved_out").exists()


def test_the_threaded_writer_reports_every_line_once_in_order_of_batches():
    for code in LOCALITIES:
        LocalityFactory.create(siruta=int(code))
    lines = _file()
    seen: list[int] = []

    summary = assessments_import(lines, batch_size=3, progress=seen.append)

    assert sum(seen) == len(lines) == summary.total
    assert Assessment.objects.count() == summary.accepted
