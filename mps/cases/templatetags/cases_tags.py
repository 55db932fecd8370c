"""Small template filters of the case pages."""

from collections.abc import Mapping
from typing import Any

from django import template

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
