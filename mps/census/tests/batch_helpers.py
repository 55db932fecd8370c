"""Helpers for the tests of bulk services: compare two runs from the same rows, count the statements a batch takes."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")


def rolled_back(process: Callable[[], T]) -> T:
    """Run ``process`` in a savepoint, return what it returns, then undo it."""
    savepoint = transaction.savepoint()
    try:
        return process()
    finally:
        transaction.savepoint_rollback(savepoint)


def statements(queries: Sequence[dict[str, str]]) -> list[str]:
    """Return the statements run, an insert that SQLite splits (999 parameters at most) counted once."""
    result: list[str] = []
    for query in queries:
        sql = query["sql"]
        head = sql[: sql.find("VALUES")] if sql.startswith("INSERT") else sql
        if not (sql.startswith("INSERT") and result and result[-1] == head):
            result.append(head)
    return result
