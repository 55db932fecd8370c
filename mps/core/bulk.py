"""Inserting many new rows fast: plain dictionaries instead of model instances, COPY on PostgreSQL.

Building a Django model instance costs about as much as writing its row, and a batched write path makes tens of
rows per record (an assessment writes about 25). `NewRows` builds each row as a dictionary of column values with
the model's defaults filled in, and `insert_rows` writes them with one COPY per table on PostgreSQL (several
times faster than INSERT) or `bulk_create` elsewhere. The caller has checked keys, references and uniqueness
before; the database still checks every constraint, so nothing is skipped but the ORM's per-object work.
"""

import datetime as dt
import gc
import json
import operator
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, models, router
from django.utils import timezone
from psycopg.types.json import Json


class JsonText(str):
    """A JSON value already serialized (for example the document exactly as a device sent it).

    PostgreSQL takes the text as it is; other databases get the parsed value, as a JSONField expects.
    """

    __slots__ = ()


class NewRows:
    """The new rows of one model: ``add(**values)`` with attribute names (``household_id``, not ``household``)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.rows: list[dict[str, Any]] = []
        self._static, self._generated = _defaults(model)

    def add(self, **values: Any) -> dict[str, Any]:
        """Add a row; columns not given take the model's default. Return the row (still changeable)."""
        row = self.build(**values)
        self.rows.append(row)
        return row

    def build(self, **values: Any) -> dict[str, Any]:
        """Return a row with the model's defaults for the columns not given, without adding it."""
        row = dict(self._static)
        row.update(values)
        for name, make in self._generated:
            if name not in values:
                row[name] = make()
        return row

    def __len__(self) -> int:
        return len(self.rows)


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows built by `NewRows` for ``model``: COPY on PostgreSQL, ``bulk_create`` elsewhere."""
    rows = list(rows)
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    columns = _columns(model)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**_for_orm(row, columns, now)) for row in rows])
        return
    names = ", ".join(connection.ops.quote_name(name) for name in columns.names)
    values = operator.itemgetter(*columns.attnames)
    json_positions = [columns.attnames.index(name) for name in columns.json]
    # Binary: the server takes uuids, dates, timestamps and numbers as they are instead of parsing text, which
    # is about a fifth of what a COPY of these tables costs it. The COPY goes through psycopg's own cursor, so
    # its errors are turned into Django's here: callers catch IntegrityError and DatabaseError to fall back.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN (FORMAT BINARY)"
        ) as copy,
    ):
        copy.set_types(columns.types(connection))
        for row in rows:
            for name in columns.timestamps:
                if row.get(name) is None:
                    row[name] = now
            record = values(row)
            if not isinstance(record, tuple):
                record = (record,)
            if json_positions:
                record = list(record)
                for index in json_positions:
                    record[index] = copy_json(record[index])
            copy.write_row(record)


def copy_json(value: Any) -> Json:
    """Return a value for a json or jsonb column of a binary COPY: serialized once, a `JsonText` as it is.

    psycopg's json dumpers serialize whatever they are given, so text that is JSON already must say so, or it is
    stored as a JSON string holding the text.
    """
    text = value if isinstance(value, JsonText) else json.dumps(value, ensure_ascii=False)
    return Json(text, dumps=_verbatim)


def _verbatim(text: str) -> str:
    return text


class _Columns:
    """The columns a row fills, in table order, and which of them need preparing before COPY."""

    def __init__(self, model: type[models.Model]) -> None:
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
        ]
        self.attnames = [field.attname for field in self.fields]
        self.names = [field.column or field.attname for field in self.fields]
        self.timestamps = [
            field.attname
            for field in self.fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ]
        self.json = [field.attname for field in self.fields if isinstance(field, models.JSONField)]
        self._types: list[str] | None = None

    def types(self, connection: Any) -> list[str]:
        """The PostgreSQL type of each column, as a binary COPY needs them (``varchar(300)`` -> ``varchar``)."""
        if self._types is None:
            self._types = [str(field.db_type(connection)).split("(")[0] for field in self.fields]
        return self._types


_COLUMNS: dict[type[models.Model], _Columns] = {}
_DEFAULTS: dict[type[models.Model], tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]]]] = {}


def _columns(model: type[models.Model]) -> _Columns:
    if model not in _COLUMNS:
        _COLUMNS[model] = _Columns(model)
    return _COLUMNS[model]


def _defaults(model: type[models.Model]) -> tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]]]:
    """Split the model's defaults into fixed values and ones made per row (uuid4, dict …)."""
    if model not in _DEFAULTS:
        static: dict[str, Any] = {}
        generated: list[tuple[str, Callable[[], Any]]] = []
        columns = _columns(model)
        for column in columns.fields:
            if column.attname in columns.timestamps:
                static[column.attname] = None  # filled with the write's instant, as the ORM does
            elif column.has_default() and callable(column.default):
                generated.append((column.attname, column.default))
            else:
                static[column.attname] = column.get_default()
        _DEFAULTS[model] = (static, generated)
    return _DEFAULTS[model]


def _for_orm(row: dict[str, Any], columns: _Columns, now: dt.datetime) -> dict[str, Any]:
    values = dict(row)
    for name in columns.json:
        if isinstance(values.get(name), JsonText):
            values[name] = json.loads(values[name])
    for name in columns.timestamps:
        if values.get(name) is None:
            values[name] = now
    return values


# A bulk path allocates tens of dictionaries per record and keeps thousands alive at once; Python's default
# collector then runs a young-generation pass every 700 allocations and ever longer full passes over everything
# the batch holds. Cycles are rare in these rows (reference counting frees them), so a bulk path collects far
# less often: this took a quarter of the import's main-process time away.
BULK_COLLECTION_THRESHOLD = 50_000
_collections_lock = threading.Lock()
_collections_depth = 0
_collections_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_garbage_collections() -> Iterator[None]:
    """Run the block with the garbage collector's young generation collected only every 50,000 allocations.

    The thresholds are the process's: nested or concurrent blocks share one change, undone by the last to leave.
    """
    global _collections_depth, _collections_saved
    with _collections_lock:
        if _collections_depth == 0:
            _collections_saved = gc.get_threshold()
            gc.set_threshold(BULK_COLLECTION_THRESHOLD, *_collections_saved[1:])
        _collections_depth += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_depth -= 1
            if _collections_depth == 0 and _collections_saved is not None:
                gc.set_threshold(*_collections_saved)
                _collections_saved = None
