"""DHIS2 for real: the metadata a DHIS2 administrator imports, and `dhis2_push` against a local HTTP server that
checks the documented request (`POST /api/dataValueSets`, code id schemes, dry run, authentication)."""

import base64
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from mps.assessment.rules import load_catalogue
from mps.monitoring.dhis2_metadata import dhis2_metadata, dhis2_uid

pytestmark = pytest.mark.django_db

UID = r"^[A-Za-z][A-Za-z0-9]{10}$"


class Dhis2Stub(BaseHTTPRequestHandler):
    """Answers like DHIS2 2.40 does, after checking the request the way DHIS2 would."""

    received: list[dict[str, Any]] = []
    known_org_units: set[str] = set()

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.received.append({"path": url.path, "query": query, "headers": dict(self.headers), "body": body})
        if url.path != "/dhis/api/dataValueSets" or self.headers["Authorization"] != "ApiToken d2pat_test":
            self._answer(401, {"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR"})
            return
        unknown = [v for v in body["dataValues"] if v["orgUnit"] not in self.known_org_units]
        summary = {
            "responseType": "ImportSummary",
            "status": "WARNING" if unknown else "SUCCESS",
            "description": "Import process completed successfully",
            "importCount": {
                "imported": 0 if query.get("dryRun") == "true" else len(body["dataValues"]) - len(unknown),
                "updated": 0,
                "ignored": len(unknown),
                "deleted": 0,
            },
            "conflicts": [
                {"object": v["orgUnit"], "value": "Org unit not found or not accessible"} for v in unknown
            ],
        }
        self._answer(
            409 if unknown else 200,
            {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "response": summary},
        )

    def _answer(self, code: int, document: dict[str, Any]) -> None:
        payload = json.dumps(document).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def dhis2(monkeypatch) -> Iterator[str]:
    Dhis2Stub.received = []
    server = HTTPServer(("127.0.0.1", 0), Dhis2Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DHIS2_TOKEN", "d2pat_test")
    yield f"http://127.0.0.1:{server.server_port}/dhis"
    server.shutdown()
    server.server_close()


def test_the_metadata_has_every_unit_of_the_country_and_every_code():
    metadata = dhis2_metadata()

    units = {unit["code"]: unit for unit in metadata["organisationUnits"]}
    assert len(units) == 1 + 8 + 42 + 3181
    assert units["20965"]["name"] == "Târgu Ocna"
    assert units["20965"]["parent"] == {"id": units["BC"]["id"]}
    assert units["BC"]["parent"] == {"id": units["RO21"]["id"]}
    assert units["RO21"]["parent"] == {"id": units["RO"]["id"]}
    elements = {element["code"] for element in metadata["dataElements"]}
    assert elements == set(load_catalogue("mps-v1").codes)
    [data_set] = metadata["dataSets"]
    assert data_set["periodType"] == "Daily"
    assert len(data_set["organisationUnits"]) == 3181
    assert {e["dataElement"]["id"] for e in data_set["dataSetElements"]} == {
        e["id"] for e in metadata["dataElements"]
    }
    everything = [*metadata["organisationUnits"], *metadata["dataElements"], data_set]
    assert all(len(item["shortName"]) <= 50 for item in everything)
    assert len({item["shortName"] for item in metadata["dataElements"]}) == len(elements)
    ids = [item["id"] for item in everything]
    assert len(set(ids)) == len(ids)
    assert all(re.match(UID, uid) for uid in ids)
    assert dhis2_uid("dataElement", "HE01") == dhis2_uid("dataElement", "HE01")  # same on every run


def test_the_metadata_command_writes_a_file(tmp_path):
    out = StringIO()

    call_command("dhis2_metadata", output=tmp_path / "metadata.json", stdout=out)

    assert "3232 organisation units" in out.getvalue()
    assert json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))["dataSets"]


def test_a_dry_run_posts_the_documented_payload_and_stores_nothing(dhis2, refreshed):
    Dhis2Stub.known_org_units = {str(refreshed.siruta)}
    out = StringIO()

    call_command("dhis2_push", url=dhis2, wave="T0", dry_run=True, stdout=out, stderr=StringIO())

    [request] = Dhis2Stub.received
    assert request["path"] == "/dhis/api/dataValueSets"
    assert request["query"] == {
        "dataElementIdScheme": "CODE",
        "orgUnitIdScheme": "CODE",
        "importStrategy": "CREATE_AND_UPDATE",
        "dryRun": "true",
    }
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    values = request["body"]["dataValues"]
    assert values
    assert all(set(v) == {"dataElement", "period", "orgUnit", "value"} for v in values)
    assert all(isinstance(v["value"], str) and int(v["value"]) >= 5 for v in values)  # small counts left out
    assert "(probă fără salvare)" in out.getvalue()
    assert "0 importate" in out.getvalue()


def test_values_dhis2_refuses_fail_the_command_and_name_the_unit(dhis2, refreshed):
    Dhis2Stub.known_org_units = set()
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("dhis2_push", url=dhis2, wave="T0", stdout=StringIO(), stderr=err)

    assert f"{refreshed.siruta}: Org unit not found" in err.getvalue()


def test_wrong_credentials_and_a_missing_wave_are_clear_errors(dhis2, refreshed, monkeypatch):
    monkeypatch.setenv("DHIS2_TOKEN", "wrong")
    with pytest.raises(CommandError, match="401"):
        call_command("dhis2_push", url=dhis2, wave="T0", stdout=StringIO())

    with pytest.raises(CommandError, match="T0, T1"):
        call_command("dhis2_push", url=dhis2, wave="zero", stdout=StringIO())

    monkeypatch.delenv("DHIS2_TOKEN")
    with pytest.raises(CommandError, match="DHIS2_TOKEN"):
        call_command("dhis2_push", url=dhis2, stdout=StringIO())


def test_basic_authentication_is_sent_when_there_is_no_token(dhis2, refreshed, monkeypatch):
    monkeypatch.delenv("DHIS2_TOKEN")
    monkeypatch.setenv("DHIS2_USERNAME", "admin")
    monkeypatch.setenv("DHIS2_PASSWORD", "district")

    with pytest.raises(CommandError):  # the stub accepts only the token
        call_command("dhis2_push", url=dhis2, wave="T0", stdout=StringIO())

    assert (
        Dhis2Stub.received[-1]["headers"]["Authorization"]
        == "Basic " + base64.b64encode(b"admin:district").decode()
    )
