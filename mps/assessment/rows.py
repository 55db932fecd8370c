"""From a prepared assessment to the rows it writes, against what the registry holds.

Policy. Both ways of recording (one assessment, `services`; many, `importing`) turn a document into rows with
these functions, so that a batch gives the same result as recording its lines one by one. `load_state` reads
what the lines of a batch need with a fixed number of queries; `plan` adds one line's rows to `Writes` (raising
`AlreadyStored` for a ref already stored, `Defer` when it depends on what an earlier line of the batch changes,
`Rejected` when the registry refuses it: a CNP held by someone else, a locality out of scope); `write` stores
them with bulk inserts. Only the household's latest assessment by visit date changes the present; an older wave
imported late adds its assessment and the people nobody recorded yet but rewrites nothing.
"""

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.access.policy import editable_localities
from mps.accounts.models import User
from mps.assessment.models import Assessment, Finding, HouseholdAnswers, MemberAnswers
from mps.assessment.preparation import (
    PreparedAssessment,
    Rejected,
)
from mps.assessment.rules import Problem
from mps.audit.models import AuditAction, AuditEvent
from mps.audit.services import field_changes
from mps.core.bulk import JsonText, NewRows, insert_rows
from mps.core.search_text import fold_for_search
from mps.geography.models import Locality, Village
from mps.registry.models import Household, Membership, MembershipEnd, Person
from mps.registry.services import HOUSEHOLD_FIELDS, PERSON_FIELDS

# Merged duplicates can point at records that were merged again later; a longer chain means corrupt data.
_MAX_MERGE_HOPS = 10
REJECTED = "rejected"


class RecordStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"


@dataclass
class RegistryState:
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


def load_state(
    lines: Sequence[PreparedAssessment], actor: User | None, *, lock: bool = False
) -> RegistryState:
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

    return RegistryState(
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


class Writes:
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


class AlreadyStored(Exception):
    """The assessment's ref is already stored."""


class Defer(Exception):
    """The line depends on rows an earlier line of the same batch changes: write that batch first."""


@dataclass
class Touched:
    """What the lines planned so far in one batch change, so that a dependent line waits for the next batch."""

    households: set[uuid.UUID] = field(default_factory=set)
    people: set[uuid.UUID] = field(default_factory=set)
    refs: set[uuid.UUID] = field(default_factory=set)


def plan(
    line: PreparedAssessment,
    state: RegistryState,
    writes: Writes,
    *,
    actor: User | None,
    source: str,
    batch: Touched,
    team: Sequence[User] = (),
) -> dict[str, Any]:
    """Add the rows of one valid document to ``writes`` and return its assessment row.

    Raise Rejected, AlreadyStored or Defer before adding anything.
    """
    if line.ref in state.stored_refs or line.ref in batch.refs:
        raise AlreadyStored
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
    # A household changes locality only by a transfer (mps.moves), which the receiving coordinator accepts and
    # which carries its case along; a visit of the latest date must not move it behind that decision's back.
    # An earlier wave imported late keeps the locality it was made in and moves nothing.
    if household is not None and is_latest and line.locality_id != household.locality_id:
        problems.append(
            Problem(
                "household.locality",
                _(
                    "This household is registered in another locality; a household moves to another locality "
                    "only by a transfer that the receiving coordinator accepts."
                ),
            )
        )

    # People: resolve each member ref; a person some earlier line of this batch changes makes this line wait.
    people: list[Person | None] = [state.people.get(member.ref) for member in line.members]
    if line.household_ref in batch.households:
        raise Defer
    for person in people:
        if person is not None and person.id in batch.people:
            raise Defer
    for membership in state.household_members.get(line.household_ref, []):
        if membership.person_id in batch.people:
            raise Defer
    for index, member in enumerate(line.members):
        person = people[index]
        writes_person = person is None or is_latest
        if writes_person and person is not None and (person.restricted or person.erased_on is not None):
            problems.append(
                Problem(
                    f"members[{index}].ref",
                    _(
                        "The processing of this person's data is restricted or their record was anonymised after "
                        "a data-subject request (GDPR): a visit cannot change it."
                    ),
                )
            )
        holder = state.cnp_holders.get(member.cnp) if member.cnp else None
        if writes_person and holder is not None and holder != (person.id if person else member.ref):
            if holder in batch.people:
                raise Defer
            problems.append(
                Problem(
                    f"members[{index}].cnp",
                    _(
                        "This CNP is already registered for another person, whose record is not shown "
                        "here; if the person moved, their household must be transferred first."
                    ),
                )
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
    writes: Writes,
    line: PreparedAssessment,
    state: RegistryState,
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
    writes: Writes,
    line: PreparedAssessment,
    state: RegistryState,
    people: list[Person | None],
    person_ids: list[uuid.UUID],
    renamed: Mapping[uuid.UUID, uuid.UUID],
    touched: Touched,
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
    writes: Writes,
    line: PreparedAssessment,
    state: RegistryState,
    person_ids: list[uuid.UUID],
    touched: Touched,
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
    writes: Writes,
    membership: Membership,
    on: dt.date,
    touched: Touched,
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


def _plan_answers(writes: Writes, line: PreparedAssessment, renamed: Mapping[uuid.UUID, uuid.UUID]) -> None:
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


def write(writes: Writes) -> None:
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


def stored(row: Mapping[str, Any], using: str) -> Assessment:
    """The assessment a row just written describes, as a saved instance (for receivers and callers)."""
    values = dict(row)
    if isinstance(values["document"], JsonText):
        values["document"] = json.loads(values["document"])
    assessment = Assessment(**values)
    assessment._state.adding = False
    assessment._state.db = using
    return assessment


@dataclass
class Decided:
    """What planning decided for one line: accepted (with its assessment row), duplicate or rejected."""

    line: PreparedAssessment
    status: str
    row: dict[str, Any] | None = None
    problems: tuple[Problem, ...] = ()


def plan_lines(
    batch: list[PreparedAssessment],
    state: RegistryState,
    writes: Writes,
    touched: Touched,
    *,
    actor: User | None,
    source: str,
) -> tuple[list[Decided], list[PreparedAssessment]]:
    """Plan the lines of a batch in order into ``writes`` (what they change into ``touched``); return what was
    decided and the lines that must wait."""
    decided: list[Decided] = []
    for index, line in enumerate(batch):
        try:
            row = plan(line, state, writes, actor=actor, source=source, batch=touched)
            decided.append(Decided(line, RecordStatus.ACCEPTED, row=row))
        except AlreadyStored:
            decided.append(Decided(line, RecordStatus.DUPLICATE))
        except Rejected as error:
            decided.append(Decided(line, REJECTED, problems=error.problems))
        except Defer:
            return decided, batch[index:]
    return decided, []


def independent_prefix(
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
