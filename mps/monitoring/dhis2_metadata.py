"""The DHIS2 metadata that matches our data value sets, for a DHIS2 administrator to import once.

Policy. `dhis2.data_value_set` sends values by *code* (`dataElementIdScheme=CODE`, `orgUnitIdScheme=CODE`), so
the receiving DHIS2 needs: one data element per vulnerability code (code `HE01`, an aggregate, zero-or-positive
integer summed up the hierarchy), a data set that holds them with a daily period (the wave's first month, as
`YYYYMMDD`), and the organisation units by code: the country (`RO`), the eight development regions (NUTS 2
codes), the counties (two-letter codes) and every UAT by its SIRUTA code, with their hierarchy. The document is
DHIS2's metadata import format (`POST /api/metadata`, or Import/Export → Metadata import). Identifiers are
DHIS2 UIDs derived from each object's code, so importing a newer document updates the same objects rather
than duplicating them, on any DHIS2 instance.
"""

import hashlib
import string
from typing import Any

from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue
from mps.geography.models import County, Region
from mps.geography.siruta import siruta_table

COUNTRY_CODE = "RO"
COUNTRY_NAME = "România"
DATA_SET_CODE = "MPS_VULNERABILITIES"
# DHIS2 wants an opening date on every organisation unit; SIRUTA's current units all exist since this day.
OPENING_DATE = "1990-01-01"
LEVELS = ((1, "Țară"), (2, "Regiune de dezvoltare"), (3, "Județ"), (4, "UAT"))
_UID_ALPHABET = string.ascii_letters + string.digits
_SHORT_NAME = 50  # DHIS2's limit on short names


def dhis2_uid(kind: str, code: str) -> str:
    """Return a stable DHIS2 UID (11 characters, a letter first) for an object of ``kind`` with ``code``."""
    digest = int.from_bytes(hashlib.sha256(f"mps:{kind}:{code}".encode()).digest(), "big")
    characters = [string.ascii_letters[digest % 52]]
    digest //= 52
    for _ in range(10):
        characters.append(_UID_ALPHABET[digest % 62])
        digest //= 62
    return "".join(characters)


def _org_unit(code: str, name: str, parent: str | None, level: str) -> dict[str, Any]:
    unit: dict[str, Any] = {
        "id": dhis2_uid("organisationUnit", code),
        "code": code,
        "name": name,
        "shortName": name[:_SHORT_NAME],
        "openingDate": OPENING_DATE,
        "description": level,
    }
    if parent is not None:
        unit["parent"] = {"id": dhis2_uid("organisationUnit", parent)}
    return unit


def _short_name(code: str, name: str) -> str:
    """A short name (50 characters, unique in DHIS2): the code and as much of the name as fits."""
    full = f"{code} {name}"
    return full if len(full) <= _SHORT_NAME else full[: _SHORT_NAME - 1] + "…"


def dhis2_metadata() -> dict[str, Any]:
    """Return the metadata document: organisation units and levels, data elements, the data set."""
    units, _villages = siruta_table()
    counties = {county.siruta: county for county in County.objects.select_related("region")}
    org_units = [_org_unit(COUNTRY_CODE, COUNTRY_NAME, None, LEVELS[0][1])]
    org_units += [
        _org_unit(r.code, r.name, COUNTRY_CODE, LEVELS[1][1]) for r in Region.objects.order_by("code")
    ]
    org_units += [
        _org_unit(c.code, c.name, c.region_id, LEVELS[2][1])
        for c in sorted(counties.values(), key=lambda c: c.code)
    ]
    uat_units = [
        _org_unit(str(unit.siruta), unit.name, counties[unit.county_siruta].code, LEVELS[3][1])
        for unit in sorted(units, key=lambda u: u.siruta)
    ]
    org_units += uat_units
    catalogue = load_catalogue(CURRENT_CATALOGUE)
    vulnerabilities = sorted(catalogue.vulnerabilities, key=lambda v: v.code)
    data_elements = [
        {
            "id": dhis2_uid("dataElement", v.code),
            "code": v.code,
            "name": f"MPS {v.code} {v.name_ro}",
            "shortName": _short_name(v.code, v.name_ro),
            "formName": v.name_ro,
            "description": (
                f"{v.name_en}. Unități ({'persoane' if v.level == 'person' else 'gospodării'}) cu această "
                f"vulnerabilitate la ultima evaluare a fiecărei gospodării din etapă ({CURRENT_CATALOGUE})."
            ),
            "domainType": "AGGREGATE",
            "valueType": "INTEGER_ZERO_OR_POSITIVE",
            "aggregationType": "SUM",
            "zeroIsSignificant": True,
        }
        for v in vulnerabilities
    ]
    data_set = {
        "id": dhis2_uid("dataSet", DATA_SET_CODE),
        "code": DATA_SET_CODE,
        "name": "Pachetul minim de servicii: vulnerabilități pe etapă",
        "shortName": "PMS vulnerabilități",
        "periodType": "Daily",
        "dataSetElements": [
            {"dataElement": {"id": element["id"]}, "dataSet": {"id": dhis2_uid("dataSet", DATA_SET_CODE)}}
            for element in data_elements
        ],
        "organisationUnits": [{"id": unit["id"]} for unit in uat_units],
    }
    return {
        "organisationUnitLevels": [
            {"id": dhis2_uid("organisationUnitLevel", str(level)), "level": level, "name": name}
            for level, name in LEVELS
        ],
        "organisationUnits": org_units,
        "dataElements": data_elements,
        "dataSets": [data_set],
    }
