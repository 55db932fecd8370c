"""The scenarios as an XLSX workbook: a comparison sheet, one sheet per scenario and the parameters."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mps.planning.comparison import comparison_rows
from mps.planning.costing import CostParameters, ScenarioResult, StaffRole
from mps.planning.costing.parameters import GROUP_LABELS, describe_parameters

BOLD = Font(bold=True)


def _number_format(decimals: int) -> str:
    """Return the Excel format of a figure with this many decimals; Excel localises the separators."""
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def _figure(value: object, decimals: int) -> object:
    """Return a figure rounded to the decimals it is shown with, so that a cell holds 2862, not 2861.999999999999.

    The costing model works in floats; Excel would show the rounded figure but keep (and copy, and sum) the
    artefact.
    """
    if isinstance(value, float):
        return round(value) if decimals == 0 else round(value, decimals)
    return value


def _widen(sheet: Worksheet, widths: Sequence[int]) -> None:
    """Set the columns' widths so the labels can be read."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def comparison_sheet_title() -> str:
    """Return the comparison sheet's name in the active language."""
    return _("Comparison")[:31]


def scenario_sheet_title(number: int) -> str:
    """Return a scenario sheet's name in the active language."""
    return (_("Scenario %(number)s") % {"number": number})[:31]


def parameters_sheet_title() -> str:
    """Return the parameters sheet's name in the active language."""
    return _("Parameters")[:31]


def scenarios_workbook(results: Sequence[ScenarioResult], parameters: CostParameters) -> bytes:
    """Build the workbook and return its bytes."""
    book = Workbook()
    comparison = book.active
    assert comparison is not None  # a new workbook always has one sheet
    comparison.title = comparison_sheet_title()
    comparison.append([_("Figure"), *[f"{r.scenario}. {r.title}" for r in results]])
    for cell in comparison[1]:
        cell.font = BOLD
    for row in comparison_rows(results):
        comparison.append(
            [
                ("   " if row.indent else "") + row.label,
                *(_figure(value, row.decimals) for value in row.values),
            ]
        )
        for cell in comparison[comparison.max_row][1:]:
            cell.number_format = _number_format(row.decimals)
    comparison.append([])
    comparison.append([_("Source of communities"), *[_source_label(r.source) for r in results]])
    comparison.freeze_panes = "B2"
    _widen(comparison, [48, *[22] * len(results)])
    for result in results:
        _scenario_sheet(book.create_sheet(scenario_sheet_title(result.scenario)), result)
    _parameters_sheet(book.create_sheet(parameters_sheet_title()), parameters)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _source_label(source: str) -> str:
    """Return where the communities came from, for people."""
    return _("platform localities") if source == "localities" else _("national aggregates")


def _scenario_sheet(sheet: Worksheet, result: ScenarioResult) -> None:
    """Fill one scenario's sheet: its figures, its staff by role and its roll-out plan."""
    sheet.append([f"{result.scenario}. {result.title}"])
    sheet["A1"].font = BOLD
    sheet.append([_("Source of communities"), _source_label(result.source)])
    if result.regions:
        sheet.append([_("Development regions"), ", ".join(result.regions)])
    figures = [
        (_("Communities"), result.communities, 0),
        (_("Counties"), result.counties, 0),
        (_("Children covered"), result.children, 0),
        (_("Staff"), result.staff, 0),
        *[(str(StaffRole(role).label), count, 0) for role, count in result.staff_by_role.items()],
        (_("Recurrent cost a year (lei)"), result.annual_cost_ron, 0),
        (_("Recurrent cost a year (USD)"), result.annual_cost_usd, 0),
        (_("Start-up costs (lei)"), result.start_up_cost_ron, 0),
        (_("First-year cost with start-up (lei)"), result.first_year_cost_ron, 0),
        (_("Cost per child a year (lei)"), result.cost_per_child_ron, 2),
        (_("Cost per child a year (USD)"), result.cost_per_child_usd, 2),
        (_("Share of GDP (%)"), result.gdp_share_pct, 4),
        (_("First-year share of GDP (%)"), result.first_year_gdp_share_pct, 4),
    ]
    for label, value, decimals in figures:
        sheet.append([label, _figure(value, decimals)])
        sheet.cell(row=sheet.max_row, column=2).number_format = _number_format(decimals)
    sheet.append([])
    sheet.append(
        [
            _("Roll-out year"),
            _("Communities"),
            _("New communities"),
            _("Children covered"),
            _("Staff"),
            _("New staff"),
            _("Cost (lei)"),
            _("Cost (USD)"),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for year in result.rollout:
        sheet.append(
            [
                year.year,
                *(
                    _figure(value, 0)
                    for value in (
                        year.communities,
                        year.new_communities,
                        year.children,
                        year.staff,
                        year.new_staff,
                        year.cost_ron,
                        year.cost_usd,
                    )
                ),
            ]
        )
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = _number_format(0)
    _widen(sheet, [40, 18, 18, 18, 12, 12, 18, 18])


def _parameters_sheet(sheet: Worksheet, parameters: CostParameters) -> None:
    """List every parameter used, with its unit and its key for the command line."""
    sheet.append([_("Group"), _("Parameter"), _("Value"), _("Unit"), _("Key")])
    for cell in sheet[1]:
        cell.font = BOLD
    for info in describe_parameters(parameters):
        sheet.append([str(GROUP_LABELS[info.group]), str(info.label), info.value, str(info.unit), info.key])
    _widen(sheet, [24, 52, 20, 22, 48])
