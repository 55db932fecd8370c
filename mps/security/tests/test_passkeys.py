"""Passkeys as the second factor: registration, verification after the password, removal, lockout and audit."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from mps.accounts.tests.factories import worker_of
from mps.audit.models import AuditEvent
from mps.geography.tests.factories import LocalityFactory
from mps.security.tests.authenticator import SoftwarePasskey
from mps.security.tests.sessions import password_only_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mfa_on")]


@pytest.fixture
def worker():
    return worker_of(LocalityFactory.create(), username="ioana.cheie")


def _post_json(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _register(client: Client, passkey: SoftwarePasskey) -> dict:
    options = _post_json(client, reverse("security:passkey_registration_begin")).json()
    response = _post_json(client, reverse("security:passkey_registration_complete"), passkey.create(options))
    assert response.status_code == 200, response.content
    return response.json()


def _verify(client: Client, passkey: SoftwarePasskey, next_url: str = ""):
    options = _post_json(client, reverse("security:passkey_verification_begin")).json()
    url = reverse("security:passkey_verification_complete") + (f"?next={next_url}" if next_url else "")
    return _post_json(client, url, passkey.get(options))


def test_registration_options_name_the_site_and_the_user(worker):
    client = password_only_session(worker)
    response = _post_json(client, reverse("security:passkey_registration_begin"))
    assert response.status_code == 200
    options = response.json()
    # Dev and test: the relying party is the host the request came to; the name is the platform's.
    assert options["rp"] == {"id": "testserver", "name": "MPS"}
    assert options["user"]["name"] == "ioana.cheie"
    assert options["challenge"]
    # A second factor only: the passkey need not be discoverable (passwordless login is off).
    assert options["authenticatorSelection"]["residentKey"] == "preferred"


def test_the_first_passkey_comes_with_recovery_codes_and_counts_as_the_second_factor(worker):
    client = password_only_session(worker)
    passkey = SoftwarePasskey()
    answer = _register(client, passkey)
    assert answer["redirect_url"] == reverse("security:recovery_codes")
    page = client.get(answer["redirect_url"]).content.decode()
    assert len(re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)) == 10
    assert client.get(reverse("registry:household_list")).status_code == 200
    assert AuditEvent.objects.filter(object_type="second_factor", action="create", actor=worker).exists()

    # The next login asks for the second factor (verification, not set-up), and the passkey answers it.
    client = password_only_session(worker)
    assert client.get("/")["Location"].startswith(reverse("security:verify"))
    page = client.get(reverse("security:verify")).content.decode()
    assert "Folosiți o cheie de acces (passkey)" in page
    response = _verify(client, passkey, next_url=reverse("cases:my_day"))
    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == reverse("cases:my_day")
    assert client.get(reverse("cases:my_day")).status_code == 200
    assert AuditEvent.objects.filter(
        object_type="second_factor", action="update", actor=worker, changes__has_key="passkey_used"
    ).exists()


def test_a_second_passkey_needs_a_verified_session_and_makes_no_new_codes(worker):
    client = password_only_session(worker)
    first = SoftwarePasskey()
    _register(client, first)

    # A stolen password is not enough to add the thief's own passkey, nor a new app or new codes.
    thief = password_only_session(worker)
    refused = _post_json(thief, reverse("security:passkey_registration_begin"))
    assert refused.status_code == 403
    assert "Confirmați mai întâi" in refused.json()["detail"]
    assert thief.get(reverse("security:setup"))["Location"].startswith(reverse("security:verify"))
    assert thief.post(reverse("security:recovery_codes"))["Location"].startswith(reverse("security:verify"))

    assert _register(client, SoftwarePasskey())["redirect_url"] == reverse("security:passkeys")
    assert WebAuthnCredential.objects.filter(user=worker).count() == 2


def test_a_worker_removes_her_own_passkey_and_no_one_else_s(worker):
    colleague = worker_of(LocalityFactory.create(), username="maria.cheie")
    own_client = password_only_session(worker)
    _register(own_client, SoftwarePasskey())
    colleague_client = password_only_session(colleague)
    _register(colleague_client, SoftwarePasskey())
    own = WebAuthnCredential.objects.get(user=worker)
    theirs = WebAuthnCredential.objects.get(user=colleague)

    page = own_client.get(reverse("security:passkeys")).content.decode()
    assert reverse("security:passkey_remove", args=[own.pk]) in page
    assert reverse("security:passkey_remove", args=[theirs.pk]) not in page

    assert own_client.post(reverse("security:passkey_remove", args=[theirs.pk])).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()

    response = own_client.post(reverse("security:passkey_remove", args=[own.pk]), follow=True)
    assert "Cheia de acces a fost ștearsă" in response.content.decode()
    assert not WebAuthnCredential.objects.filter(pk=own.pk).exists()
    assert AuditEvent.objects.filter(object_type="second_factor", action="end", actor=worker).exists()


def test_another_user_s_passkey_does_not_confirm_a_login(worker):
    colleague = worker_of(LocalityFactory.create(), username="maria.alta")
    _register(password_only_session(worker), SoftwarePasskey())
    stranger_key = SoftwarePasskey()
    _register(password_only_session(colleague), stranger_key)

    client = password_only_session(worker)
    response = _verify(client, stranger_key)
    assert response.status_code == 403
    assert client.get("/").status_code == 302


def test_five_failed_passkey_verifications_lock_the_second_factor(worker):
    passkey = SoftwarePasskey()
    _register(password_only_session(worker), passkey)
    client = password_only_session(worker)
    for _ in range(4):
        response = _post_json(client, reverse("security:passkey_verification_complete"), {"id": "x"})
        assert response.status_code == 400
    assert (
        _post_json(client, reverse("security:passkey_verification_complete"), {"id": "x"}).status_code == 429
    )
    # Locked, even with the right passkey, and the code form says so too.
    locked = _post_json(client, reverse("security:passkey_verification_begin"))
    assert locked.status_code == 429
    assert "blocat" in locked.json()["detail"]
    assert client.get(reverse("security:verify")).status_code == 429


def test_an_authenticator_app_user_adds_a_passkey_after_verifying(worker):
    client = password_only_session(worker)
    client.get(reverse("security:setup"))
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post(reverse("security:setup"), {"token": code})
    # Recovery codes came with the app; the passkey, not the first factor, makes none.
    assert _register(client, SoftwarePasskey())["redirect_url"] == reverse("security:passkeys")
    verify_page = password_only_session(worker).get(reverse("security:verify")).content.decode()
    assert "Folosiți o cheie de acces (passkey)" in verify_page
