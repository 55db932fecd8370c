"""The second factor: with MPS_REQUIRE_MFA on, a password-only session reaches only set-up and verification."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mps.accounts.tests.factories import national_monitor, worker_of
from mps.audit.models import AuditEvent
from mps.geography.tests.factories import LocalityFactory
from mps.security.tests.sessions import password_only_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mfa_on")]


@pytest.fixture
def worker():
    return worker_of(LocalityFactory.create(), username="ioana.mfa")


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _enrol(client: Client, user) -> list[str]:
    page = client.get(reverse("security:setup")).content.decode()
    assert "<svg" in page  # the QR code, drawn on the server: no request leaves the platform
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("security:setup"), {"token": _code(device)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)


def test_a_password_only_session_is_sent_to_set_up_from_every_page(worker):
    client = password_only_session(worker)
    for url in ("/", reverse("registry:household_list"), reverse("cases:my_day"), "/teren/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("security:setup")), url
    assert client.get(reverse("security:setup")).status_code == 200


def test_enrolment_then_verification_at_the_next_login(worker):
    client = password_only_session(worker)
    codes = _enrol(client, worker)
    assert len(codes) == 10
    assert client.get(reverse("registry:household_list")).status_code == 200
    assert AuditEvent.objects.filter(object_type="second_factor", action="create", actor=worker).exists()

    # The next login asks for a code before anything else.
    client = password_only_session(worker)
    response = client.get(reverse("registry:household_list"))
    assert response["Location"].startswith(reverse("security:verify"))
    wrong = client.post(reverse("security:verify"), {"token": "000000"})
    assert "Codul nu este corect." in wrong.content.decode()
    device = TOTPDevice.objects.get(user=worker, confirmed=True)
    # django-otp also slows down retries after a wrong code (1 s, then 2, 4 ...): not what is tested here.
    device.throttle_reset()
    response = client.post(
        reverse("security:verify"),
        {"token": _code(device, drift=1), "next": reverse("registry:household_list")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household_list")
    assert client.get(response["Location"]).status_code == 200


def test_a_recovery_code_works_once(worker):
    codes = _enrol(password_only_session(worker), worker)
    client = password_only_session(worker)
    assert client.post(reverse("security:verify"), {"token": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    again = password_only_session(worker)
    assert again.post(reverse("security:verify"), {"token": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302


def test_five_wrong_codes_lock_the_second_factor(worker):
    _enrol(password_only_session(worker), worker)
    client = password_only_session(worker)
    for _ in range(4):
        assert client.post(reverse("security:verify"), {"token": "000000"}).status_code == 200
    assert client.post(reverse("security:verify"), {"token": "000000"}).status_code == 429
    device = TOTPDevice.objects.get(user=worker, confirmed=True)
    assert client.post(reverse("security:verify"), {"token": _code(device, drift=1)}).status_code == 429


def test_a_national_monitor_sees_aggregates_without_a_second_factor():
    client = password_only_session(national_monitor(username="monitor.mfa"))
    assert client.get("/").status_code == 200


@override_settings(MPS_REQUIRE_MFA=False)
def test_with_the_setting_off_the_password_is_enough(worker):
    assert password_only_session(worker).get(reverse("registry:household_list")).status_code == 200
