"""Deny by default: every page needs a signed-in user unless it is explicitly public."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import translation

PUBLIC_PREFIXES = (
    "/cont/autentificare/",
    "/accounts/login/",
    "/i18n/",
    "/static/",
    "/favicon.ico",
    "/healthz",
    "/health/",
)


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


class SlidingSessionMiddleware:
    """Keep sessions alive while they are used, but write them at most once every few minutes.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) gives an exact idle timeout at the price
    of a database write and commit on every page, 10 to 16 ms each on a dashboard. Touching it once every five
    minutes keeps the idle timeout of SESSION_COOKIE_AGE within those five minutes for a fraction of the cost.
    """

    TOUCH_EVERY_SECONDS = 300

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get("_touched", 0)) >= self.TOUCH_EVERY_SECONDS:
                # A modified session is saved by SessionMiddleware with a new expiry and a refreshed cookie.
                session["_touched"] = now
        return response
