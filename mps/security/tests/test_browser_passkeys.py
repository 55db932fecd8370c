"""A worker adds a passkey at her first login and confirms the next login with it, in Chromium.

Chromium's virtual authenticator (DevTools protocol) stands in for the tablet's fingerprint reader: a platform
authenticator (CTAP2, internal transport) that keeps discoverable credentials and verifies the user at once.
"""

import re

import pytest
from django.test import override_settings
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.audit.models import AuditEvent
from mps.geography.tests.factories import LocalityFactory
from mps.security.tests.test_browser_csp import LISTEN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _virtual_authenticator(page: Page) -> None:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def _password(page: Page, base_url: str, username: str, next_url: str = "") -> None:
    page.goto(f"{base_url}/cont/autentificare/{next_url}")
    page.get_by_label("Nume de utilizator").fill(username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()


@override_settings(MPS_REQUIRE_MFA=True)
def test_a_passkey_added_at_the_first_login_confirms_the_next(live_server, page: Page) -> None:
    worker = worker_of(LocalityFactory.create(name="Pâncești"), username="ioana.amprenta")
    _virtual_authenticator(page)
    page.context.add_init_script(script=f"({LISTEN})()")

    _password(page, live_server.url, worker.username)
    expect(page.get_by_role("heading", name="Folosiți o cheie de acces (passkey)")).to_be_visible()
    page.get_by_role("button", name="Adăugați o cheie de acces pe acest dispozitiv").click()

    # The first factor comes with the recovery codes, whichever kind it is.
    expect(page.get_by_role("heading", name="Coduri de recuperare")).to_be_visible()
    expect(page.get_by_text("Cheia de acces a fost adăugată.")).to_be_visible()
    assert len(page.locator("ol.recovery-codes code").all_inner_texts()) == 10
    assert WebAuthnCredential.objects.filter(user=worker).count() == 1
    page.get_by_role("link", name="Le-am păstrat: continuă").click()
    expect(page.get_by_role("navigation", name="Meniu principal")).to_be_visible()

    # The next login: the password, then the passkey instead of a code, and on to the page asked for.
    page.context.clear_cookies()
    _password(page, live_server.url, worker.username, next_url="?next=/gospodarii/")
    expect(page.get_by_role("heading", name="Confirmați că sunteți dumneavoastră")).to_be_visible()
    assert page.evaluate("() => window.__violations") == []  # the passkey script keeps to the CSP
    page.get_by_role("button", name="Folosiți o cheie de acces (passkey)").click()
    expect(page).to_have_url(re.compile(r"/gospodarii/$"))
    expect(page.get_by_role("navigation", name="Meniu principal")).to_be_visible()
    assert AuditEvent.objects.filter(
        object_type="second_factor", actor=worker, changes__has_key="passkey_used"
    ).exists()

    # Her passkeys are listed, and she can remove one.
    page.goto(f"{live_server.url}/cont/doi-factori/chei-de-acces/")
    page.get_by_role("button", name="Ștergeți această cheie de acces").click()
    expect(page.get_by_text("Cheia de acces a fost ștearsă.")).to_be_visible()
    assert not WebAuthnCredential.objects.filter(user=worker).exists()


@override_settings(MPS_REQUIRE_MFA=True)
def test_without_webauthn_in_the_browser_only_the_app_is_offered(live_server, page: Page) -> None:
    worker = worker_of(LocalityFactory.create(name="Pâncești"), username="ioana.fara.cheie")
    page.context.add_init_script(script="delete window.PublicKeyCredential")

    _password(page, live_server.url, worker.username)
    expect(page.get_by_role("heading", name="Configurați aplicația de autentificare")).to_be_visible()
    expect(page.get_by_role("heading", name="Folosiți o cheie de acces (passkey)")).to_be_hidden()
    expect(page.get_by_role("button", name="Adăugați o cheie de acces pe acest dispozitiv")).to_be_hidden()
