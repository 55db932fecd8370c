"""The scenario comparison page and its XLSX export, as a signed-in planner sees them."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mps.accounts.models import User
from mps.planning.costing import DEFAULT_PARAMETERS, Scenario, run_scenario
from mps.planning.costing.parameters import describe_parameters

pytestmark = [pytest.mark.django_db, pytest.mark.urls("mps.planning.tests.urls")]


@pytest.fixture
def planner(client):
    user = User.objects.create_user(
        username="planner", password="a-long-password-1", role="national_monitor", scope="national"
    )
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("planning:index"))

    assert response.status_code == 302
    assert "/cont/autentificare/" in response["Location"]


def test_the_page_compares_the_five_scenarios_in_romanian(planner):
    response = planner.get(reverse("planning:index"))

    assert response.status_code == 200
    page = response.content.decode()
    with translation.override("ro"):
        for scenario in Scenario:
            assert str(scenario.title) in page
    assert "736.268" in page  # scenario 1's children, Romanian grouping
    assert 'id="scenario-chart-data"' in page
    assert "vendor/chart.umd.min.js" in page
    assert [r.scenario for r in response.context["results"]] == [1, 2, 3, 4, 5]


def test_the_chart_data_is_the_models(planner):
    response = planner.get(reverse("planning:index"))
    chart = response.context["chart"]

    assert chart["series"]["staff"]["values"] == [run_scenario(s).staff for s in Scenario]


def test_the_form_changes_the_assumptions(planner):
    response = planner.get(reverse("planning:index"), {"salaries.social_worker": "5000", "region": ["RO42"]})

    assert response.status_code == 200
    [*_, regions, _all, _five] = response.context["results"]
    assert regions.regions == ("RO42",)
    default = run_scenario(Scenario.ALL)
    assert response.context["results"][3].annual_cost_ron > default.annual_cost_ron


def test_bad_assumptions_are_named_in_the_users_language(planner):
    response = planner.get(
        reverse("planning:index"), {"economy.lei_per_usd": "0", "salaries.school_counsellor": "-3"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Cursul de schimb trebuie să fie mai mare decât 0." in page
    assert "Salariul brut lunar al unui consilier școlar nu poate fi negativ." in page
    assert response.context["results"] == []


def test_the_export_is_a_workbook_with_the_models_numbers(planner):
    response = planner.get(reverse("planning:export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Comparație", *[f"Scenariul {n}" for n in range(1, 6)], "Parametri"]

    comparison = {row[0].strip(): row[1:] for row in book["Comparație"].iter_rows(values_only=True) if row[0]}
    with translation.override("ro"):
        results = [run_scenario(s) for s in Scenario]
    assert list(comparison["Copii acoperiți"]) == [round(r.children) for r in results]
    assert list(comparison["Personal"]) == [r.staff for r in results]
    assert list(comparison["Cost recurent pe an (lei)"]) == [round(r.annual_cost_ron) for r in results]

    scenario_1 = {row[0]: row[1] for row in book["Scenariul 1"].iter_rows(values_only=True) if row and row[0]}
    assert scenario_1["Costul pe copil pe an (lei)"] == round(results[0].cost_per_child_ron, 2)
    # No cell keeps a float artefact (2861.999999999999) that Excel would hide but sum and copy.
    for sheet in book.worksheets[:-1]:
        for row in sheet.iter_rows(values_only=True):
            assert all(round(value, 4) == value for value in row if isinstance(value, float)), row

    parameters = list(book["Parametri"].iter_rows(values_only=True))[1:]
    assert len(parameters) == len(describe_parameters())
    values = {row[4]: row[2] for row in parameters}
    assert values["salaries.social_worker"] == DEFAULT_PARAMETERS.salaries.social_worker


def test_the_export_follows_the_forms_assumptions_and_rejects_bad_ones(planner):
    changed = planner.get(reverse("planning:export"), {"economy.lei_per_usd": "5"})
    rejected = planner.get(reverse("planning:export"), {"economy.lei_per_usd": "abc"})

    assert changed.status_code == 200
    assert rejected.status_code == 400
    assert "economy.lei_per_usd" in rejected.content.decode()
