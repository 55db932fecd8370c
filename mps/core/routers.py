"""Reads that may go to a read replica: the dashboards', and only when a deployment has one.

Policy. With `DATABASE_REPLICA_URL` set, the settings add a `replica` database alias and this router. A view
(or command) that only reads figures opts in with `replica_reads` (the monitoring pages do); inside it every
ORM read, and the raw SQL that asks `read_connection`, goes to the replica, unless a transaction is open on the
primary (its reads must see its own writes). Every write goes to the primary, and migrations run there only
(a replica is a physical copy of it). Everything else, a worker's day above all, reads from the primary, so
that a page shows what was just saved. See decision 0010.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("mps_replica_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    """Whether this deployment reads from a replica (MPS_READ_REPLICA, on when DATABASE_REPLICA_URL is set)."""
    return bool(getattr(settings, "MPS_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the reads inside the block to the replica, when there is one."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """Decorate a view whose reads may come from the replica (figures a minute old are fine)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def read_connection(model: type) -> BaseDatabaseWrapper:
    """Return the connection raw SQL that reads ``model``'s table should use."""
    return connections[router.db_for_read(model)]


class ReplicaRouter:
    """Route reads inside `replica_reads` to the replica; everything else to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if (
            _replica_reads.get()
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the same rows as the primary: objects read from either may point at each other.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
