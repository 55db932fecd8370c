"""Deny by default: every page needs a signed-in user unless it is explicitly public."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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


class ChosenLanguageMiddleware:
    """Speak Romanian unless the user chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many tablets in Romania are set
    to English; the platform's users asked for Romanian by default and English on request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
