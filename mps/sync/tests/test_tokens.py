"""Device tokens: issued by command or after a login, stored hashed, refused at once when revoked."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from mps.accounts.tests.factories import TEST_PASSWORD, national_monitor
from mps.sync.models import DeviceToken
from mps.sync.tokens import device_token_revoke, token_digest

pytestmark = pytest.mark.django_db


def test_command_prints_a_token_on_its_last_line_that_the_api_accepts(worker):
    out = StringIO()
    call_command("issue_device_token", worker.username, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    stored = DeviceToken.objects.get(user=worker)
    assert stored.token_hash == token_digest(token)
    assert token not in {stored.token_hash, stored.prefix}
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == worker.username


def test_a_revoked_token_is_refused_at_once(worker):
    out = StringIO()
    call_command("issue_device_token", worker.username, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    client = Client()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    device_token_revoke(actor=None, device=DeviceToken.objects.get(user=worker))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert client.get("/api/v1/sync/pull", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_deactivated_user_s_token_is_refused(worker):
    out = StringIO()
    call_command("issue_device_token", worker.username, stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    worker.is_active = False
    worker.save()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_no_token_for_a_user_who_may_not_record_cases():
    from django.core.management.base import CommandError

    monitor = national_monitor()
    with pytest.raises(CommandError):
        call_command("issue_device_token", monitor.username, stdout=StringIO())


def test_the_field_app_gets_a_token_after_a_login_with_the_password_again(worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    page = client.get("/teren/")
    assert page.status_code == 200
    csrf = client.cookies["csrftoken"].value
    wrong = client.post(
        "/teren/token/",
        json.dumps({"password": "wrong", "device_id": "d1"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert wrong.status_code == 422
    right = client.post(
        "/teren/token/",
        json.dumps({"password": TEST_PASSWORD, "device_id": "d1", "device_name": "Chromium"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert right.status_code == 200
    token = right.json()["token"]
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_the_token_view_needs_csrf(worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    response = client.post(
        "/teren/token/", json.dumps({"password": TEST_PASSWORD}), content_type="application/json"
    )
    assert response.status_code == 403


def test_administrators_revoke_tokens_in_the_admin(worker, admin_client):
    out = StringIO()
    call_command("issue_device_token", worker.username, stdout=out)
    device = DeviceToken.objects.get(user=worker)
    listing = admin_client.get("/admin/sync/devicetoken/")
    assert listing.status_code == 200
    assert device.prefix in listing.content.decode()
    admin_client.post(
        "/admin/sync/devicetoken/", {"action": "revoke", "_selected_action": [device.pk]}, follow=True
    )
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_the_device_signs_itself_out(api):
    assert api.client.post("/api/v1/device/revoke", HTTP_AUTHORIZATION=api.authorization).status_code == 200
    assert api.get("/api/v1/me").status_code == 401
