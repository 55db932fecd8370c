"""The field app's page, service worker, manifest and translations are served by the platform."""

import pytest
from django.test import Client

from mps.accounts.tests.factories import county_supervisor_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(worker) -> Client:
    client = Client()
    client.force_login(worker)
    return client


def test_the_app_page_needs_a_login(client):
    response = client.get("/teren/")
    assert response.status_code == 302
    assert "/cont/autentificare/" in response["Location"]


def test_the_app_page_is_for_users_who_record_visits(signed_in):
    assert signed_in.get("/teren/").status_code == 200
    supervisor = Client()
    supervisor.force_login(county_supervisor_of("BC"))
    assert supervisor.get("/teren/").status_code == 404


def test_the_service_worker_is_served_from_the_app_path_with_its_scope(signed_in):
    response = signed_in.get("/teren/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/teren/"
    text = response.content.decode()
    assert "SHELL_URLS" in text
    assert "/static/sync/field/app.js" in text


def test_the_manifest_makes_the_app_installable(signed_in):
    manifest = signed_in.get("/teren/manifest.webmanifest").json()
    assert manifest["start_url"] == "/teren/"
    assert manifest["display"] == "standalone"
    assert manifest["icons"]


def test_the_app_strings_come_from_gettext_in_both_languages(signed_in):
    romanian = signed_in.get("/teren/i18n/ro.json").json()["catalog"]
    assert romanian["Sync now"] == "Sincronizează acum"
    assert signed_in.get("/teren/i18n/en.json").json()["catalog"] == {}
    assert signed_in.get("/teren/i18n/fr.json").status_code == 404


def test_the_api_docs_and_schema_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/sync/push" in schema["paths"]
    assert "/api/v1/sync/pull" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
