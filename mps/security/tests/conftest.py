import pytest
from django.test import override_settings


@pytest.fixture
def mfa_on():
    """Require the second factor, as production does."""
    with override_settings(MPS_REQUIRE_MFA=True):
        yield
