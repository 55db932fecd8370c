"""Device tokens: issue one (shown once), find the device a bearer token belongs to, revoke one.

Policy. Only users who may record cases get a token (the field app writes). A token is 32 random bytes in
URL-safe base64; the database keeps its SHA-256 digest. Every request looks the digest up again, with no cache,
so that a revoked token, a deactivated user or a user who lost the right to record cases is refused at the very
next request.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.access.policy import can_edit_cases
from mps.accounts.models import User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.core.errors import DomainValidationError
from mps.sync.models import DeviceToken

# Writing last_used on every request would turn every pull into a write; once a minute says enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: the row, and the token itself, which is never shown again."""

    device: DeviceToken
    token: str


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def device_token_issue(
    *, actor: User | None, user: User, device_name: str, device_id: str = ""
) -> IssuedToken:
    """Issue a new device token for a user who may record cases; return it with the token shown once."""
    problems: dict[str, list[str]] = {}
    if not can_edit_cases(user):
        problems["user"] = [_("This user may not record visits, so no device token can be issued.")]
    device_name = device_name.strip() or _("Tablet")
    if len(device_name) > 120:
        problems["device_name"] = [_("The device name is too long.")]
    if len(device_id) > 64:
        problems["device_id"] = [_("The device id is too long.")]
    if problems:
        raise DomainValidationError(problems)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = DeviceToken.objects.create(
            user=user,
            device_name=device_name,
            device_id=device_id,
            token_hash=token_digest(token),
            prefix=token[:8],
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="device_token",
            object_id=device.pk,
            changes={"user": [None, user.username], "device": [None, device_name]},
        )
    return IssuedToken(device=device, token=token)


def device_token_revoke(*, actor: User | None, device: DeviceToken) -> DeviceToken:
    """Revoke a device token; the next request that carries it is refused."""
    if device.revoked_at is not None:
        return device
    with transaction.atomic():
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.END,
            object_type="device_token",
            object_id=device.pk,
            changes={"revoked_at": [None, device.revoked_at.isoformat()]},
        )
    return device


def device_for_token(token: str) -> DeviceToken | None:
    """Return the active device a bearer token belongs to, or None for an unknown, revoked or powerless one."""
    if not token or len(token) > 200:
        return None
    device = (
        DeviceToken.objects.select_related("user")
        .filter(token_hash=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if device is None or not can_edit_cases(device.user):
        return None
    now = timezone.now()
    if device.last_used_at is None or now - device.last_used_at > LAST_USED_RESOLUTION:
        DeviceToken.objects.filter(pk=device.pk).update(last_used_at=now)
        device.last_used_at = now
    return device
