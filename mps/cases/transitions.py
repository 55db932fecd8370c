"""The two state machines of case management: cases and referrals.

Policy. A status changes only through one function per transition below; each checks the transition against
its table, writes the new status, a history row (`CaseEvent` or `ReferralEvent`) and an audit event in one
transaction. A case goes open → active (a family agreement is signed) → monitoring (the plan is carried out, the
team watches) and back to active when needed; any open case can be closed with a reason, and a closed case is
reopened when a new assessment finds vulnerabilities again. A case is not closed while an urgent referral has
not been sent (a critical finding must never fall through), nor as "goals achieved" while a goal is open;
every other reason needs a note. A referral goes draft → sent → accepted → completed, or is rejected, or gets
no answer (and may be sent again); completed and rejected are final. Sending an urgent referral handles the
24-hour task that announced it.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.access.policy import may_edit_in
from mps.accounts.models import User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    CloseReason,
    GoalStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Task,
)
from mps.core.errors import DomainValidationError

CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.ACTIVE, CaseStatus.CLOSED}),
    CaseStatus.ACTIVE: frozenset({CaseStatus.MONITORING, CaseStatus.CLOSED}),
    CaseStatus.MONITORING: frozenset({CaseStatus.ACTIVE, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}

REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.DRAFT: frozenset({ReferralStatus.SENT}),
    ReferralStatus.SENT: frozenset(
        {ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.NO_ANSWER}
    ),
    ReferralStatus.NO_ANSWER: frozenset(
        {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.REJECTED}
    ),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.REJECTED}),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.REJECTED: frozenset(),
}


def _require_editor(actor: User | None, locality_id: int) -> None:
    if actor is not None and not may_edit_in(actor, locality_id):
        raise DomainValidationError({"case": [_("You may not change cases in this locality.")]})


# Cases -----------------------------------------------------------------------------------------------------


def _move_case(*, actor: User | None, case: Case, to: str, note: str = "", **fields: object) -> Case:
    _require_editor(actor, case.locality_id)
    if to not in CASE_TRANSITIONS[case.status]:
        raise DomainValidationError(
            {
                "status": [
                    _("A case cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": case.get_status_display(), "to": CaseStatus(to).label}
                ]
            }
        )
    with transaction.atomic():
        before = case.status
        case.status = to
        for name, value in fields.items():
            setattr(case, name, value)
        case.version += 1
        case.save()
        CaseEvent.objects.create(
            case=case, actor=actor, kind=CaseEventKind.STATUS, from_status=before, to_status=to, note=note
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="case",
            object_id=case.id,
            locality_id=case.locality_id,
            changes={"status": [before, to], **({"note": ["", note]} if note else {})},
        )
    return case


def case_activate(*, actor: User | None, case: Case, note: str = "") -> Case:
    """Start carrying out the plan agreed with the family."""
    return _move_case(actor=actor, case=case, to=CaseStatus.ACTIVE, note=note)


def case_monitor(*, actor: User | None, case: Case, note: str = "") -> Case:
    """Move a case whose plan is carried out to monitoring."""
    return _move_case(actor=actor, case=case, to=CaseStatus.MONITORING, note=note)


def case_resume(*, actor: User | None, case: Case, note: str = "") -> Case:
    """Bring a monitored case back to active work."""
    return _move_case(actor=actor, case=case, to=CaseStatus.ACTIVE, note=note)


def case_close(
    *, actor: User | None, case: Case, reason: str, note: str = "", closed_on: dt.date | None = None
) -> Case:
    """Close a case with a reason, if nothing urgent is left unhandled."""
    closed_on = closed_on or timezone.localdate()
    problems: dict[str, list[str]] = {}
    if reason not in CloseReason.values:
        problems["reason"] = [_("Choose why the case is closed.")]
    if case.referrals.filter(urgent=True, status=ReferralStatus.DRAFT).exists():
        problems.setdefault("reason", []).append(
            _("An urgent referral has not been sent yet; send it before closing the case.")
        )
    if reason == CloseReason.GOALS_ACHIEVED and case.goals.filter(status=GoalStatus.OPEN).exists():
        problems.setdefault("reason", []).append(
            _("Some goals of the plan are still open; the case cannot be closed as achieved.")
        )
    if reason != CloseReason.GOALS_ACHIEVED and not note.strip():
        problems["note"] = [_("Explain in a note why the case is closed.")]
    if closed_on < case.opened_on:
        problems["closed_on"] = [_("A case cannot be closed before it was opened.")]
    if problems:
        raise DomainValidationError(problems)
    return _move_case(
        actor=actor, case=case, to=CaseStatus.CLOSED, note=note, closed_on=closed_on, close_reason=reason
    )


def case_reopen(*, actor: User | None, case: Case, note: str = "") -> Case:
    """Reopen a closed case (a new assessment found vulnerabilities again)."""
    return _move_case(actor=actor, case=case, to=CaseStatus.OPEN, note=note, closed_on=None, close_reason="")


CASE_ACTIONS = {
    "activate": case_activate,
    "monitor": case_monitor,
    "resume": case_resume,
}


# Referrals -------------------------------------------------------------------------------------------------


def _move_referral(
    *, actor: User | None, referral: Referral, to: str, note: str = "", **fields: object
) -> Referral:
    _require_editor(actor, referral.locality_id)
    if to not in REFERRAL_TRANSITIONS[referral.status]:
        raise DomainValidationError(
            {
                "status": [
                    _("A referral cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": referral.get_status_display(), "to": ReferralStatus(to).label}
                ]
            }
        )
    with transaction.atomic():
        before = referral.status
        referral.status = to
        for name, value in fields.items():
            setattr(referral, name, value)
        referral.version += 1
        referral.save()
        ReferralEvent.objects.create(
            referral=referral, actor=actor, from_status=before, to_status=to, note=note
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="referral",
            object_id=referral.id,
            locality_id=referral.locality_id,
            changes={"status": [before, to], **({"note": ["", note]} if note else {})},
        )
    return referral


def referral_send(*, actor: User | None, referral: Referral, sent_on: dt.date | None = None) -> Referral:
    """Record that the referral was sent; an urgent referral's 24-hour task is then handled."""
    sent_on = sent_on or timezone.localdate()
    with transaction.atomic():
        _move_referral(actor=actor, referral=referral, to=ReferralStatus.SENT, sent_on=sent_on)
        Task.objects.filter(referral=referral, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor if actor is not None and actor.is_authenticated else None
        )
    return referral


def referral_accept(*, actor: User | None, referral: Referral, note: str = "") -> Referral:
    """Record that the institution took the referral on."""
    return _move_referral(actor=actor, referral=referral, to=ReferralStatus.ACCEPTED, note=note)


def referral_complete(
    *, actor: User | None, referral: Referral, outcome: str, closed_on: dt.date | None = None
) -> Referral:
    """Record that the institution delivered what was asked, with the outcome."""
    if not outcome.strip():
        raise DomainValidationError({"outcome": [_("Write the outcome of the referral.")]})
    return _move_referral(
        actor=actor,
        referral=referral,
        to=ReferralStatus.COMPLETED,
        note=outcome,
        outcome=outcome,
        closed_on=closed_on or timezone.localdate(),
    )


def referral_reject(
    *, actor: User | None, referral: Referral, outcome: str, closed_on: dt.date | None = None
) -> Referral:
    """Record that the institution refused the referral, and why."""
    if not outcome.strip():
        raise DomainValidationError({"outcome": [_("Write why the referral was rejected.")]})
    return _move_referral(
        actor=actor,
        referral=referral,
        to=ReferralStatus.REJECTED,
        note=outcome,
        outcome=outcome,
        closed_on=closed_on or timezone.localdate(),
    )


def referral_no_answer(*, actor: User | None, referral: Referral, note: str = "") -> Referral:
    """Record that the institution has not answered."""
    return _move_referral(actor=actor, referral=referral, to=ReferralStatus.NO_ANSWER, note=note)
