"""The second-factor pages: set up an authenticator, type a code after the password, see recovery codes once.

Views parse and render; the rules are in mps.security.mfa and the lockout in mps.security.lockout.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from mps.accounts.models import User
from mps.core.errors import DomainValidationError
from mps.core.form_errors import add_problems_to_form
from mps.security import mfa
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


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then confirm with a code from the phone."""
    user = _user(request)
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
        {"form": form, "enrolment": enrolment, "has_authenticator": mfa.has_authenticator(user)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the second factor after the password: a code from the app or one recovery code."""
    user = _user(request)
    if not mfa.has_authenticator(user):
        return redirect("security:setup")
    form = CodeForm(request.POST or None)
    status = 200
    if is_locked_out(request, user):
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
    return render(request, "security/verify.html", {"form": form, "next": _next(request)}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show the recovery codes just made (once), or make new ones on request."""
    user = _user(request)
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
        },
    )
