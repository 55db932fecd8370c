"""The main menu: what each user may open, in the order they use it."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mps.access.policy import can_edit_cases, can_read_cases
from mps.accounts.models import User
from mps.audit.policy import can_read_audit_trail
from mps.moves.selectors import pending_incoming_count
from mps.privacy.policy import can_handle_subject_requests


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url: str
    active: bool
    # How many things wait for this user there (shown as a badge); None for no badge.
    badge: int | None = None


# (url name, label, who sees it). Entries whose URL is not installed are skipped, so an app can be added
# without touching this list's readers.
_ENTRIES = [
    ("registry:household_list", _("Households"), can_read_cases),
    ("cases:my_day", _("My day"), can_edit_cases),
    ("cases:case_list", _("Cases"), can_read_cases),
    ("census:campaign_list", _("Social census"), can_read_cases),
    ("moves:transfer_list", _("Transfers"), can_read_cases),
    ("registry:duplicates", _("Possible duplicates"), can_edit_cases),
    ("sync:field_app", _("Field app"), can_edit_cases),
    ("sync:conflict_list", _("Conflicts to review"), can_edit_cases),
    ("monitoring:dashboard", _("Monitoring"), lambda user: True),
    ("planning:index", _("Scale-up planning"), lambda user: True),
    ("admin:index", _("Administration"), lambda user: user.is_staff),
    ("audit:person_trail", _("Audit trail"), can_read_audit_trail),
    ("privacy:request_list", _("Data-subject requests"), can_handle_subject_requests),
]


# Badges: what waits for the user's decision (the coordinator's incoming transfers; nothing for the others).
_BADGES = {"moves:transfer_list": pending_incoming_count}


def main_menu(request: HttpRequest) -> dict[str, object]:
    """Add the signed-in user's menu to every page's context, and whether they may see names at all."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return {"main_menu": [], "sees_names": False}
    entries = []
    for name, label, allowed in _ENTRIES:
        if not allowed(user):
            continue
        try:
            entries.append((label, reverse(name), name))
        except NoReverseMatch:
            continue
    # "My day" lives under the cases' URL: the entry with the longest matching URL is the one page shown.
    matching = [url for _label, url, _name in entries if request.path.startswith(url)]
    current = max(matching, key=len, default=None)
    items = []
    for label, url, name in entries:
        badge = _BADGES[name](user) if name in _BADGES else None
        items.append(MenuItem(label=label, url=url, active=url == current, badge=badge or None))
    return {
        "main_menu": items,
        # Pages of named households say so to the roles that see aggregates only, not show an empty table.
        "sees_names": can_read_cases(user),
    }
