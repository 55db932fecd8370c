"""Writes of the security app: an administrator unlocking an account."""

from axes.handlers.proxy import AxesProxyHandler
from django.db import transaction

from mps.accounts.models import User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record


def account_unlock(*, actor: User, user: User) -> int:
    """Lift a lockout of this username before its 30 minutes are over; return how many attempts were cleared."""
    with transaction.atomic():
        cleared = AxesProxyHandler.reset_attempts(username=user.username)
        audit_record(
            actor=actor,
            action=AuditAction.UNLOCK,
            object_type="user",
            object_id=user.pk,
            changes={"failed_attempts": [cleared, 0]},
        )
    return cleared
