"""The minimum package as data: every vulnerability has a suggested service, and catalogue_json prints it all."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from mps.assessment.rules import load_catalogue
from mps.cases.catalogue import KINDS, ROLES, TARGETS, load_services
from mps.cases.models import Service

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("vulnerability", load_catalogue("mps-v1").vulnerabilities, ids=lambda v: v.code)
def test_every_vulnerability_has_a_suggested_service(vulnerability):
    assert load_services("mps-v1").suggested_for(vulnerability.code)


def test_the_package_holds_at_least_51_well_formed_services():
    services = load_services("mps-v1").services
    assert len(services) >= 51
    assert len({s.code for s in services}) == len(services)
    for service in services:
        assert service.role in ROLES
        assert service.kind in KINDS
        assert service.target in TARGETS
        for text in (service.name_ro, service.name_en, service.closes_ro, service.closes_en):
            assert text
    # Every kind of service and every role of the team is represented.
    assert {s.kind for s in services} == set(KINDS)
    assert {s.role for s in services} == set(ROLES)
    assert any(ch in "".join(s.name_ro for s in services) for ch in "șțăâî")


def test_the_data_migration_loaded_the_catalogue_into_the_table():
    assert Service.objects.filter(catalogue="mps-v1").count() == len(load_services("mps-v1").services)
    assert Service.objects.get(code="S-HE-01").addresses == ["HE01"]


def test_catalogue_json_prints_the_whole_package():
    out = StringIO()
    call_command("catalogue_json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["catalogue"] == "mps-v1"
    assert len(document["vulnerabilities"]) == 46
    assert set(document["vulnerabilities"][0]) >= {
        "code",
        "dimension",
        "level",
        "weight",
        "critical",
        "name_ro",
        "name_en",
    }
    assert len(document["services"]) >= 51
    assert set(document["services"][0]) >= {
        "code",
        "name_ro",
        "name_en",
        "role",
        "kind",
        "target",
        "addresses",
    }
    addressed = {code for service in document["services"] for code in service["addresses"]}
    assert addressed == {v["code"] for v in document["vulnerabilities"]}
    critical = {v["code"] for v in document["vulnerabilities"] if v["critical"]}
    assert critical == {"FA02", "FA03", "FA07", "FA08", "HO08"}
