"""Passkeys (WebAuthn) as the second factor, through django-otp-webauthn.

Policy. A passkey confirms a login after the password, like a code from the authenticator app; it never
replaces the password (the library's passwordless login is off and its own URLs are not mounted: ours, in
mps.security.urls, wrap its views). A registered passkey is a confirmed django-otp device, so the second-factor
middleware counts it as it counts the app. The first factor a user sets up, whichever kind, comes with the
recovery codes. Registration, use and removal are audited; a failed verification counts towards the lockout
like a wrong code. The relying party id (the domain a passkey belongs to) is MPS_WEBAUTHN_RP_ID, read from the
environment in production; empty, in development and tests, it is the host the request came to.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from mps.accounts.models import User
from mps.audit.models import AuditAction
from mps.security.mfa import audit_second_factor, has_authenticator, new_recovery_codes

PASSKEY_NAME = "passkey"


def relying_party_id(request: HttpRequest) -> str:
    """The domain passkeys are bound to: the setting, else the request's host without its port."""
    return str(settings.MPS_WEBAUTHN_RP_ID) or request.get_host().rsplit(":", 1)[0]


def relying_party_name(request: HttpRequest) -> str:
    """The name the browser shows when it asks to create a passkey."""
    return str(settings.MPS_WEBAUTHN_RP_NAME)


class PasskeyHelper(WebAuthnHelper):
    """The library's WebAuthn helper, with the origins following the relying party as above."""

    def get_allowed_origins(self) -> list[str]:
        configured = list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        if configured:
            return configured
        # No relying party configured (development, tests): the page's own origin, which Django's
        # ALLOWED_HOSTS has already vetted.
        return [f"{self.request.scheme}://{self.request.get_host()}"]


def passkeys_of(user: User) -> QuerySet[WebAuthnCredential]:
    """The user's passkeys, the most recently used first."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by(
        "-last_used_at", "-created_at"
    )


def passkey_get_for_user(user: User, passkey_id: int) -> WebAuthnCredential:
    """Return one of the user's own passkeys; another's, or a missing one, is 404 alike."""
    passkey = passkeys_of(user).filter(pk=passkey_id).first()
    if passkey is None:
        raise Http404
    return passkey


def passkey_registered(*, user: User, passkey: WebAuthnCredential) -> list[str] | None:
    """Record a passkey just registered; at the user's first second factor, return new recovery codes too.

    Called inside the transaction that saved the passkey, so a failure here leaves no passkey behind.
    """
    first = not (has_authenticator(user) or passkeys_of(user).exclude(pk=passkey.pk).exists())
    passkey.name = PASSKEY_NAME
    passkey.save(update_fields=["name"])
    codes = new_recovery_codes(user) if first else None
    changes: dict[str, list[object]] = {"passkey": [None, passkey.pk]}
    if codes is not None:
        changes["recovery_codes"] = [None, len(codes)]
    audit_second_factor(user, AuditAction.CREATE, changes)
    return codes


def passkey_used(*, user: User, passkey: WebAuthnCredential) -> None:
    """Record that a passkey confirmed a login."""
    audit_second_factor(user, AuditAction.UPDATE, {"passkey_used": [None, passkey.pk]})


def passkey_remove(*, user: User, passkey: WebAuthnCredential) -> None:
    """Remove one of the user's passkeys; the browser or phone may keep it, but it no longer opens anything."""
    with transaction.atomic():
        passkey_id = passkey.pk
        passkey.delete()
        audit_second_factor(user, AuditAction.END, {"passkey": [passkey_id, None]})
