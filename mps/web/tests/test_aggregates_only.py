"""A national monitor (aggregates only) who opens a page of named households is told why it lists nothing."""

import pytest
from django.urls import reverse

from mps.accounts.tests.factories import national_monitor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["registry:household_list", "census:campaign_list", "cases:case_list"])
def test_pages_of_named_households_say_they_cannot_show_names(client, name):
    client.force_login(national_monitor())

    response = client.get(reverse(name))

    page = response.content.decode()
    assert response.status_code == 200
    assert "niciodată gospodării sau persoane cu nume" in page
    assert reverse("monitoring:dashboard") in page
    assert "<table" not in page
    assert "No census campaign" not in page
