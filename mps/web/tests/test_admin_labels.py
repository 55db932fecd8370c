"""The administration pages name every part of the platform in Romanian, not GEOGRAPHY, ACCOUNTS, AUDIT."""

import pytest

from mps.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_index_lists_the_applications_in_romanian(client):
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)

    page = client.get("/admin/").content.decode()

    for label in ("Geografie", "Conturi", "Jurnal de audit"):
        assert label in page
    for english in (">Geography<", ">Accounts<", ">Audit trail<", "GEOGRAPHY"):
        assert english not in page
