"""The keyed pseudonym of a CNP: the one identifier person-level exports may carry.

Policy. A CNP encodes sex and birth date and has a checksum: the whole space of valid CNPs of one county and
year is a few hundred thousand values, so a plain hash (SHA-256 of the CNP) is reversed by trying them all in
seconds. The pseudonym is therefore an HMAC-SHA256 keyed with `MPS_PSEUDONYM_KEY`, a secret held in the
environment of the deployment and never in the database or the exports: without the key nobody can link a
pseudonym back to a CNP, and the same CNP always gives the same pseudonym, so that waves and counties join.
Changing the key changes every pseudonym (a new, unlinkable series).
"""

import hashlib
import hmac

from django.conf import settings

PREFIX_LENGTH = 32  # hex characters: 128 bits, far beyond any collision among Romania's population


def cnp_pseudonym(cnp: str, *, key: str | None = None) -> str:
    """Return the keyed pseudonym (HMAC-SHA256, hex) of a CNP or of another stable person identifier."""
    secret = (key if key is not None else settings.MPS_PSEUDONYM_KEY).encode()
    return hmac.new(secret, cnp.strip().encode(), hashlib.sha256).hexdigest()[:PREFIX_LENGTH]
