"""Folding for search: part by part (cached) gives what folding the joined text gives."""

import re

from hypothesis import given
from hypothesis import strategies as st
from unidecode import unidecode

from mps.core.search_text import fold_for_search


def _fold_joined(*parts: str | None) -> str:
    """The definition: join the non-empty parts, drop diacritics, lower-case, collapse white space."""
    text = " ".join(part for part in parts if part)
    return re.sub(r"\s+", " ", unidecode(text).lower()).strip()


def test_diacritics_and_case_are_dropped():
    assert fold_for_search("Ștefan", "ȚURCANU", None, "  Târgu   Ocna ") == "stefan turcanu targu ocna"


@given(
    st.lists(
        st.none() | st.text(alphabet=st.sampled_from("aăâîșțĂÂÎȘȚ Ab\t\n -İß北京"), max_size=12), max_size=5
    )
)
def test_folding_part_by_part_equals_folding_the_joined_text(parts):
    assert fold_for_search(*parts) == _fold_joined(*parts)
