"""How long free text may be, everywhere it enters: web forms, imports and the API.

A name of 100 characters and an address of 300 (the interchange schema's limits) hold every real one; a note of
5,000 characters is two pages. Anything longer is a mistake or an attack, and is refused naming the field rather
than cut, so nothing is stored that the user did not see.
"""

from collections.abc import Mapping

from django.utils.translation import ngettext

NAME_MAX = 100
ADDRESS_MAX = 300
SHORT_TEXT_MAX = 200
NOTE_MAX = 5_000


def too_long(values: Mapping[str, tuple[str | None, int]]) -> dict[str, list[str]]:
    """Return a problem for each field whose text is longer than its limit: {field: (text, limit)}."""
    problems: dict[str, list[str]] = {}
    for field, (text, limit) in values.items():
        if text is not None and len(text) > limit:
            problems[field] = [
                ngettext(
                    "At most %(limit)d character (this one has %(length)d).",
                    "At most %(limit)d characters (this one has %(length)d).",
                    limit,
                )
                % {"limit": limit, "length": len(text)}
            ]
    return problems
