"""Pages of the field app and of conflict review: parse the request, call one service or selector, render.

The field app's page needs a signed-in user when it is fetched over the network; offline, its service worker
answers with the copy it cached, and the app unlocks its encrypted store with the worker's password.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

import ninja
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import JSONCatalog

from mps.access.policy import can_edit_cases, can_read_cases
from mps.accounts.models import User
from mps.core.errors import DomainValidationError
from mps.security.lockout import LOCKED_STATUS, is_locked_out, lockout_message, password_confirmed
from mps.sync.selectors import conflict_get_for_user, conflict_list_for_user
from mps.sync.services import conflict_resolve
from mps.sync.tokens import device_token_issue

FIELD_STATIC = "sync/field"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# The files the service worker keeps for offline use, besides the page and the translations.
SHELL_FILES = ("app.js", "store.js", "form.js", "field.css", "icon.svg")
# The question-applicability evaluator and the reference generator are the assessment app's, shared with the
# web form.
SHARED_SHELL_FILES = ("assessment/refs.js", "assessment/conditions.js")
LANGUAGES = ("ro", "en")
DOCS_ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js", "favicon.png"}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@cache
def shell_version() -> str:
    """Return a digest of the app's files: a new release makes the service worker fetch them again."""
    digest = hashlib.sha256()
    for name in (*(f"{FIELD_STATIC}/{name}" for name in (*SHELL_FILES, "sw.js")), *SHARED_SHELL_FILES):
        path = finders.find(name)
        if path:
            digest.update(Path(str(path)).read_bytes())
    # New translations are a new release too: the cached catalogs must be fetched again.
    for language in LANGUAGES:
        catalog = LOCALE_DIR / language / "LC_MESSAGES" / "djangojs.mo"
        if catalog.exists():
            digest.update(catalog.read_bytes())
    return digest.hexdigest()[:12]


def _shell_urls() -> list[str]:
    return [
        reverse("sync:field_app"),
        reverse("sync:manifest"),
        *(reverse("sync:i18n", args=[language]) for language in LANGUAGES),
        *(static(f"{FIELD_STATIC}/{name}") for name in SHELL_FILES),
        *(static(name) for name in SHARED_SHELL_FILES),
        static("web/app.css"),
    ]


@require_GET
@ensure_csrf_cookie
def field_app(request: HttpRequest) -> HttpResponse:
    """Show the field app, which then runs from the tablet's own storage."""
    user = _user(request)
    if not can_edit_cases(user):
        raise Http404
    config = {
        "username": user.username,
        "version": shell_version(),
        "urls": {
            "app": reverse("sync:field_app"),
            "sw": reverse("sync:service_worker"),
            "token": reverse("sync:token"),
            "logout": reverse("sync:logout"),
            "pull": reverse("api-v1:pull"),
            "push": reverse("api-v1:push"),
            "revoke": reverse("api-v1:revoke_own"),
            "i18n": reverse("sync:i18n", args=["LANG"]),
            "conflicts": reverse("sync:conflict_list"),
            "home": reverse("home"),
            "setLanguage": reverse("set_language"),
        },
    }
    response = render(request, "sync/field_app.html", {"config": config})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Serve the service worker from the app's path, so that its scope covers the app."""
    path = finders.find(f"{FIELD_STATIC}/sw.js")
    if not path:
        raise Http404
    script = Path(str(path)).read_text(encoding="utf-8")
    preamble = (
        f"const SHELL_VERSION = {json.dumps(shell_version())};\n"
        f"const SHELL_URLS = {json.dumps(_shell_urls())};\n"
        f"const APP_URL = {json.dumps(reverse('sync:field_app'))};\n"
    )
    response = HttpResponse(preamble + script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("sync:field_app")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """Describe the field app to the browser, so that it can be installed on the tablet's home screen."""
    app = reverse("sync:field_app")
    return JsonResponse(
        {
            "name": _("MPS field app"),
            "short_name": _("MPS field"),
            "description": _("Census visits, assessments and services, with or without a network."),
            "start_url": app,
            "scope": app,
            "display": "standalone",
            "orientation": "any",
            "background_color": "#ffffff",
            "theme_color": "#1f4e79",
            "lang": translation.get_language() or "ro",
            "icons": [
                {"src": static(f"{FIELD_STATIC}/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        json_dumps_params={"ensure_ascii": False},
        content_type="application/manifest+json",
    )


_catalog_view = JSONCatalog.as_view(packages=["mps.sync"], domain="djangojs")


@require_GET
def i18n_catalog(request: HttpRequest, language: str) -> HttpResponseBase:
    """Return the field app's strings in one language, through gettext like every other string."""
    if language not in LANGUAGES:
        raise Http404
    with translation.override(language):
        return _catalog_view(request)


@require_POST
@never_cache
def token_issue(request: HttpRequest) -> JsonResponse:
    """Give this browser a device token after the worker confirms their password (session and CSRF needed)."""
    user = _user(request)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    password = str(data.get("password", ""))[:200]
    # Through authentication rather than check_password, so that failures count towards the lockout.
    if not password_confirmed(request, user, password):
        if is_locked_out(request, user):
            return JsonResponse({"errors": {"password": [lockout_message()]}}, status=LOCKED_STATUS)
        return JsonResponse({"errors": {"password": [_("The password is not right.")]}}, status=422)
    try:
        issued = device_token_issue(
            actor=user,
            user=user,
            device_name=str(data.get("device_name", ""))[:120] or _("Field app"),
            device_id=str(data.get("device_id", ""))[:64],
        )
    except DomainValidationError as error:
        return JsonResponse(
            {"errors": {key: [str(m) for m in msgs] for key, msgs in error.problems.items()}}, status=422
        )
    return JsonResponse(
        {"token": issued.token, "username": user.username, "device": issued.device.device_name}
    )


@require_POST
def field_logout(request: HttpRequest) -> HttpResponse:
    """Sign out and tell the browser to erase what the field app kept on this device."""
    logout(request)
    response = redirect("login")
    # The app wipes its store itself before coming here; this also covers a tab that is not open.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@require_GET
def conflict_list(request: HttpRequest) -> HttpResponse:
    """List the conflicts between offline edits for the case manager to review."""
    user = _user(request)
    if not can_read_cases(user):
        raise Http404
    show_all = request.GET.get("all") == "1"
    conflicts = list(conflict_list_for_user(user, open_only=not show_all)[:200])
    return render(
        request,
        "sync/conflict_list.html",
        {"conflicts": conflicts, "show_all": show_all, "can_resolve": can_edit_cases(user)},
    )


@require_POST
def conflict_resolve_view(request: HttpRequest, conflict_id: str) -> HttpResponse:
    """Mark a conflict as reviewed, with the case manager's note."""
    user = _user(request)
    conflict = conflict_get_for_user(user, conflict_id)
    try:
        conflict_resolve(actor=user, conflict=conflict, note=request.POST.get("note", ""))
    except DomainValidationError as error:
        for line in error.lines():
            messages.error(request, line)
    else:
        messages.success(request, _("The conflict was marked as reviewed."))
    return redirect("sync:conflict_list")


@require_GET
def api_docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """Serve the interactive docs' scripts from the installed package: no CDN is reachable in the field."""
    if name not in DOCS_ASSETS:
        raise Http404
    path = Path(ninja.__file__).parent / "static" / "ninja" / name
    content_type = (
        "text/javascript" if name.endswith(".js") else "text/css" if name.endswith(".css") else None
    )
    return FileResponse(path.open("rb"), content_type=content_type)
