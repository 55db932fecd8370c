"""A backup restores: scripts/backup.sh dumps the test database, scripts/restore.sh loads it into a fresh one,
and every table has the same rows on both sides.

The rows are committed (a transactional test) so that pg_dump, another connection, sees them. PostgreSQL only:
the scripts are pg_dump and pg_restore.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from mps.accounts.models import Role
from mps.accounts.tests.factories import county_supervisor_of, worker_of
from mps.assessment.services import assessment_record
from mps.assessment.tests.builders import assessment_with
from mps.geography.tests.factories import LocalityFactory, VillageFactory
from mps.registry.models import Household, Relation, Sex
from mps.registry.services import household_create
from mps.registry.tests.factories import MembershipFactory, PersonFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="backups are pg_dump archives: PostgreSQL only"
    ),
    pytest.mark.skipif(
        shutil.which("psql") is None, reason="the PostgreSQL client programs are not installed"
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[3]
ADDRESS = "Str. Ștefan cel Mare nr. 12, bl. Ț3, Pâncești"
TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


def _params(dbname: str) -> dict[str, Any]:
    settings = connection.settings_dict
    params = {
        "dbname": dbname,
        "host": settings["HOST"],
        "port": settings["PORT"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
    }
    return {key: value for key, value in params.items() if value}


def _url(dbname: str) -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}{settings['HOST'] or ''}{port}/{quote(dbname, safe='')}"


def _row_counts(dbname: str) -> dict[str, int]:
    with psycopg.connect(**_params(dbname)) as database:
        tables = [name for (name,) in database.execute(TABLES)]
        counts = {}
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", table))
            row = database.execute(query).fetchone()
            assert row is not None
            counts[table] = row[0]
        return counts


def _run(command: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- the project's scripts and gpg, with arguments the test built
        command, env={**os.environ, **environment}, capture_output=True, text=True, timeout=120, check=False
    )


def _script(name: str, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test")
    # bash from PATH, as cron and systemd run the scripts.
    return _run(
        ["bash", str(ROOT / "scripts" / name), *args], DJANGO_SETTINGS_MODULE=settings_module, **environment
    )


def _backup(directory: Path, **environment: str) -> Path:
    result = _script(
        "backup.sh",
        MPS_BACKUP_DIR=str(directory),
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        **environment,
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """Create an empty database with a name of its own; drop it afterwards whatever happened."""
    name = f"mps_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**_params("postgres"), autocommit=True) as maintenance:
        maintenance.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
        )
    try:
        yield name
    finally:
        with psycopg.connect(**_params("postgres"), autocommit=True) as maintenance:
            maintenance.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _registry() -> Household:
    """Fill the test database with a small, varied registry through the services and factories."""
    pancesti = LocalityFactory.create(siruta=54975, name="Pâncești")  # the builders' assessments live here
    other = LocalityFactory.create(name="Târgu Ocna")
    village = VillageFactory.create(locality=pancesti, name="Fundu Răcăciuni")
    worker = worker_of(pancesti, first_name="Ștefania", last_name="Țăranu")
    worker_of(pancesti, other, role=Role.COMMUNITY_NURSE)
    county_supervisor_of("BC")
    household = household_create(actor=worker, locality=pancesti, village=village, address=ADDRESS)
    MembershipFactory.create(
        household=household, person=PersonFactory.create(first_name="Ștefan", last_name="Mureșan")
    )
    MembershipFactory.create(
        household=household,
        person=PersonFactory.create(first_name="Ioana", last_name="Mureșan", sex=Sex.FEMALE),
        relation=Relation.CHILD,
    )
    MembershipFactory.create_batch(3, household__locality=other)
    # Through the service, with its findings, census visit and audit events.
    assessment_record(actor=worker, document=assessment_with({"household.housing.heating": False}))
    return household


def test_a_backup_restores_every_row_of_every_table_into_a_fresh_database(tmp_path, fresh_database):
    household = _registry()
    # Backups from 40 and 10 days ago: the first is past the 35-day retention, the second is not.
    for age_days, stamp in ((40, "20200101T000000Z"), (10, "20200131T000000Z")):
        for suffix in (".dump", ".dump.sha256"):
            old = tmp_path / f"mps-{stamp}{suffix}"
            old.write_bytes(b"an older backup")
            moment = time.time() - age_days * 86400
            os.utime(old, (moment, moment))

    archive = _backup(tmp_path)

    assert archive.parent == tmp_path
    assert archive.name.endswith(".dump")
    assert archive.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert (tmp_path / f"{archive.name}.sha256").read_text().split() == [
        hashlib.sha256(archive.read_bytes()).hexdigest(),
        archive.name,
    ]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert sorted(path.name for path in tmp_path.glob("mps-2020*")) == [
        "mps-20200131T000000Z.dump",
        "mps-20200131T000000Z.dump.sha256",
    ]

    result = _script("restore.sh", str(archive), _url(fresh_database))
    assert result.returncode == 0, result.stderr
    assert "is at the code's migrations" in result.stderr

    source = _row_counts(connection.settings_dict["NAME"])
    restored = _row_counts(fresh_database)
    assert set(restored) == set(source)
    assert restored == source
    for table in (
        "accounts_user",
        "geography_locality",
        "geography_village",
        "registry_household",
        "registry_person",
        "registry_membership",
        "assessment_assessment",
        "audit_auditevent",
    ):
        assert restored[table] > 0, table

    with psycopg.connect(**_params(fresh_database)) as database:
        row = database.execute(
            "SELECT address FROM registry_household WHERE id = %s", [household.id]
        ).fetchone()
        assert row == (ADDRESS,)
        # The trail's insert-only triggers came back, and the test database's maintenance bypass did not.
        with pytest.raises(psycopg.errors.RaiseException, match="insert-only"):
            database.execute("DELETE FROM audit_auditevent")

    again = _script("restore.sh", str(archive), _url(fresh_database))
    assert again.returncode == 1
    assert "is not empty" in again.stderr


def test_a_damaged_backup_is_refused_and_leaves_the_target_empty(tmp_path, fresh_database):
    _registry()
    archive = _backup(tmp_path)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))

    result = _script("restore.sh", str(archive), _url(fresh_database))

    assert result.returncode == 1
    assert "checksum mismatch" in result.stderr
    assert _row_counts(fresh_database) == {}


@pytest.fixture
def gpg_key() -> Iterator[tuple[dict[str, str], str]]:
    """A throwaway gpg home with one key without passphrase: the environment that selects it, its fingerprint."""
    # A short path: gpg-agent's socket lives in the home directory, and socket paths are limited to 108 bytes.
    home = tempfile.mkdtemp(prefix="mps-gpg-", dir="/tmp")
    environment = {"GNUPGHOME": home}
    try:
        uid = "MPS backup test <backup@example.invalid>"
        generated = _run(
            [
                "gpg",
                "--batch",
                "--passphrase",
                "",
                "--quick-gen-key",
                uid,
                "future-default",
                "default",
                "never",
            ],
            **environment,
        )
        assert generated.returncode == 0, generated.stderr
        listing = _run(["gpg", "--batch", "--with-colons", "--list-keys"], **environment).stdout
        yield (
            environment,
            next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")),
        )
    finally:
        _run(["gpgconf", "--kill", "gpg-agent"], **environment)
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed")
def test_an_encrypted_backup_holds_no_plaintext_and_restores_with_the_key(tmp_path, fresh_database, gpg_key):
    household = _registry()
    environment, fingerprint = gpg_key

    archive = _backup(tmp_path, MPS_BACKUP_GPG_RECIPIENT=fingerprint, **environment)

    assert archive.name.endswith(".dump.gpg")
    content = archive.read_bytes()
    assert b"PGDMP" not in content
    assert "Mureșan".encode() not in content
    result = _script("restore.sh", str(archive), _url(fresh_database), **environment)
    assert result.returncode == 0, result.stderr
    assert _row_counts(fresh_database) == _row_counts(connection.settings_dict["NAME"])
    with psycopg.connect(**_params(fresh_database)) as database:
        row = database.execute(
            "SELECT address FROM registry_household WHERE id = %s", [household.id]
        ).fetchone()
        assert row == (ADDRESS,)
