"""Romania's whole SIRUTA geography, from the table the `sirutalib` package ships.

Policy. `import_siruta` loads every administrative unit (UAT: municipality, town, commune, and Bucharest) with
its county and kind, and every locality inside a UAT as a village (Bucharest's sectors included), in one
transaction. A UAT or village already stored is never rewritten: a county that planned with its own names,
population, marginalisation and coordinates keeps them, and running the import again changes nothing. A village
stored without its SIRUTA code (typed in by hand) gets the code when its name matches, instead of a second row.
Names come in capitals from SIRUTA ("TÂRGU OCNA", "PODU LUI PAUL") and are written as Romanians write them
("Târgu Ocna", "Podu lui Paul"). Population and children per UAT are not in SIRUTA (they come from the census
of the National Institute of Statistics): `import_population` reads them from a CSV file, all or nothing.
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import sirutalib
from django.db import transaction
from django.utils.translation import gettext as _

from mps.core.search_text import fold_for_search
from mps.geography.models import County, Locality, LocalityKind, Village
from mps.geography.services import Source, _Problems, _text_lines

# SIRUTA's TIP column: the kinds of administrative unit, and the kinds of locality inside one.
_COUNTY = 40
_UAT_KINDS = {
    1: LocalityKind.MUNICIPALITY,  # county seat
    4: LocalityKind.MUNICIPALITY,
    9: LocalityKind.MUNICIPALITY,  # Bucharest, the only TIP 9 directly under a county
    2: LocalityKind.TOWN,
    3: LocalityKind.COMMUNE,
}
_VILLAGE_KINDS = (6, 9, 10, 11, 17, 18, 19, 22, 23)
# Written in lower case inside a name, as in "Podu lui Paul" or "Gârbova de Sus".
_PARTICLES = frozenset({"de", "din", "dintre", "la", "lui", "pe", "sub", "cu", "și", "lângă"})
_WORD = re.compile(r"([\s.\-]+)")
_BATCH_SIZE = 1000
POPULATION_COLUMNS = ("siruta", "population", "children")

Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class SirutaSummary:
    """What the import did: UATs and villages created, villages that got their code, and what was kept."""

    localities_created: int
    localities_kept: int
    villages_created: int
    villages_coded: int
    villages_kept: int

    @property
    def changed(self) -> bool:
        return bool(self.localities_created or self.villages_created or self.villages_coded)


@dataclass(frozen=True)
class SirutaUnit:
    siruta: int
    name: str
    county_siruta: int
    parent: int
    kind: int


def romanian_name(capitals: str) -> str:
    """Write a SIRUTA name in capitals the way it is written in Romanian ("PODU LUI PAUL" → "Podu lui Paul")."""
    parts = _WORD.split(capitals.strip())
    words = []
    for index, part in enumerate(parts):
        if index % 2:  # a separator
            words.append(part)
            continue
        lower = part.lower()
        words.append(lower if index and lower in _PARTICLES else lower[:1].upper() + lower[1:])
    return "".join(words)


@cache
def siruta_table() -> tuple[tuple[SirutaUnit, ...], tuple[SirutaUnit, ...]]:
    """Return the UATs and the villages of the SIRUTA table `sirutalib` ships, read once per process."""
    database = sirutalib.SirutaDatabase()
    units: list[SirutaUnit] = []
    villages: list[SirutaUnit] = []
    for code in database.get_siruta_list(type_list=[*_UAT_KINDS, *_VILLAGE_KINDS]):
        parent = database.get_sup_code(code)
        unit = SirutaUnit(
            siruta=code,
            name=romanian_name(database.get_name(code, prefix=False)),
            county_siruta=database.get_county(code),
            parent=parent,
            kind=database.get_type(code),
        )
        under_county = database.get_type(parent) == _COUNTY
        if under_county and unit.kind in _UAT_KINDS:
            units.append(unit)
        elif not under_county and unit.kind in _VILLAGE_KINDS:
            villages.append(unit)
    return tuple(units), tuple(villages)


@transaction.atomic
def import_siruta(*, progress: Progress | None = None) -> SirutaSummary:
    """Load every UAT and village of Romania from SIRUTA; keep what is stored; running it again changes nothing."""
    units, villages = siruta_table()
    total = len(units) + len(villages)
    counties = {county.siruta: county.code for county in County.objects.all()}
    stored = set(Locality.objects.values_list("siruta", flat=True))
    new_localities = [
        Locality(
            siruta=unit.siruta,
            name=unit.name,
            county_id=counties[unit.county_siruta],
            kind=_UAT_KINDS[unit.kind],
        )
        for unit in units
        if unit.siruta not in stored
    ]
    for start in range(0, len(new_localities), _BATCH_SIZE):
        Locality.objects.bulk_create(new_localities[start : start + _BATCH_SIZE])
        if progress is not None:
            progress(min(start + _BATCH_SIZE, len(new_localities)), total)
    done = len(units)
    if progress is not None:
        progress(done, total)

    coded = set(Village.objects.exclude(siruta=None).values_list("siruta", flat=True))
    uncoded = {
        (village.locality_id, fold_for_search(village.name)): village
        for village in Village.objects.filter(siruta=None)
    }
    new_villages: list[Village] = []
    to_code: list[Village] = []
    for unit in villages:
        if unit.siruta in coded:
            continue
        by_hand = uncoded.pop((unit.parent, fold_for_search(unit.name)), None)
        if by_hand is not None:
            by_hand.siruta = unit.siruta
            to_code.append(by_hand)
        else:
            new_villages.append(Village(locality_id=unit.parent, name=unit.name, siruta=unit.siruta))
    Village.objects.bulk_update(to_code, ["siruta"], batch_size=_BATCH_SIZE)
    for start in range(0, len(new_villages), _BATCH_SIZE):
        Village.objects.bulk_create(new_villages[start : start + _BATCH_SIZE])
        if progress is not None:
            progress(done + min(start + _BATCH_SIZE, len(new_villages)), total)
    if progress is not None:
        progress(total, total)
    return SirutaSummary(
        localities_created=len(new_localities),
        localities_kept=len(units) - len(new_localities),
        villages_created=len(new_villages),
        villages_coded=len(to_code),
        villages_kept=len(villages) - len(new_villages) - len(to_code),
    )


@transaction.atomic
def import_population(source: Source) -> int:
    """Set population and children per UAT from a CSV file (siruta,population,children); all or nothing.

    Return how many localities changed. Every line is checked before anything is saved.
    """
    problems = _Problems()
    figures: dict[int, tuple[int, int]] = {}
    with _text_lines(source) as lines:
        reader = csv.reader(lines)
        header = [cell.strip().lower() for cell in next(reader, [])]
        if tuple(header) != POPULATION_COLUMNS:
            problems.add(
                1,
                "header",
                _("The first line must be exactly: %(columns)s") % {"columns": ",".join(POPULATION_COLUMNS)},
            )
            problems.raise_if_any()
        known = set(Locality.objects.values_list("siruta", flat=True))
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(POPULATION_COLUMNS):
                problems.add(number, None, _("The line must have 3 values: siruta, population, children."))
                continue
            values: dict[str, int] = {}
            for column, cell in zip(POPULATION_COLUMNS, cells, strict=True):
                try:
                    values[column] = int(cell.strip())
                except ValueError:
                    problems.add(number, column, _("“%(value)s” is not a whole number.") % {"value": cell})
                    continue
                if values[column] < 0:
                    problems.add(number, column, _("The number cannot be negative."))
            if len(values) < len(POPULATION_COLUMNS):
                continue
            if values["siruta"] not in known:
                problems.add(
                    number, "siruta", _("No locality has SIRUTA code %(code)s.") % {"code": values["siruta"]}
                )
            elif values["children"] > values["population"]:
                problems.add(number, "children", _("There cannot be more children than people."))
            elif values["siruta"] in figures:
                problems.add(number, "siruta", _("This SIRUTA code appears twice in the file."))
            else:
                figures[values["siruta"]] = (values["population"], values["children"])
    problems.raise_if_any()
    changed = [
        locality
        for locality in Locality.objects.filter(siruta__in=figures)
        if (locality.population, locality.children) != figures[locality.siruta]
    ]
    for locality in changed:
        locality.population, locality.children = figures[locality.siruta]
    Locality.objects.bulk_update(changed, ["population", "children"], batch_size=_BATCH_SIZE)
    return len(changed)
