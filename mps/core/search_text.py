"""Text folded for search, so that "stefan" finds "Ștefan" and "TARGU" finds "Târgu"."""

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold_for_search(*parts: str | None) -> str:
    """Join the parts, drop diacritics, lower-case and collapse white space."""
    text = " ".join(part for part in parts if part)
    return _SPACES.sub(" ", unidecode(text).lower()).strip()
