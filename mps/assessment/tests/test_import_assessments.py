"""The import command and its batched service: each line all-or-nothing, duplicates skipped, exit codes."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from mps.assessment import rows
from mps.assessment.importing import assessments_import
from mps.assessment.models import Assessment, Finding, HouseholdAnswers, MemberAnswers
from mps.assessment.tests.builders import assessment_with
from mps.audit.models import AuditEvent
from mps.demo.synthetic import LOCALITIES, synthetic_assessments
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household, Membership, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def localities():
    return [LocalityFactory.create(siruta=int(code)) for code in LOCALITIES]


def _lines(count: int, seed: int = 7) -> list[str]:
    return [json.dumps(document, ensure_ascii=False) for document in synthetic_assessments(count, seed=seed)]


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "assessments.jsonl"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _run(path: Path | str, *args: str) -> tuple[int, str, str]:
    stdout, stderr = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_assessments", str(path), *args, stdout=stdout, stderr=stderr)
    return int(exit_.value.code or 0), stdout.getvalue(), stderr.getvalue()


def _counts() -> dict[str, int]:
    models = (Assessment, HouseholdAnswers, MemberAnswers, Finding, Household, Person, Membership, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def test_all_good_lines_are_stored_and_exit_zero(tmp_path):
    lines = _lines(12)
    code, out, _err = _run(_write(tmp_path, lines))

    assert code == 0
    assert Assessment.objects.count() == 12
    assert HouseholdAnswers.objects.count() == 12
    assert MemberAnswers.objects.count() == sum(len(json.loads(line)["members"]) for line in lines)
    assert Assessment.objects.filter(source="import").count() == 12
    assert "12" in out
    assert not (tmp_path / "assessments.jsonl.rejects.jsonl").exists()


def test_importing_the_same_file_twice_stores_nothing_new(tmp_path):
    path = _write(tmp_path, _lines(8))
    _run(path)
    before = _counts()

    code, _out, _err = _run(path)

    assert code == 0
    assert _counts() == before
    summary = assessments_import(path.read_text(encoding="utf-8").splitlines())
    assert (summary.accepted, summary.duplicate, len(summary.rejected)) == (0, 8, 0)


def test_validating_in_worker_processes_gives_the_same_result(tmp_path):
    lines = [*_lines(9), "{}", *_lines(3, seed=8)]
    code, _out, _err = _run(_write(tmp_path, lines), "--workers", "2", "--batch-size", "4")
    assert code == 1
    assert Assessment.objects.count() == 12
    rejects = (tmp_path / "assessments.jsonl.rejects.jsonl").read_text().splitlines()
    assert [json.loads(row)["line"] for row in rejects] == [10]


def test_a_ref_repeated_in_the_file_is_a_duplicate(tmp_path):
    line = _lines(1)[0]
    summary = assessments_import([line, line])
    assert (summary.accepted, summary.duplicate) == (1, 1)
    assert Assessment.objects.count() == 1


def test_bad_lines_go_to_the_rejects_file_and_the_good_ones_stay(tmp_path):
    good = _lines(6)
    bad_schema = json.dumps(assessment_with({"members[1].sex": "X"}))
    unknown_place = json.dumps(
        assessment_with({"ref": "aaaaaaaa-0000-4000-8000-0000000000ff", "household.locality": "999"})
    )
    lines = [*good[:3], bad_schema, "{not json", *good[3:], unknown_place]
    path = _write(tmp_path, lines)

    with translation.override("en"):
        code, _out, _err = _run(path)

    assert code == 1
    assert Assessment.objects.count() == 6
    rejects = [
        json.loads(row) for row in (tmp_path / "assessments.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert [row["line"] for row in rejects] == [4, 5, 9]
    assert rejects[0]["text"] == bad_schema
    assert "members[1].sex" in [problem["path"] for problem in rejects[0]["problems"]]
    assert rejects[1]["problems"][0]["path"] == "$"
    assert [problem["path"] for problem in rejects[2]["problems"]] == ["household.locality"]
    assert all(problem["message"] for row in rejects for problem in row["problems"])
    # The rejected lines left nothing behind: not their household, not their people.
    assert not Household.objects.filter(id=assessment_with()["household"]["ref"]).exists()


def test_summary_speaks_romanian_by_default(tmp_path):
    _code, out, _err = _run(_write(tmp_path, [*_lines(2), "{}"]))
    assert "Acceptate: 2, duplicate: 0, respinse: 1." in out


def test_usage_errors_exit_two(tmp_path):
    assert _run(tmp_path / "missing.jsonl")[0] == 2
    assert _run(tmp_path)[0] == 2  # a folder, not a file
    assert _run(_write(tmp_path, _lines(1)), "--batch-size", "0")[0] == 2
    assert _run(_write(tmp_path, _lines(1)), "--workers", "0")[0] == 2
    assert not Assessment.objects.exists()


def test_a_batch_the_database_refuses_is_retried_line_by_line(tmp_path, monkeypatch):
    lines = _lines(6)
    poisoned = json.loads(lines[2])["ref"]
    real_write = rows.write

    def fussy_write(writes):
        # The database refuses any batch that holds the poisoned line, and that line on its own.
        if any(str(row["id"]) == poisoned for row in writes.assessments.rows):
            raise IntegrityError("refused for the test")
        real_write(writes)

    monkeypatch.setattr(rows, "write", fussy_write)

    summary = assessments_import(lines, batch_size=10)

    assert (summary.accepted, summary.duplicate) == (5, 0)
    assert [line.line_number for line in summary.rejected] == [3]
    assert summary.rejected[0].problems[0].path == "$"
    assert not Assessment.objects.filter(id=poisoned).exists()
    assert not Household.objects.filter(id=json.loads(lines[2])["household"]["ref"]).exists()


def test_waves_of_one_household_in_one_file_give_the_same_result_as_one_by_one():
    first = assessment_with()
    second = assessment_with(
        {"ref": "aaaaaaaa-0000-4000-8000-000000000001", "wave": "T1", "assessed_on": "2025-06-15"}
    )
    second["members"].pop(3)

    summary = assessments_import([json.dumps(first), json.dumps(second)], batch_size=10)

    assert summary.accepted == 2
    assert Assessment.objects.get(is_latest=True).wave == "T1"
    assert Membership.objects.filter(end_date__isnull=True).count() == 3
    assert Membership.objects.filter(end_reason="moved_out").count() == 1


def test_queries_grow_with_batches_not_with_lines():
    with CaptureQueriesContext(connection) as small:
        assessments_import(_lines(10, seed=1), batch_size=100)
    with CaptureQueriesContext(connection) as large:
        assessments_import(_lines(60, seed=2), batch_size=100)

    # About ten reads and one insert per table for each batch; SQLite splits an insert every 999 parameters.
    assert len(large) < 45
    if connection.vendor == "postgresql":
        assert len(large) == len(small)


def test_imported_documents_and_audit_changes_are_stored_as_json_objects():
    lines = _lines(3)

    assessments_import(lines)

    for assessment in Assessment.objects.all():
        assert assessment.document == json.loads(next(line for line in lines if str(assessment.id) in line))
    created = AuditEvent.objects.filter(object_type="household", action="create")
    assert all(isinstance(event.changes, dict) and event.changes["address"][0] is None for event in created)
    if connection.vendor == "postgresql":
        # What other readers of the database (reports, SQL) see: objects, not strings holding JSON text.
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT jsonb_typeof(changes) FROM audit_auditevent")
            assert cursor.fetchall() == [("object",)]
            cursor.execute("SELECT DISTINCT json_typeof(document) FROM assessment_assessment")
            assert cursor.fetchall() == [("object",)]
