"""Tables as pages and files show them: titled columns and rows of cells, written as CSV or XLSX.

Every export is a table the page shows, with the same cells (so the same suppression). Spreadsheet programs
run a cell that starts with = + - @ (or a tab or carriage return) as a formula; such text is written with a
leading apostrophe so that it stays text (OWASP "CSV injection").
"""

import csv
import io
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .privacy import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    """One row: its label, its cells, and where the label links to (a drill-down), if anywhere."""

    label: str
    cells: list[Cell]
    url: str = ""
    note: str = ""


@dataclass
class Table:
    """A titled table of figures with a stable key (its export file name)."""

    key: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row.cells)


def safe_text(value: object) -> object:
    """Return a value a spreadsheet will not run as a formula (text starting with a formula sign is quoted)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_value(cell: Cell) -> object:
    if cell.suppressed:
        return cell.text
    if cell.value is None:
        return ""
    return cell.value


def table_csv(table: Table, legend: str = "") -> str:
    """Return the table as CSV text: a header row, then one row per table row; the legend last if cells are hidden."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(table.label_header), *(safe_text(column) for column in table.columns)])
    for row in table.rows:
        writer.writerow([safe_text(row.label), *(safe_text(_cell_value(cell)) for cell in row.cells)])
    if legend and table.has_suppressed:
        writer.writerow([])
        writer.writerow([safe_text(legend)])
    return out.getvalue()


def tables_xlsx(tables: list[Table], legend: str = "", heading: str = "") -> bytes:
    """Return the tables as an XLSX workbook, one sheet each, with the legend under any table with hidden cells."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        if heading:
            sheet.append([safe_text(heading)])
        sheet.append([safe_text(table.title)])
        sheet.append([safe_text(table.label_header), *(safe_text(column) for column in table.columns)])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([safe_text(row.label), *(safe_text(_cell_value(cell)) for cell in row.cells)])
        if legend and table.has_suppressed:
            sheet.append([])
            sheet.append([safe_text(legend)])
        sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_html(table: Table, *, query: str = "", export_base: str = "") -> SafeString:
    """Return the table as HTML for a page, with links to its CSV and XLSX files when ``export_base`` is given.

    Written in Python rather than as a template: a dashboard holds a few hundred cells, and the template engine
    spent most of a request's time on them (the standard library's escape, too, is several times faster than
    Django's lazy-aware one).
    """
    suffix = f"?{escape(query)}" if query else ""
    hidden = escape(_("hidden: fewer than the threshold"))
    hidden_cell = (
        f'<td class="number suppressed" title="{hidden}">{escape(Cell(None, suppressed=True).text)}</td>'
    )
    parts = [
        f'<div class="table-scroll"><table class="list figures" id="table-{escape(table.key)}">',
        f'<caption class="sr-only">{escape(table.title)}</caption><thead><tr>',
        f'<th scope="col">{escape(table.label_header)}</th>',
        *(f'<th scope="col" class="number">{escape(column)}</th>' for column in table.columns),
        "</tr></thead><tbody>",
    ]
    for row in table.rows:
        label = escape(row.label)
        if row.url:
            label = f'<a href="{escape(row.url)}{suffix}">{label}</a>'
        parts.append(f'<tr><th scope="row">{label}</th>')
        for cell in row.cells:
            if cell.suppressed:
                parts.append(hidden_cell)
            elif cell.kind == "count" and type(cell.value) is int:  # most cells: digits need no escaping
                parts.append(f'<td class="number">{cell.value}</td>')
            else:
                parts.append(f'<td class="number">{escape(cell.text)}</td>')
        parts.append("</tr>")
    if not table.rows:
        parts.append(
            f'<tr><td colspan="{len(table.columns) + 1}" class="muted">{escape(_("No figures yet."))}</td></tr>'
        )
    parts.append("</tbody></table></div>")
    if export_base:
        base = f"{escape(export_base)}{escape(table.key)}"
        parts.append(
            f'<p class="downloads">{escape(_("Download:"))} <a href="{base}.csv{suffix}">CSV</a> · '
            f'<a href="{base}.xlsx{suffix}">XLSX</a></p>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
