"""The evaluate_household command: JSON on standard output, or problems on standard error and status 2."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from mps.assessment.tests.builders import REFS, assessment_with, baseline_assessment


def _run(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("evaluate_household", *args, stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        return int(exit_.code or 0), stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


def _write(tmp_path: Path, assessment: Any) -> str:
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps(assessment), encoding="utf-8")
    return str(path)


def test_a_valid_assessment_prints_its_evaluation(tmp_path: Path) -> None:
    assessment = assessment_with(
        {
            "household.housing.rooms": 1,
            "members[2].health.family_doctor": False,
            "members[2].documents.birth_certificate": False,
        }
    )

    status, stdout, stderr = _run(_write(tmp_path, assessment))

    assert (status, stderr) == (0, "")
    assert json.loads(stdout) == {
        "assessment": assessment["ref"],
        "catalogue": "mps-v1",
        "score": 6,
        "risk_level": "medium",
        "household": ["HO01"],
        "members": {REFS[0]: [], REFS[1]: [], REFS[2]: ["HE01", "ID01"], REFS[3]: []},
    }


def test_standard_input_is_read_for_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(baseline_assessment())))

    status, stdout, _ = _run("-")

    assert status == 0
    assert json.loads(stdout)["risk_level"] == "none"


def test_an_invalid_assessment_prints_each_problem_with_its_path_and_exits_with_2(tmp_path: Path) -> None:
    assessment = assessment_with(
        {"colour": "blue", "members[1].relation": "head", "members[0].health.insured": "yes"}
    )

    status, stdout, stderr = _run(_write(tmp_path, assessment))

    assert status == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "colour",
        "members[0].health.insured",
        "members[1].relation",
    ]


@pytest.mark.parametrize("text", ["{not json", "", '{"a": NaN}', "[1, 2"])
def test_text_that_is_not_json_exits_with_2(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    status, stdout, stderr = _run("-")

    assert (status, stdout) == (2, "")
    assert stderr.startswith("$: ")
    assert len(stderr.splitlines()) == 1


def test_a_missing_file_exits_with_2(tmp_path: Path) -> None:
    status, stdout, stderr = _run(str(tmp_path / "missing.json"))

    assert (status, stdout) == (2, "")
    assert stderr.startswith("$: ")
    assert "missing.json" in stderr


def test_json_that_is_not_an_assessment_exits_with_2(tmp_path: Path) -> None:
    status, stdout, stderr = _run(_write(tmp_path, [1, 2, 3]))

    assert (status, stdout) == (2, "")
    assert stderr.startswith("$: ")


def _manage(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(  # noqa: S603 -- our own manage.py with fixed arguments
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "evaluate_household", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=60,
    )


def test_from_a_shell_valid_input_exits_0_and_prints_only_json() -> None:
    result = _manage("-", stdin=json.dumps(baseline_assessment()))

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["score"] == 0


def test_from_a_shell_invalid_input_exits_2_with_nothing_on_standard_output() -> None:
    result = _manage("-", stdin=json.dumps(assessment_with({"members[1].relation": "head"})))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("members[1].relation: ")
