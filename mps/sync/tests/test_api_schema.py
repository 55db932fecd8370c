"""Schemathesis drives every API operation from its OpenAPI schema, with every check it has.

No input may cause a server error, and every answer must be one the schema declares: its status code (ST103),
content type, headers and body. Invalid requests (bodies that break the schema, requests without a token, wrong
methods) must be refused.
"""

from typing import Any

import pytest
import schemathesis
from axes.utils import reset
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from mps.sync.tests.conftest import bearer
from mps.sync.tests.documents import family

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# The test sends a real token with every request, so generated Authorization headers would only be replaced
# (and a "negative" case without one would become a valid request). The API ignores query parameters it does
# not know, as HTTP APIs do, so a request with extra ones is not an invalid request here.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)


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
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_answers_as_its_schema_says(case: Any, authorization: str) -> None:
    if case.operation.path == "/api/v1/device/revoke":
        # Revoking the token would turn every later example into a plain 401.
        return
    # The check of invalid tokens sends wrong ones on purpose: without a reset the lockout would answer 429
    # from the fifth example on, to the good token too.
    reset()
    # Identity: the WSGI client hands the body over as sent, and the gzipped pull is not JSON until unzipped.
    case.call_and_validate(headers={"Authorization": authorization, "Accept-Encoding": "identity"})


def test_without_a_token_every_operation_answers_401(client) -> None:
    for path in ("/api/v1/me", "/api/v1/sync/pull", "/api/v1/catalogue", "/api/v1/conflicts"):
        assert client.get(path).status_code == 401
