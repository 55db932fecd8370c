"""Lockout: five failures lock the username and the address for 30 minutes, on every door to the records."""

import datetime as dt
import json

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.audit.models import AuditEvent
from mps.geography.tests.factories import LocalityFactory
from mps.security import services

pytestmark = pytest.mark.django_db

LOGIN = "/cont/autentificare/"


def _login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def worker():
    return worker_of(LocalityFactory.create(), username="ana.popa")


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(worker):
    client = Client()
    for _ in range(4):
        assert _login(client, "ana.popa", "greșită").status_code == 200
    locked = _login(client, "ana.popa", "greșită")
    assert locked.status_code == 429
    assert "Prea multe încercări eșuate" in locked.content.decode()

    right = _login(client, "ana.popa", TEST_PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # From another address too: the username itself is locked.
    assert _login(Client(), "ana.popa", TEST_PASSWORD, address="10.9.9.9").status_code == 429


def test_the_lockout_is_audited_and_ends_after_30_minutes(worker):
    client = Client()
    for _ in range(5):
        _login(client, "ana.popa", "greșită")
    event = AuditEvent.objects.get(action="lockout", object_type="user")
    assert event.object_id == str(worker.pk)
    assert event.changes["username"] == [None, "ana.popa"]

    assert _login(client, "ana.popa", TEST_PASSWORD).status_code == 429
    # 31 minutes later, as far as the attempts are concerned.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=31))
    assert _login(client, "ana.popa", TEST_PASSWORD).status_code == 302


def test_an_address_trying_many_usernames_is_locked(worker):
    client = Client()
    for n in range(5):
        _login(client, f"nimeni{n}", "x", address="10.0.0.66")
    assert _login(client, "ana.popa", TEST_PASSWORD, address="10.0.0.66").status_code == 429
    assert _login(Client(), "ana.popa", TEST_PASSWORD, address="10.0.0.67").status_code == 302


def test_an_administrator_unlocks_an_account(worker):
    client = Client()
    for _ in range(5):
        _login(client, "ana.popa", "greșită")
    admin = worker_of(worker.localities.first(), role="administrator", username="admin1")
    assert services.account_unlock(actor=admin, user=worker) >= 1
    assert not AccessAttempt.objects.filter(username="ana.popa").exists()
    assert _login(Client(), "ana.popa", TEST_PASSWORD, address="10.0.0.2").status_code == 302
    assert AuditEvent.objects.filter(action="unlock", object_id=str(worker.pk), actor=admin).exists()


def test_the_field_apps_password_confirmation_is_locked_too(worker):
    client = Client()
    client.force_login(worker)
    url = reverse("sync:token")

    def confirm(password: str):
        return client.post(
            url, json.dumps({"password": password}), content_type="application/json", REMOTE_ADDR="10.0.0.5"
        )

    for _ in range(4):
        assert confirm("greșită").status_code == 422
    assert confirm("greșită").status_code == 429
    refused = confirm(TEST_PASSWORD)
    assert refused.status_code == 429
    assert "Prea multe încercări eșuate" in refused.json()["errors"]["password"][0]
    assert "token" not in refused.json()


def test_wrong_bearer_tokens_get_429_from_that_address(worker):
    from mps.sync.tokens import device_token_issue

    good = device_token_issue(actor=None, user=worker, device_name="Tabletă").token
    client = Client()
    pull = "/api/v1/sync/pull"
    for _ in range(5):
        response = client.get(pull, HTTP_AUTHORIZATION="Bearer wrong-token", REMOTE_ADDR="10.0.0.7")
        assert response.status_code in (401, 429)
    assert client.get(pull, HTTP_AUTHORIZATION="Bearer wrong", REMOTE_ADDR="10.0.0.7").status_code == 429
    assert client.get(pull, HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="10.0.0.7").status_code == 429
    assert client.get(pull, HTTP_AUTHORIZATION=f"Bearer {good}", REMOTE_ADDR="10.0.0.8").status_code == 200
