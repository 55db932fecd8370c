"""What the browser tests share: signing in through the login page, as a user does."""

from django.urls import reverse
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import TEST_PASSWORD


def log_in(page: Page, base_url: str, username: str) -> None:
    """Sign in with the test password through the login form, and wait for the main menu."""
    page.context.clear_cookies()
    page.goto(f"{base_url}{reverse('login')}")
    page.get_by_label("Nume de utilizator").fill(username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    expect(page.get_by_role("navigation", name="Meniu principal")).to_be_visible()
