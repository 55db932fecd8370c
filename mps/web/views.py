"""The pages that belong to no domain: home and the health checks."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mps.access.policy import can_read_cases, scope_localities
from mps.accounts.models import ScopeKind, User
from mps.registry.selectors import household_list_for_user
from mps.web.health import health_report

HOME_LOCALITIES_SHOWN = 12


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the user who they are, what they may see, and where to start."""
    user = request.user
    assert isinstance(user, User)
    localities = scope_localities(user).select_related("county")
    total = localities.count()
    if user.scope == ScopeKind.NATIONAL:
        scope_description = _("Scope: the whole country.")
    elif user.scope == ScopeKind.COUNTY and user.county:
        scope_description = _("Scope: %(county)s county.") % {"county": user.county.name}
    else:
        scope_description = _("Scope: the localities listed here.")
    readable = can_read_cases(user)
    return render(
        request,
        "web/home.html",
        {
            "scope_description": scope_description,
            "localities": localities[:HOME_LOCALITIES_SHOWN],
            "more_localities": max(0, total - HOME_LOCALITIES_SHOWN),
            "can_read_cases": readable,
            "household_count": household_list_for_user(user).count() if readable else 0,
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Answer a liveness probe without touching the database: the process answers requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Answer a load balancer's readiness probe: the database, the worker's heartbeat, the last refresh."""
    report = health_report()
    response = JsonResponse(report.as_json())
    response.status_code = report.status_code(require_worker=request.GET.get("require") == "worker")
    return response


class LogoutAndWipeView(LogoutView):
    """Log out and tell the browser to drop its caches and storage.

    A tablet is shared in the office: whatever the offline field app kept (encrypted, but still children's
    data) is wiped when the worker logs out from any page, not only from the field app.
    """

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
