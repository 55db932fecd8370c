"""`manage.py import_localities`: the summary line, one problem per line on stderr, exit status 1."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from mps.geography.models import Locality

HEADER = "siruta,name,county_code,kind,population,children"
GOOD = [HEADER, "20297,Bacău,BC,municipality,136087,27200", "20563,Onești,BC,municipality,34500,7300"]
BAD = [*GOOD, "24187,Pâncești,XX,commune,3652,880", "25692,Tamași,BC,commune,100,200"]


def write_csv(directory: Path, rows: list[str]) -> Path:
    path = directory / "localities.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_prints_a_summary_in_romanian_by_default(tmp_path: Path) -> None:
    out = StringIO()

    call_command("import_localities", write_csv(tmp_path, GOOD), stdout=out, stderr=StringIO())

    assert out.getvalue().strip() == "2 localități: create 2, actualizate 0, neschimbate 0"
    assert Locality.objects.count() == 2


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="en")
def test_prints_the_summary_in_the_configured_language(tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD)
    call_command("import_localities", path, stdout=StringIO(), stderr=StringIO())
    out = StringIO()

    call_command("import_localities", path, stdout=out, stderr=StringIO())

    assert out.getvalue().strip() == "2 localities: 0 created, 0 updated, 2 unchanged"


@pytest.mark.django_db
def test_writes_each_problem_on_its_own_line_and_saves_nothing(tmp_path: Path) -> None:
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_localities", write_csv(tmp_path, BAD), stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "linia 4, coloana county_code: Nu există niciun județ cu codul „XX”.",
        "linia 5, coloana children: Numărul de copii (200) este mai mare decât populația (100).",
    ]
    assert str(caught.value) == "Nu s-a importat nimic: fișierul are 2 probleme."
    assert caught.value.returncode == 1
    assert Locality.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_localities", tmp_path / "nowhere.csv", stdout=StringIO(), stderr=err)

    assert "nu există" in err.getvalue()


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A real SQLite file the subprocesses share, so the test sees what a user at a shell would see."""
    database = tmp_path_factory.mktemp("db") / "mps.sqlite3"
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity=0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
    )
    return {**environment, "DATABASE_FILE": str(database)}


def run_import(path: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "manage.py", "import_localities", str(path)],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def count_localities(environment: dict[str, str]) -> int:
    with sqlite3.connect(environment["DATABASE_FILE"]) as connection:
        return connection.execute("SELECT COUNT(*) FROM geography_locality").fetchone()[0]


def test_at_the_shell_a_bad_file_exits_with_status_1_and_saves_nothing(
    tmp_path: Path, migrated_database: dict[str, str]
) -> None:
    result = run_import(write_csv(tmp_path, BAD), migrated_database)

    assert result.returncode == 1
    assert "linia 4, coloana county_code: Nu există niciun județ cu codul „XX”." in result.stderr.splitlines()
    assert result.stdout == ""
    assert count_localities(migrated_database) == 0


def test_at_the_shell_a_good_file_exits_with_status_0_and_prints_the_summary(
    tmp_path: Path, migrated_database: dict[str, str]
) -> None:
    result = run_import(write_csv(tmp_path, GOOD), migrated_database)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 localități: create 2, actualizate 0, neschimbate 0"
    assert count_localities(migrated_database) == 2
