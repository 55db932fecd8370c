"""Deny by default: every page needs a signed-in user unless it is explicitly public."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

PUBLIC_PREFIXES = ("/accounts/login/", "/i18n/", "/static/", "/favicon.ico", "/healthz")


class LoginRequiredMiddleware:
    """Send anonymous visitors to the login page for every path that is not public."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        public = path.startswith(PUBLIC_PREFIXES) or path.startswith("/admin/") or path.startswith("/api/")
        if not public and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
