"""The scale-up planner: compare the five scenarios under the user's assumptions, and export them.

Any signed-in user may plan: the planner holds no personal data, only national figures and assumptions.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from mps.core.errors import DomainValidationError
from mps.planning.comparison import chart_data, comparison_rows
from mps.planning.costing import DEFAULT_PARAMETERS, CostParameters, ScenarioResult, parameters_from_mapping
from mps.planning.costing.communities import validate_regions
from mps.planning.costing.parameters import GROUP_LABELS, REGION_CODES, describe_parameters
from mps.planning.selectors import scenario_results
from mps.planning.spreadsheet import scenarios_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan_from_query(query: QueryDict) -> tuple[CostParameters, tuple[str, ...]]:
    """Read the parameters and scenario 3's regions from the query string; raise naming every bad field."""
    problems: dict[str, list[str]] = {}
    parameters = DEFAULT_PARAMETERS
    regions: tuple[str, ...] = ()
    try:
        parameters = parameters_from_mapping(query.dict())
    except DomainValidationError as error:
        problems.update({key: [str(m) for m in messages] for key, messages in error.problems.items()})
    try:
        regions = validate_regions(query.getlist("region"))
    except DomainValidationError as error:
        problems.update({key: [str(m) for m in messages] for key, messages in error.problems.items()})
    if problems:
        raise DomainValidationError(problems)
    return parameters, regions


def _form_groups(query: QueryDict, parameters: CostParameters, problems: dict[str, list[str]]) -> list[dict]:
    """Return the form's fields grouped as the parameters are, with the typed values and their errors."""
    groups: dict[str, dict] = {}
    for info in describe_parameters(parameters):
        typed = query.get(info.key)
        value = typed if typed is not None else _plain(info.value)
        group = groups.setdefault(
            info.group, {"key": info.group, "label": GROUP_LABELS[info.group], "fields": [], "invalid": False}
        )
        group["fields"].append({"info": info, "value": value, "errors": problems.get(info.key, [])})
        group["invalid"] = group["invalid"] or info.key in problems
    return list(groups.values())


def _plain(value: float) -> str:
    """Write a number as an HTML number input expects it: no grouping, a decimal point, no exponent."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:f}".rstrip("0").rstrip(".")


def scenarios(request: HttpRequest) -> HttpResponse:
    """Show the five scenarios side by side under the assumptions of the form."""
    problems: dict[str, list[str]] = {}
    results: list[ScenarioResult] = []
    parameters = DEFAULT_PARAMETERS
    regions: tuple[str, ...] = ()
    try:
        parameters, regions = _plan_from_query(request.GET)
        results = scenario_results(parameters, regions=regions)
    except DomainValidationError as error:
        problems = {key: [str(m) for m in messages] for key, messages in error.problems.items()}
    context = {
        "results": results,
        "rows": comparison_rows(results) if results else [],
        "chart": chart_data(results) if results else None,
        "groups": _form_groups(request.GET, parameters, problems),
        "problems": problems,
        "region_choices": [
            (code, code in (regions or request.GET.getlist("region"))) for code in REGION_CODES
        ],
        "query": request.GET.urlencode(),
        "source": results[0].source if results else "",
    }
    return render(request, "planning/scenarios.html", context, status=400 if problems else 200)


def export(request: HttpRequest) -> HttpResponse:
    """Download the five scenarios, computed as on the page, as an XLSX workbook."""
    try:
        parameters, regions = _plan_from_query(request.GET)
        results = scenario_results(parameters, regions=regions)
    except DomainValidationError as error:
        return HttpResponse("\n".join(error.lines()), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(scenarios_workbook(results, parameters), content_type=XLSX)
    filename = _("mps-scale-up-scenarios") + ".xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
