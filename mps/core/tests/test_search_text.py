"""Folding for search: part by part (cached) gives what folding the joined text gives."""

import re

from hypothesis import given
from hypothesis import strategies as st
from unidecode import unidecode

from mps.core.search_text import fold_address, fold_for_search


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


def test_an_address_is_folded_without_its_markers_and_punctuation():
    assert fold_address("Str. Principală nr. 112") == "principala 112"
    assert fold_address("Principala 112") == "principala 112"
    assert fold_address("Bl. A3, sc. 2, ap. 14", "Sat Pădurii") == "a3 2 14 padurii"
    # A marker inside a name is part of the name.
    assert fold_address("Strada Satului nr.3", "Satu Mare") == "satului 3 satu mare"


@given(st.text(alphabet=st.sampled_from("aăâșț Str.nr,-123"), max_size=30))
def test_a_folded_address_folds_to_itself(address):
    # The stored text and the query are folded alike, so folding twice must change nothing.
    assert fold_address(fold_address(address)) == fold_address(address)
