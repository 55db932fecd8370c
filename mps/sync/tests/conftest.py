"""Fixtures for sync tests: two localities, a worker of each, and their device tokens."""

from typing import Any

import pytest
from django.test import Client

from mps.accounts.models import User
from mps.accounts.tests.factories import worker_of
from mps.geography.models import Locality
from mps.geography.tests.factories import LocalityFactory
from mps.sync.tokens import device_token_issue


@pytest.fixture
def locality() -> Locality:
    return LocalityFactory.create(name="Valea Mare")


@pytest.fixture
def other_locality() -> Locality:
    return LocalityFactory.create(name="Dealu Mic")


@pytest.fixture
def worker(locality: Locality) -> User:
    return worker_of(locality, username="ana.ionescu", first_name="Ana", last_name="Ionescu")


@pytest.fixture
def other_worker(other_locality: Locality) -> User:
    return worker_of(other_locality, username="dan.popa")


def bearer(user: User, device: str = "tableta 1") -> str:
    """Issue a token for the user and return the Authorization header value."""
    return f"Bearer {device_token_issue(actor=None, user=user, device_name=device, device_id=device).token}"


class ApiClient:
    """A test client that sends a device token with every request."""

    def __init__(self, authorization: str) -> None:
        self.client = Client()
        self.authorization = authorization

    def push(self, device_id: str = "tableta 1", **items: Any) -> Any:
        return self.client.post(
            "/api/v1/sync/push",
            {"device_id": device_id, **items},
            content_type="application/json",
            HTTP_AUTHORIZATION=self.authorization,
        )

    def pull(self, cursor: str = "", **headers: Any) -> Any:
        query = {"cursor": cursor} if cursor else {}
        return self.client.get("/api/v1/sync/pull", query, HTTP_AUTHORIZATION=self.authorization, **headers)

    def get(self, path: str) -> Any:
        return self.client.get(path, HTTP_AUTHORIZATION=self.authorization)


@pytest.fixture
def api(worker: User) -> ApiClient:
    return ApiClient(bearer(worker))


@pytest.fixture
def other_api(other_worker: User) -> ApiClient:
    return ApiClient(bearer(other_worker, "tableta 2"))
