"""Writing audit events. Services call these inside their own transaction, so a change and its trail
are saved together or not at all."""

from collections.abc import Iterable, Mapping
from typing import Any

from mps.accounts.models import User
from mps.audit.models import AuditAction, AuditEvent


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    object_type: str,
    object_id: object,
    locality_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record that the actor read or changed one record."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        locality_id=locality_id,
        changes=dict(changes or {}),
    )


def audit_reads(
    *, actor: User, object_type: str, object_ids: Iterable[object], locality_id: int | None
) -> None:
    """Record that the actor read several records of one kind on one page."""
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                action=AuditAction.VIEW,
                object_type=object_type,
                object_id=str(oid),
                locality_id=locality_id,
            )
            for oid in object_ids
        ]
    )


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for every field whose value differs, as JSON-ready text."""
    return {
        field: [_as_json(before.get(field)), _as_json(value)]
        for field, value in after.items()
        if before.get(field) != value
    }


def _as_json(value: Any) -> Any:
    # An exact type check first: imports call this about fifty times per household.
    if type(value) in _JSON_TYPES or value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


_JSON_TYPES = frozenset({str, int, bool, float})
