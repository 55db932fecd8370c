"""Preparing a line in a worker process: what reaches the main process is what the document says."""

import json
import pickle
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings

from mps.assessment.preparation import PreparedAssessment, check_line, prepare
from mps.assessment.rules import evaluate, load_catalogue
from mps.assessment.tests.builders import REFS, SPOUSE, assessment_with
from mps.assessment.tests.strategies import schema_valid_assessments
from mps.audit.services import field_changes
from mps.demo.synthetic import synthetic_assessments

MPS_V1 = load_catalogue("mps-v1")


def _values(prepared: PreparedAssessment) -> dict[str, Any]:
    return {
        name: getattr(prepared, name) for name in PreparedAssessment.__dataclass_fields__ if name != "_keys"
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(schema_valid_assessments())
def test_a_prepared_line_crosses_the_process_boundary_unchanged(document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False)
    prepared = check_line((7, text))
    if not isinstance(prepared, PreparedAssessment):
        return  # schema-valid but refused by a semantic rule: nothing crosses but the problems

    copy = pickle.loads(pickle.dumps(prepared))  # noqa: S301 -- our own object, as the worker pool sends it

    assert _values(copy) == _values(prepared)
    assert copy.keys() == prepared.keys()
    assert copy.document is None  # the text is what the assessment stores
    assert copy.text == text
    for member in copy.members:
        # Each new person's creation is recorded as the registry's own services record it.
        snapshot = {
            "first_name": member.first_name,
            "last_name": member.last_name,
            "sex": member.sex,
            "birth_date": member.birth_date,
            "cnp": member.cnp,
            "mother": member.mother_ref,
            "father": member.father_ref,
        }
        assert json.loads(member.created_changes) == field_changes({}, snapshot) | {
            "household": [None, str(copy.household_ref)],
            "relation": [None, member.relation],
        }


def test_prepared_rows_carry_the_engines_findings_and_the_members_answers() -> None:
    for document in synthetic_assessments(30, seed=5):
        prepared = prepare(document)
        evaluation = evaluate(document, MPS_V1)

        assert (prepared.score, prepared.risk_level, prepared.has_critical) == (
            evaluation.score,
            str(evaluation.risk_level),
            evaluation.has_critical_finding,
        )
        assert sorted((row["code"], row["person_id"]) for row in prepared.findings) == sorted(
            (finding.code, uuid.UUID(finding.member_ref) if finding.member_ref else None)
            for finding in evaluation.findings
        )
        assert [row["person_id"] for row in prepared.member_answers] == [
            uuid.UUID(member["ref"]) for member in document["members"]
        ]
        assert prepared.household_answers["members_count"] == len(document["members"])
        assert prepared.document is document  # held in this process: no text to store instead


def test_a_persons_creation_record_names_her_parents_and_household() -> None:
    document = assessment_with()
    prepared = prepare(document)
    son = prepared.members[2]

    created = json.loads(son.created_changes)

    assert created["mother"] == [None, REFS[SPOUSE]]
    assert created["household"] == [None, document["household"]["ref"]]
    assert created["relation"] == [None, "child"]
    assert "cnp" not in created  # nothing to say about a value that is not there
