"""The lockout check in the authentication chain."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuse locked-out usernames and addresses; let through authentication that came with no request.

    Without a request the caller is code on the server (a management command, the test client's login), not
    someone on the network, so there is neither an address to count nor anyone to lock out.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
