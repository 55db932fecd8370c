"""Free text longer than its limit is refused naming the field, never cut."""

from hypothesis import given
from hypothesis import strategies as st

from mps.core.limits import NOTE_MAX, too_long


def test_a_text_over_its_limit_names_the_field_and_both_lengths():
    problems = too_long(
        {"note": ("x" * (NOTE_MAX + 1), NOTE_MAX), "first_name": ("Ana", 100), "cnp": (None, 13)}
    )
    assert list(problems) == ["note"]
    assert "5000" in problems["note"][0]
    assert "5001" in problems["note"][0]


@given(st.text(max_size=120), st.integers(min_value=0, max_value=110))
def test_only_texts_longer_than_the_limit_are_refused(text, limit):
    assert bool(too_long({"field": (text, limit)})) == (len(text) > limit)
