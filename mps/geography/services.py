"""Writes to the geography tables: importing localities from a SIRUTA CSV file and loading the demo county.

An import is all or nothing. Every line of the file is checked first and every problem is collected, keyed by
"line N, column" so that a user can fix the whole file in one pass; if there is any problem nothing is saved.
Re-running an import with the same or a newer file updates localities by their SIRUTA code and never
duplicates them. Marginalisation and coordinates come from other sources than SIRUTA, so an import leaves
them untouched unless the file carries those optional columns.
"""

import csv
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mps.core.errors import DomainValidationError, Message
from mps.geography.models import County, Locality, LocalityKind, Marginalisation, Village

REQUIRED_COLUMNS = ("siruta", "name", "county_code", "kind", "population", "children")
OPTIONAL_COLUMNS = ("marginalisation", "latitude", "longitude")
VILLAGE_COLUMNS = ("locality_siruta", "name", "siruta")

DEMO_DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_LOCALITIES_CSV = DEMO_DATA_DIR / "bacau_demo_localities.csv"
DEMO_VILLAGES_CSV = DEMO_DATA_DIR / "bacau_demo_villages.csv"

# The largest value a PositiveIntegerField holds on every supported database.
_MAX_INTEGER = 2_147_483_647
_NAME_MAX_LENGTH = Locality._meta.get_field("name").max_length or 120
_BATCH_SIZE = 500

Source = str | os.PathLike[str] | Iterable[str]
Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, counted by locality."""

    created: int
    updated: int
    unchanged: int
    sirutas: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _LocalityRow:
    line: int
    values: dict[str, Any]


class _Problems:
    """Collects problems keyed by "line N, column" in the shape DomainValidationError expects."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[Message]] = {}

    def add(self, line: int, column: str | None, message: Message) -> None:
        key = f"line {line}, {column}" if column else f"line {line}"
        self.by_key.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_key:
            raise DomainValidationError(self.by_key)


def import_localities(source: Source, *, progress: Progress | None = None) -> ImportSummary:
    """Create or update localities from a CSV file; save nothing if any line is wrong."""
    with _text_lines(source) as lines:
        rows, columns = _parse_locality_lines(lines)
    return _save_localities(rows, columns, progress)


@transaction.atomic
def load_demo_geography() -> list[Locality]:
    """Load the demo localities and villages of Bacău county; running it again changes nothing."""
    summary = import_localities(DEMO_LOCALITIES_CSV)
    with _text_lines(DEMO_VILLAGES_CSV) as lines:
        _save_villages(lines)
    return list(Locality.objects.filter(siruta__in=summary.sirutas).select_related("county"))


# Reading the file -------------------------------------------------------------------------------------------


@contextmanager
def _text_lines(source: Source) -> Iterator[Iterator[str]]:
    """Yield the text lines of a path (UTF-8, with or without a BOM) or of an iterable of strings."""
    if not isinstance(source, str | os.PathLike):
        yield _strip_bom(iter(source))
        return
    path = Path(source)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise DomainValidationError(file=_("The file %(path)s does not exist.") % {"path": path}) from None
    except OSError as error:
        raise DomainValidationError(
            file=_("The file %(path)s cannot be read: %(reason)s.") % {"path": path, "reason": error.strerror}
        ) from None
    with handle:
        yield _decode(handle)


def _decode(binary_lines: Iterable[bytes]) -> Iterator[str]:
    for number, raw in enumerate(binary_lines, start=1):
        try:
            # Spreadsheet programs save "CSV UTF-8" with a byte-order mark; utf-8-sig drops it.
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise DomainValidationError(
                {
                    f"line {number}": [
                        _("The line is not valid UTF-8 text; save the file as CSV UTF-8 and try again.")
                    ]
                }
            ) from None


def _strip_bom(lines: Iterator[str]) -> Iterator[str]:
    first = next(lines, None)
    if first is None:
        return
    yield first.removeprefix("\ufeff")
    yield from lines


def _read_header(reader: Any, expected_required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    """Return the file's columns, or raise naming what is wrong with the header line."""
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise DomainValidationError(
            {
                "line 1, header": [
                    _("The file is empty; its first line must be the header “%(header)s”.")
                    % {"header": ",".join(expected_required)}
                ]
            }
        )
    columns = [cell.strip().lower() for cell in header]
    problems: list[Message] = []
    expected = ",".join(expected_required)
    missing = [column for column in expected_required if column not in columns]
    unexpected = [column for column in columns if column not in expected_required + optional]
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if missing:
        problems.append(
            _("The header lacks the columns %(columns)s; it must start with “%(expected)s”.")
            % {"columns": ", ".join(missing), "expected": expected}
        )
    if unexpected:
        problems.append(
            _("The header has unexpected columns: %(columns)s.") % {"columns": ", ".join(unexpected)}
        )
    if repeated:
        problems.append(_("The header repeats the columns %(columns)s.") % {"columns": ", ".join(repeated)})
    if not problems and tuple(columns[: len(expected_required)]) != expected_required:
        problems.append(
            _("The header has the right columns in the wrong order; it must start with “%(expected)s”.")
            % {"expected": expected}
        )
    if problems:
        raise DomainValidationError({"line 1, header": problems})
    return columns


def _records(reader: Any, columns: list[str], problems: _Problems) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield each line's number and its trimmed cells by column; note lines with the wrong number of cells."""
    last_line = reader.line_num
    for cells in reader:
        # A quoted cell may span lines: a record starts on the line after the previous one ended.
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines (often a trailing one) carry nothing
        if len(cells) != len(columns):
            problems.add(
                line,
                None,
                _("The line has %(found)d columns but the header has %(expected)d.")
                % {"found": len(cells), "expected": len(columns)},
            )
            continue
        yield line, {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}


# Checking localities ----------------------------------------------------------------------------------------


def _parse_locality_lines(lines: Iterable[str]) -> tuple[list[_LocalityRow], list[str]]:
    reader = csv.reader(lines)
    columns = _read_header(reader, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    counties = set(County.objects.values_list("code", flat=True))
    problems = _Problems()
    rows: list[_LocalityRow] = []
    first_line_of: dict[int, int] = {}
    for line, raw in _records(reader, columns, problems):
        values = _check_locality(line, raw, counties, problems)
        siruta = values.get("siruta")
        if siruta is not None:
            if siruta in first_line_of:
                problems.add(
                    line,
                    "siruta",
                    _("The SIRUTA code %(code)d already appears on line %(first)d.")
                    % {"code": siruta, "first": first_line_of[siruta]},
                )
            else:
                first_line_of[siruta] = line
        rows.append(_LocalityRow(line, values))
    problems.raise_if_any()
    return rows, columns


def _check_locality(
    line: int, raw: dict[str, str], counties: set[str], problems: _Problems
) -> dict[str, Any]:
    """Return the line's typed values; note every problem and leave the faulty values out."""
    values: dict[str, Any] = {}
    siruta = _whole_number(line, "siruta", raw["siruta"], problems)
    if siruta == 0:
        problems.add(line, "siruta", _("The SIRUTA code must be greater than zero."))
    elif siruta is not None:
        values["siruta"] = siruta

    name = raw["name"]
    if not name:
        problems.add(line, "name", _("The name is empty."))
    elif len(name) > _NAME_MAX_LENGTH:
        problems.add(
            line, "name", _("The name is longer than %(max)d characters.") % {"max": _NAME_MAX_LENGTH}
        )
    else:
        values["name"] = name

    county_code = raw["county_code"].upper()
    if county_code in counties:
        values["county_id"] = county_code
    else:
        problems.add(
            line,
            "county_code",
            _("There is no county with the code “%(code)s”.") % {"code": raw["county_code"]},
        )

    kind = raw["kind"].lower()
    if kind in LocalityKind.values:
        values["kind"] = kind
    else:
        problems.add(
            line,
            "kind",
            _("“%(value)s” is not a kind of locality; use one of: %(choices)s.")
            % {"value": raw["kind"], "choices": ", ".join(LocalityKind.values)},
        )

    population = _whole_number(line, "population", raw["population"], problems)
    children = _whole_number(line, "children", raw["children"], problems)
    if population is not None:
        values["population"] = population
    if children is not None:
        values["children"] = children
    if population is not None and children is not None and children > population:
        problems.add(
            line,
            "children",
            _("The number of children (%(children)d) is greater than the population (%(population)d).")
            % {"children": children, "population": population},
        )

    # Optional columns: a blank cell leaves the stored value as it is.
    if raw.get("marginalisation"):
        degree = raw["marginalisation"].lower()
        if degree in Marginalisation.values:
            values["marginalisation"] = degree
        else:
            problems.add(
                line,
                "marginalisation",
                _(
                    "“%(value)s” is not a degree of marginalisation; "
                    "use one of %(choices)s, or leave the cell empty."
                )
                % {"value": raw["marginalisation"], "choices": ", ".join(Marginalisation.values)},
            )
    for column, limit in (("latitude", 90.0), ("longitude", 180.0)):
        if raw.get(column):
            coordinate = _coordinate(line, column, raw[column], limit, problems)
            if coordinate is not None:
                values[column] = coordinate
    return values


def _whole_number(line: int, column: str, text: str, problems: _Problems) -> int | None:
    if not text:
        problems.add(line, column, _("The value is missing; write a whole number."))
        return None
    try:
        number = int(text)
    except ValueError:
        problems.add(line, column, _("“%(value)s” is not a whole number.") % {"value": text})
        return None
    if number < 0:
        problems.add(
            line, column, _("%(value)d is negative; the value cannot be below zero.") % {"value": number}
        )
        return None
    if number > _MAX_INTEGER:
        problems.add(line, column, _("%(value)d is too large.") % {"value": number})
        return None
    return number


def _coordinate(line: int, column: str, text: str, limit: float, problems: _Problems) -> float | None:
    try:
        value = float(text)
    except ValueError:
        problems.add(line, column, _("“%(value)s” is not a number.") % {"value": text})
        return None
    if not -limit <= value <= limit:
        problems.add(
            line,
            column,
            _("%(value)s is outside the range from %(low)s to %(high)s.")
            % {"value": text, "low": -limit, "high": limit},
        )
        return None
    return value


# Saving -----------------------------------------------------------------------------------------------------


def _save_localities(
    rows: list[_LocalityRow], columns: list[str], progress: Progress | None
) -> ImportSummary:
    fields = [
        "name",
        "county_id",
        "kind",
        "population",
        "children",
        *(column for column in OPTIONAL_COLUMNS if column in columns),
    ]
    total = len(rows)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = Locality.objects.in_bulk([row.values["siruta"] for row in rows])
        for start in range(0, total, _BATCH_SIZE):
            to_create: list[Locality] = []
            to_update: list[Locality] = []
            for row in rows[start : start + _BATCH_SIZE]:
                locality = existing.get(row.values["siruta"])
                if locality is None:
                    to_create.append(Locality(**row.values))
                    continue
                changed = False
                for field in fields:
                    if field in row.values and getattr(locality, field) != row.values[field]:
                        setattr(locality, field, row.values[field])
                        changed = True
                if changed:
                    to_update.append(locality)
                else:
                    unchanged += 1
            Locality.objects.bulk_create(to_create)
            if to_update:
                Locality.objects.bulk_update(to_update, fields)
            created += len(to_create)
            updated += len(to_update)
            done = min(start + _BATCH_SIZE, total)
            if progress is not None:
                progress(done, total)
    return ImportSummary(
        created=created,
        updated=updated,
        unchanged=unchanged,
        sirutas=tuple(row.values["siruta"] for row in rows),
    )


def _save_villages(lines: Iterable[str]) -> None:
    """Create the villages of a `locality_siruta,name,siruta` file that do not exist yet."""
    reader = csv.reader(lines)
    columns = _read_header(reader, VILLAGE_COLUMNS[:2], VILLAGE_COLUMNS[2:])
    problems = _Problems()
    wanted: list[tuple[int, int, str, int | None]] = []
    for line, raw in _records(reader, columns, problems):
        locality_siruta = _whole_number(line, "locality_siruta", raw["locality_siruta"], problems)
        siruta = _whole_number(line, "siruta", raw["siruta"], problems) if raw.get("siruta") else None
        if not raw["name"]:
            problems.add(line, "name", _("The name is empty."))
        elif locality_siruta is not None:
            wanted.append((line, locality_siruta, raw["name"], siruta))
    known = set(
        Locality.objects.filter(siruta__in={row[1] for row in wanted}).values_list("siruta", flat=True)
    )
    for line, locality_siruta, _name, _siruta in wanted:
        if locality_siruta not in known:
            problems.add(
                line,
                "locality_siruta",
                _("There is no locality with the SIRUTA code %(code)d.") % {"code": locality_siruta},
            )
    problems.raise_if_any()
    for _line, locality_siruta, name, siruta in wanted:
        village, _created = Village.objects.get_or_create(locality_id=locality_siruta, name=name)
        if siruta is not None and village.siruta != siruta:
            village.siruta = siruta
            village.save(update_fields=["siruta"])
