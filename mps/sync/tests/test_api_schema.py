"""Schemathesis drives every API operation from its OpenAPI schema: no input may cause a server error."""

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from mps.sync.tests.conftest import bearer
from mps.sync.tests.documents import family

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Keep the test's database connection across requests, as Django's own test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def authorization(worker, locality) -> str:
    """A device token of a worker whose locality holds one household, so that pulls return data."""
    from mps.assessment.services import assessment_record

    assessment_record(actor=worker, document=family(locality), source="sync")
    return bearer(worker)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_input_makes_the_api_fail(case: Any, authorization: str) -> None:
    if case.operation.path == "/api/v1/device/revoke":
        # Revoking the token would turn every later example into a plain 401.
        return
    response = case.call(headers={"Authorization": authorization})
    assert response.status_code < 500, response.text[:2000]


def test_without_a_token_every_operation_answers_401(client) -> None:
    for path in ("/api/v1/me", "/api/v1/sync/pull", "/api/v1/catalogue", "/api/v1/conflicts"):
        assert client.get(path).status_code == 401
