"""The admin pages: regions and counties read-only, localities searchable by name or whole SIRUTA code."""

import pytest
from django.test import Client

from mps.geography.tests.factories import LocalityFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_counties_cannot_be_added_or_changed(admin_client: Client) -> None:
    assert admin_client.get("/admin/geography/county/").status_code == 200
    assert admin_client.get("/admin/geography/county/add/").status_code == 403
    page = admin_client.get("/admin/geography/county/BC/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_localities_are_found_by_whole_siruta_code_or_by_name(admin_client: Client) -> None:
    LocalityFactory.create(siruta=20297, name="Bacău", kind="municipality")
    LocalityFactory.create(siruta=120297, name="Altă localitate")

    by_code = admin_client.get("/admin/geography/locality/", {"q": "20297"})
    by_name = admin_client.get("/admin/geography/locality/", {"q": "altă"})

    assert by_code.context["cl"].result_count == 1
    assert by_name.context["cl"].result_count == 1


def test_a_locality_page_lists_its_villages(admin_client: Client) -> None:
    village = VillageFactory.create(name="Fundătura Răchitoasa")

    page = admin_client.get(f"/admin/geography/locality/{village.locality.siruta}/change/")

    assert page.status_code == 200
    assert "Fundătura Răchitoasa" in page.content.decode()
