"""Reads of the audit trail: the events on a set of records, and the same events as people and files read them.

The trail knows records only by type and id. Which records concern one person (their own, their households'
while they lived there, the assessments of those visits) is decided by the apps that own them: see
`mps.privacy.selectors`, which calls `records_trail` with the list.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mps.audit.models import AuditEvent

# The record types a person's trail shows, by the name the services record them under.
RECORD_TYPES: dict[str, str | Promise] = {
    "person": _("person"),
    "household": _("household"),
    "assessment": _("assessment"),
    "data_subject_request": _("data-subject request"),
}


@dataclass(frozen=True)
class TrailRecord:
    """One record whose events belong to a trail, from `since` (included) to `until` (excluded) if given."""

    object_type: str
    object_id: str
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def records_trail(records: Iterable[TrailRecord]) -> QuerySet[AuditEvent]:
    """Return the events on these records, each within its period, newest first."""
    whole: dict[str, set[str]] = defaultdict(set)
    condition = Q()
    for record in records:
        if record.since is None and record.until is None:
            whole[record.object_type].add(record.object_id)
            continue
        period = Q(object_type=record.object_type, object_id=record.object_id)
        if record.since is not None:
            period &= Q(at__gte=record.since)
        if record.until is not None:
            period &= Q(at__lt=record.until)
        condition |= period
    for object_type, ids in sorted(whole.items()):
        condition |= Q(object_type=object_type, object_id__in=sorted(ids))
    if not condition:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(condition).select_related("actor", "locality").order_by("-at", "-id")


@dataclass(frozen=True)
class TrailEntry:
    """One event as the trail page and its download show it."""

    event: AuditEvent

    @property
    def actor_name(self) -> str:
        """The professional's full name and username, or "automatic" for imports and background work."""
        actor = self.event.actor
        return str(actor) if actor is not None else str(_("automatic"))

    @property
    def action_label(self) -> str:
        return str(self.event.get_action_display())

    @property
    def record_type_label(self) -> str:
        return str(RECORD_TYPES.get(self.event.object_type, self.event.object_type))

    @property
    def locality_name(self) -> str:
        locality = self.event.locality
        return locality.name if locality is not None else ""

    def as_json(self) -> dict[str, Any]:
        """Return the entry as the data-subject access download writes it: codes and the labels read."""
        event = self.event
        actor = event.actor
        return {
            "at": event.at.isoformat(),
            "actor": (
                None if actor is None else {"username": actor.username, "full_name": actor.get_full_name()}
            ),
            "actor_label": self.actor_name,
            "action": event.action,
            "action_label": self.action_label,
            "record_type": event.object_type,
            "record_type_label": self.record_type_label,
            "record_id": event.object_id,
            "locality": (
                None
                if event.locality_id is None
                else {"siruta": event.locality_id, "name": self.locality_name}
            ),
        }


def trail_entries(events: Iterable[AuditEvent]) -> list[TrailEntry]:
    """Return the events as entries of the trail page and download."""
    return [TrailEntry(event) for event in events]
