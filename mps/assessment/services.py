"""Recording assessments: the one write path for the web form, the sync API and (through `importing`) imports.

Policy. An assessment is checked whole before anything is written: the interchange validation, a visit date
that is not in the future, a locality that exists and that the actor (when there is one) may edit, and CNPs
that no other active person in the registry holds. A `ref` already stored is a duplicate and changes nothing.
An accepted assessment is stored with its typed answers, its findings, score and risk level, and it creates or
updates the registry: the household by `household.ref`, each person by member `ref` (a ref that was merged as a
duplicate resolves to the person it was merged into). Only the household's latest assessment by visit date
changes the present: the household's address and place within its locality (it changes locality only by a
transfer, `mps.moves`, so a latest visit made in another locality is refused; an older one is recorded where it
was made), people's names and links (never of a person whose processing is restricted or whose record was
anonymised after a data-subject request: that visit is refused), new memberships (from the
visit date) and the memberships of people absent from the visit, which end as moved out on that date and stay
in the history. An older wave imported late adds its assessment and answers and creates the people nobody
recorded yet (with the stay that wave shows, ended at the latest visit) but rewrites nothing. A village is
matched by name inside the locality (ignoring case and diacritics); an unknown village name leaves the
household's village empty rather than inventing a village, since villages are reference data from SIRUTA.

`assessment_record` records one assessment in one transaction; `assessments_record` records a sync's documents
in a few transactions with the same outcome for each. How a document becomes rows lives in `rows`, shared with
the bulk import pipeline of `importing` (`assessments_import`), so that every path writes the same rows.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils.translation import gettext as _

from mps.accounts.models import User
from mps.assessment import rows
from mps.assessment.models import Assessment
from mps.assessment.preparation import (
    PreparedAssessment,
    Rejected,
    prepare,
)
from mps.assessment.rows import RecordStatus
from mps.assessment.rules import Problem
from mps.assessment.rules.validation import ROOT_PATH
from mps.assessment.signals import assessments_recorded
from mps.core.bulk import fewer_garbage_collections
from mps.core.errors import DomainValidationError

SOURCES = ("web", "import", "sync")


@dataclass(frozen=True)
class RecordResult:
    """What happened to one assessment: stored now, or already stored under the same ref."""

    status: RecordStatus
    assessment: Assessment


def assessment_record(
    *,
    actor: User | None,
    document: Mapping[str, Any],
    source: str = "web",
    team: Sequence[User] = (),
) -> RecordResult:
    """Validate, evaluate and store one assessment with its registry changes, atomically.

    Announces the stored assessment with the `assessments_recorded` signal, in the same transaction, so that the
    census records the visit and case management follows up whatever the path (web form, sync, API).
    """
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}; expected one of {SOURCES}.")
    try:
        line = prepare(document)
    except Rejected as rejected:
        raise _as_validation_error(rejected.problems) from None
    try:
        return _record_one(line, actor=actor, source=source, team=team)
    except Rejected as rejected:
        raise _as_validation_error(rejected.problems) from None


_Then = Callable[[Sequence[tuple[int, RecordResult]]], None]


def _record_one(
    line: PreparedAssessment,
    *,
    actor: User | None,
    source: str,
    team: Sequence[User] = (),
    then: _Then | None = None,
) -> RecordResult:
    """Store one prepared assessment in its own transaction; raise Rejected."""
    try:
        with transaction.atomic():
            state = rows.load_state([line], actor, lock=True)
            writes = rows.Writes()
            row = rows.plan(line, state, writes, actor=actor, source=source, batch=rows.Touched(), team=team)
            rows.write(writes)
            [(_index, result)] = _announce([(line.line_number, row)], actor=actor, then=then)
    except rows.AlreadyStored:
        return RecordResult(RecordStatus.DUPLICATE, Assessment.objects.get(id=line.ref))
    except IntegrityError:
        # The same ref sent twice at once: the first one stored it, the second is a duplicate.
        stored = Assessment.objects.filter(id=line.ref).first()
        if stored is None:
            raise
        return RecordResult(RecordStatus.DUPLICATE, stored)
    return result


def assessments_record(
    *,
    actor: User | None,
    documents: Sequence[Any],
    source: str = "sync",
    then: _Then | None = None,
) -> list[RecordResult | DomainValidationError]:
    """Record many assessments with the result of `assessment_record` on each in turn, in a few transactions.

    Return one outcome per document, in order: a `RecordResult` (accepted or duplicate) or the
    `DomainValidationError` that rejected it. Each document stays all-or-nothing. Documents are written in
    batches that share no assessment, household, person or CNP (a later visit to the same household waits for
    the next batch, so the order of visits is kept), one transaction per batch; the batch's stored assessments
    are announced together with `assessments_recorded`, and ``then`` is called inside the same transaction with
    the accepted ones (position in ``documents``, result), so that the caller's own rows commit with them. When
    the database refuses a batch, its documents are recorded one by one, and one the database refuses alone
    is rejected with the database's reason.
    """
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}; expected one of {SOURCES}.")
    outcomes: list[RecordResult | DomainValidationError | None] = [None] * len(documents)
    pending: list[PreparedAssessment] = []
    with fewer_garbage_collections():
        for position, document in enumerate(documents):
            try:
                pending.append(prepare(document, line_number=position))
            except Rejected as rejected:
                outcomes[position] = _as_validation_error(rejected.problems)
        while pending:
            batch, pending = rows.independent_prefix(pending)
            while batch:
                batch = _record_batch(batch, actor=actor, source=source, then=then, outcomes=outcomes)
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


def _record_batch(
    batch: list[PreparedAssessment],
    *,
    actor: User | None,
    source: str,
    then: _Then | None,
    outcomes: list[RecordResult | DomainValidationError | None],
    again: bool = True,
) -> list[PreparedAssessment]:
    """Record a batch of independent documents in one transaction; return the ones that must wait.

    When the database refuses the batch, it is planned and written once more (``again``), then line by line.
    """
    deferred: list[PreparedAssessment] = []
    decided: list[tuple[int, RecordResult | DomainValidationError]] = []
    try:
        with transaction.atomic():
            state = rows.load_state(batch, actor, lock=True)
            writes = rows.Writes()
            planned, deferred = rows.plan_lines(
                batch, state, writes, rows.Touched(), actor=actor, source=source
            )
            rows.write(writes)
            accepted = _announce(
                [(done.line.line_number, done.row) for done in planned if done.row is not None],
                actor=actor,
                then=then,
            )
            duplicates = [done.line for done in planned if done.status == RecordStatus.DUPLICATE]
            stored = Assessment.objects.in_bulk([line.ref for line in duplicates])
            decided += accepted
            decided += [
                (line.line_number, RecordResult(RecordStatus.DUPLICATE, stored[line.ref]))
                for line in duplicates
            ]
            decided += [
                (done.line.line_number, _as_validation_error(done.problems))
                for done in planned
                if done.status == rows.REJECTED
            ]
    except DatabaseError:
        if again:
            # Nearly always a device pushing at the same moment stored a CNP or a household this batch also
            # writes, and has committed by now: planned again, the batch sees those rows and refuses only the
            # lines that clash, where recording a hundred lines one by one would take seconds.
            return _record_batch(batch, actor=actor, source=source, then=then, outcomes=outcomes, again=False)
        for line in batch[: len(batch) - len(deferred)]:
            outcomes[line.line_number] = _record_alone(line, actor=actor, source=source, then=then)
        return deferred
    for index, outcome in decided:
        outcomes[index] = outcome
    return deferred


def _announce(
    written: list[tuple[int, dict[str, Any]]], *, actor: User | None, then: _Then | None
) -> list[tuple[int, RecordResult]]:
    """Announce assessments just written (their position, their row) and let the caller add its own rows."""
    using = router.db_for_write(Assessment)
    accepted = [
        (index, RecordResult(RecordStatus.ACCEPTED, rows.stored(row, using))) for index, row in written
    ]
    if accepted:
        # Inside the transaction: the census visits and the case follow-up that higher layers record in
        # answer are saved with the assessments or not at all.
        assessments_recorded.send(
            sender=Assessment, actor=actor, assessments=[result.assessment for _index, result in accepted]
        )
        if then is not None:
            then(accepted)
    return accepted


def _record_alone(
    line: PreparedAssessment, *, actor: User | None, source: str, then: _Then | None
) -> RecordResult | DomainValidationError:
    try:
        return _record_one(line, actor=actor, source=source, then=then)
    except Rejected as rejected:
        return _as_validation_error(rejected.problems)
    except DatabaseError as error:
        return _as_validation_error(
            [Problem(ROOT_PATH, _("The database refused this assessment: %(reason)s") % {"reason": error})]
        )


def _as_validation_error(problems: Iterable[Problem]) -> DomainValidationError:
    by_path: dict[str, list[str]] = {}
    for problem in problems:
        by_path.setdefault(problem.path, []).append(problem.message)
    return DomainValidationError(by_path)
