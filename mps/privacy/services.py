"""Every change of a data-subject request and what its answer does to the person: one function each, audited.

The transitions: received → in progress → answered or refused (received may be answered or refused at once).
An answer needs the requester's identity checked first (art. 12(6)). What an answer does depends on the
request: access provides the report (see `access_report.py`), rectification records the corrections made
through the registry's own `person_update`, restriction makes the record read-only, erasure follows the
legal-retention rule (`retention.py`): anonymises the person, or restricts them instead and says why.
"""

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.audit.models import AuditAction, AuditEvent
from mps.audit.services import audit_record
from mps.cases.models import FamilyAgreement, Referral, ServiceDelivery, Task
from mps.census.models import CensusEntry, CensusVisit
from mps.core.errors import DomainValidationError
from mps.core.limits import NOTE_MAX, SHORT_TEXT_MAX, too_long
from mps.privacy.models import DataSubjectRequest, RequestKind, RequestOutcome, RequestStatus
from mps.privacy.policy import can_handle_subject_requests
from mps.privacy.retention import erasure_obstacle
from mps.privacy.selectors import person_locality_id, person_record_ids
from mps.registry.models import Membership, Person

ANSWER_DAYS = 30  # "without undue delay and in any event within one month" (GDPR art. 12(3))
EXTENSION_MONTHS = 2
# What an anonymised record shows in place of the names, and what replaces free text about the person.
ERASED_FIRST_NAME = "Persoană"
ERASED_LAST_NAME = "anonimizată"
ERASED_TEXT = "[șters la cererea persoanei]"
ERASED_FIELDS = ("first_name", "last_name", "cnp", "birth_date", "death_date", "mother", "father")
OBJECT_TYPE = "data_subject_request"


def _require_handler(actor: User) -> None:
    if not can_handle_subject_requests(actor):
        raise PermissionDenied


def _audit(
    actor: User, request: DataSubjectRequest, action: AuditAction, changes: dict[str, list[Any]]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=request.id,
        locality_id=person_locality_id(request.person),
        changes=changes,
    )


def _stated_reason(reason: str, missing: str) -> str:
    """Return the reason, stripped, or raise naming the reason field: it is required and not overlong."""
    reason = reason.strip()
    problems = too_long({"reason": (reason, NOTE_MAX)})
    if not reason:
        problems["reason"] = [missing]
    if problems:
        raise DomainValidationError(problems)
    return reason


def _set_restricted(actor: User, person: Person, request: DataSubjectRequest, restricted: bool) -> None:
    """Restrict, or lift the restriction of, every record of the person, and audit it on the person."""
    Person.objects.filter(id__in=person_record_ids(person)).update(restricted=restricted)
    person.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.RESTRICT if restricted else AuditAction.LIFT,
        object_type="person",
        object_id=person.id,
        locality_id=person_locality_id(person),
        changes={"restricted": [not restricted, restricted], "request": [None, request.id]},
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later, or the last day of that month if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def subject_request_record(
    *,
    actor: User,
    person: Person,
    kind: str,
    received_on: dt.date,
    requester: str,
    details: str = "",
    identity_checked: bool = False,
) -> DataSubjectRequest:
    """Record a request received from a data subject, due a month after its receipt."""
    _require_handler(actor)
    requester, details = requester.strip(), details.strip()
    problems: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        problems["kind"] = [_("Choose what the person asks for.")]
    if received_on > timezone.localdate():
        problems["received_on"] = [_("The date the request was received cannot be in the future.")]
    if not requester:
        problems["requester"] = [_("Say who made the request: the person, a parent or a legal guardian.")]
    problems |= too_long({"requester": (requester, SHORT_TEXT_MAX), "details": (details, NOTE_MAX)})
    if person.erased_on is not None:
        problems["person"] = [_("This person's record was already anonymised.")]
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        request = DataSubjectRequest.objects.create(
            person=person,
            kind=kind,
            received_on=received_on,
            requester=requester,
            details=details,
            identity_checked=identity_checked,
            identity_checked_by=actor if identity_checked else None,
            due_on=received_on + dt.timedelta(days=ANSWER_DAYS),
            recorded_by=actor,
        )
        _audit(
            actor,
            request,
            AuditAction.CREATE,
            {
                "kind": [None, kind],
                "received_on": [None, received_on.isoformat()],
                "status": [None, request.status],
                "identity_checked": [None, identity_checked],
            },
        )
    return request


def _require_open(request: DataSubjectRequest) -> None:
    if not request.is_open:
        raise DomainValidationError(
            {"status": [_("This request was already answered or refused; it cannot change any more.")]}
        )


def _locked(request: DataSubjectRequest) -> DataSubjectRequest:
    """Return the request's row locked for this transaction, so two administrators cannot both decide it."""
    return DataSubjectRequest.objects.select_for_update().select_related("person").get(pk=request.pk)


def subject_request_start(*, actor: User, request: DataSubjectRequest) -> DataSubjectRequest:
    """Record that the administrator started working on a received request."""
    _require_handler(actor)
    with transaction.atomic():
        request = _locked(request)
        if request.status != RequestStatus.RECEIVED:
            raise DomainValidationError({"status": [_("Only a request just received can be started.")]})
        request.status = RequestStatus.IN_PROGRESS
        request.version += 1
        request.save()
        _audit(actor, request, AuditAction.UPDATE, {"status": [RequestStatus.RECEIVED, request.status]})
    return request


def subject_request_confirm_identity(*, actor: User, request: DataSubjectRequest) -> DataSubjectRequest:
    """Record that the actor checked the requester's identity (and, for a parent or guardian, their right)."""
    _require_handler(actor)
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if request.identity_checked:
            return request
        request.identity_checked = True
        request.identity_checked_by = actor
        request.version += 1
        request.save()
        _audit(actor, request, AuditAction.UPDATE, {"identity_checked": [False, True]})
    return request


def subject_request_extend(*, actor: User, request: DataSubjectRequest, reason: str) -> DataSubjectRequest:
    """Extend the answer's deadline by two months, once, with the reason the requester is told (art. 12(3))."""
    _require_handler(actor)
    reason = reason.strip()
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        problems: dict[str, list[str]] = {}
        if request.is_extended:
            problems["reason"] = [_("The deadline was already extended once; it cannot be extended again.")]
        elif not reason:
            problems["reason"] = [_("Give the reason for the extension; the requester is told it.")]
        problems |= too_long({"reason": (reason, NOTE_MAX)})
        if problems:
            raise DomainValidationError(problems)
        before = request.due_on
        request.due_on = add_months(before, EXTENSION_MONTHS)
        request.extension_reason = reason
        request.version += 1
        request.save()
        _audit(
            actor, request, AuditAction.UPDATE, {"due_on": [before.isoformat(), request.due_on.isoformat()]}
        )
    return request


def subject_request_refuse(*, actor: User, request: DataSubjectRequest, reason: str) -> DataSubjectRequest:
    """Refuse the request, with the reason the requester is told (art. 12(4))."""
    _require_handler(actor)
    reason = _stated_reason(reason, _("Give the reason for the refusal; the requester is told it."))
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        return _decide(actor, request, RequestStatus.REFUSED, RequestOutcome.REFUSED, note=reason)


def _decide(
    actor: User,
    request: DataSubjectRequest,
    status: RequestStatus,
    outcome: RequestOutcome,
    *,
    note: str = "",
    summary: str = "",
) -> DataSubjectRequest:
    before = request.status
    request.status = status
    request.outcome = outcome
    request.decided_by = actor
    request.decided_on = timezone.localdate()
    request.decision_note = note
    request.outcome_summary = summary
    request.version += 1
    request.save()
    _audit(actor, request, AuditAction.UPDATE, {"status": [before, status], "outcome": [None, outcome]})
    return request


def subject_request_answer(*, actor: User, request: DataSubjectRequest, note: str = "") -> DataSubjectRequest:
    """Answer the request as its kind asks: provide, record the corrections, restrict, erase or restrict."""
    _require_handler(actor)
    note = note.strip()
    problems = too_long({"note": (note, NOTE_MAX)})
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if not request.identity_checked:
            raise DomainValidationError(
                {"identity_checked": [_("Check the requester's identity before answering the request.")]}
            )
        person = request.person
        if request.kind == RequestKind.ACCESS:
            return _decide(
                actor,
                request,
                RequestStatus.ANSWERED,
                RequestOutcome.DATA_PROVIDED,
                note=note,
                summary=_("The data held about the person, and who saw them, were provided (PDF and JSON)."),
            )
        if request.kind == RequestKind.RECTIFICATION:
            return _answer_rectification(actor, request, note)
        if request.kind == RequestKind.RESTRICTION:
            person_restrict(actor=actor, person=person, request=request)
            return _decide(
                actor,
                request,
                RequestStatus.ANSWERED,
                RequestOutcome.RESTRICTED,
                note=note,
                summary=_("The processing of the person's data is restricted: their record is read-only."),
            )
        if request.kind == RequestKind.ERASURE:
            obstacle = erasure_obstacle(person, today=timezone.localdate())
            if obstacle is not None:
                person_restrict(actor=actor, person=person, request=request)
                return _decide(
                    actor,
                    request,
                    RequestStatus.ANSWERED,
                    RequestOutcome.RESTRICTED_INSTEAD,
                    note=note,
                    summary=_("The record was restricted instead of erased. %(reason)s")
                    % {"reason": obstacle.reason},
                )
            person_erase(actor=actor, person=person, request=request)
            return _decide(
                actor,
                request,
                RequestStatus.ANSWERED,
                RequestOutcome.ERASED,
                note=note,
                summary=_(
                    "The person's record was anonymised: names, CNP and free-text notes about them were "
                    "removed and the date of birth kept to the year. Assessments and figures keep their counts."
                ),
            )
        if not note:
            raise DomainValidationError({"note": [_("Write the answer given to the objection.")]})
        return _decide(actor, request, RequestStatus.ANSWERED, RequestOutcome.OBJECTION_ANSWERED, note=note)


def _answer_rectification(actor: User, request: DataSubjectRequest, note: str) -> DataSubjectRequest:
    """Record the corrections made to the person's record through the registry since the request came in."""
    since = timezone.make_aware(dt.datetime.combine(request.received_on, dt.time.min))
    events = AuditEvent.objects.filter(
        object_type="person",
        object_id__in=[str(pid) for pid in person_record_ids(request.person)],
        action=AuditAction.UPDATE,
        at__gte=since,
    ).select_related("actor")
    corrections = [
        {
            "at": event.at.isoformat(),
            "by": event.actor.username if event.actor else "",
            "fields": sorted(event.changes),
        }
        for event in events.order_by("at")
    ]
    if not corrections:
        raise DomainValidationError(
            {
                "note": [
                    _(
                        "No correction of the person's record was recorded since the request was received. "
                        "Ask the team to correct it on the household page, then answer the request."
                    )
                ]
            }
        )
    request.corrections = corrections
    fields = sorted({field for correction in corrections for field in correction["fields"]})
    return _decide(
        actor,
        request,
        RequestStatus.ANSWERED,
        RequestOutcome.RECTIFIED,
        note=note,
        summary=_("Corrected: %(fields)s.") % {"fields": ", ".join(_field_label(name) for name in fields)},
    )


def _field_label(name: str) -> str:
    try:
        field = Person._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def person_restrict(*, actor: User, person: Person, request: DataSubjectRequest) -> Person:
    """Restrict the processing of the person's data: their record is read-only until the restriction is lifted."""
    _require_handler(actor)
    with transaction.atomic():
        if person.restricted:
            return person
        _set_restricted(actor, person, request, restricted=True)
    return person


def person_restriction_lift(*, actor: User, request: DataSubjectRequest, reason: str) -> Person:
    """Lift the restriction of the person's processing, with the reason, recorded on the request and audited."""
    _require_handler(actor)
    reason = _stated_reason(
        reason, _("Give the reason the restriction is lifted; the person is told before.")
    )
    with transaction.atomic():
        request = _locked(request)
        person = request.person
        if not person.restricted:
            raise DomainValidationError(
                {"reason": [_("The processing of this person's data is not restricted.")]}
            )
        _set_restricted(actor, person, request, restricted=False)
        request.restriction_lifted_on = timezone.localdate()
        request.restriction_lift_reason = reason
        request.version += 1
        request.save()
        _audit(
            actor,
            request,
            AuditAction.UPDATE,
            {"restriction_lifted_on": [None, timezone.localdate().isoformat()]},
        )
    return person


def _scrubbed(text: str, names: Iterable[str]) -> str:
    """Return the text with each of the names, as whole words in any case, replaced by the erased mark."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", ERASED_TEXT, text, flags=re.IGNORECASE)
    return text


def person_erase(*, actor: User, person: Person, request: DataSubjectRequest) -> Person:
    """Anonymise the person in place, and the free text about them, keeping every row that figures count.

    Names become a placeholder, the CNP is cleared, the dates of birth and death keep their year, the links to
    parents are cut; the assessments' documents lose the same data; notes, reasons and titles written about
    the person are blanked, and their names are struck out of the household's free text. Answers, findings,
    deliveries and memberships stay, so that every count stays the same. The audit trail is kept as it is
    (insert-only); the erasure's own event names the fields, never their values.
    """
    _require_handler(actor)
    today = timezone.localdate()
    with transaction.atomic():
        person_ids = person_record_ids(person)
        people = list(Person.objects.select_for_update().filter(id__in=person_ids))
        names: set[str] = set()
        for record in people:
            names |= {
                f"{record.first_name} {record.last_name}",
                f"{record.last_name} {record.first_name}",
                record.first_name,
                record.cnp or "",
            }
        households = list(
            Membership.objects.filter(person_id__in=person_ids).values_list("household_id", flat=True)
        )
        _erase_documents(households, {str(pid) for pid in person_ids})
        _erase_free_text(person_ids, households, names)
        for record in people:
            record.first_name, record.last_name = ERASED_FIRST_NAME, ERASED_LAST_NAME
            record.cnp = None
            record.birth_date = record.birth_date.replace(month=1, day=1)
            if record.death_date is not None:
                record.death_date = record.death_date.replace(month=1, day=1)
            record.mother = record.father = None
            record.restricted = False
            record.erased_on = today
            record.refresh_search_keys()
            record.version += 1
            record.save()
        person.refresh_from_db()
        audit_record(
            actor=actor,
            action=AuditAction.ERASE,
            object_type="person",
            object_id=person.id,
            locality_id=person_locality_id(person),
            changes={"erased": [None, list(ERASED_FIELDS)], "request": [None, request.id]},
        )
    return person


def _erase_documents(households: list[Any], refs: set[str]) -> None:
    """Remove the person's names, CNP and full birth date from the stored assessment documents."""
    for assessment in Assessment.objects.filter(household_id__in=households).only("id", "document"):
        document = assessment.document
        if not isinstance(document, dict):
            continue
        changed = False
        for member in document.get("members", []):
            if not isinstance(member, dict) or str(member.get("ref")) not in refs:
                continue
            member["first_name"], member["last_name"] = ERASED_FIRST_NAME, ERASED_LAST_NAME
            member.pop("cnp", None)
            birth = str(member.get("birth_date") or "")
            if len(birth) >= 4:
                member["birth_date"] = f"{birth[:4]}-01-01"
            changed = True
        if changed:
            Assessment.objects.filter(id=assessment.id).update(document=document)


def _erase_free_text(person_ids: list[Any], households: list[Any], names: set[str]) -> None:
    """Blank the notes written about the person; strike their names out of the household's free text."""
    ServiceDelivery.objects.filter(person_id__in=person_ids).exclude(note="").update(note="")
    Referral.objects.filter(person_id__in=person_ids).update(reason=ERASED_TEXT)
    Referral.objects.filter(person_id__in=person_ids).exclude(outcome="").update(outcome=ERASED_TEXT)
    Task.objects.filter(person_id__in=person_ids).update(title=ERASED_TEXT)
    in_households = Q(case__household_id__in=households)
    free_text: list[tuple[Any, tuple[str, ...], Q]] = [
        (ServiceDelivery, ("note",), in_households),
        (Referral, ("reason", "outcome"), in_households),
        (Task, ("title",), in_households),
        (FamilyAgreement, ("signed_by", "family_commitments", "team_commitments"), in_households),
        (CensusVisit, ("note",), Q(entry__household_id__in=households)),
        (CensusEntry, ("register_head_name",), Q(household_id__in=households)),
    ]
    for model, fields, scope in free_text:
        for row in model._default_manager.filter(scope):
            changed = {field: _scrubbed(getattr(row, field), names) for field in fields}
            if any(changed[field] != getattr(row, field) for field in fields):
                model._default_manager.filter(pk=row.pk).update(**changed)
    for agreement in FamilyAgreement.objects.filter(in_households):
        snapshot = agreement.plan_snapshot if isinstance(agreement.plan_snapshot, list) else []
        scrubbed = [
            {**line, "person": _scrubbed(str(line.get("person", "")), names)}
            if isinstance(line, dict)
            else line
            for line in snapshot
        ]
        if scrubbed != snapshot:
            FamilyAgreement.objects.filter(pk=agreement.pk).update(plan_snapshot=scrubbed)
