"""The household page's history as people read it: field labels, names instead of ids, dates, yes and no.

Policy. Audit events keep changes as the services recorded them (`{"first_name": [old, new]}`, foreign keys as
ids, the case manager as a username, dates as ISO text), which is right for the trail and unreadable on a page.
`readable_changes` turns each change into the field's translated label and both values as the registry pages show
them: a village, locality or person by name, a user by full name, a choice by its label, a date in the
language's format. Every name is looked up in one query per kind of record, whatever the number of events.

The trail is insert-only, so it still holds the values a person had before an erasure request anonymised their
record (mps.privacy); on the page those personal values of an anonymised person are shown as "erased".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mps.accounts.models import User
from mps.audit.models import AuditEvent
from mps.registry.models import Household, Membership, Person

EMPTY = "—"
# The fields an erasure anonymises, whose old values the trail still holds.
ERASED_FIELDS = frozenset({"first_name", "last_name", "cnp", "birth_date", "death_date"})
# The change key with which an accepted transfer marks the household and person rows it moved.
TRANSFER_KEY = "transfer"
_MODELS: dict[str, type[models.Model]] = {"household": Household, "person": Person, "membership": Membership}


@dataclass(frozen=True)
class ReadableChange:
    label: str
    before: str
    after: str


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    """The field a change names: on the event's own model first, then on the registry's others (a person's
    creation also records their membership: household, relation)."""
    candidates = [model] if model is not None else []
    candidates += [other for other in _MODELS.values() if other is not model]
    for candidate in candidates:
        try:
            field = candidate._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def _key(field: models.Field[Any, Any]) -> str:
    """How a foreign key's value is stored in the trail: a username for users, else the primary key."""
    return "username" if field.related_model is User else "pk"


def readable_changes(events: Sequence[AuditEvent]) -> dict[int, list[ReadableChange]]:
    """Return, per event id, its changes as labels and values people read."""
    wanted: dict[tuple[type[models.Model], str], set[str]] = defaultdict(set)
    for event in events:
        model = _MODELS.get(event.object_type)
        for name, values in _pairs(event):
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                wanted[(field.related_model, _key(field))].update(
                    str(v) for v in values if v not in (None, "")
                )
    names: dict[tuple[type[models.Model], str], dict[str, str]] = {}
    for (related, key), ids in wanted.items():
        rows = related._default_manager.filter(**{f"{key}__in": ids})
        names[(related, key)] = {str(getattr(row, key)): _name(row) for row in rows}
    erased = _erased_people(events)
    readable: dict[int, list[ReadableChange]] = {}
    for event in events:
        model = _MODELS.get(event.object_type)
        masked = event.object_type == "person" and event.object_id in erased
        lines = []
        for name, (before, after) in _pairs(event):
            field = _field(model, name)
            if field is None and name == TRANSFER_KEY:
                # The transfers' services name the accepted transfer by id: the page says a transfer did it.
                lines.append(
                    ReadableChange(
                        _("Transfer between localities"), EMPTY, pgettext("transfer status", "accepted")
                    )
                )
                continue
            label = (
                capfirst(str(field.verbose_name)) if field is not None else capfirst(name.replace("_", " "))
            )
            if masked and name in ERASED_FIELDS:
                lines.append(ReadableChange(label, _("(erased)"), _("(erased)")))
                continue
            lines.append(ReadableChange(label, _value(field, before, names), _value(field, after, names)))
        readable[event.pk] = lines
    return readable


def _erased_people(events: Sequence[AuditEvent]) -> set[str]:
    """Return the ids, as the trail writes them, of the anonymised people these events name."""
    ids = {event.object_id for event in events if event.object_type == "person"}
    if not ids:
        return set()
    return {
        str(pid)
        for pid in Person.objects.filter(id__in=ids, erased_on__isnull=False).values_list("id", flat=True)
    }


def _pairs(event: AuditEvent) -> Iterable[tuple[str, tuple[Any, Any]]]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    for name, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            yield name, (values[0], values[1])
        else:
            yield name, (None, values)


def _name(row: models.Model) -> str:
    if isinstance(row, User):
        return row.get_full_name() or row.username
    return str(row)


def _value(
    field: models.Field[Any, Any] | None,
    value: Any,
    names: dict[tuple[type[models.Model], str], dict[str, str]],
) -> str:
    if value is None or value == "":
        return EMPTY
    if field is None:
        return str(value)
    if field.is_relation and field.related_model is not None:
        return names.get((field.related_model, _key(field)), {}).get(str(value), _("(removed record)"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)
