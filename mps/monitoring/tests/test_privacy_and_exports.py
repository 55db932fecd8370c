"""Small cells hidden from aggregate-only viewers in pages and every export; exports in their formats; scope."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from mps.accounts.tests.factories import TEST_PASSWORD
from mps.assessment.rules import load_catalogue
from mps.assessment.services import assessment_record
from mps.geography.tests.factories import LocalityFactory
from mps.monitoring.privacy import Cell
from mps.monitoring.refresh import monitoring_refresh
from mps.monitoring.tables import Row, Table, safe_text, sheet_names, table_csv, tables_xlsx
from mps.monitoring.tests.data import NO_ELECTRICITY, document, uninsured_parents

pytestmark = pytest.mark.django_db

COUNTY = "/monitorizare/judet/BC/"
TABLES = [
    "areas",
    "coverage",
    "risk",
    "prevalence",
    "dimensions",
    "equity",
    "trend",
    "services",
    "referrals",
    "caseload",
]

# The dataValueSets structure DHIS2's import API accepts (the subset this platform writes).
DHIS2_SCHEMA = {
    "type": "object",
    "required": ["dataValues"],
    "additionalProperties": False,
    "properties": {
        "dataValues": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["dataElement", "period", "orgUnit", "value"],
                "additionalProperties": False,
                "properties": {
                    "dataElement": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{2}$"},
                    "period": {
                        "type": "string",
                        "pattern": "^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$",
                    },
                    "orgUnit": {"type": "string", "pattern": "^[0-9]+$"},
                    "value": {"type": "string", "pattern": "^[0-9]+$"},
                },
            },
        }
    },
}


def _login(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)


def _csv(response):
    """Read a CSV download as Romanian Excel does: a byte-order mark, then fields separated by ";"."""
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _small_count_cells(board):
    """Yield (table key, row index, column index) of every exact count under 5 in the board."""
    for key, table in board.tables.items():
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                if (
                    cell.kind == "count"
                    and isinstance(cell.value, int)
                    and cell.value < 5
                    and key != "caseload"
                ):
                    yield key, r, c


def test_a_national_monitor_sees_small_cells_hidden_on_the_page(client, monitor, refreshed):
    _login(client, monitor)

    page = client.get(f"/monitorizare/localitate/{refreshed.siruta}/", {"wave": "T0"})
    board = page.context["board"]
    content = page.content.decode()

    assert not board.policy.exact
    assert board.headline["households"].suppressed  # 4 households
    assert board.headline["persons"].value == 16
    assert "&lt;5" in content
    assert escape(board.policy.legend) in content


def test_small_cells_are_hidden_in_every_csv_and_xlsx_export(client, supervisor, monitor, refreshed):
    _login(client, supervisor)
    exact = client.get(COUNTY, {"wave": "T0"}).context["board"]
    small = list(_small_count_cells(exact))
    assert small, "the known data set must have small cells"
    client.logout()
    _login(client, monitor)

    for key in TABLES:
        rows = _csv(client.get(f"{COUNTY}export/{key}.csv", {"wave": "T0"}))
        for table_key, r, c in small:
            if table_key == key:
                assert rows[1 + r][1 + c] == "<5", (key, r, c)
    workbook = load_workbook(io.BytesIO(client.get(f"{COUNTY}export/all.xlsx", {"wave": "T0"}).content))
    names = dict(zip(exact.tables, sheet_names([table.sheet for table in exact.table_list()]), strict=True))
    for table_key, r, c in small:
        sheet = workbook[names[table_key]]
        # Rows: heading, title, header, then the table rows (1-based).
        assert sheet.cell(row=4 + r, column=2 + c).value == "<5", (table_key, r, c)


def test_a_supervisor_exports_exact_figures(client, supervisor, refreshed):
    _login(client, supervisor)

    rows = _csv(client.get(f"{COUNTY}export/risk.csv", {"wave": "T0"}))
    assert not any("<5" in cell for row in rows for cell in row)
    workbook = load_workbook(io.BytesIO(client.get(f"{COUNTY}export/risk.xlsx", {"wave": "T0"}).content))
    assert workbook.sheetnames == ["Niveluri de risc"]


def test_the_wave_table_hides_small_cells_and_their_tests(client, monitor, supervisor, refreshed):
    _login(client, monitor)

    page = client.get(f"{COUNTY}evaluare/", {"from": "T0", "to": "T1"})
    row = next(r for r in page.context["result"].table.rows if r.cells[0].value == "HE02")
    assert row.cells[3].value == 6  # T0
    assert row.cells[4].suppressed  # T1: 0
    assert row.cells[6].suppressed  # p-value computed from the hidden count
    assert (
        "1 din 5" in page.content.decode()
        or "2 of 5" in page.content.decode()
        or "2 din 5" in page.content.decode()
    )
    rows = _csv(client.get(f"{COUNTY}evaluare/", {"from": "T0", "to": "T1", "format": "csv"}))
    he02 = next(r for r in rows if len(r) > 1 and r[1] == "HE02")
    assert he02[4:] == ["6", "<5", "<5", "<5"]
    sheet = load_workbook(
        io.BytesIO(client.get(f"{COUNTY}evaluare/", {"from": "T0", "to": "T1", "format": "xlsx"}).content)
    ).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    he02 = next(r for r in values if len(r) > 1 and r[1] == "HE02")
    assert he02[4:] == [6, "<5", "<5", "<5"]
    client.logout()
    _login(client, supervisor)
    exact = client.get(f"{COUNTY}evaluare/", {"from": "T0", "to": "T1"}).context["result"]
    row = next(r for r in exact.table.rows if r.cells[0].value == "HE02")
    assert (row.cells[4].value, row.cells[6].value) == (0, 0.03125)


def test_the_pdf_report_hides_small_cells(client, monitor, refreshed, monkeypatch):
    captured = {}

    class FakeHTML:
        def __init__(self, string):
            captured["html"] = string

        def write_pdf(self):
            return b"%PDF-1.7 fake"

    monkeypatch.setattr("weasyprint.HTML", FakeHTML)
    _login(client, monitor)

    response = client.get(f"{COUNTY}raport.pdf", {"wave": "T0", "period": "2024"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    html = captured["html"]
    assert "&lt;5" in html
    assert "<svg" in html
    # The wave table is in the report, with the headline.
    assert "HE02" in html


def test_the_pdf_report_is_a_real_pdf(client, supervisor, refreshed):
    _login(client, supervisor)

    response = client.get(f"{COUNTY}raport.pdf", {"period": "2024-H1"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_dhis2_export_has_the_data_value_set_structure(client, supervisor, refreshed):
    _login(client, supervisor)

    document = json.loads(client.get(f"{COUNTY}dhis2.json", {"wave": "T0"}).content)

    Draft202012Validator(DHIS2_SCHEMA).validate(document)
    codes = set(load_catalogue("mps-v1").codes)
    values = {(v["dataElement"], v["orgUnit"]): v for v in document["dataValues"]}
    assert {element for element, _ in values} <= codes
    assert values[("HE02", str(refreshed.siruta))]["value"] == "6"
    assert values[("HO02", str(refreshed.siruta))]["value"] == "2"
    # The period is the first day of the month in which the locality's wave began (June 2024).
    assert {v["period"] for v in document["dataValues"]} == {"20240601"}


def test_dhis2_export_leaves_out_small_values_for_aggregate_viewers(client, monitor, refreshed):
    _login(client, monitor)

    document = json.loads(client.get(f"{COUNTY}dhis2.json", {"wave": "T0"}).content)

    Draft202012Validator(DHIS2_SCHEMA).validate(document)
    assert [(v["dataElement"], v["value"]) for v in document["dataValues"]] == [("HE02", "6")]


def test_a_supervisor_exports_never_include_another_county(client, supervisor, monitor, refreshed):
    cluj = LocalityFactory.create(siruta=54990, county_id="CJ", name="Comuna Clujeană")
    for house in (20, 21, 22, 23, 24, 25):
        assessment_record(
            actor=None,
            document=document(
                house,
                0,
                "T0",
                dt.date(2024, 6, 18),
                {**NO_ELECTRICITY, **uninsured_parents()},
                siruta=cluj.siruta,
            ),
        )
    monitoring_refresh(full=True)
    _login(client, supervisor)

    dhis2 = json.loads(client.get(f"{COUNTY}dhis2.json", {"wave": "T0"}).content)
    assert {v["orgUnit"] for v in dhis2["dataValues"]} == {str(refreshed.siruta)}
    workbook = load_workbook(io.BytesIO(client.get(f"{COUNTY}export/all.xlsx", {"wave": "T0"}).content))
    text = " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row)
    assert "Clujeană" not in text
    board = client.get(COUNTY, {"wave": "T0"}).context["board"]
    assert board.headline["households"].value == 4  # Bacău alone, not Cluj's six
    evaluation = client.get(f"{COUNTY}evaluare/", {"from": "T0", "to": "T1"}).context["result"]
    assert evaluation.evaluation.households == 3
    client.logout()
    _login(client, monitor)
    assert (
        client.get("/monitorizare/tara/RO/", {"wave": "T0"}).context["board"].headline["households"].value
        == 10
    )


def test_text_that_a_spreadsheet_would_run_is_quoted():
    assert safe_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in ("+", "-", "@", "\t", "\r"):
        assert safe_text(start + "1") == "'" + start + "1"
    assert safe_text("Bacău") == "Bacău"
    assert safe_text(-3) == -3


def test_locality_names_are_written_safely_in_csv_and_xlsx(client, supervisor, refreshed):
    LocalityFactory.create(siruta=54977, name="=1+2")
    monitoring_refresh(full=True)
    _login(client, supervisor)

    rows = _csv(client.get(f"{COUNTY}export/areas.csv", {"wave": "T0"}))
    assert [row[0] for row in rows if "1+2" in row[0]] == ["'=1+2"]
    sheet = load_workbook(io.BytesIO(client.get(f"{COUNTY}export/areas.xlsx", {"wave": "T0"}).content)).active
    labels = [row[0].value for row in sheet.iter_rows()]
    assert "'=1+2" in labels
    assert "=1+2" not in labels


def test_csv_and_xlsx_carry_the_legend_when_cells_are_hidden():
    table = Table("t", "T", "Label", ["N"], [Row("a", [Cell(None, suppressed=True)])])

    assert "hidden" in table_csv(table, legend="hidden below 5").decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(tables_xlsx([table], legend="hidden below 5"))).active
    assert any("hidden" in str(cell.value) for row in sheet.iter_rows() for cell in row)


def test_unknown_tables_and_formats_are_not_found(client, supervisor, refreshed):
    _login(client, supervisor)

    assert client.get(f"{COUNTY}export/nothing.csv").status_code == 404
    assert client.get(f"{COUNTY}export/risk.pdf").status_code == 404
    assert client.get(f"{COUNTY}export/all.csv").status_code == 404
    assert re.match(
        r"attachment; filename=\"mps-judet-BC-T\d-risk\.csv\"",
        client.get(f"{COUNTY}export/risk.csv")["Content-Disposition"],
    )


def _first_decimal(board):
    """Return (table key, row index, column index, value) of the board's first figure with decimals."""
    for key, table in board.tables.items():
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                if isinstance(cell.value, float) and cell.value != int(cell.value):
                    return key, r, c, cell.value
    raise AssertionError("the known data set must have a share with decimals")


def test_the_csv_opens_in_romanian_excel_and_a_standard_csv_is_offered(client, supervisor, refreshed):
    _login(client, supervisor)
    page = client.get(COUNTY, {"wave": "T0"})
    key, r, c, share = _first_decimal(page.context["board"])

    excel_rows = _csv(client.get(f"{COUNTY}export/{key}.csv", {"wave": "T0"}))
    assert excel_rows[1 + r][1 + c] == f"{share:.1f}".replace(".", ",")
    assert "csv=standard" in page.content.decode()

    standard = client.get(f"{COUNTY}export/{key}.csv", {"wave": "T0", "csv": "standard"})
    assert not standard.content.startswith(b"\xef\xbb\xbf")
    standard_rows = list(csv.reader(io.StringIO(standard.content.decode("utf-8"))))
    assert standard_rows[1 + r][1 + c] == str(share)
    assert standard_rows[0][0] == excel_rows[0][0]


def test_english_readers_get_decimal_points_and_comma_separated_files(client, supervisor, refreshed):
    from django.conf import settings

    _login(client, supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    key, r, c, share = _first_decimal(client.get(COUNTY, {"wave": "T0"}).context["board"])
    response = client.get(f"{COUNTY}export/{key}.csv", {"wave": "T0"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1 + r][1 + c] == str(share)


def test_decimals_are_written_with_the_languages_separator():
    from django.utils import translation

    with translation.override("ro"):
        assert Cell(43.8, kind="percent").text == "43,8"
        assert Cell(0.01234, kind="p").text == "0,0123"
        assert Cell(0.00001, kind="p").text == "1,0e-05"
        assert Cell(1234).text == "1234"
    with translation.override("en"):
        assert Cell(43.8, kind="percent").text == "43.8"


def test_the_workbook_names_its_sheets_in_the_readers_language(client, supervisor, refreshed):
    _login(client, supervisor)

    workbook = load_workbook(io.BytesIO(client.get(f"{COUNTY}export/all.xlsx", {"wave": "T0"}).content))

    assert {"Acoperirea recensământului", "Niveluri de risc", "Prevalență", "Trimiteri"} <= set(
        workbook.sheetnames
    )


@given(st.lists(st.text(max_size=60), max_size=8))
def test_sheet_names_are_always_valid_and_distinct(titles):
    names = sheet_names(titles)

    assert len(names) == len(titles)
    assert all(0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) for name in names)
    assert len({name.casefold() for name in names}) == len(names)
