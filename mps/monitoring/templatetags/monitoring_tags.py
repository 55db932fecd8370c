"""Template filters of the monitoring pages."""

from django import template

from mps.accounts.models import User

from ..areas import Area, may_open

register = template.Library()


@register.filter
def opens_for(area: Area, user: User) -> bool:
    """Tell whether the user may open this area's pages, so that a breadcrumb links only where they may go."""
    return isinstance(user, User) and may_open(user, area)
