"""``manage.py costing`` prints a scenario as JSON or as a table."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mps.planning.costing import run_scenario

pytestmark = pytest.mark.django_db


def _json(*args: str) -> dict:
    out = StringIO()
    call_command("costing", *args, stdout=out)
    return json.loads(out.getvalue())


def test_json_has_the_recurrent_figures_of_the_model():
    data = _json("--scenario", "1", "--format", "json")
    expected = run_scenario(1)

    assert data["children"] == 736_268
    assert data["staff"] == expected.staff
    assert data["annual_cost_ron"] == round(expected.annual_cost_ron)
    assert data["cost_per_child_ron"] == pytest.approx(expected.cost_per_child_ron, abs=0.01)
    assert data["gdp_share_pct"] == pytest.approx(expected.gdp_share_pct, abs=1e-4)
    for key in (
        "staff_by_role",
        "communities",
        "first_year_cost_ron",
        "cost_per_child_usd",
        "ministry_share_pct",
        "first_year_ministry_share_pct",
        "rollout",
        "source",
    ):
        assert key in data
    assert data["source"] == "aggregates"
    assert len(data["rollout"]) == 3


def test_scenario_3_takes_regions():
    data = _json("--scenario", "3", "--region", "RO42", "--region", "ro11")

    assert data["regions"] == ["RO42", "RO11"]
    assert data["communities"] < _json("--scenario", "4")["communities"]


def test_parameters_can_be_changed_from_the_command_line():
    cheap = _json("--scenario", "4")
    dear = _json("--scenario", "4", "--set", "salaries.social_worker=6000")

    assert dear["annual_cost_ron"] > cheap["annual_cost_ron"]


def test_bad_parameters_stop_the_command_with_the_parameters_name():
    with pytest.raises(CommandError, match=r"economy\.lei_per_usd"):
        call_command("costing", "--scenario", "1", "--set", "economy.lei_per_usd=0", stdout=StringIO())
    with pytest.raises(CommandError, match=r"salaries\.nobody"):
        call_command("costing", "--scenario", "1", "--set", "salaries.nobody=1", stdout=StringIO())


def test_table_format_is_aligned_and_in_romanian_by_default():
    out = StringIO()
    call_command("costing", "--scenario", "4", "--format", "table", stdout=out)
    lines = out.getvalue().splitlines()

    assert any("asistenți sociali" in line for line in lines)
    assert any("770." in line for line in lines)  # 770.699.937 lei, Romanian grouping
    value_columns = {len(line) - len(line.lstrip()) for line in lines}  # every line starts at column 0 or 2
    assert value_columns <= {0, 2}
