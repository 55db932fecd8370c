"""The platform's old English paths, kept as permanent redirects to their Romanian names.

Every URL is Romanian, as its users read them; bookmarks, printed referral letters and links in e-mails made
before the rename still carry `/households/…` and `/accounts/…`. Each old pattern is listed here beside the
name of the page that replaced it, so the redirect keeps the identifiers in the path and the query string.
A GET answers 301; any other method answers 308, which keeps the method and the body, so that a form posted
from a page loaded before the rename (logging out, saving a household) is not turned into a GET and lost.
"""

from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.urls import URLPattern, path
from django.views.generic import RedirectView


class PermanentlyMoved(RedirectView):
    """Answer a permanent redirect to the named page, keeping the path's values and the query string."""

    permanent = True
    query_string = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        url = self.get_redirect_url(*args, **kwargs)
        response = HttpResponsePermanentRedirect(url or "/")
        response.status_code = 308
        return response


def moved(old: str, new_name: str) -> URLPattern:
    """Send the old English path `old` to the page now named `new_name`."""
    return path(old, PermanentlyMoved.as_view(pattern_name=new_name))


LEGACY_PATTERNS = [
    moved("accounts/login/", "login"),
    moved("accounts/logout/", "logout"),
    moved("accounts/password/", "password_change"),
    moved("accounts/password/done/", "password_change_done"),
    moved("households/", "registry:household_list"),
    moved("households/new/", "registry:household_create"),
    moved("households/duplicates/", "registry:duplicates"),
    moved("households/<uuid:ref>/", "registry:household_detail"),
    moved("households/<uuid:ref>/edit/", "registry:household_edit"),
    moved("households/<uuid:ref>/members/new/", "registry:member_add"),
    moved("households/<uuid:ref>/members/<uuid:person_ref>/edit/", "registry:member_edit"),
    moved("households/<uuid:ref>/members/<uuid:person_ref>/end/", "registry:member_end"),
    moved("teren/logout/", "sync:logout"),
]
