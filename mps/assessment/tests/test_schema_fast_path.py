"""The compiled schema check may only say "valid" where jsonschema says so too."""

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mps.assessment.rules.validation import schema_accepts, schema_validator
from mps.assessment.tests.builders import baseline_assessment
from mps.assessment.tests.strategies import schema_valid_assessments

# Values of every JSON type, including the ones Python confuses (True is an int, 1.0 equals 1).
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=500),
    st.sampled_from([1.0, 0.5, -0.0, 1e300, float(2**53)]),
    st.text(max_size=12),
    st.sampled_from(["2024-02-30", "2024-13-01", "2024-1-1", "20240101", "2023-02-29", "2024-02-29"]),
    st.sampled_from(["not-a-uuid", "T", "T100", "head", "F", "unknown", "0123456789012"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


@st.composite
def mutated_assessments(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(draw(st.one_of(st.just(baseline_assessment()), schema_valid_assessments())))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(ODD_VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "note", "ref", "cnp", "roma"]))] = draw(ODD_VALUES)
    return document


def _jsonschema_accepts(document: Any) -> bool:
    return not any(True for _ in schema_validator().iter_errors(document))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_assessments())
def test_fast_check_never_accepts_what_jsonschema_rejects(document: Any) -> None:
    if schema_accepts(document):
        assert _jsonschema_accepts(document)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema_valid_assessments())
def test_fast_check_accepts_valid_documents(document: Any) -> None:
    assert schema_accepts(document) == _jsonschema_accepts(document)


def test_impossible_dates_and_booleans_for_numbers_are_rejected() -> None:
    for path_value in (("assessed_on", "2024-02-30"), ("assessed_on", "2024-2-3")):
        document = baseline_assessment()
        document[path_value[0]] = path_value[1]
        assert not schema_accepts(document)
    document = baseline_assessment()
    document["household"]["housing"]["rooms"] = True
    assert not schema_accepts(document)
    assert not _jsonschema_accepts(document)
