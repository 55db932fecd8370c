"""Text folded for search, so that "stefan" finds "Ștefan" and "TARGU" finds "Târgu"."""

import functools
import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold_for_search(*parts: str | None) -> str:
    """Join the parts, drop diacritics, lower-case and collapse white space."""
    # Folding is character by character, so folding each part and joining the non-empty ones is the same as
    # folding the joined text; names and villages repeat, so each part is folded once.
    return " ".join(folded for folded in map(_fold, parts) if folded)


@functools.lru_cache(maxsize=65_536)
def _fold(part: str | None) -> str:
    if not part:
        return ""
    return _SPACES.sub(" ", unidecode(part).lower()).strip()


# Words that mark the parts of a Romanian address rather than name them: "Str. Principală nr. 112" and
# "Principala 112" are the same address, so neither the stored text nor the query keeps them.
_ADDRESS_MARKERS = frozenset(
    {
        "str",
        "strada",
        "nr",
        "numar",
        "numarul",
        "bl",
        "bloc",
        "blocul",
        "sc",
        "scara",
        "et",
        "etaj",
        "etajul",
        "ap",
        "apt",
        "apartament",
        "apartamentul",
        "sat",
        "satul",
        "com",
        "comuna",
        "cartier",
    }
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold_address(*parts: str | None) -> str:
    """Fold an address for search as `fold_for_search` does, also dropping punctuation and address markers."""
    words = _NOT_WORD.sub(" ", fold_for_search(*parts)).split()
    return " ".join(word for word in words if word not in _ADDRESS_MARKERS)
