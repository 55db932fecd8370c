"""The second-factor pages: set up an authenticator or a passkey, confirm a login, see recovery codes once.

Views parse and render; the rules are in mps.security.mfa and mps.security.passkeys, the lockout in
mps.security.lockout. The passkey endpoints are django-otp-webauthn's views, answering JSON to
static/security/passkeys.js, with our lockout, audit and wording around them.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.utils import rewrite_exceptions

from mps.accounts.models import User
from mps.core.errors import DomainValidationError
from mps.core.form_errors import add_problems_to_form
from mps.security import mfa, passkeys
from mps.security.lockout import LOCKED_STATUS, is_locked_out, lockout_message, second_factor_failed

SHOWN_CODES_KEY = "mps_recovery_codes_to_show"


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 12}
        ),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "/"


def _must_verify_first(request: HttpRequest) -> bool:
    # A password-only session may set up a factor only while the user has none (mps.security.mfa).
    user = _user(request)
    return mfa.factors_need_verification(user) and not user.is_verified()  # type: ignore[attr-defined]


def _to_verification(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('security:verify')}?{urlencode({'next': request.path})}")


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then confirm with a code from the phone."""
    user = _user(request)
    if _must_verify_first(request):
        return _to_verification(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = mfa.enrolment_confirm(user=user, token=form.cleaned_data["token"])
        except DomainValidationError as error:
            add_problems_to_form(form, error)
        else:
            otp_login(request, confirmed.device)
            request.session[SHOWN_CODES_KEY] = confirmed.recovery_codes
            messages.success(request, _("The authenticator app is set up."))
            return redirect("security:recovery_codes")
    enrolment = mfa.enrolment_start(user)
    return render(
        request,
        "security/setup.html",
        {
            "form": form,
            "enrolment": enrolment,
            "has_authenticator": mfa.has_authenticator(user),
            "passkey_count": passkeys.passkeys_of(user).count(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the second factor after the password: a code from the app or one recovery code."""
    user = _user(request)
    if not mfa.has_second_factor(user):
        return redirect("security:setup")
    form = CodeForm(request.POST or None)
    status = 200
    if is_locked_out(request, user):
        # Bound (to nothing) so that the form can carry the message, also when the page is only opened.
        form = CodeForm(data={})
        form.errors.clear()
        form.add_error(None, lockout_message())
        status = LOCKED_STATUS
    elif request.method == "POST" and form.is_valid():
        device = mfa.second_factor_verify(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        second_factor_failed(request, user)
        if is_locked_out(request, user):
            form.add_error(None, lockout_message())
            status = LOCKED_STATUS
        else:
            form.add_error("token", _("The code is not right."))
    context = {
        "form": form,
        "next": _next(request),
        "has_authenticator": mfa.has_authenticator(user),
        "has_passkey": passkeys.passkeys_of(user).exists(),
    }
    return render(request, "security/verify.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show the recovery codes just made (once), or make new ones on request."""
    user = _user(request)
    if _must_verify_first(request):
        return _to_verification(request)
    if request.method == "POST":
        request.session[SHOWN_CODES_KEY] = mfa.recovery_codes_regenerate(user)
        return redirect("security:recovery_codes")
    codes = request.session.pop(SHOWN_CODES_KEY, None)
    return render(
        request,
        "security/recovery_codes.html",
        {
            "codes": codes,
            "left": mfa.recovery_codes_left(user),
            "has_authenticator": mfa.has_authenticator(user),
            "passkey_count": passkeys.passkeys_of(user).count(),
        },
    )


@never_cache
@require_http_methods(["GET"])
def passkey_list(request: HttpRequest) -> HttpResponse:
    """The user's passkeys, with a button to add one on this device and one to remove each."""
    user = _user(request)
    if _must_verify_first(request):
        return _to_verification(request)
    return render(request, "security/passkeys.html", {"passkeys": passkeys.passkeys_of(user)})


@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """Remove one of the user's own passkeys (another's is 404)."""
    user = _user(request)
    if _must_verify_first(request):
        return _to_verification(request)
    passkeys.passkey_remove(user=user, passkey=passkeys.passkey_get_for_user(user, passkey_id))
    messages.success(request, _("The passkey is removed. It no longer opens this account."))
    return redirect("security:passkeys")


class SecondFactorLocked(webauthn_errors.OTPWebAuthnApiError):
    status_code = LOCKED_STATUS
    default_code = "locked_out"


class _PasskeyAnswers:
    """The library's JSON errors, in our words: its own messages are technical and not in Romanian."""

    failure_message = gettext_lazy("The passkey could not be used. Try again, or type a code.")

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, SecondFactorLocked):
            detail = lockout_message()
        elif isinstance(exc, webauthn_errors.NotVerified):
            detail = _("First confirm it is you with your second factor, then add the passkey.")
        elif isinstance(exc, webauthn_errors.OTPWebAuthnApiError):
            detail = str(self.failure_message)
        else:
            raise exc
        return JsonResponse({"detail": detail, "code": exc.code}, status=exc.status_code)

    def user_is_mfa_enrolled(self, user: User) -> bool:
        # The library asks a verified session before a new passkey whenever a factor exists; we ask it
        # where the second factor is required at all (as for the authenticator app).
        return mfa.factors_need_verification(user)


class PasskeyRegistrationBegin(_PasskeyAnswers, webauthn_views.BeginCredentialRegistrationView):
    """The options the browser needs to create a passkey for the signed-in user."""

    failure_message = gettext_lazy("The passkey could not be added. Try again.")


class PasskeyRegistrationComplete(_PasskeyAnswers, webauthn_views.CompleteCredentialRegistrationView):
    """Check and keep the new passkey; at the first factor, send the user to the recovery codes."""

    failure_message = gettext_lazy("The passkey could not be added. Try again.")

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request = self.request
        user = _user(request)
        state = self.get_state()
        with rewrite_exceptions(logger=webauthn_views._get_pywebauthn_logger()), transaction.atomic():
            passkey = self.get_helper().register_complete(user=user, state=state, data=request.data)
            codes = passkeys.passkey_registered(user=user, passkey=passkey)
        if not request.user.is_verified():
            otp_login(request, passkey)
        messages.success(request, _("The passkey is added."))
        if codes is None:
            return JsonResponse({"id": passkey.pk, "redirect_url": reverse("security:passkeys")})
        request.session[SHOWN_CODES_KEY] = codes
        return JsonResponse({"id": passkey.pk, "redirect_url": reverse("security:recovery_codes")})


class PasskeyVerificationBegin(_PasskeyAnswers, webauthn_views.BeginCredentialAuthenticationView):
    """The challenge for confirming a login with one of the signed-in user's passkeys."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_locked_out(self.request, _user(self.request)):
            raise SecondFactorLocked()
        return super().post(*args, **kwargs)


class PasskeyVerificationComplete(_PasskeyAnswers, webauthn_views.CompleteCredentialAuthenticationView):
    """Check the passkey's answer as the second factor; a failure counts towards the lockout like a wrong code."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request = self.request
        user = _user(request)
        if is_locked_out(request, user):
            raise SecondFactorLocked()
        try:
            # The challenge leaves the session before anything else, so that it is never answered twice.
            state = self.get_state()
            with rewrite_exceptions(logger=webauthn_views._get_pywebauthn_logger()), transaction.atomic():
                passkey = self.get_helper().authenticate_complete(user=user, state=state, data=request.data)
                self.check_device_usable(passkey)
                passkeys.passkey_used(user=user, passkey=passkey)
        except webauthn_errors.OTPWebAuthnApiError:
            second_factor_failed(request, user)
            if is_locked_out(request, user):
                raise SecondFactorLocked() from None
            raise
        otp_login(request, passkey)
        return JsonResponse(self.get_success_data(passkey))
