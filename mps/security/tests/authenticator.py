"""A software passkey for the server-side tests: what a phone's authenticator sends, signed with a real P-256 key.

It answers the JSON the endpoints hand out (registration and verification options) with the JSON the browser
would post back, so that the whole ceremony runs through django-otp-webauthn and py_webauthn unchanged.
"""

import base64
import hashlib
import json
import secrets
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://testserver"
_USER_PRESENT_AND_VERIFIED = 0x01 | 0x04
_ATTESTED = 0x40


def _text(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftwarePasskey:
    """One credential, kept in memory like a phone keeps it."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0

    def _cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": ORIGIN}).encode()

    def create(self, options: dict) -> dict:
        """The browser's answer to registration options."""
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
        auth_data = (
            rp_hash
            + bytes([_USER_PRESENT_AND_VERIFIED | _ATTESTED])
            + struct.pack(">I", self.sign_count)
            + attested
            + self._cose_public_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": _text(self.credential_id),
            "rawId": _text(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": _text(self._client_data("webauthn.create", options["challenge"])),
                "attestationObject": _text(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def get(self, options: dict) -> dict:
        """The browser's answer to verification options, signed by the passkey."""
        self.sign_count += 1
        rp_hash = hashlib.sha256(options["rpId"].encode()).digest()
        auth_data = rp_hash + bytes([_USER_PRESENT_AND_VERIFIED]) + struct.pack(">I", self.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": _text(self.credential_id),
            "rawId": _text(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": _text(client_data),
                "authenticatorData": _text(auth_data),
                "signature": _text(signature),
                "userHandle": None,
            },
            "clientExtensionResults": {},
        }
