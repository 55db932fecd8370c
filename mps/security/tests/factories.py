"""Factories for the second factor: a passkey as the database keeps it (no browser ceremony)."""

import hashlib
import secrets

import factory
from django_otp_webauthn.models import WebAuthnCredential

from mps.accounts.tests.factories import UserFactory


class PasskeyFactory(factory.django.DjangoModelFactory[WebAuthnCredential]):
    """A registered passkey of a user; its key opens nothing (tests that sign use tests/authenticator.py)."""

    class Meta:
        model = WebAuthnCredential

    user = factory.SubFactory(UserFactory)
    name = "passkey"
    credential_id = factory.LazyFunction(lambda: secrets.token_bytes(32))
    credential_id_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.credential_id).hexdigest())
    public_key = factory.LazyFunction(lambda: secrets.token_bytes(77))
    aaguid = "00000000-0000-0000-0000-000000000000"
