"""A session that has passed only the password: where every second-factor test starts."""

from django.test import Client
from django.urls import reverse

from mps.accounts.models import User
from mps.accounts.tests.factories import TEST_PASSWORD


def password_only_session(user: User) -> Client:
    """Return a client signed in with the user's password and nothing more."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client
