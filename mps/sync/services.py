"""Push: store what a device recorded offline, item by item, and flag the conflicts it brings.

Policy. Each item is stored in its own transaction through the one service that owns its kind (assessments
through `assessment_record`, census visits through `visit_record`, services delivered through
`delivery_record`, referral status changes through the referral transitions), so the same validation, scope
checks and audit apply as on the web pages, and one bad item never blocks the others. Every item carries a
client-generated UUID: an item whose ref is already stored is a duplicate and creates nothing. Every item is
kept as it was sent (`PushedItem`), rejected ones too, so nothing a worker typed is lost when the server
refuses it; a rejected item sent again after a correction replaces the rejected copy.

Conflicts. Assessments are appended, never overwritten, and the storage layer makes the latest by visit date
current. When an assessment arrives that is older than the household's current one, or when another device or
worker assessed the same household in the same wave within `CONFLICT_WINDOW_DAYS`, both are kept and a
`Conflict` is recorded for the case manager to review.

Households that moved away. An item for a household transferred out of the pusher's localities (an accepted
`HouseholdTransfer` from one of them) is rejected whole, saying when and where the family went, and kept as a
`Conflict` of the household, which its new team sees; a household the pusher never worked with is still
refused as out of scope. Sending the item again rejects it again and keeps the one conflict.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mps.access.policy import editable_localities
from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.assessment.services import RecordResult, RecordStatus, assessments_record
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.cases import transitions
from mps.cases.models import Case, Referral, Service, ServiceDelivery
from mps.cases.services import delivery_record
from mps.census.models import CampaignStatus, CensusEntry, CensusVisit
from mps.census.services import visit_record
from mps.core.bulk import NewRows, insert_rows
from mps.core.errors import DomainValidationError
from mps.moves.models import HouseholdTransfer, TransferStatus
from mps.registry.models import Household, Person
from mps.sync.items import ReferralStatusItem, ServiceItem, VisitItem, parse_item
from mps.sync.models import Conflict, ConflictKind, DeviceToken, ItemKind, ItemStatus, PushedItem

logger = logging.getLogger(__name__)

# Two assessments of one household in one wave, made this many days apart or less, are two teams doing the
# same visit; further apart, they are a deliberate second visit.
CONFLICT_WINDOW_DAYS = 30
ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass(frozen=True)
class ItemResult:
    """What happened to one pushed item: accepted, duplicate, or rejected with problems by field path."""

    ref: str
    kind: str
    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Pusher:
    """Who pushes: the user, and the device token and device id they push from."""

    user: User
    device: DeviceToken | None
    device_id: str


class _Duplicate(Exception):
    """The item's ref was already stored."""


class _MovedAway(DomainValidationError):
    """The item is for a household that was transferred out of the pusher's localities."""

    def __init__(self, transfer: HouseholdTransfer, path: str) -> None:
        super().__init__({path: [moved_away_message(transfer)]})
        self.transfer = transfer


def moved_away_message(transfer: HouseholdTransfer) -> str:
    """Say, for the worker whose tablet still had the household, where it went and that nothing was lost."""
    decided = timezone.localdate(transfer.decided_at) if transfer.decided_at else transfer.moved_on
    return _(
        "The household was transferred to %(locality)s on %(date)s; what you sent was kept for the team that "
        "works with it now."
    ) % {"locality": transfer.to_locality.name, "date": formats.date_format(decided, "SHORT_DATE_FORMAT")}


def moved_away(
    user: User, household_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID | None, HouseholdTransfer]:
    """Return, for each of these households now outside the user's localities, the transfer that took it away.

    Only a household the user's localities gave away counts: one the user never worked with stays "not in one
    of the localities you work in", which tells nothing about it.
    """
    ids = {household_id for household_id in household_ids if household_id is not None}
    if not ids:
        return {}
    editable = editable_localities(user).values("siruta")
    transfers = (
        HouseholdTransfer.objects.filter(
            household_id__in=ids, status=TransferStatus.ACCEPTED, from_locality__in=editable
        )
        .exclude(household__locality__in=editable)
        .select_related("to_locality")
        .order_by("decided_at")
    )
    # The latest transfer out wins when a family moved more than once.
    found: dict[uuid.UUID | None, HouseholdTransfer] = {}
    for transfer in transfers:
        found[transfer.household_id] = transfer
    return found


def _keep_moved_away(
    pusher: Pusher, kind: str, ref: uuid.UUID | None, raw: Any, transfer: HouseholdTransfer
) -> None:
    """Keep what was pushed for a household that moved away as a conflict its new team reviews; once per item."""
    if ref is None:
        return
    conflict, created = Conflict.objects.update_or_create(
        item_kind=kind,
        item_ref=ref,
        defaults={
            "household_id": transfer.household_id,
            "kind": ConflictKind.MOVED_AWAY,
            "transfer": transfer,
            "payload": raw,
            "pushed_by": pusher.user,
            "device_id": pusher.device_id,
        },
    )
    if not created:
        return
    for locality_id in dict.fromkeys((transfer.to_locality_id, transfer.from_locality_id)):
        audit_record(
            actor=pusher.user,
            action=AuditAction.CREATE,
            object_type="sync_conflict",
            object_id=conflict.id,
            locality_id=locality_id,
            changes={
                "household": [None, str(transfer.household_id)],
                "kind": [None, conflict.kind],
                "item": [None, [kind, str(ref)]],
            },
        )


def sync_push(
    *,
    actor: User,
    device: DeviceToken | None,
    device_id: str,
    assessments: Sequence[Any] = (),
    visits: Sequence[Any] = (),
    services: Sequence[Any] = (),
    referrals: Sequence[Any] = (),
) -> list[ItemResult]:
    """Store every pushed item in its own transaction; return one result per item, kinds in that order.

    Assessments go first, so that a visit or a service pushed with the assessment of the same visit finds it.
    """
    pusher = Pusher(user=actor, device=device, device_id=device_id[:64])
    results = _push_assessments(pusher, assessments)
    results += [_one(pusher, ItemKind.VISIT, raw, _push_visit) for raw in visits]
    results += [_one(pusher, ItemKind.SERVICE, raw, _push_service) for raw in services]
    results += [_one(pusher, ItemKind.REFERRAL_STATUS, raw, _push_referral_status) for raw in referrals]
    return results


_Handler = Callable[[Pusher, Any], uuid.UUID | None]


def _one(pusher: Pusher, kind: ItemKind, raw: Any, handler: _Handler) -> ItemResult:
    """Store one item in its own transaction and keep a copy of it, whatever happens."""
    ref = _ref_of(raw)
    try:
        with transaction.atomic():
            if (
                ref is not None
                and PushedItem.objects.filter(kind=kind, ref=ref, status=ItemStatus.ACCEPTED).exists()
            ):
                raise _Duplicate
            household_id = handler(pusher, raw)
            _keep(pusher, kind, ref, raw, ItemStatus.ACCEPTED, {}, household_id)
        return ItemResult(str(ref), kind, ACCEPTED)
    except _Duplicate:
        return ItemResult(str(ref), kind, DUPLICATE)
    except DomainValidationError as error:
        problems = {path: [str(message) for message in messages] for path, messages in error.problems.items()}
        transfer = error.transfer if isinstance(error, _MovedAway) else None
    except DatabaseError:
        transfer = None
        logger.exception("Pushed %s %s was refused by the database.", kind, ref)
        problems = {
            "$": [_("The server could not store this item; it was kept for review. Try again later.")]
        }
    if ref is None:
        problems.setdefault("ref", []).append(
            _("The value must be a UUID such as 123e4567-e89b-12d3-a456-426614174000.")
        )
        return ItemResult(_raw_ref(raw), kind, REJECTED, problems)
    try:
        with transaction.atomic():
            household_id = transfer.household_id if transfer is not None else _household_of(raw)
            _keep(pusher, kind, ref, raw, ItemStatus.REJECTED, problems, household_id)
            if transfer is not None:
                _keep_moved_away(pusher, kind, ref, raw, transfer)
    except DatabaseError:
        logger.exception("The rejected %s %s could not be kept.", kind, ref)
    return ItemResult(str(ref), kind, REJECTED, problems)


def _ref_of(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw["ref"])) if isinstance(raw, Mapping) else None
    except (KeyError, ValueError):
        return None


def _raw_ref(raw: Any) -> str:
    value = raw.get("ref") if isinstance(raw, Mapping) else None
    return str(value)[:64] if value is not None else ""


def _household_of(raw: Any) -> uuid.UUID | None:
    """Return the household an item names, if it names one that exists (for the rejected items list)."""
    return _in(_named_household(raw), _existing_households([raw]))


def _keep(
    pusher: Pusher,
    kind: str,
    ref: uuid.UUID | None,
    raw: Any,
    status: ItemStatus,
    errors: Mapping[str, list[str]],
    household_id: uuid.UUID | None,
) -> None:
    """Keep the item as it was sent; a new attempt at a rejected item replaces the rejected copy."""
    if ref is not None:
        _keep_many(pusher, kind, [(ref, raw, status, errors, household_id)])


# Assessments ------------------------------------------------------------------------------------------------


def _push_assessments(pusher: Pusher, raws: Sequence[Any]) -> list[ItemResult]:
    """Store pushed assessments in batches through `assessments_record`; one result per item, in order.

    Each item is all-or-nothing as on its own; the batch's conflicts and kept copies commit with its
    assessments. A push is a day's work of one tablet, so batching is what makes it take seconds, not minutes.
    """
    kind = ItemKind.ASSESSMENT
    refs = [_ref_of(raw) for raw in raws]
    pushed = set(
        PushedItem.objects.filter(
            kind=kind, status=ItemStatus.ACCEPTED, ref__in=[ref for ref in refs if ref is not None]
        ).values_list("ref", flat=True)
    )
    results: list[ItemResult | None] = [
        ItemResult(str(ref), kind, DUPLICATE) if ref in pushed else None for ref in refs
    ]
    gone = moved_away(
        pusher.user,
        [_named_household(raws[position]) for position, result in enumerate(results) if result is None],
    )
    for position, result in enumerate(results):
        transfer = gone.get(_named_household(raws[position])) if result is None else None
        if transfer is not None:
            results[position] = _reject_moved_away(pusher, kind, refs[position], raws[position], transfer)
    positions = [position for position, result in enumerate(results) if result is None]

    def keep_accepted(accepted: Sequence[tuple[int, RecordResult]]) -> None:
        assessments = [result.assessment for _index, result in accepted]
        conflicts_detect_many(assessments=assessments, device_id=pusher.device_id)
        _keep_many(
            pusher,
            kind,
            [
                (
                    result.assessment.id,
                    raws[positions[index]],
                    ItemStatus.ACCEPTED,
                    {},
                    result.assessment.household_id,
                )
                for index, result in accepted
            ],
        )

    outcomes = assessments_record(
        actor=pusher.user,
        documents=[raws[position] for position in positions],
        source="sync",
        then=keep_accepted,
    )
    rejected: list[tuple[int, dict[str, list[str]]]] = []
    for position, outcome in zip(positions, outcomes, strict=True):
        ref = refs[position]
        if isinstance(outcome, DomainValidationError):
            problems = {
                path: [str(message) for message in messages] for path, messages in outcome.problems.items()
            }
            if ref is None:
                problems.setdefault("ref", []).append(
                    _("The value must be a UUID such as 123e4567-e89b-12d3-a456-426614174000.")
                )
            results[position] = ItemResult(
                str(ref) if ref else _raw_ref(raws[position]), kind, REJECTED, problems
            )
            rejected.append((position, problems))
        else:
            status = ACCEPTED if outcome.status == RecordStatus.ACCEPTED else DUPLICATE
            results[position] = ItemResult(str(ref), kind, status)
    # An item without a ref cannot be kept: nothing could replace it when it is sent again.
    _keep_rejected(
        pusher,
        kind,
        [
            (ref, raws[position], problems)
            for position, problems in rejected
            if (ref := refs[position]) is not None
        ],
    )
    return [result for result in results if result is not None]


def _reject_moved_away(
    pusher: Pusher, kind: str, ref: uuid.UUID | None, raw: Any, transfer: HouseholdTransfer
) -> ItemResult:
    """Refuse an assessment of a household that moved away, whole, and keep it for the household's new team."""
    problems = {"household.ref": [moved_away_message(transfer)]}
    if ref is None:
        problems["ref"] = [_("The value must be a UUID such as 123e4567-e89b-12d3-a456-426614174000.")]
        return ItemResult(_raw_ref(raw), kind, REJECTED, problems)
    try:
        with transaction.atomic():
            _keep_many(pusher, kind, [(ref, raw, ItemStatus.REJECTED, problems, transfer.household_id)])
            _keep_moved_away(pusher, kind, ref, raw, transfer)
    except DatabaseError:
        logger.exception("The %s %s for a household that moved away could not be kept.", kind, ref)
    return ItemResult(str(ref), kind, REJECTED, problems)


def _keep_rejected(
    pusher: Pusher, kind: str, items: Sequence[tuple[uuid.UUID, Any, dict[str, list[str]]]]
) -> None:
    """Keep rejected items as they were sent, with their problems, so that nothing typed is lost."""
    if not items:
        return
    existing = _existing_households([raw for _ref, raw, _problems in items])
    try:
        with transaction.atomic():
            _keep_many(
                pusher,
                kind,
                [
                    (ref, raw, ItemStatus.REJECTED, problems, _in(_named_household(raw), existing))
                    for ref, raw, problems in items
                ],
            )
    except DatabaseError:
        logger.exception("%d rejected %s items could not be kept.", len(items), kind)


def _named_household(raw: Any) -> uuid.UUID | None:
    if not isinstance(raw, Mapping):
        return None
    value = raw.get("household")
    if isinstance(value, Mapping):
        value = value.get("ref")
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _existing_households(raws: Sequence[Any]) -> set[uuid.UUID]:
    """Return the households the items name that exist."""
    named = {ref for ref in map(_named_household, raws) if ref is not None}
    return set(Household.objects.filter(id__in=named).values_list("id", flat=True))


def _in(ref: uuid.UUID | None, existing: set[uuid.UUID]) -> uuid.UUID | None:
    return ref if ref in existing else None


def _keep_many(
    pusher: Pusher,
    kind: str,
    items: Sequence[tuple[uuid.UUID, Any, ItemStatus, Mapping[str, list[str]], uuid.UUID | None]],
) -> None:
    """Keep items as they were sent; a new attempt at a rejected item replaces that copy.

    Replacing is a delete and an insert rather than an upsert, so that the rows go in with COPY: a push keeps
    a copy of every document it stores, as many rows as the assessments themselves.
    """
    if not items:
        return
    PushedItem.objects.filter(kind=kind, ref__in=[ref for ref, *_rest in items]).delete()
    rows = NewRows(PushedItem)
    for ref, raw, status, errors, household_id in items:
        rows.add(
            kind=kind,
            ref=ref,
            status=status.value,
            user_id=pusher.user.pk,
            token_id=pusher.device.pk if pusher.device else None,
            device_id=pusher.device_id,
            household_id=household_id,
            payload=raw,
            errors=dict(errors),
        )
    insert_rows(PushedItem, rows.rows)


def conflicts_detect_many(*, assessments: Sequence[Assessment], device_id: str) -> list[Conflict]:
    """Record the conflicts just-stored assessments (of distinct households) bring with their households' others.

    An assessment stored as not the latest is older than the household's current one; another assessment of
    the same household and wave within `CONFLICT_WINDOW_DAYS`, by another worker or device, is the same visit
    made twice. A fixed number of queries, whatever the number of assessments.
    """
    if not assessments:
        return []
    households = {assessment.household_id for assessment in assessments}
    latest = {
        other.household_id: other
        for other in Assessment.objects.filter(household_id__in=households, is_latest=True).only(
            "id", "household_id", "assessed_on"
        )
    }
    window = dt.timedelta(days=CONFLICT_WINDOW_DAYS)
    own = {assessment.id for assessment in assessments}
    same_household: dict[uuid.UUID, list[Assessment]] = {}
    for other in Assessment.objects.filter(
        household_id__in=households, wave__in={assessment.wave for assessment in assessments}
    ).only("id", "household_id", "wave", "assessed_on", "assessed_by_id"):
        if other.id not in own:
            same_household.setdefault(other.household_id, []).append(other)
    others = {other.id for group in same_household.values() for other in group}
    others |= {current.id for current in latest.values()}
    pushed = {
        ref: (device, status)
        for ref, device, status in PushedItem.objects.filter(
            kind=ItemKind.ASSESSMENT, ref__in=others
        ).values_list("ref", "device_id", "status")
    }

    conflicts = []
    for assessment in assessments:
        found: dict[uuid.UUID, ConflictKind] = {}
        current = latest.get(assessment.household_id)
        if not assessment.is_latest and current is not None and assessment.assessed_on < current.assessed_on:
            found[current.id] = ConflictKind.OLDER_THAN_CURRENT
        for other in same_household.get(assessment.household_id, []):
            if other.wave != assessment.wave or abs(other.assessed_on - assessment.assessed_on) > window:
                continue
            device, status = pushed.get(other.id, ("", None))
            other_device = device if status == ItemStatus.ACCEPTED else ""
            if other.assessed_by_id != assessment.assessed_by_id or other_device != device_id:
                found.setdefault(other.id, ConflictKind.SAME_WAVE)
        conflicts += [
            Conflict(
                household_id=assessment.household_id,
                kind=kind,
                assessment=assessment,
                other_id=other_id,
                device_id=device_id,
                other_device_id=pushed.get(other_id, ("", None))[0],
            )
            for other_id, kind in found.items()
        ]
    if not conflicts:
        return []
    Conflict.objects.bulk_create(conflicts)
    for conflict in conflicts:
        assert conflict.assessment is not None
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="sync_conflict",
            object_id=conflict.id,
            locality_id=conflict.assessment.locality_id,
            changes={
                "household": [None, str(conflict.household_id)],
                "kind": [None, conflict.kind],
                "assessments": [None, [str(conflict.assessment.id), str(conflict.other_id)]],
            },
        )
    return conflicts


def conflict_resolve(*, actor: User, conflict: Conflict, note: str = "") -> Conflict:
    """Mark a conflict as reviewed by the case manager, with what they decided."""
    household = conflict.household
    if not editable_localities(actor).filter(siruta=household.locality_id).exists():
        raise DomainValidationError({"conflict": [_("You may not review conflicts in this locality.")]})
    if conflict.resolved_at is not None:
        raise DomainValidationError({"conflict": [_("This conflict was already reviewed.")]})
    if len(note) > 2000:
        raise DomainValidationError({"note": [_("The note is too long.")]})
    with transaction.atomic():
        conflict.resolved_at = timezone.now()
        conflict.resolved_by = actor
        conflict.note = note.strip()
        conflict.save(update_fields=["resolved_at", "resolved_by", "note"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="sync_conflict",
            object_id=conflict.id,
            locality_id=household.locality_id,
            changes={"resolved_at": [None, conflict.resolved_at.isoformat()], "note": ["", conflict.note]},
        )
    return conflict


# Census visits, services delivered, referral status changes --------------------------------------------------


def _editable_household(pusher: Pusher, ref: uuid.UUID) -> Household:
    """Return a household the pusher may change; missing and out of scope are refused alike, by locality."""
    household = Household.objects.filter(id=ref, locality__in=editable_localities(pusher.user)).first()
    if household is None:
        if transfer := moved_away(pusher.user, [ref]).get(ref):
            raise _MovedAway(transfer, "household")
        raise DomainValidationError(
            {"household.locality": [_("This household is not in one of the localities you work in.")]}
        )
    return household


def _push_visit(pusher: Pusher, raw: Any) -> uuid.UUID | None:
    item = parse_item(VisitItem, raw)
    if CensusVisit.objects.filter(id=item.ref).exists():
        raise _Duplicate
    household = _editable_household(pusher, item.household)
    entries = (
        CensusEntry.objects.select_related("campaign")
        .filter(household=household, campaign__locality_id=household.locality_id)
        .exclude(campaign__status=CampaignStatus.CLOSED)
        .order_by("-campaign__wave_number")
    )
    if item.wave:
        entries = entries.filter(campaign__wave=item.wave)
    entry = entries.first()
    if entry is None:
        raise DomainValidationError(
            {"household": [_("No open census campaign lists this household.")]}
            if not item.wave
            else {"wave": [_("No open census campaign of this wave lists this household.")]}
        )
    assessment = None
    if item.assessment is not None:
        assessment = Assessment.objects.filter(id=item.assessment, household=household).first()
        if assessment is None:
            raise DomainValidationError(
                {"assessment": [_("This household has no assessment with this ref.")]}
            )
    visit_record(
        actor=pusher.user,
        entry=entry,
        outcome=item.outcome,
        visited_on=item.visited_on,
        note=item.note,
        assessment=assessment,
        ref=item.ref,
    )
    return household.id


def _push_service(pusher: Pusher, raw: Any) -> uuid.UUID | None:
    item = parse_item(ServiceItem, raw)
    if ServiceDelivery.objects.filter(id=item.ref).exists():
        raise _Duplicate
    household = _editable_household(pusher, item.household)
    case = Case.objects.filter(household=household).first()
    if case is None:
        raise DomainValidationError({"household": [_("This household has no case to log services on.")]})
    service = Service.objects.filter(code=item.service).order_by("-catalogue").first()
    if service is None:
        raise DomainValidationError({"service": [_("There is no service with this code.")]})
    person = None
    if item.person is not None:
        person = Person.objects.filter(id=item.person).first()
        if person is None:
            raise DomainValidationError({"person": [_("The person does not live in this household.")]})
    delivery_record(
        actor=pusher.user,
        case=case,
        service=service,
        person=person,
        worker=pusher.user,
        delivered_on=item.delivered_on,
        place=item.place,
        duration_minutes=item.duration_minutes,
        note=item.note,
        ref=item.ref,
    )
    return household.id


def _push_referral_status(pusher: Pusher, raw: Any) -> uuid.UUID | None:
    item = parse_item(ReferralStatusItem, raw)
    referral = (
        Referral.objects.select_related("case")
        .filter(id=item.referral, locality__in=editable_localities(pusher.user))
        .first()
    )
    if referral is None:
        household_id = (
            Referral.objects.filter(id=item.referral).values_list("case__household_id", flat=True).first()
        )
        if household_id is not None and (
            transfer := moved_away(pusher.user, [household_id]).get(household_id)
        ):
            raise _MovedAway(transfer, "referral")
        raise DomainValidationError(
            {"household.locality": [_("This referral is not in one of the localities you work in.")]}
        )
    if item.on is not None and item.on > timezone.localdate():
        raise DomainValidationError({"on": [_("The date cannot be in the future.")]})
    actor = pusher.user
    match item.status:
        case "sent":
            transitions.referral_send(actor=actor, referral=referral, sent_on=item.on)
        case "accepted":
            transitions.referral_accept(actor=actor, referral=referral, note=item.note)
        case "completed":
            transitions.referral_complete(
                actor=actor, referral=referral, outcome=item.note, closed_on=item.on
            )
        case "rejected":
            transitions.referral_reject(actor=actor, referral=referral, outcome=item.note, closed_on=item.on)
        case "no_answer":
            transitions.referral_no_answer(actor=actor, referral=referral, note=item.note)
    return referral.case.household_id
