"""The side-by-side comparison of scenarios that the page, the chart and the spreadsheet all show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mps.planning.costing import ScenarioResult, StaffRole
from mps.planning.costing.model import MINISTRY_LABELS, Ministry


@dataclass(frozen=True)
class ComparisonRow:
    """One figure across the scenarios, with the decimals it is shown with."""

    key: str
    label: str
    values: list[float]
    decimals: int = 0
    indent: bool = False

    @property
    def number_format(self) -> str:
        """Return the floatformat argument that shows the figure grouped, in the active language."""
        return f"{self.decimals}g"


def comparison_rows(results: Sequence[ScenarioResult]) -> list[ComparisonRow]:
    """Return the figures to compare, in reading order, one value per scenario."""

    def row(
        key: str, label: str, values: list[float], decimals: int = 0, indent: bool = False
    ) -> ComparisonRow:
        return ComparisonRow(key=key, label=label, values=values, decimals=decimals, indent=indent)

    rows = [
        row("communities", _("Communities"), [r.communities for r in results]),
        row("counties", _("Counties"), [r.counties for r in results]),
        row("children", _("Children covered"), [r.children for r in results]),
        row("staff", _("Staff"), [float(r.staff) for r in results]),
    ]
    rows += [
        row(
            f"staff_by_role.{role.value}",
            str(role.label),
            [float(r.staff_by_role[role.value]) for r in results],
            indent=True,
        )
        for role in StaffRole
    ]
    rows += [
        row("annual_cost_ron", _("Recurrent cost a year (lei)"), [r.annual_cost_ron for r in results]),
        row("annual_cost_usd", _("Recurrent cost a year (USD)"), [r.annual_cost_usd for r in results]),
        row(
            "first_year_cost_ron",
            _("First-year cost with start-up (lei)"),
            [r.first_year_cost_ron for r in results],
        ),
        row(
            "cost_per_child_ron", _("Cost per child a year (lei)"), [r.cost_per_child_ron for r in results], 2
        ),
        row(
            "cost_per_child_usd", _("Cost per child a year (USD)"), [r.cost_per_child_usd for r in results], 2
        ),
        row("gdp_share_pct", _("Share of GDP (%)"), [r.gdp_share_pct for r in results], 4),
        row(
            "first_year_gdp_share_pct",
            _("First-year share of GDP (%)"),
            [r.first_year_gdp_share_pct for r in results],
            4,
        ),
    ]
    rows += [
        row(
            f"first_year_ministry_share_pct.{ministry.value}",
            _("First-year share of the budget of the %(ministry)s (%%)")
            % {"ministry": MINISTRY_LABELS[ministry]},
            [r.first_year_ministry_share_pct[ministry.value] for r in results],
            3,
        )
        for ministry in Ministry
    ]
    years = max((len(r.rollout) for r in results), default=0)
    rows += [
        row(
            f"rollout.{year}",
            _("Roll-out year %(year)s (lei)") % {"year": year},
            [r.rollout[year - 1].cost_ron if len(r.rollout) >= year else 0.0 for r in results],
        )
        for year in range(1, years + 1)
    ]
    return rows


def chart_data(results: Sequence[ScenarioResult]) -> dict[str, object]:
    """Return the chart's labels and series: costs in millions of lei and staff."""
    return {
        "labels": [_("Scenario %(number)s") % {"number": r.scenario} for r in results],
        "titles": [r.title for r in results],
        "series": {
            "annual": {
                "label": _("Recurrent cost a year (million lei)"),
                "values": [round(r.annual_cost_ron / 1e6, 1) for r in results],
            },
            "first_year": {
                "label": _("First-year cost (million lei)"),
                "values": [round(r.first_year_cost_ron / 1e6, 1) for r in results],
            },
            "staff": {"label": _("Staff"), "values": [r.staff for r in results]},
        },
    }
