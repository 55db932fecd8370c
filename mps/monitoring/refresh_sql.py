"""The SQL helpers of the refresh: quoted names, IN clauses, and the tables a run computes into.

A run computes into tables that live only in its transaction. On PostgreSQL the big ones (``shared=True``: the
assessments a rebuild counts, millions of rows) are unlogged tables rather than temporary ones, because only
tables in shared buffers can be read by the workers of a parallel query: the joins over the national findings
and members then run on every core. They are created and dropped inside the run's transaction, so no other
session ever sees them; the refresh's lock on its mark makes runs one at a time, so their names never collide.
"""

# ruff: noqa: S608 - the SQL below is composed from table names and code constants only; every value is a parameter.
# Each statement is marked for bandit too (`# nosec B608`): the names are quoted by the database's own
# `quote_name` or are the refresh's constants; anything from a request or from data is a query parameter.

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

# The locality figures a run computes (or their differences), before they are compared with the stored ones.
NEW_FIGURES = "monitoring_new_figures"


def q(name: str) -> str:
    """Return a name quoted for the database."""
    return connection.ops.quote_name(name)


def table(model: type) -> str:
    """Return a model's table name, quoted."""
    return q(model._meta.db_table)  # type: ignore[attr-defined]


def in_clause(column: str, values: Sequence[Any] | None) -> tuple[str, list[Any]]:
    """Return an ``AND column IN (…)`` clause and its parameters; no clause for None (everything)."""
    if values is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(values))})", list(values)


def in_pairs(
    locality_column: str, wave_column: str, pairs: Iterable[tuple[int, int]] | None
) -> tuple[str, list[Any]]:
    """Return an ``AND`` clause keeping the rows of these (locality, wave) pairs; no clause for None (all).

    One branch per wave, each a list of localities: every table filtered here has an index starting with
    (locality, wave), which each branch uses.
    """
    if pairs is None:
        return "", []
    by_wave: dict[int, list[int]] = defaultdict(list)
    for siruta, wave in sorted(pairs):
        by_wave[wave].append(siruta)
    branches, params = [], []
    for wave, localities in sorted(by_wave.items()):
        branches.append(
            f"({wave_column} = %s AND {locality_column} IN ({', '.join(['%s'] * len(localities))}))"
        )
        params += [wave, *localities]
    return f" AND ({' OR '.join(branches)})", params


def materialize(
    name: str, select: str, params: Sequence[Any] = (), *, analyze: bool = False, shared: bool = False
) -> None:
    """Store a SELECT in a table of the run, so that the statements after it read it instead of recomputing it.

    ``analyze``: for a table later joined, whose size and keys the planner should know (a table only summed
    needs no statistics, and gathering them costs a pass over it). ``shared``: a table later joined with the
    national tables, which a parallel query must be able to read (see the module's docstring).
    """
    kind = "UNLOGGED" if shared and connection.vendor == "postgresql" else "TEMPORARY"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE {kind} TABLE {name} AS {select}", list(params))
        if analyze and connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {name}")


def drop(*names: str) -> None:
    """Drop tables of the run."""
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def insert_figures(select: str, params: list[Any]) -> None:
    """Store locality figures (or their differences) from a SELECT of (locality_id, wave_number, indicator, value)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {NEW_FIGURES} (locality_id, wave_number, indicator, value) "
            f"SELECT x.locality_id, x.wave_number, x.indicator, x.value FROM ({select}) x WHERE x.value <> 0",  # nosec B608 - quoted names and constants only
            params,
        )


def insert_unpivoted(source: str, columns: Sequence[tuple[str, str]]) -> None:
    """Insert figures from the named columns of a table keyed by (locality_id, wave_number)."""
    insert_figures(
        " UNION ALL ".join(
            f"SELECT locality_id, wave_number, {indicator} AS indicator, {column} AS value FROM {source}"  # nosec B608 - quoted names and constants only
            for indicator, column in columns
        ),
        [],
    )
