"""Small SVG bar charts for the PDF report, drawn from the same chart data the pages give Chart.js.

The pages use Chart.js in the browser; a PDF has no browser, and a server-side plotting library would be a heavy
dependency for a few bars, so the report draws its bars as plain SVG, which WeasyPrint renders natively.
"""

from collections.abc import Sequence
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#005a9c", "#d97706", "#2f855a", "#b3261e")


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    *,
    width: int = 640,
    bar_height: int = 14,
    unit: str = "",
) -> SafeString:
    """Return an SVG of horizontal bars, one group per label and one bar per series; gaps for hidden values."""
    label_width = 230
    plot = width - label_width - 60
    values = [v for _, data in series for v in data if v is not None]
    top = max(values, default=0) or 1
    group = bar_height * len(series) + 8
    legend_height = 18
    height = legend_height + group * len(labels) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">'
    ]
    x = label_width
    for index, (name, _) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="3" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="12">{escape(name)}</text>')
        x += 14 + 7 * len(name) + 16
    for row, label in enumerate(labels):
        y = legend_height + row * group
        parts.append(
            f'<text x="{label_width - 6}" y="{y + group / 2 + 3}" text-anchor="end">{escape(label[:45])}</text>'
        )
        for index, (_, data) in enumerate(series):
            value = data[row] if row < len(data) else None
            bar_y = y + index * bar_height
            if value is None:
                parts.append(
                    f'<text x="{label_width + 2}" y="{bar_y + bar_height - 3}" fill="#64748b">&lt;5</text>'
                )
                continue
            length = max(0.0, plot * value / top)
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<rect x="{label_width}" y="{bar_y + 1}" width="{length:.1f}" height="{bar_height - 2}" fill="{colour}"/>'
            )
            text = f"{number_format(round(value, 1))}{unit}"
            parts.append(
                f'<text x="{label_width + length + 3:.1f}" y="{bar_y + bar_height - 3}">{escape(text)}</text>'
            )
    parts.append("</svg>")
    # Every text above (labels, series names, numbers) is escaped; the rest is numbers and this module's colours.
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308, B703 - every text is escaped above
