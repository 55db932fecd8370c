"""Lockout after repeated failed logins, on top of django-axes.

Policy. Five failures lock the username and, separately, the address they came from, for 30 minutes, also for
the right password; an administrator can unlock earlier (the user's admin page, action "Unlock"). django-axes
counts failures per username and per IP address until 30 minutes pass without one, so every run of five
failures within 15 minutes locks, and so do slower runs an attacker would use to stay under a fixed window.
The same count covers the three doors to a person's records: the login page, the field app's password
confirmation before it receives a device token, and API bearer tokens (failed tokens count against the IP
address, since a token names no user).
"""

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mps.accounts.models import User
from mps.audit.models import AuditAction
from mps.audit.services import audit_record

LOCKED_STATUS = 429


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed attempts: access is locked for %(minutes)d minutes, also with the right password. "
        "An administrator can unlock it sooner."
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """What a locked-out login answers: the login page again (or JSON for the field app), status 429."""
    message = lockout_message()
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=LOCKED_STATUS)
    if request.path_info.startswith("/teren/") or request.content_type == "application/json":
        return JsonResponse({"errors": {"password": [message]}}, status=LOCKED_STATUS)
    # An unbound form: validating the posted one would authenticate again and count one more failure.
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")[:150]})
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=LOCKED_STATUS)


def password_confirmed(request: HttpRequest, user: User, password: str) -> bool:
    """Check a signed-in user's password again (before a device token), counting failures like a login."""
    return authenticate(request, username=user.username, password=password) is not None


def is_locked_out(request: HttpRequest, user: User | None = None) -> bool:
    """True when the last authentication attempt locked the request out, or its user or address is locked."""
    if getattr(request, "axes_locked_out", False):
        return True
    return not _allowed(request, user.username if user else None)


def bearer_token_locked(request: HttpRequest) -> bool:
    """True when the address has sent too many wrong bearer tokens (or wrong passwords) lately."""
    return not _allowed(request, _bearer_name(request))


def bearer_token_failed(request: HttpRequest) -> None:
    """Count a wrong API bearer token against the address it came from."""
    _count_failure(request, _bearer_name(request))


def second_factor_failed(request: HttpRequest, user: User) -> None:
    """Count a wrong second-factor code like a wrong password: a stolen password cannot try codes forever."""
    _count_failure(request, user.username)


def _bearer_name(request: HttpRequest) -> str:
    # A token names no user: its failures are counted under a name made of the address, so that one
    # tablet's wrong tokens never add up with another's (axes sums the attempts of one username).
    AxesProxyHandler.update_request(request)
    return f"bearer-token@{request.axes_ip_address}"  # type: ignore[attr-defined]


def _allowed(request: HttpRequest, username: str | None) -> bool:
    AxesProxyHandler.update_request(request)
    return bool(AxesProxyHandler.is_allowed(request, {"username": username}))


def _count_failure(request: HttpRequest, username: str) -> None:
    AxesProxyHandler.update_request(request)
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    # The caller answers for itself (the API's documented 429, the verification page with its message), not
    # with the login page that AxesMiddleware would put in its place.
    request.axes_locked_out = False  # type: ignore[attr-defined]


def record_lockout(
    request: HttpRequest, username: str | None, ip_address: str | None, **_kwargs: Any
) -> None:
    """Leave an audit event for a lockout: for the account when the username is known, else for the address."""
    user = User.objects.filter(username=username).first() if username else None
    audit_record(
        actor=None,
        action=AuditAction.LOCKOUT,
        object_type="user" if user else "ip_address",
        object_id=str(user.pk) if user else (ip_address or "?"),
        changes={"username": [None, username or ""], "ip_address": [None, ip_address or ""]},
    )
