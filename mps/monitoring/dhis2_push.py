"""Sending a data value set to a DHIS2 instance (`POST /api/dataValueSets`), as `manage.py dhis2_push` does.

Policy. Values go by code (`dataElementIdScheme=CODE`, `orgUnitIdScheme=CODE`, the conventions of `dhis2.py` and
the metadata of `dhis2_metadata.py`), small counts left out as on every aggregate page (a statistics office is an
aggregate-only reader). A dry run asks DHIS2 to check everything and store nothing (`dryRun=true`). The answer's
import summary decides the outcome: anything but a clean import (an HTTP error, status ERROR, or conflicts such
as an unknown organisation unit) is a failure that names what DHIS2 refused.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Dhis2Credentials:
    """A personal access token (DHIS2 2.37+, preferred) or a username and password."""

    token: str = ""
    username: str = ""
    password: str = ""

    def header(self) -> str:
        if self.token:
            return f"ApiToken {self.token}"
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True)
class PushResult:
    """What DHIS2 said about one data value set."""

    ok: bool
    status: str
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[str] = field(default_factory=list)
    message: str = ""


class Dhis2Error(Exception):
    """DHIS2 could not be reached or answered something that is not an import summary."""


def data_value_sets_url(base_url: str, *, dry_run: bool) -> str:
    """Return the endpoint with the id schemes and the dry-run flag the documents need."""
    parsed = urllib.parse.urlsplit(base_url.rstrip("/"))
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise Dhis2Error(_("The DHIS2 address must start with https:// (or http:// for a test server)."))
    query = urllib.parse.urlencode(
        {
            "dataElementIdScheme": "CODE",
            "orgUnitIdScheme": "CODE",
            "importStrategy": "CREATE_AND_UPDATE",
            "dryRun": "true" if dry_run else "false",
        }
    )
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path}/api/dataValueSets?{query}"


def push_data_value_set(
    base_url: str, document: dict[str, Any], credentials: Dhis2Credentials, *, dry_run: bool
) -> PushResult:
    """POST the document to DHIS2 and read its import summary."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by data_value_sets_url
        data_value_sets_url(base_url, dry_run=dry_run),
        data=json.dumps(document, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Authorization": credentials.header(),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 # nosec B310 - http(s) only, checked by data_value_sets_url
            body = response.read()
    except urllib.error.HTTPError as error:
        # DHIS2 answers 409 with an import summary when it refuses values; anything else is not a summary.
        body = error.read()
        if error.code != 409:
            raise Dhis2Error(
                _("DHIS2 answered HTTP %(code)s: %(reason)s") % {"code": error.code, "reason": error.reason}
            ) from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise Dhis2Error(_("DHIS2 could not be reached: %(reason)s") % {"reason": error}) from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise Dhis2Error(_("DHIS2 did not answer with JSON.")) from None
    return read_import_summary(answer)


def read_import_summary(answer: dict[str, Any]) -> PushResult:
    """Read an import summary, wrapped in a web message (DHIS2 2.38+) or bare (earlier versions)."""
    summary = answer.get("response", answer) if isinstance(answer.get("response"), dict) else answer
    if "importCount" not in summary:
        raise Dhis2Error(_("DHIS2 answered without an import summary."))
    count = summary["importCount"]
    conflicts = [
        f"{conflict.get('object', '')}: {conflict.get('value', '')}".strip(": ")
        for conflict in summary.get("conflicts") or []
    ]
    status = str(summary.get("status", answer.get("status", "")))
    return PushResult(
        ok=status in {"SUCCESS", "OK"} and not conflicts,
        status=status,
        imported=int(count.get("imported", 0)),
        updated=int(count.get("updated", 0)),
        ignored=int(count.get("ignored", 0)),
        deleted=int(count.get("deleted", 0)),
        conflicts=conflicts,
        message=str(summary.get("description") or answer.get("message") or ""),
    )
