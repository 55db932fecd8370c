"""Small template filters of the case pages."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import get_language

from mps.cases.models import ReferralStatus

register = template.Library()

# The URL word of each referral transition, by the status it leads to.
_MOVE_SLUGS = {
    ReferralStatus.SENT: "send",
    ReferralStatus.ACCEPTED: "accept",
    ReferralStatus.COMPLETED: "complete",
    ReferralStatus.REJECTED: "reject",
    ReferralStatus.NO_ANSWER: "no_answer",
}


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """Return ``mapping[key]``, or an empty string when it is missing."""
    return (mapping or {}).get(key, "")


@register.filter
def move_slug(status: str) -> str:
    """Return the URL word of the transition that leads to a referral status."""
    return _MOVE_SLUGS.get(ReferralStatus(status), "")


@register.filter
def calendar_case(text: str) -> str:
    """Write day and month names as the language does: Romanian writes them in lower case, English does not."""
    return text.lower() if (get_language() or "ro").startswith("ro") else text
