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
