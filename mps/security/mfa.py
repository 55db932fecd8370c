"""The second factor: an authenticator app (TOTP, RFC 6238) or a passkey, with single-use recovery codes.

Policy. With MPS_REQUIRE_MFA on, every role that sees person data (all but the national monitor, who sees
aggregates only) must confirm a code after the password before reaching any page; a session verified once
stays verified until logout. Enrolment creates an unconfirmed device; it counts only after the user typed a
code from it, so a half-finished enrolment never locks anyone out. Recovery codes are shown once, at enrolment
or when regenerated; each works once. An administrator who resets a lost phone deletes the user's devices in
the admin, and the user enrols again at the next login. Passkeys (WebAuthn) are the other kind of device
(mps.security.passkeys); either kind counts as the second factor.

A session that has not passed the second factor may set up a factor, or make recovery codes, only while the
user has none: otherwise a stolen password would be enough to add the thief's own authenticator.
"""

import base64
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from mps.accounts.models import Role, User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.core.errors import DomainValidationError

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def mfa_required_for(user: User) -> bool:
    """True when this user must pass a second factor (the setting is on and the role sees person data)."""
    return bool(settings.MPS_REQUIRE_MFA) and user.is_authenticated and user.role != Role.NATIONAL_MONITOR


def has_authenticator(user: User) -> bool:
    """True when the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user: User) -> bool:
    """True when the user has a confirmed authenticator app or a passkey (recovery codes alone do not count)."""
    return has_authenticator(user) or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def factors_need_verification(user: User) -> bool:
    """True when changing this user's factors needs a session that passed the second factor first."""
    return mfa_required_for(user) and has_second_factor(user)


@dataclass(frozen=True)
class Enrolment:
    """An authenticator being set up: the device, the QR code to scan and the key to type by hand."""

    device: TOTPDevice
    qr_svg: str
    key_base32: str


def enrolment_start(user: User) -> Enrolment:
    """Return the user's pending authenticator (created on first call), with what the phone needs to add it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    # The issuer and account appear in the phone's list; the key is what the phone computes codes from.
    qr = segno.make(device.config_url, error="m")
    return Enrolment(
        device=device,
        qr_svg=qr.svg_inline(scale=4, title=_("QR code for the authenticator app")),
        key_base32=_base32(device.bin_key),
    )


@dataclass(frozen=True)
class ConfirmedEnrolment:
    """The authenticator now in use, and the recovery codes made with it (shown once)."""

    device: TOTPDevice
    recovery_codes: list[str]


def enrolment_confirm(*, user: User, token: str) -> ConfirmedEnrolment:
    """Confirm the pending authenticator with a code from it; it replaces any earlier one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR_NAME).first()
    if device is None:
        raise DomainValidationError({"token": [_("Start the set-up again: no authenticator is waiting.")]})
    if not device.verify_token(_digits(token)):
        raise DomainValidationError(
            {"token": [_("The code is not right. Check the phone's clock and try again.")]}
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
        audit_second_factor(
            user,
            AuditAction.CREATE,
            {"authenticator": [None, device.name], "recovery_codes": [None, len(codes)]},
        )
    return ConfirmedEnrolment(device=device, recovery_codes=codes)


def recovery_codes_regenerate(user: User) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); return the new ones, shown once."""
    with transaction.atomic():
        codes = new_recovery_codes(user)
        audit_second_factor(user, AuditAction.UPDATE, {"recovery_codes": [None, len(codes)]})
    return codes


def second_factor_verify(user: User, token: str) -> Device | None:
    """Return the device that accepts the code (authenticator first, then a recovery code), or None."""
    token = token.strip()
    # The devices are locked while checked (django-otp's select_for_update), so that one recovery code or one
    # time step cannot be used twice by two requests at once; that needs a transaction on PostgreSQL.
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            candidate = _digits(token) if isinstance(device, TOTPDevice) else token.lower()
            if candidate and device.verify_token(candidate):
                if isinstance(device, StaticDevice):
                    audit_second_factor(
                        user, AuditAction.UPDATE, {"recovery_codes_left": [None, device.token_set.count()]}
                    )
                return device
    return None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def audit_second_factor(user: User, action: AuditAction, changes: dict[str, list[object]]) -> None:
    """Record a change to the user's second factor (the audit entry names the user, never a secret)."""
    audit_record(actor=user, action=action, object_type="second_factor", object_id=user.pk, changes=changes)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones, unaudited (the caller records why); return them."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _digits(token: str) -> str:
    # Phones show "123 456"; people type what they see.
    return "".join(ch for ch in token if ch.isdigit())


def _base32(key: bytes) -> str:
    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
