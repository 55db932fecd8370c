"""A worker sets up the authenticator app on the tablet, as at her first login with MPS_REQUIRE_MFA on."""

import re

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.geography.tests.factories import LocalityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@override_settings(MPS_REQUIRE_MFA=True)
def test_first_login_sets_up_the_app_then_the_next_login_asks_for_a_code(live_server, page: Page) -> None:
    worker = worker_of(LocalityFactory.create(name="Pâncești"), username="ioana.tableta")

    page.goto(f"{live_server.url}/cont/autentificare/?next=/gospodarii/")
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()

    # Nothing but the set-up until a code is confirmed: the QR code is drawn by the platform itself.
    expect(page.get_by_role("heading", name="Configurați aplicația de autentificare")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    page.goto(f"{live_server.url}/gospodarii/")
    expect(page).to_have_url(re.compile(r"/cont/doi-factori/configurare/"))

    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    page.get_by_label("Cod").fill(_code(device))
    page.get_by_role("button", name="Confirmă").click()
    expect(page.get_by_role("heading", name="Coduri de recuperare")).to_be_visible()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Le-am păstrat: continuă").click()
    expect(page.get_by_role("navigation", name="Meniu principal")).to_be_visible()

    # The next login asks for the second factor; a recovery code gets her in.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/cont/autentificare/")
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    expect(page.get_by_role("heading", name="Confirmați că sunteți dumneavoastră")).to_be_visible()
    page.get_by_label("Cod").fill(codes[0])
    page.get_by_role("button", name="Confirmă").click()
    expect(page.get_by_role("navigation", name="Meniu principal")).to_be_visible()
