"""`create_user`: one role, one scope, a password from the environment or generated and printed."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from mps.accounts.models import Role, ScopeKind, User
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_worker_with_two_localities_and_a_generated_password():
    first, second = LocalityFactory.create(), LocalityFactory.create()
    out = _run(
        "ana", "--role", "social_worker", "--locality", str(first.siruta), "--locality", str(second.siruta)
    )
    user = User.objects.get(username="ana")
    assert user.role == Role.SOCIAL_WORKER
    assert user.scope == ScopeKind.LOCALITIES
    assert set(user.localities.all()) == {first, second}
    password = out.strip().splitlines()[-1].split(": ", 1)[1]
    assert authenticate(username="ana", password=password) == user


def test_password_from_environment(monkeypatch):
    monkeypatch.setenv("ANA_PASSWORD", "o-parola-lunga-2026")
    out = _run("sup", "--role", "county_supervisor", "--county", "bc", "--password-env", "ANA_PASSWORD")
    assert "o-parola-lunga-2026" not in out
    user = User.objects.get(username="sup")
    assert user.county_id == "BC"
    assert authenticate(username="sup", password="o-parola-lunga-2026") == user


def test_national_monitor():
    _run("mon", "--role", "national_monitor", "--national")
    assert User.objects.get(username="mon").scope == ScopeKind.NATIONAL


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["x", "--role", "social_worker", "--national"], "scope"),
        (["x", "--role", "national_monitor", "--county", "BC"], "scope"),
        (["x", "--role", "social_worker", "--locality", "999999"], "locality"),
        (["x", "--role", "county_supervisor", "--county", "ZZ"], "county"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(args, field):
    with pytest.raises(CommandError) as error:
        _run(*args)
    assert str(error.value).startswith(f"{field}:")
    assert not User.objects.filter(username="x").exists()


def test_missing_password_variable_is_an_error(monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    with pytest.raises(CommandError, match="NOPE"):
        _run("y", "--role", "national_monitor", "--national", "--password-env", "NOPE")


def test_weak_password_is_refused_in_romanian(monkeypatch):
    monkeypatch.setenv("WEAK", "123")
    with pytest.raises(CommandError) as error:
        _run("z", "--role", "national_monitor", "--national", "--password-env", "WEAK")
    assert str(error.value).startswith("password:")
    assert "prea scurtă" in str(error.value)
    assert "prea des întâlnită" in str(error.value)
    assert not User.objects.filter(username="z").exists()


def test_duplicate_username_is_refused():
    _run("dup", "--role", "national_monitor", "--national")
    with pytest.raises(CommandError, match="dup"):
        _run("dup", "--role", "national_monitor", "--national")
