"""How a user is named on a page: by full name, else by username; an event with no user was made by the system."""

from django import template
from django.utils.translation import gettext as _

from mps.accounts.models import User

register = template.Library()


@register.filter
def user_name(user: User | None) -> str:
    """Name the user who did something; the platform itself (demo, imports, automatic cases) is "automat"."""
    if user is None:
        return _("automatic")
    return user.get_full_name() or user.get_username()
