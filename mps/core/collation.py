"""Romanian alphabetical order, the same on PostgreSQL and SQLite, in queries and in Python.

Romanian sorts ă after a, â after ă, î after i, ș after s and ț after t: "Pădurii", "Pâncești", "Petrești".
Byte order (SQLite's default and PostgreSQL's "C") puts every diacritic after z, and the glibc locale of the
server is whatever the host has. PostgreSQL ships ICU's Romanian collation as "ro-RO-x-icu", so queries sort
with `romanian("name")`; on SQLite the same name is registered on each new connection with
`romanian_compare`, a hand-written multi-level comparison in the manner of ICU (letters first, then accents,
then case), which is what makes "ORDER BY ... COLLATE" work on both. A test compares the two orders on
PostgreSQL. ICU itself (PyICU) would need a compiler and the ICU headers on every machine, for one alphabet.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.expressions import Combinable
from django.db.models.functions import Collate

ROMANIAN = "ro-RO-x-icu"

_ALPHABET = "aăâbcdefghiîjklmnopqrsștțuvwxyz"
# The Romanian letters that decomposition would otherwise reduce to a and an accent; cedilla forms (ş ţ, used
# by older keyboards) are the same letters as the comma-below ones.
_LETTERS = (
    {letter: index for index, letter in enumerate(_ALPHABET)}
    | {"ş": _ALPHABET.index("ș")}
    | {"ţ": _ALPHABET.index("ț")}
)
# ICU's root order of white space and punctuation, which sort before digits and letters.
_PUNCTUATION = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_PUNCTUATION_BASE = 1
_DIGIT_BASE = 100
_LETTER_BASE = 200
_OTHER_BASE = 1000


@functools.lru_cache(maxsize=4096)
def _character_weights(character: str) -> tuple[int, int, int] | None:
    """Return (letter, accent, case) weights of one character, or None for one to ignore (a lone accent)."""
    lower = character.lower()
    case = 0 if character == lower else 1
    if lower in _LETTERS:
        return _LETTER_BASE + _LETTERS[lower], 0, case
    if lower in _PUNCTUATION:
        return _PUNCTUATION_BASE + _PUNCTUATION.index(lower), 0, case
    if lower.isdigit():
        return _DIGIT_BASE + int(unicodedata.digit(lower, 0)), 0, case
    decomposed = unicodedata.normalize("NFD", lower)
    base, accents = decomposed[0], decomposed[1:]
    if unicodedata.combining(base):
        return None
    if base in _LETTERS:
        # é, ö, ü (Hungarian and German names): the letter, then its accent at the second level.
        return _LETTER_BASE + _LETTERS[base], sum(ord(accent) for accent in accents) or 1, case
    if base.isspace():
        return _PUNCTUATION_BASE, 0, case
    return _OTHER_BASE + ord(base), sum(ord(accent) for accent in accents), case


@functools.lru_cache(maxsize=65_536)
def romanian_key(text: str | None) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Return the sort key of a text in Romanian order: compare letters, then accents, then lower before upper."""
    weights = [w for w in map(_character_weights, unicodedata.normalize("NFC", text or "")) if w is not None]
    return (
        tuple(w[0] for w in weights),
        tuple(w[1] for w in weights),
        tuple(w[2] for w in weights),
    )


def romanian_compare(left: str | None, right: str | None) -> int:
    """Compare two texts in Romanian order, as SQLite's collation callback expects (-1, 0 or 1)."""
    a, b = romanian_key(left), romanian_key(right)
    return (a > b) - (a < b)


def romanian(field: str | Combinable) -> Collate:
    """Return the field in Romanian order, for ``order_by`` (``romanian("name").desc()`` for Z to A)."""
    return Collate(F(field) if isinstance(field, str) else field, ROMANIAN)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Teach each new SQLite connection the Romanian collation PostgreSQL has built in."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(ROMANIAN, romanian_compare)


connection_created.connect(register_sqlite_collation, dispatch_uid="mps.core.collation.sqlite")
