"""The bulk import pipeline: JSON Lines in, each line all-or-nothing, duplicates skipped, rejects kept.

Policy. `assessments_import` parses, validates and evaluates every line in Python first (in worker processes
when asked), so a rejected line never reaches the database; the accepted lines are planned in batches of
independent lines (no assessment, household, person or CNP twice) and written one transaction per batch, on
PostgreSQL by writer threads while the next batch is planned. When the database refuses a batch, its lines are
recorded one by one so that one bad line never loses the others.
"""

import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.accounts.models import User
from mps.assessment import rows
from mps.assessment.preparation import (
    PreparedAssessment,
    Rejected,
    check_line,
)
from mps.assessment.rows import RecordStatus
from mps.assessment.rules import Problem
from mps.assessment.rules.validation import ROOT_PATH
from mps.core.bulk import fewer_garbage_collections

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class RejectedLine:
    """A line of an import that was not stored, with every reason by field path."""

    line_number: int
    text: str
    problems: tuple[Problem, ...]

    def as_json(self) -> dict[str, Any]:
        """Return the line as the rejects file stores it."""
        return {
            "line": self.line_number,
            "text": self.text,
            "problems": [{"path": p.path, "message": p.message} for p in self.problems],
        }


@dataclass
class ImportSummary:
    """How many lines of an import were accepted, duplicates or rejected (with the rejected lines)."""

    accepted: int = 0
    duplicate: int = 0
    rejected: list[RejectedLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The number of lines read (blank lines are not counted)."""
        return self.accepted + self.duplicate + len(self.rejected)


def assessments_import(
    lines: Iterable[str],
    *,
    actor: User | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    on_reject: Callable[[RejectedLine], None] | None = None,
) -> ImportSummary:
    """Record JSON Lines assessments in batches: each line all-or-nothing, duplicates skipped, rejects kept.

    With ``workers`` > 1 the lines are validated in that many processes while this one writes. ``progress`` is
    called with the number of lines just finished; ``on_reject`` with each rejected line as soon as it is known
    (the summary keeps them too).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    summary = ImportSummary()
    outcomes = _Outcomes(summary, on_reject, progress)
    with fewer_garbage_collections(), _LineChecker(workers) as checker, _Writer(actor, outcomes) as writer:
        for chunk in checker.checked(_numbered_chunks(lines, batch_size)):
            prepared = []
            for (line_number, text), checked in chunk:
                if isinstance(checked, PreparedAssessment):
                    prepared.append(checked)
                else:
                    outcomes.apply([(line_number, text, rows.REJECTED, checked)])
            _import_chunk(prepared, writer=writer)
    return summary


_Numbered = list[tuple[int, str]]
_Checked = list[tuple[tuple[int, str], "PreparedAssessment | tuple[Problem, ...]"]]


def _numbered_chunks(lines: Iterable[str], size: int) -> Iterator[_Numbered]:
    """Yield the non-blank lines with their 1-based numbers, ``size`` at a time."""
    chunk: _Numbered = []
    for line_number, raw_text in enumerate(lines, start=1):
        text = raw_text.rstrip("\r\n")
        if text.strip():
            chunk.append((line_number, text))
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


class _LineChecker:
    """Check and evaluate each line, in this process or in worker processes one chunk ahead.

    Parsing, validation and evaluation cost about as much as everything the database stage does per line, and
    they need neither the database nor any state, so they are what other cores can take over while this
    process plans and writes. Each chunk goes out in slices, one task each; a line comes back without its
    text, which this process still holds.
    """

    SLICE = 32

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "_LineChecker":
        if self.workers > 1:
            # Fork: the workers inherit the configured Django and the active language, and never use the database.
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def checked(self, chunks: Iterable[_Numbered]) -> Iterator[_Checked]:
        """Yield each chunk with, for each line, its problems or the line prepared for the database."""
        if self.pool is None:
            for chunk in chunks:
                yield [(numbered, check_line(numbered)) for numbered in chunk]
            return
        ahead: tuple[_Numbered, list[Future[list[Any]]]] | None = None
        for chunk in chunks:
            slices = [chunk[start : start + self.SLICE] for start in range(0, len(chunk), self.SLICE)]
            submitted = (chunk, [self.pool.submit(_check_slice, part) for part in slices])
            if ahead is not None:
                yield self._collect(*ahead)
            ahead = submitted
        if ahead is not None:
            yield self._collect(*ahead)

    @staticmethod
    def _collect(chunk: _Numbered, pending: list[Future[list[Any]]]) -> _Checked:
        checked = list(zip(chunk, (result for future in pending for result in future.result()), strict=True))
        for (_line_number, text), result in checked:
            if isinstance(result, PreparedAssessment):
                result.text = text
        return checked


def _check_slice(lines: _Numbered) -> list[Any]:
    """Check a slice of lines in a worker process; prepared lines go back without the text the caller holds."""
    today = timezone.localdate()
    checked = [check_line(numbered, today=today) for numbered in lines]
    for result in checked:
        if isinstance(result, PreparedAssessment):
            result.text = ""
    return checked


_Outcome = tuple[int, str, str, Sequence[Problem]]  # line number, text, status, problems
_Keys = frozenset[int | str]  # what a batch writes to (PreparedAssessment.keys)


class _Outcomes:
    """Apply the outcome of each line to the summary and the caller's callbacks, in the calling thread."""

    def __init__(
        self,
        summary: ImportSummary,
        on_reject: Callable[[RejectedLine], None] | None,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.summary = summary
        self.on_reject = on_reject
        self.progress = progress

    def apply(self, outcomes: Sequence[_Outcome]) -> None:
        for line_number, text, status, problems in outcomes:
            if status == RecordStatus.ACCEPTED:
                self.summary.accepted += 1
            elif status == RecordStatus.DUPLICATE:
                self.summary.duplicate += 1
            else:
                line = RejectedLine(line_number, text, tuple(problems))
                self.summary.rejected.append(line)
                if self.on_reject is not None:
                    self.on_reject(line)
        if self.progress is not None and outcomes:
            self.progress(len(outcomes))


@dataclass
class _Planned:
    """A batch planned against the database as it was: its rows, its lines' outcomes and what it touches."""

    lines: list[PreparedAssessment]
    writes: rows.Writes
    outcomes: list[_Outcome]
    keys: _Keys
    touched: rows.Touched


class _Writer:
    """Write planned batches, one transaction each; on PostgreSQL in writer threads with their own connections.

    Writing a batch is mostly the database's work (COPY, index updates, the flush that makes the commit
    durable), and planning the next batch is mostly Python's, so writer threads let both cores work at once:
    the import plans batch N + 2 while the database stores batches N and N + 1 (two, so that one batch's COPY
    runs while the other waits for its commit to reach the disk). A batch planned while others were in flight
    read the database without their rows, so it must share nothing with them; `overlaps` tells, and the caller
    then waits for them and plans again. Lines are reported in the order of their batches. Inside a caller's
    transaction (or on SQLite, which has one writer) everything runs inline, as one thread.
    """

    IN_FLIGHT = 2

    def __init__(self, actor: User | None, outcomes: _Outcomes) -> None:
        self.actor = actor
        self.outcomes = outcomes
        connection = transaction.get_connection()
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.pool: ThreadPoolExecutor | None = None
        self.in_flight: list[tuple[_Planned, Future[list[_Outcome]]]] = []

    def __enter__(self) -> "_Writer":
        if self.threaded:
            self.pool = ThreadPoolExecutor(
                max_workers=self.IN_FLIGHT, thread_name_prefix="assessment-import-writer"
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.settle()
        finally:
            if self.pool is not None:
                # Each writer thread closes its own connection: the barrier makes every thread take one task.
                everyone = threading.Barrier(self.IN_FLIGHT, timeout=30)
                closing = [self.pool.submit(_close_connections, everyone) for _ in range(self.IN_FLIGHT)]
                for done in closing:
                    done.result()
                self.pool.shutdown()

    def overlaps(self, keys: _Keys, touched: rows.Touched | None = None) -> bool:
        """Whether a batch with these keys (and these resolved households and people) depends on one in flight."""
        for planned, _future in self.in_flight:
            if keys & planned.keys:
                return True
            if touched is not None and (
                touched.households & planned.touched.households or touched.people & planned.touched.people
            ):
                return True
        return False

    def settle(self, keep: int = 0) -> None:
        """Wait for the batches in flight, oldest first, until at most ``keep`` remain; report their lines."""
        while len(self.in_flight) > keep:
            _planned, future = self.in_flight.pop(0)
            self.outcomes.apply(future.result())

    def submit(self, planned: _Planned) -> None:
        if self.pool is None:
            self.outcomes.apply(_write_batch(planned, self.actor))
            return
        self.settle(keep=self.IN_FLIGHT - 1)
        self.in_flight.append((planned, self.pool.submit(_write_batch, planned, self.actor)))


def _close_connections(everyone: threading.Barrier) -> None:
    everyone.wait()
    connections.close_all()


def _write_batch(planned: _Planned, actor: User | None) -> list[_Outcome]:
    """Write a planned batch in one transaction; when the database refuses it, record its lines one by one."""
    try:
        with transaction.atomic():
            rows.write(planned.writes)
    except DatabaseError:
        # Something only the database could see (a concurrent writer, a constraint): one line at a time, so
        # that one bad line never loses the others.
        return [_import_one(line, actor=actor) for line in planned.lines]
    return planned.outcomes


def _import_chunk(chunk: list[PreparedAssessment], *, writer: _Writer) -> None:
    """Write valid lines in batches of independent lines."""
    pending = chunk
    while pending:
        batch, pending = rows.independent_prefix(pending)
        while batch:
            batch = _import_batch(batch, writer=writer)


def _import_batch(batch: list[PreparedAssessment], *, writer: _Writer) -> list[PreparedAssessment]:
    """Plan a batch and hand it to the writer; return the lines that must wait for the next batch."""
    keys = frozenset().union(*(line.keys() for line in batch))
    if writer.overlaps(keys):
        writer.settle()
    planned, deferred = _plan_batch(batch, keys, actor=writer.actor)
    if writer.overlaps(keys, planned.touched):
        # Merged records can join lines whose refs differ: plan again on what the batch in flight wrote.
        writer.settle()
        planned, deferred = _plan_batch(batch, keys, actor=writer.actor)
    writer.submit(planned)
    return deferred


def _plan_batch(
    batch: list[PreparedAssessment], keys: _Keys, *, actor: User | None
) -> tuple[_Planned, list[PreparedAssessment]]:
    writes, touched = rows.Writes(), rows.Touched()
    decided, deferred = rows.plan_lines(
        batch, rows.load_state(batch, actor), writes, touched, actor=actor, source="import"
    )
    planned = _Planned(
        lines=[done.line for done in decided],
        writes=writes,
        outcomes=[(done.line.line_number, done.line.text, done.status, done.problems) for done in decided],
        keys=keys,
        touched=touched,
    )
    return planned, deferred


def _import_one(line: PreparedAssessment, *, actor: User | None) -> _Outcome:
    """Record one line in its own transaction, turning a database refusal into a rejection."""
    try:
        with transaction.atomic():
            writes = rows.Writes()
            rows.plan(
                line,
                rows.load_state([line], actor),
                writes,
                actor=actor,
                source="import",
                batch=rows.Touched(),
            )
            rows.write(writes)
    except rows.AlreadyStored:
        return (line.line_number, line.text, RecordStatus.DUPLICATE, ())
    except Rejected as error:
        return (line.line_number, line.text, rows.REJECTED, error.problems)
    except DatabaseError as error:
        problem = Problem(
            ROOT_PATH, _("The database refused this assessment: %(reason)s") % {"reason": error}
        )
        return (line.line_number, line.text, rows.REJECTED, (problem,))
    return (line.line_number, line.text, RecordStatus.ACCEPTED, ())
