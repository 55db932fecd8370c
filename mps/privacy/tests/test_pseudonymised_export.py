"""The keyed pseudonym of the CNP and the de-identified export: no CNP, no name, the same key for the same CNP."""

import csv
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from mps.accounts.models import Role, ScopeKind
from mps.accounts.tests.factories import UserFactory
from mps.assessment.models import MemberAnswers
from mps.audit.models import AuditAction, AuditEvent
from mps.cases.tests.factories import builders_locality, record, team_of
from mps.core.pseudonym import cnp_pseudonym
from mps.privacy.exports import COLUMNS, person_key
from mps.registry.models import Person

ROOT = Path(__file__).resolve().parents[3]
cnps = st.from_regex(r"[1-8][0-9]{12}", fullmatch=True)
keys = st.text(min_size=8, max_size=40)


@given(cnp=cnps, key=keys)
def test_the_same_cnp_and_key_give_the_same_pseudonym_never_a_plain_hash(cnp, key):
    assert cnp_pseudonym(cnp, key=key) == cnp_pseudonym(cnp, key=key)
    assert cnp_pseudonym(cnp, key=key) not in hashlib.sha256(cnp.encode()).hexdigest()
    assert cnp not in cnp_pseudonym(cnp, key=key)


@given(cnp=cnps, key=keys, other=keys)
def test_another_key_gives_another_pseudonym(cnp, key, other):
    if key != other:
        assert cnp_pseudonym(cnp, key=key) != cnp_pseudonym(cnp, key=other)


def test_production_refuses_to_start_without_a_pseudonym_key():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MPS_PSEUDONYM_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "a-real-secret-key-for-this-test-only-0123456789",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mps_unused",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.prod"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MPS_PSEUDONYM_KEY must be set in production" in result.stderr


@pytest.fixture
def family():
    """The builders' family of four, assessed once, the son found neglected."""
    team = team_of(builders_locality(name="Pâncești"))
    assessment = record(team["social_worker"], {"members[2].protection.neglect_signs": True})
    return assessment


@pytest.mark.django_db
def test_the_export_carries_pseudonyms_not_cnps_or_names(client, family):
    people = list(Person.objects.all())
    with_cnp = [p for p in people if p.cnp]
    restricted = next(p for p in people if p.first_name == "Ion")
    Person.objects.filter(id=restricted.id).update(restricted=True)
    administrator = UserFactory.create(role=Role.ADMINISTRATOR, scope=ScopeKind.NATIONAL, is_staff=True)
    client.force_login(administrator)

    response = client.get("/confidentialitate/export-pseudonimizat.csv")

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == MemberAnswers.objects.count() - 1  # the restricted person is left out
    for person in people:
        assert person.first_name not in text
        assert str(person.id) not in text
    for person in with_cnp:
        assert person.cnp not in text
    expected = {person_key(p.cnp, p.id) for p in people if p.id != restricted.id}
    assert {row["person_key"] for row in rows} == expected
    son = next(row for row in rows if row["codes"])
    assert (son["locality_siruta"], son["wave"], son["sex"]) == (str(family.locality_id), "T0", "M")
    assert AuditEvent.objects.filter(
        actor=administrator, action=AuditAction.EXPORT, object_type="pseudonymised_export"
    ).exists()


@pytest.mark.django_db
def test_the_command_writes_the_same_export(tmp_path, family):
    target = tmp_path / "export.csv"

    call_command("export_pseudonymised", output=str(target))

    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == MemberAnswers.objects.count()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="pseudonymised_export").exists()
