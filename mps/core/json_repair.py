"""Repairing JSON columns that a bulk write stored as JSON strings holding the intended JSON text.

Until the fix in `core.bulk.insert_rows`, its binary COPY on PostgreSQL handed the already serialized text to
psycopg's json dumpers, which serialized it again: an audit event's changes were stored as the string
``"{\\"address\\": …}"`` instead of the object. A migration of each app that owns such a column turns those
strings back into the value they spell. Only strings are touched, and none of these columns ever holds a
string on purpose (documents and changes are objects, errors are objects or lists).
"""

from typing import Any

from django.db import migrations


def unwrap_json_strings(table: str, column: str, kind: str) -> migrations.RunPython:
    """Return the operation that repairs ``table.column`` (``kind`` ``json`` or ``jsonb``) on PostgreSQL."""
    typeof = {"json": "json_typeof", "jsonb": "jsonb_typeof"}[kind]

    def repair(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return  # the other databases were written through the ORM, which encodes once
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"UPDATE {quote(table)} SET {quote(column)} = ({quote(column)} #>> '{{}}')::{kind} "  # noqa: S608 # nosec B608 - the migration's own names, quoted; kind is json or jsonb (KeyError above)
            f"WHERE {typeof}({quote(column)}) = 'string'"
        )

    return migrations.RunPython(repair, migrations.RunPython.noop, elidable=True)
