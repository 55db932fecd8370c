"""The printable progress report of an area (mid-year or annual) as PDF, rendered by WeasyPrint.

It holds what the management units publish: census coverage, households and children by risk, prevalence by
dimension and code, services and referrals in the period, equity, the trend and the wave table from the first
to the latest wave, with the same small-cell policy as the pages. Charts are SVG drawn here (see `svg_charts`).
"""

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .areas import Area
from .dashboard import Period, dashboard_build
from .privacy import CellPolicy
from .svg_charts import bar_chart
from .wave_table import wave_table_build


def report_pdf(
    request: HttpRequest | None, area: Area, policy: CellPolicy, *, period: Period, wave: int | None
) -> bytes:
    """Return the report of the area for the period (and the wave, by default the latest) as PDF bytes."""
    from weasyprint import HTML

    board = dashboard_build(area, policy, wave=wave, period=period)
    evaluation = None
    if len(board.waves) >= 2:
        evaluation = wave_table_build(area, policy, board.waves[0], board.waves[-1])
    charts = board.charts
    svgs = {
        "pyramid": bar_chart(
            charts["pyramid"]["labels"],
            [
                (charts["pyramid"]["households_label"], charts["pyramid"]["households"]),
                (charts["pyramid"]["children_label"], charts["pyramid"]["children"]),
            ],
        ),
        "dimensions": bar_chart(
            charts["dimensions"]["labels"],
            [
                (charts["dimensions"]["households_label"], charts["dimensions"]["households"]),
                (charts["dimensions"]["children_label"], charts["dimensions"]["children"]),
            ],
            unit="%",
        ),
        "trend": bar_chart(
            charts["trend"]["labels"],
            [
                (charts["trend"]["high_label"], charts["trend"]["high"]),
                (charts["trend"]["children_label"], charts["trend"]["children"]),
            ],
            unit="%",
        ),
    }
    html = render_to_string(
        "monitoring/report.html",
        {
            "board": board,
            "area": area,
            "policy": policy,
            "evaluation": evaluation,
            "svgs": svgs,
            "title": _("Progress report"),
        },
        request=request,
    )
    return HTML(string=html).write_pdf()
