"""Tables as pages and files show them: titled columns and rows of cells, written as CSV or XLSX.

Every export is a table the page shows, with the same cells (so the same suppression). Spreadsheet programs
run a cell that starts with = + - @ (or a tab or carriage return) as a formula; such text is written with a
leading apostrophe so that it stays text (OWASP "CSV injection").

CSV comes in two dialects. The default is the one a spreadsheet in the user's language opens with a double
click: where the language writes a decimal comma (Romanian), Excel expects fields separated by ";" and reads
"43,8" as a number, so that is what is written, UTF-8 with a byte-order mark so that "ș" and "ț" survive. The
standard dialect (RFC 4180: "," and a decimal point, no mark) is for programs.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from html import escape

from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .privacy import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses these in a sheet's name, and names longer than 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


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
    # A short name for the table's spreadsheet sheet (31 characters at most); the title when empty.
    sheet: str = ""

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


def _csv_value(cell: Cell, localised: bool) -> object:
    """Return a cell as CSV writes it: decimals in the language's way when ``localised``, else as Python does."""
    if localised and not cell.suppressed and isinstance(cell.value, float):
        return cell.text
    return _cell_value(cell)


def table_csv(table: Table, legend: str = "", *, standard: bool = False) -> bytes:
    """Return the table as a CSV file: a header row, one row per table row, the legend last if cells are hidden.

    Without ``standard`` the file follows the active language's spreadsheet convention (see the module note).
    """
    localised = not standard and get_format("DECIMAL_SEPARATOR") == ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if localised else ",", lineterminator="\r\n")
    writer.writerow([safe_text(table.label_header), *(safe_text(column) for column in table.columns)])
    for row in table.rows:
        writer.writerow(
            [safe_text(row.label), *(safe_text(_csv_value(cell, localised)) for cell in row.cells)]
        )
    if legend and table.has_suppressed:
        writer.writerow([])
        writer.writerow([safe_text(legend)])
    return out.getvalue().encode("utf-8" if standard else "utf-8-sig")


def sheet_names(titles: list[str]) -> list[str]:
    """Return a valid, distinct Excel sheet name for each title (its first 31 allowed characters)."""
    names: list[str] = []
    for title in titles:
        base = SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'") or "-"
        name = base[:SHEET_NAME_LENGTH]
        number = 2
        while name.casefold() in (taken.casefold() for taken in names):
            suffix = f" ({number})"
            name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
            number += 1
        names.append(name)
    return names


def tables_xlsx(tables: list[Table], legend: str = "", heading: str = "") -> bytes:
    """Return the tables as an XLSX workbook, one sheet each, with the legend under any table with hidden cells."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, name in zip(
        tables, sheet_names([table.sheet or table.title for table in tables]), strict=True
    ):
        sheet = workbook.create_sheet(title=name)
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
        standard = f"{suffix}&amp;csv=standard" if suffix else "?csv=standard"
        parts.append(
            f'<p class="downloads">{escape(_("Download:"))} <a href="{base}.xlsx{suffix}">XLSX</a> · '
            f'<a href="{base}.csv{suffix}" title="{escape(_("For Excel in Romanian: ; between fields, decimal comma"))}">'
            f"{escape(_('CSV (Excel)'))}</a> · "
            f'<a href="{base}.csv{standard}" title="{escape(_("For other programs: comma between fields, decimal point"))}">'
            f"{escape(_('CSV (standard)'))}</a></p>"
        )
    # format_html would be the same, a few times slower per cell (see above).
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308, B703 - every piece of text above is escaped
