"""Recording assessments: the one write path for the web form, the import command and the sync API.

Policy. An assessment is checked whole before anything is written: the interchange validation, a visit date
that is not in the future, a locality that exists and that the actor (when there is one) may edit, and CNPs
that no other active person in the registry holds. A `ref` already stored is a duplicate and changes nothing.
An accepted assessment is stored with its typed answers, its findings, score and risk level, and it creates or
updates the registry: the household by `household.ref`, each person by member `ref` (a ref that was merged as a
duplicate resolves to the person it was merged into). Only the household's latest assessment by visit date
changes the present: the household's address and place, people's names and links, new memberships (from the
visit date) and the memberships of people absent from the visit, which end as moved out on that date and stay
in the history. An older wave imported late adds its assessment and answers and creates the people nobody
recorded yet (with the stay that wave shows, ended at the latest visit) but rewrites nothing. A village is
matched by name inside the locality (ignoring case and diacritics); an unknown village name leaves the
household's village empty rather than inventing a village, since villages are reference data from SIRUTA.

`assessment_record` records one assessment in one transaction. `assessments_import` records many: each line is
parsed, validated and evaluated in Python first (a rejected line never reaches the database), then the accepted
lines are written in batches, one transaction per batch with bulk inserts. A batch never touches the same
household, person or CNP twice, so its lines are independent and batching gives the same result as recording
them one by one; when a database error breaks a batch, its lines are retried one by one so that one bad line
never loses the others. Both paths turn a document into rows with the same functions.
"""

import datetime as dt
import json
import multiprocessing
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.access.policy import editable_localities
from mps.accounts.models import User
from mps.assessment.models import Assessment, Finding, HouseholdAnswers, MemberAnswers
from mps.assessment.preparation import (
    PreparedAssessment,
    Rejected,
    check_line,
    prepare,
)
from mps.assessment.rules import Problem
from mps.assessment.rules.validation import ROOT_PATH
from mps.assessment.signals import assessments_recorded
from mps.audit.models import AuditAction, AuditEvent
from mps.audit.services import field_changes
from mps.core.bulk import JsonText, NewRows, fewer_garbage_collections, insert_rows
from mps.core.errors import DomainValidationError
from mps.core.search_text import fold_for_search
from mps.geography.models import Locality, Village
from mps.registry.models import Household, Membership, MembershipEnd, Person
from mps.registry.services import HOUSEHOLD_FIELDS, PERSON_FIELDS

SOURCES = ("web", "import", "sync")
DEFAULT_BATCH_SIZE = 500
# Merged duplicates can point at records that were merged again later; a longer chain means corrupt data.
_MAX_MERGE_HOPS = 10


class RecordStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class RecordResult:
    """What happened to one assessment: stored now, or already stored under the same ref."""

    status: RecordStatus
    assessment: Assessment


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


# Planning a batch against what the database holds.


@dataclass
class _State:
    """What the registry holds for the lines of one batch, read with a fixed number of queries."""

    stored_refs: set[uuid.UUID]
    localities: set[int]
    editable: set[int] | None  # None: no actor, no scope check
    villages: dict[tuple[int, str], int]
    households: dict[uuid.UUID, Household]
    latest: dict[uuid.UUID, tuple[uuid.UUID, dt.date]]  # household -> (assessment, visit date)
    people: dict[uuid.UUID, Person]  # by every ref given, merged refs resolved
    cnp_holders: dict[str, uuid.UUID]
    current: dict[uuid.UUID, Membership]  # person -> current membership
    household_members: dict[uuid.UUID, list[Membership]]  # household -> current memberships
    users: dict[str, User]


def _load_state(lines: Sequence[PreparedAssessment], actor: User | None, *, lock: bool = False) -> _State:
    """Read everything the lines of one batch need, with a fixed number of queries."""
    refs = {line.ref for line in lines}
    household_refs = {line.household_ref for line in lines}
    locality_ids = {line.locality_id for line in lines}
    member_refs = {ref for line in lines for ref in line.member_refs}
    cnps = {cnp for line in lines for cnp in line.cnps}
    usernames = {line.username for line in lines if line.username}

    households_qs = Household.objects.filter(id__any=household_refs)
    if lock:
        # In key order, so that two batches locking overlapping households cannot deadlock.
        households_qs = households_qs.order_by("id").select_for_update()
    households = {household.id: household for household in households_qs}
    locality_ids |= {household.locality_id for household in households.values()}

    people = _people_by_ref(member_refs)
    person_ids = {person.id for person in people.values()}
    memberships = list(
        Membership.objects.filter(end_date__isnull=True).filter(
            Q(household_id__any=household_refs) | Q(person_id__any=person_ids)
        )
    )
    household_members: dict[uuid.UUID, list[Membership]] = {}
    for membership in memberships:
        household_members.setdefault(membership.household_id, []).append(membership)

    return _State(
        stored_refs=set(Assessment.objects.filter(id__any=refs).values_list("id", flat=True)),
        localities=set(Locality.objects.filter(siruta__any=locality_ids).values_list("siruta", flat=True)),
        editable=None
        if actor is None
        else set(
            editable_localities(actor).filter(siruta__any=locality_ids).values_list("siruta", flat=True)
        ),
        villages={
            (locality_id, fold_for_search(name)): village_id
            for village_id, locality_id, name in Village.objects.filter(
                locality_id__any=locality_ids
            ).values_list("id", "locality_id", "name")
        },
        households=households,
        latest={
            household_id: (assessment_id, assessed_on)
            for assessment_id, household_id, assessed_on in Assessment.objects.filter(
                household_id__any=household_refs, is_latest=True
            ).values_list("id", "household_id", "assessed_on")
        },
        people=people,
        cnp_holders={
            cnp: person_id
            for cnp, person_id in Person.objects.filter(cnp__any=cnps, merged_into__isnull=True).values_list(
                "cnp", "id"
            )
            if cnp
        }
        if cnps
        else {},
        current={membership.person_id: membership for membership in memberships},
        household_members=household_members,
        users={user.username: user for user in User.objects.filter(username__any=usernames)}
        if usernames
        else {},
    )


def _people_by_ref(refs: set[uuid.UUID]) -> dict[uuid.UUID, Person]:
    """Return the people with these refs; a merged duplicate's ref maps to the person it was merged into."""
    found = {person.id: person for person in Person.objects.filter(id__any=refs)}
    resolved = dict(found)
    pending = {ref: person.merged_into_id for ref, person in found.items() if person.merged_into_id}
    for _hop in range(_MAX_MERGE_HOPS):
        if not pending:
            break
        targets = {person.id: person for person in Person.objects.filter(id__any=set(pending.values()))}
        still: dict[uuid.UUID, uuid.UUID] = {}
        for ref, target_id in pending.items():
            target = targets[target_id]
            resolved[ref] = target
            if target.merged_into_id:
                still[ref] = target.merged_into_id
        pending = still
    return resolved


class _Writes:
    """The rows a batch of accepted assessments writes: new rows as dictionaries, changed rows as instances."""

    def __init__(self) -> None:
        self.households = NewRows(Household)
        self.people = NewRows(Person)
        self.memberships = NewRows(Membership)
        self.assessments = NewRows(Assessment)
        self.team = NewRows(Assessment.team.through)
        self.household_answers = NewRows(HouseholdAnswers)
        self.member_answers = NewRows(MemberAnswers)
        self.findings = NewRows(Finding)
        self.audit = NewRows(AuditEvent)
        self.changed_households: list[Household] = []
        self.changed_people: list[Person] = []
        self.changed_memberships: list[Membership] = []
        self.demoted: list[uuid.UUID] = []


class _Duplicate(Exception):
    """The assessment's ref is already stored."""


class _Defer(Exception):
    """The line depends on rows an earlier line of the same batch changes: write that batch first."""


@dataclass
class _Batch:
    """What the lines planned so far in one batch change, so that a dependent line waits for the next batch."""

    households: set[uuid.UUID] = field(default_factory=set)
    people: set[uuid.UUID] = field(default_factory=set)
    refs: set[uuid.UUID] = field(default_factory=set)


def _plan(
    line: PreparedAssessment,
    state: _State,
    writes: _Writes,
    *,
    actor: User | None,
    source: str,
    batch: _Batch,
    team: Sequence[User] = (),
) -> dict[str, Any]:
    """Add the rows of one valid document to ``writes`` and return its assessment row.

    Raise Rejected, _Duplicate or _Defer before adding anything.
    """
    if line.ref in state.stored_refs or line.ref in batch.refs:
        raise _Duplicate
    now = timezone.now()

    problems: list[Problem] = []
    if line.locality_id not in state.localities:
        problems.append(
            Problem(
                "household.locality",
                _("There is no locality with the SIRUTA code %(code)s.") % {"code": line.locality_code},
            )
        )
    elif state.editable is not None and line.locality_id not in state.editable:
        problems.append(Problem("household.locality", _("You may not record assessments in this locality.")))
    household = state.households.get(line.household_ref)
    if household is not None and state.editable is not None and household.locality_id not in state.editable:
        problems.append(Problem("household.ref", _("This household belongs to a locality you may not edit.")))

    latest = state.latest.get(line.household_ref)
    is_latest = latest is None or line.assessed_on >= latest[1]

    # People: resolve each member ref; a person some earlier line of this batch changes makes this line wait.
    people: list[Person | None] = [state.people.get(member.ref) for member in line.members]
    if line.household_ref in batch.households:
        raise _Defer
    for person in people:
        if person is not None and person.id in batch.people:
            raise _Defer
    for membership in state.household_members.get(line.household_ref, []):
        if membership.person_id in batch.people:
            raise _Defer
    for index, member in enumerate(line.members):
        person = people[index]
        writes_person = person is None or is_latest
        holder = state.cnp_holders.get(member.cnp) if member.cnp else None
        if writes_person and holder is not None and holder != (person.id if person else member.ref):
            if holder in batch.people:
                raise _Defer
            problems.append(
                Problem(f"members[{index}].cnp", _("Another person in the registry already has this CNP."))
            )
    if problems:
        raise Rejected(problems)

    assessed_by = state.users.get(line.username) if line.username else None
    if assessed_by is None and actor is not None and actor.is_authenticated:
        assessed_by = actor
    assessment = writes.assessments.add(
        id=line.ref,
        household_id=line.household_ref,
        locality_id=line.locality_id,
        wave=line.wave,
        wave_number=line.wave_number,
        assessed_on=line.assessed_on,
        assessed_by_id=assessed_by.pk if assessed_by else None,
        catalogue=line.catalogue,
        score=line.score,
        risk_level=line.risk_level,
        has_critical=line.has_critical,
        is_latest=is_latest,
        source=source,
        # The text as sent when there is one: nothing to serialize again, and the record keeps its exact form.
        document=JsonText(line.text) if line.text else line.document,
    )
    for user_id in sorted({user.pk for user in team} | ({assessed_by.pk} if assessed_by else set())):
        writes.team.add(assessment_id=line.ref, user_id=user_id)
    if latest is not None and is_latest:
        writes.demoted.append(latest[0])
    audit = _Auditor(actor, writes.audit, line.locality_id)
    # Nothing below refuses the line any more: what it changes goes straight into the batch's record.
    batch.refs.add(line.ref)
    batch.households.add(line.household_ref)

    _plan_household(writes, line, state, household, is_latest=is_latest, now=now, audit=audit)
    # The person each member's ref resolves to; ``renamed`` holds the refs of merged duplicates only (rare), the
    # one case where the rows prepared by member ref do not fit as they are.
    person_ids = [
        person.id if person else member.ref for person, member in zip(people, line.members, strict=True)
    ]
    renamed = {
        member.ref: id_ for member, id_ in zip(line.members, person_ids, strict=True) if member.ref != id_
    }
    _plan_people(
        writes, line, state, people, person_ids, renamed, batch, is_latest=is_latest, now=now, audit=audit
    )
    if is_latest:
        _plan_memberships(writes, line, state, person_ids, batch, now=now, audit=audit)
    _plan_answers(writes, line, renamed)
    audit.add(
        AuditAction.CREATE,
        "assessment",
        line.ref,
        {
            "household": str(line.household_ref),
            "wave": line.wave,
            "assessed_on": line.assessed_on.isoformat(),
            "score": line.score,
            "risk_level": line.risk_level,
            "source": source,
        },
    )

    return assessment


class _Auditor:
    """Collect the audit rows of one line for bulk insertion, as `audit_record` would write them one by one."""

    def __init__(self, actor: User | None, into: NewRows, locality_id: int) -> None:
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.into = into
        self.locality_id = locality_id

    def add(
        self, action: AuditAction, object_type: str, object_id: object, changes: Mapping[str, Any] | JsonText
    ) -> None:
        self.into.add(
            actor_id=self.actor_id,
            action=action.value,
            object_type=object_type,
            object_id=str(object_id),
            locality_id=self.locality_id,
            changes=changes,
        )


def _snapshot(instance: Household | Person, fields: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(instance, _ATTNAMES.get(name, name)) for name in fields}


def _row_snapshot(row: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {name: row[_ATTNAMES.get(name, name)] for name in fields}


_ATTNAMES = {"locality": "locality_id", "village": "village_id", "mother": "mother_id", "father": "father_id"}


def _plan_household(
    writes: _Writes,
    line: PreparedAssessment,
    state: _State,
    household: Household | None,
    *,
    is_latest: bool,
    now: dt.datetime,
    audit: _Auditor,
) -> None:
    if household is not None and not is_latest:
        return
    village_id = state.villages.get((line.locality_id, line.village))
    values = {**line.household, "village_id": village_id}
    search_text = line.search_text_with_village if village_id else line.search_text
    if household is None:
        row = writes.households.add(id=line.household_ref, search_text=search_text, **values)
        audit.add(
            AuditAction.CREATE,
            "household",
            line.household_ref,
            field_changes({}, _row_snapshot(row, HOUSEHOLD_FIELDS)),
        )
        return
    before = _snapshot(household, HOUSEHOLD_FIELDS)
    for name, value in values.items():
        setattr(household, name, value)
    diff = field_changes(before, _snapshot(household, HOUSEHOLD_FIELDS))
    if diff:
        household.search_text = search_text
        household.version += 1
        household.updated_at = now
        writes.changed_households.append(household)
        audit.add(AuditAction.UPDATE, "household", household.id, diff)


def _plan_people(
    writes: _Writes,
    line: PreparedAssessment,
    state: _State,
    people: list[Person | None],
    person_ids: list[uuid.UUID],
    renamed: Mapping[uuid.UUID, uuid.UUID],
    touched: _Batch,
    *,
    is_latest: bool,
    now: dt.datetime,
    audit: _Auditor,
) -> None:
    """Plan the people of the visit, whose refs resolve to ``person_ids`` (``renamed``: those that differ)."""
    for member, person, person_id in zip(line.members, people, person_ids, strict=True):
        if person is not None and not is_latest:
            continue
        values: dict[str, Any] = {
            "first_name": member.first_name,
            "last_name": member.last_name,
            "sex": member.sex,
            "birth_date": member.birth_date,
            "cnp": member.cnp or (person.cnp if person else None),
        }
        # A parent link is set when the parent lives here; absence says nothing (the parent may have left).
        if member.mother_ref:
            values["mother_id"] = renamed.get(member.mother_ref, member.mother_ref)
        if member.father_ref:
            values["father_id"] = renamed.get(member.father_ref, member.father_ref)
        if person is None:
            row = writes.people.add(
                id=person_id, name_key=member.name_key, search_text=member.search_text, **values
            )
            audit.add(
                AuditAction.CREATE,
                "person",
                person_id,
                member.created_changes
                if not renamed
                else field_changes({}, _row_snapshot(row, PERSON_FIELDS))
                | {"household": [None, str(line.household_ref)], "relation": [None, member.relation]},
            )
        else:
            before = _snapshot(person, PERSON_FIELDS)
            for name, value in values.items():
                setattr(person, name, value)
            diff = field_changes(before, _snapshot(person, PERSON_FIELDS))
            if diff:
                person.refresh_search_keys()
                person.version += 1
                person.updated_at = now
                writes.changed_people.append(person)
                audit.add(AuditAction.UPDATE, "person", person.id, diff)
        touched.people.add(person_id)
        if not is_latest:
            # Nobody recorded this person before; had the waves come in order, the later visit would have
            # ended their stay as moved out on its date.
            writes.memberships.add(
                household_id=line.household_ref,
                person_id=person_id,
                relation=member.relation,
                start_date=line.assessed_on,
                end_date=state.latest[line.household_ref][1],
                end_reason=MembershipEnd.MOVED_OUT.value,
            )


def _plan_memberships(
    writes: _Writes,
    line: PreparedAssessment,
    state: _State,
    person_ids: list[uuid.UUID],
    touched: _Batch,
    *,
    now: dt.datetime,
    audit: _Auditor,
) -> None:
    present = set(person_ids)
    for member, person_id in zip(line.members, person_ids, strict=True):
        current = state.current.get(person_id)
        relation = member.relation
        if current is not None and current.household_id == line.household_ref:
            if current.relation != relation:
                audit.add(AuditAction.UPDATE, "person", person_id, {"relation": [current.relation, relation]})
                current.relation = relation
                current.version += 1
                current.updated_at = now
                writes.changed_memberships.append(current)
            continue
        if current is not None:
            # The person lived in another household until this visit found them here.
            _end(writes, current, line.assessed_on, touched, now=now, audit=audit)
            touched.households.add(current.household_id)
        writes.memberships.add(
            household_id=line.household_ref,
            person_id=person_id,
            relation=relation,
            start_date=line.assessed_on,
        )
    for membership in state.household_members.get(line.household_ref, []):
        if membership.person_id not in present:
            _end(writes, membership, line.assessed_on, touched, now=now, audit=audit)


def _end(
    writes: _Writes,
    membership: Membership,
    on: dt.date,
    touched: _Batch,
    *,
    now: dt.datetime,
    audit: _Auditor,
) -> None:
    """Plan the end of a stay as moved out: the membership stays in the history with its end date."""
    membership.end_date = max(on, membership.start_date)
    membership.end_reason = MembershipEnd.MOVED_OUT
    membership.version += 1
    membership.updated_at = now
    writes.changed_memberships.append(membership)
    touched.people.add(membership.person_id)
    audit.add(
        AuditAction.END,
        "person",
        membership.person_id,
        {
            "household": [str(membership.household_id), None],
            "reason": [None, MembershipEnd.MOVED_OUT.value],
            "end_date": [None, membership.end_date.isoformat()],
        },
    )


def _plan_answers(writes: _Writes, line: PreparedAssessment, renamed: Mapping[uuid.UUID, uuid.UUID]) -> None:
    """Add the prepared answer and finding rows, renaming people whose ref resolved to another person."""
    writes.household_answers.rows.append(line.household_answers)
    if not renamed:
        writes.member_answers.rows.extend(line.member_answers)
        writes.findings.rows.extend(line.findings)
        return
    writes.member_answers.rows.extend(
        {**row, "person_id": renamed.get(row["person_id"], row["person_id"])} for row in line.member_answers
    )
    writes.findings.rows.extend(
        {**row, "person_id": renamed.get(row["person_id"], row["person_id"])} for row in line.findings
    )


def _write(writes: _Writes) -> None:
    """Write a batch's rows with bulk statements; the caller holds the transaction."""
    insert_rows(Household, writes.households.rows)
    _bulk_update(
        Household, writes.changed_households, [*HOUSEHOLD_FIELDS, "search_text", "version", "updated_at"]
    )
    insert_rows(Person, writes.people.rows)
    _bulk_update(
        Person, writes.changed_people, [*PERSON_FIELDS, "name_key", "search_text", "version", "updated_at"]
    )
    # Ends before starts: a person has one current household, and the database checks it row by row.
    _bulk_update(
        Membership,
        writes.changed_memberships,
        ["relation", "end_date", "end_reason", "version", "updated_at"],
    )
    insert_rows(Membership, writes.memberships.rows)
    if writes.demoted:
        Assessment.objects.filter(id__in=writes.demoted).update(is_latest=False, updated_at=timezone.now())
    insert_rows(Assessment, writes.assessments.rows)
    insert_rows(Assessment.team.through, writes.team.rows)
    insert_rows(HouseholdAnswers, writes.household_answers.rows)
    insert_rows(MemberAnswers, writes.member_answers.rows)
    insert_rows(Finding, writes.findings.rows)
    insert_rows(AuditEvent, writes.audit.rows)


def _bulk_update(model: Any, objects: list[Any], fields: Sequence[str]) -> None:
    if objects:
        model.objects.bulk_update(objects, list(fields))


def _stored(row: Mapping[str, Any], using: str) -> Assessment:
    """The assessment a row just written describes, as a saved instance (for receivers and callers)."""
    values = dict(row)
    if isinstance(values["document"], JsonText):
        values["document"] = json.loads(values["document"])
    assessment = Assessment(**values)
    assessment._state.adding = False
    assessment._state.db = using
    return assessment


# The two entry points.


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
            state = _load_state([line], actor, lock=True)
            writes = _Writes()
            row = _plan(line, state, writes, actor=actor, source=source, batch=_Batch(), team=team)
            _write(writes)
            [(_index, result)] = _announce([(line.line_number, row)], actor=actor, then=then)
    except _Duplicate:
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
            batch, pending = _independent_prefix(pending)
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
            state = _load_state(batch, actor, lock=True)
            writes = _Writes()
            planned, deferred = _plan_lines(batch, state, writes, _Batch(), actor=actor, source=source)
            _write(writes)
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
                if done.status == _REJECTED
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


@dataclass
class _Decided:
    """What planning decided for one line: accepted (with its assessment row), duplicate or rejected."""

    line: PreparedAssessment
    status: str
    row: dict[str, Any] | None = None
    problems: tuple[Problem, ...] = ()


def _plan_lines(
    batch: list[PreparedAssessment],
    state: _State,
    writes: _Writes,
    touched: _Batch,
    *,
    actor: User | None,
    source: str,
) -> tuple[list[_Decided], list[PreparedAssessment]]:
    """Plan the lines of a batch in order into ``writes`` (what they change into ``touched``); return what was
    decided and the lines that must wait."""
    decided: list[_Decided] = []
    for index, line in enumerate(batch):
        try:
            row = _plan(line, state, writes, actor=actor, source=source, batch=touched)
            decided.append(_Decided(line, RecordStatus.ACCEPTED, row=row))
        except _Duplicate:
            decided.append(_Decided(line, RecordStatus.DUPLICATE))
        except Rejected as error:
            decided.append(_Decided(line, _REJECTED, problems=error.problems))
        except _Defer:
            return decided, batch[index:]
    return decided, []


def _announce(
    rows: list[tuple[int, dict[str, Any]]], *, actor: User | None, then: _Then | None
) -> list[tuple[int, RecordResult]]:
    """Announce assessments just written (their position, their row) and let the caller add its own rows."""
    using = router.db_for_write(Assessment)
    accepted = [(index, RecordResult(RecordStatus.ACCEPTED, _stored(row, using))) for index, row in rows]
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
                    outcomes.apply([(line_number, text, _REJECTED, checked)])
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
_REJECTED = "rejected"


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
    writes: _Writes
    outcomes: list[_Outcome]
    keys: _Keys
    touched: _Batch


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

    def overlaps(self, keys: _Keys, touched: _Batch | None = None) -> bool:
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
            _write(planned.writes)
    except DatabaseError:
        # Something only the database could see (a concurrent writer, a constraint): one line at a time, so
        # that one bad line never loses the others.
        return [_import_one(line, actor=actor) for line in planned.lines]
    return planned.outcomes


def _import_chunk(chunk: list[PreparedAssessment], *, writer: _Writer) -> None:
    """Write valid lines in batches of independent lines."""
    pending = chunk
    while pending:
        batch, pending = _independent_prefix(pending)
        while batch:
            batch = _import_batch(batch, writer=writer)


def _independent_prefix(
    lines: list[PreparedAssessment],
) -> tuple[list[PreparedAssessment], list[PreparedAssessment]]:
    """Split off the longest run of leading lines that share no assessment, household, person or CNP."""
    seen: set[int | str] = set()
    for index, line in enumerate(lines):
        keys = line.keys()
        if seen & keys:
            return lines[:index], lines[index:]
        seen |= keys
    return lines, []


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
    writes, touched = _Writes(), _Batch()
    decided, deferred = _plan_lines(
        batch, _load_state(batch, actor), writes, touched, actor=actor, source="import"
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
            writes = _Writes()
            _plan(line, _load_state([line], actor), writes, actor=actor, source="import", batch=_Batch())
            _write(writes)
    except _Duplicate:
        return (line.line_number, line.text, RecordStatus.DUPLICATE, ())
    except Rejected as error:
        return (line.line_number, line.text, _REJECTED, error.problems)
    except DatabaseError as error:
        problem = Problem(
            ROOT_PATH, _("The database refused this assessment: %(reason)s") % {"reason": error}
        )
        return (line.line_number, line.text, _REJECTED, (problem,))
    return (line.line_number, line.text, RecordStatus.ACCEPTED, ())
