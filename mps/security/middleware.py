"""Security middleware: the second factor before any page, and the headers every response carries."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from mps.accounts.models import User
from mps.security.mfa import has_second_factor, mfa_required_for

# What a password-only session may still reach: the second-factor pages, logging out, the language switch and
# what every page loads. The API authenticates by device token, issued only to a verified session.
_OPEN_PREFIXES = (
    "/cont/doi-factori/",
    "/cont/deconectare/",
    "/cont/autentificare/",
    "/admin/login/",
    "/admin/logout/",
    "/i18n/",
    "/static/",
    "/favicon.ico",
    "/healthz",
    "/health/",
    "/api/",
)


class SecondFactorRequiredMiddleware:
    """Send a signed-in user who still owes the second factor to set-up or verification, and nowhere else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and mfa_required_for(user)
            and not user.is_verified()  # type: ignore[attr-defined]  # set by django_otp's middleware
            and not request.path_info.startswith(_OPEN_PREFIXES)
        ):
            target = "security:verify" if has_second_factor(user) else "security:setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Tell the browser which device features pages may use: the position for the field forms, nothing else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}={allow}" for feature, allow in settings.MPS_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
