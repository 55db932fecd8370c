"""A lookup for long lists of keys: ``field__any=[…]``.

On PostgreSQL ``field = ANY(%s)`` with the list as one array parameter, instead of ``IN (%s, %s, …)`` with one
placeholder per value: batched services look up hundreds or thousands of keys at a time, and a statement with
thousands of placeholders costs more to build, send and parse than to run. Elsewhere it is the ``in`` lookup.
"""

import uuid
from typing import Any

from django.db.models import Field, ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


def _any_sql(lookup: In, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
    lhs, lhs_params = lookup.process_lhs(compiler, connection)
    field = lookup.lhs.output_field
    values = [
        field.get_db_prep_value(value, connection, prepared=True) for value in lookup.rhs if value is not None
    ]
    if values and all(type(value) is uuid.UUID for value in values):
        # Spelled as one array literal: the driver would quote each of thousands of UUIDs in Python.
        return f"{lhs} = ANY(%s::uuid[])", [*lhs_params, "{" + ",".join(map(str, values)) + "}"]
    return f"{lhs} = ANY(%s)", [*lhs_params, values]


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return _any_sql(self, compiler, connection)


@ForeignObject.register_lookup
class RelatedAnyOf(RelatedIn):
    lookup_name = "any"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        targets = getattr(self.lhs.output_field, "foreign_related_fields", ())
        if len(targets) != 1:  # a key of several columns: IN over tuples, as Django writes it
            sql, params = super().as_sql(compiler, connection)
            return sql, list(params)
        return _any_sql(self, compiler, connection)
