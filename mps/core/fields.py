"""Model fields shared by the domain apps."""

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class DocumentField(models.JSONField):
    """A JSON document kept whole, exactly as it was received, and never queried inside.

    On PostgreSQL the column is ``json`` (the text, checked but not decomposed) rather than ``jsonb``: storing
    jsonb parses and rebuilds every document, which made the assessment row the slowest of an import's
    25 rows. Whatever is counted or filtered lives in typed columns beside the document, never inside it.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        # psycopg decodes json columns itself (Django only turns its own jsonb decoding off).
        if not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)
