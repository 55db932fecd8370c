"""The demo's households and people, generated in memory: family shapes, names, ages, CNPs, addresses and GPS.

Households are spread over the localities in proportion to population; marginalised communities have more
large and multi-generation families, towns more people living alone; a share of the children has no CNP, as
late birth registration marks marginalisation. `builder.save_registry` writes them in bulk.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Sequence

from django.utils.translation import gettext as _
from faker.providers.person.ro_RO import Provider as RomanianNames

from mps.core.cnp import make_cnp
from mps.demo.context import MARGINALISED, DemoContext, DemoHousehold, DemoPerson
from mps.geography.models import Locality, LocalityKind, Marginalisation, Village
from mps.registry.models import Relation, Sex

_YEAR_DAYS = 365.2425


# Most people in a Bacău village were born in Bacău; the rest come from the neighbouring counties.
_BIRTH_COUNTY_CODES = (("04", 88), ("27", 4), ("37", 3), ("22", 2), ("39", 2), ("19", 1))

# Faker's ro_RO locale knows only a few dozen surnames, which makes a county of 9,000 people look like one
# extended family; these common Moldavian surnames are drawn alongside them.
_EXTRA_LAST_NAMES = (
    "Agape", "Amariei", "Anton", "Apostu", "Asaftei", "Bălan", "Bârsan", "Bejan", "Buruiană", "Chelaru",
    "Chiriac", "Ciobanu", "Ciocoiu", "Ciubotaru", "Cojocaru", "Costin", "Cozma", "Cucu", "Damian", "Dascălu",
    "Dumitrașcu", "Enache", "Filip", "Gavrilă", "Grigoraș", "Huțanu", "Iftimie", "Lungu", "Lupu", "Manea",
    "Mihăilă", "Moraru", "Munteanu", "Nistor", "Olaru", "Palade", "Pintilie", "Popa", "Prisăcaru", "Roman",
    "Rusu", "Sandu", "Savin", "Sârbu", "Spiridon", "Strugaru", "Tănase", "Tudorache", "Ungureanu", "Ursu",
    "Vasiliu", "Vieru", "Zaharia",
)  # fmt: skip

_TOWN_STREETS = (
    "Str. Mihai Eminescu", "Str. Ștefan cel Mare", "Str. Nicolae Bălcescu", "Str. Mărășești", "Str. Republicii",
    "Str. Libertății", "Str. Unirii", "Str. Gării", "Str. Tineretului", "Str. Energiei", "Str. Pictor Aman",
    "Str. Oituz", "Str. 9 Mai", "Str. Vasile Alecsandri", "Str. George Bacovia", "Str. Mioriței",
    "Str. Alexei Tolstoi", "Str. Trandafirilor", "Calea Moldovei", "Bd. Independenței", "Aleea Parcului",
)  # fmt: skip
_VILLAGE_STREETS = (
    "Str. Principală", "Str. Principală", "Str. Principală", "Str. Morii", "Str. Școlii", "Str. Bisericii",
    "Str. Florilor", "Str. Pădurii", "Str. Livezii", "Str. Viilor", "Str. Teilor", "Str. Salcâmilor",
    "Str. Izvorului", "Str. Dealului", "Str. Câmpului", "Str. Gârlei",
)  # fmt: skip

# How households are made up, by weight; marginalised communities have more large and multi-generation
# families, towns more people living alone.
_COMPOSITIONS: dict[str, int] = {
    "couple_with_children": 34,
    "couple_with_children_and_grandparents": 8,
    "three_generations": 6,
    "single_parent": 10,
    "young_couple": 6,
    "couple_without_children": 8,
    "elderly_couple": 9,
    "elderly_alone": 11,
    "adult_alone": 8,
}
_COMPOSITION_SHIFT: dict[str, dict[str, int]] = {
    Marginalisation.HIGH: {"couple_with_children": 10, "three_generations": 5, "adult_alone": -5},
    Marginalisation.MEDIUM: {"couple_with_children": 5, "three_generations": 3, "adult_alone": -3},
    "urban": {"adult_alone": 4, "three_generations": -3, "elderly_alone": 2},
}
# Number of children of a couple (1 to 6), by weight.
_CHILDREN_WEIGHTS: dict[str, tuple[int, ...]] = {
    Marginalisation.HIGH: (14, 24, 22, 18, 13, 9),
    Marginalisation.MEDIUM: (24, 32, 20, 13, 7, 4),
    "default": (38, 40, 14, 5, 2, 1),
}
# Share of children (under 18) recorded without a CNP: late or missing birth registration is a marker of
# marginalisation, and the methodology flags it.
_CHILD_WITHOUT_CNP: dict[str, float] = {
    Marginalisation.HIGH: 0.3,
    Marginalisation.MEDIUM: 0.22,
    Marginalisation.LOW: 0.14,
    "default": 0.1,
}
_ADULT_WITHOUT_CNP = 0.05
_SPOUSE_OTHER_LAST_NAME = 0.08


# Step: households -----------------------------------------------------------------------------------------


def allocate_households(localities: Sequence[Locality], total: int) -> dict[int, int]:
    """Split the households over the localities in proportion to population (largest remainder)."""
    population = sum(max(locality.population, 1) for locality in localities)
    shares = {loc.siruta: total * max(loc.population, 1) / population for loc in localities}
    counts = {siruta: math.floor(share) for siruta, share in shares.items()}
    by_remainder = sorted(shares, key=lambda siruta: (counts[siruta] - shares[siruta], siruta))
    for siruta in by_remainder[: total - sum(counts.values())]:
        counts[siruta] += 1
    # Every locality gets at least one household when there are enough, so every team has work to show.
    if total >= len(localities):
        for siruta in [s for s in counts if counts[s] == 0]:
            donor = max(counts, key=lambda s: (counts[s], -s))
            counts[donor] -= 1
            counts[siruta] += 1
    return counts


def generate_households(context: DemoContext) -> None:
    """Generate the households and people of every locality, in memory."""
    counts = allocate_households(context.localities, context.household_count)
    cnps = _CnpIssuer(context.random("cnp"))
    bar = context.progress(_("Generating households"), context.household_count)
    try:
        for locality in context.localities:
            team = context.teams.get(locality.siruta)
            family = _FamilyMaker(context, locality, cnps)
            places = _PlaceMaker(context, locality, context.villages.get(locality.siruta, []))
            for _index in range(counts[locality.siruta]):
                village, address, latitude, longitude, accuracy = places.place()
                composition, members = family.household()
                context.households.append(
                    DemoHousehold(
                        ref=family.new_ref(),
                        locality=locality,
                        village=village,
                        address=address,
                        latitude=latitude,
                        longitude=longitude,
                        accuracy_m=accuracy,
                        case_manager=team.social_worker if team else None,
                        composition=composition,
                        members=members,
                    )
                )
                bar.update(1)
    finally:
        bar.close()


class _CnpIssuer:
    """Issue valid CNPs that are unique in the demo, varying the serial per sex, birth date and county."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_serial: dict[tuple[str, dt.date, str], int] = {}
        self.counties = [code for code, _weight in _BIRTH_COUNTY_CODES]
        self.weights = [weight for _code, weight in _BIRTH_COUNTY_CODES]

    def issue(self, sex: str, birth_date: dt.date) -> str:
        county = self.rng.choices(self.counties, self.weights)[0]
        key = (sex, birth_date, county)
        serial = self.next_serial.get(key) or self.rng.randint(1, 500)
        self.next_serial[key] = serial + 1
        return make_cnp(sex, birth_date, county=county, serial=serial)


class _PlaceMaker:
    """Invent addresses and GPS points: blocks of flats in towns, houses along a few streets in villages."""

    def __init__(self, context: DemoContext, locality: Locality, villages: list[Village]) -> None:
        self.rng = context.random("places", locality.siruta)
        self.locality = locality
        self.urban = locality.kind != LocalityKind.COMMUNE
        self.villages = [] if self.urban else villages
        self.used: set[tuple[int | None, str]] = set()
        latitude = locality.latitude if locality.latitude is not None else 46.57
        longitude = locality.longitude if locality.longitude is not None else 26.91
        self.centre = (latitude, longitude)
        # A commune's villages lie a few kilometres from its seat; the seat village (the one named like the
        # commune) is the centre and holds the most households.
        self.village_centres: dict[int, tuple[float, float]] = {}
        self.village_weights: list[int] = []
        for village in self.villages:
            seat = village.name == locality.name
            offset = (0.0, 0.0) if seat else self._offset_m(self.rng.uniform(1200, 3500))
            self.village_centres[village.pk] = self._moved(self.centre, offset)
            self.village_weights.append(3 if seat else 1)
        if locality.kind == LocalityKind.MUNICIPALITY:
            self.spread_m, self.flats = 1300.0, 0.6
        elif self.urban:
            self.spread_m, self.flats = 700.0, 0.35
        else:
            self.spread_m, self.flats = 450.0, 0.0

    def place(self) -> tuple[Village | None, str, float, float, float]:
        village = self.rng.choices(self.villages, self.village_weights)[0] if self.villages else None
        address = self._address(village)
        centre = self.village_centres[village.pk] if village else self.centre
        offset = (self.rng.gauss(0, self.spread_m), self.rng.gauss(0, self.spread_m))
        latitude, longitude = self._moved(centre, offset)
        return village, address, round(latitude, 6), round(longitude, 6), round(self.rng.uniform(5, 30), 1)

    def _address(self, village: Village | None) -> str:
        key = village.pk if village else None
        while True:
            if self.urban:
                street = self.rng.choice(_TOWN_STREETS)
                if self.rng.random() < self.flats:
                    block = f"{self.rng.choice('ABCDEFGH')}{self.rng.randint(1, 30)}"
                    address = (
                        f"{street} nr. {self.rng.randint(1, 90)}, bl. {block}, "
                        f"sc. {self.rng.choice('ABCD')}, ap. {self.rng.randint(1, 60)}"
                    )
                else:
                    address = f"{street} nr. {self.rng.randint(1, 180)}"
            else:
                address = f"{self.rng.choice(_VILLAGE_STREETS)} nr. {self.rng.randint(1, 420)}"
            if (key, address) not in self.used:
                self.used.add((key, address))
                return address

    def _offset_m(self, distance: float) -> tuple[float, float]:
        angle = self.rng.uniform(0, 2 * math.pi)
        return distance * math.cos(angle), distance * math.sin(angle)

    @staticmethod
    def _moved(centre: tuple[float, float], offset_m: tuple[float, float]) -> tuple[float, float]:
        latitude, longitude = centre
        north, east = offset_m
        return (
            latitude + north / 111_320,
            longitude + east / (111_320 * math.cos(math.radians(latitude))),
        )


class _FamilyMaker:
    """Invent households of plausible families for one locality."""

    def __init__(self, context: DemoContext, locality: Locality, cnps: _CnpIssuer) -> None:
        self.rng = context.random("households", locality.siruta)
        self.fake = context.faker("households", locality.siruta)
        self.today = context.reference_date
        self.cnps = cnps
        degree = locality.marginalisation
        self.marginalised = degree in MARGINALISED
        weights = dict(_COMPOSITIONS)
        for shift in (
            _COMPOSITION_SHIFT.get(degree, {}),
            _COMPOSITION_SHIFT["urban"] if locality.is_urban else {},
        ):
            for composition, change in shift.items():
                weights[composition] = max(weights[composition] + change, 1)
        self.compositions = list(weights)
        self.composition_weights = list(weights.values())
        self.children_weights = _CHILDREN_WEIGHTS.get(degree, _CHILDREN_WEIGHTS["default"])
        self.child_without_cnp = _CHILD_WITHOUT_CNP.get(degree, _CHILD_WITHOUT_CNP["default"])
        # Early first births are more common in marginalised communities.
        self.earliest_birth_age = 16.3 if self.marginalised else 18.0
        self.last_names = (*RomanianNames.last_names, *_EXTRA_LAST_NAMES)

    def new_ref(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def household(self) -> tuple[str, list[DemoPerson]]:
        composition = self.rng.choices(self.compositions, self.composition_weights)[0]
        members: list[DemoPerson] = getattr(self, f"_{composition}")()
        for person in members:
            person.cnp = self._cnp_or_none(person)
        return composition, members

    # People and dates -----------------------------------------------------------------------------------

    def _last_name(self) -> str:
        return self.rng.choice(self.last_names)

    def _first_name(self, sex: str) -> str:
        return self.fake.first_name_female() if sex == Sex.FEMALE else self.fake.first_name_male()

    def _born(self, age: float) -> dt.date:
        return self.today - dt.timedelta(days=int(age * _YEAR_DAYS))

    def _age(self, birth_date: dt.date) -> float:
        return (self.today - birth_date).days / _YEAR_DAYS

    def _person(
        self,
        sex: str,
        birth_date: dt.date,
        last_name: str,
        relation: str,
        since: dt.date,
        *,
        mother: DemoPerson | None = None,
        father: DemoPerson | None = None,
    ) -> DemoPerson:
        return DemoPerson(
            ref=self.new_ref(),
            first_name=self._first_name(sex),
            last_name=last_name,
            sex=sex,
            birth_date=birth_date,
            relation=relation,
            since=max(since, birth_date),
            mother=mother,
            father=father,
        )

    def _sex(self, female_share: float = 0.5) -> str:
        return Sex.FEMALE if self.rng.random() < female_share else Sex.MALE

    def _since(self, head_birth: dt.date) -> dt.date:
        """Return when the household was set up: some years after the head came of age, before today."""
        adult = head_birth + dt.timedelta(days=int(19 * _YEAR_DAYS))
        span = max((self.today - adult).days, 30)
        return adult + dt.timedelta(days=self.rng.randint(0, span - 1))

    def _cnp_or_none(self, person: DemoPerson) -> str | None:
        missing = self.child_without_cnp if person.age_on(self.today) < 18 else _ADULT_WITHOUT_CNP
        if self.rng.random() < missing:
            return None
        return self.cnps.issue(person.sex, person.birth_date)

    def _children_count(self) -> int:
        return self.rng.choices(range(1, 7), self.children_weights)[0]

    def _child_births(self, mother_birth: dt.date, wanted: int, latest_age: float = 44.5) -> list[dt.date]:
        """Return birth dates of up to `wanted` children, born when their mother was 16 to 45 years old."""
        latest = min(self._age(mother_birth) - 0.05, latest_age)
        earliest = self.earliest_birth_age
        if latest <= earliest:
            return []
        age = self.rng.uniform(earliest, min(latest, earliest + 12))
        births: list[dt.date] = []
        while len(births) < wanted and age < latest:
            births.append(mother_birth + dt.timedelta(days=int(age * _YEAR_DAYS)))
            age += self.rng.uniform(1.1, 4.5)
        return births

    def _father_birth(self, mother_birth: dt.date, births: Sequence[dt.date]) -> dt.date:
        """Return a partner's birth date a few years before the mother's, 18 to 55 years before each child."""
        gap = min(max(self.rng.gauss(3, 3), -4), 15)
        father = mother_birth - dt.timedelta(days=int(gap * _YEAR_DAYS))
        latest = self._born(18.5)
        if births:
            latest = min(latest, min(births) - dt.timedelta(days=int(18.1 * _YEAR_DAYS)))
            earliest = max(births) - dt.timedelta(days=int(54.9 * _YEAR_DAYS))
            father = max(father, earliest)
        return min(father, latest)

    def _parents_of(
        self, person: DemoPerson, *, alive_until: float = 95
    ) -> tuple[dt.date | None, dt.date | None]:
        """Return plausible birth dates of a person's mother and father, or None if they would be too old."""
        mother = person.birth_date - dt.timedelta(days=int(self.rng.uniform(19, 40) * _YEAR_DAYS))
        father = self._father_birth(mother, [person.birth_date])
        return (
            mother if self._age(mother) <= alive_until else None,
            father if self._age(father) <= alive_until - 4 else None,
        )

    # Compositions ---------------------------------------------------------------------------------------

    def _couple(
        self, mother_birth: dt.date, father_birth: dt.date, *, man_heads: float = 0.8
    ) -> tuple[DemoPerson, DemoPerson]:
        family_name = self._last_name()
        since = self._since(min(mother_birth, father_birth) + dt.timedelta(days=int(2 * _YEAR_DAYS)))
        man_is_head = self.rng.random() < man_heads
        father = self._person(
            Sex.MALE, father_birth, family_name, Relation.HEAD if man_is_head else Relation.SPOUSE, since
        )
        wife_name = self._last_name() if self.rng.random() < _SPOUSE_OTHER_LAST_NAME else family_name
        mother = self._person(
            Sex.FEMALE, mother_birth, wife_name, Relation.SPOUSE if man_is_head else Relation.HEAD, since
        )
        return mother, father

    def _children(
        self,
        births: Sequence[dt.date],
        last_name: str,
        relation: str,
        since: dt.date,
        mother: DemoPerson | None,
        father: DemoPerson | None,
    ) -> list[DemoPerson]:
        return [
            self._person(self._sex(), born, last_name, relation, since, mother=mother, father=father)
            for born in births
        ]

    def _couple_with_children(self) -> list[DemoPerson]:
        mother_birth = self._born(self.rng.uniform(19 if self.marginalised else 21, 52))
        births = self._child_births(mother_birth, self._children_count())
        mother, father = self._couple(mother_birth, self._father_birth(mother_birth, births))
        children = self._children(births, father.last_name, Relation.CHILD, father.since, mother, father)
        members = [mother, father, *children]
        # Now and then an unmarried brother or sister of the head lives with the family.
        if self.rng.random() < 0.04:
            head = mother if mother.relation == Relation.HEAD else father
            born = head.birth_date + dt.timedelta(days=int(self.rng.uniform(-8, 8) * _YEAR_DAYS))
            if self._age(born) >= 18:
                members.append(self._person(self._sex(), born, head.last_name, Relation.SIBLING, head.since))
        return members

    def _couple_with_children_and_grandparents(self) -> list[DemoPerson]:
        members = self._couple_with_children()
        head = next(person for person in members if person.relation == Relation.HEAD)
        spouse = next(person for person in members if person.relation == Relation.SPOUSE)
        mother_birth, father_birth = self._parents_of(head)
        # A married woman's parents carry her maiden name; a man's parents carry his.
        maiden = head.sex == Sex.FEMALE and spouse.last_name == head.last_name
        parents_name = self._last_name() if maiden else head.last_name
        moved_in = self.today - dt.timedelta(days=self.rng.randint(30, 3650))
        if mother_birth is not None:
            head.mother = self._person(Sex.FEMALE, mother_birth, parents_name, Relation.PARENT, moved_in)
            members.append(head.mother)
        if father_birth is not None and (mother_birth is None or self.rng.random() < 0.55):
            head.father = self._person(Sex.MALE, father_birth, parents_name, Relation.PARENT, moved_in)
            members.append(head.father)
        return members

    def _three_generations(self) -> list[DemoPerson]:
        """Return an older couple living with an adult child, the child's partner and their children."""
        elder_mother_age = self.rng.uniform(50, 80)
        child_age = self.rng.uniform(max(20.0, elder_mother_age - 42), min(42.0, elder_mother_age - 18))
        elder_mother_birth = self._born(elder_mother_age)
        adult_birth = self._born(child_age)
        elder_mother, elder_father = self._couple(
            elder_mother_birth, self._father_birth(elder_mother_birth, [adult_birth]), man_heads=0.85
        )
        adult = self._person(
            self._sex(0.55), adult_birth, elder_father.last_name, Relation.CHILD, elder_father.since,
            mother=elder_mother, father=elder_father,
        )  # fmt: skip
        members = [elder_mother, elder_father, adult]
        partner_birth_gap = dt.timedelta(days=int(self.rng.gauss(3, 2.5) * _YEAR_DAYS))
        moved_in = adult.birth_date + dt.timedelta(days=int(20 * _YEAR_DAYS))
        if adult.sex == Sex.MALE:
            partner_birth = min(adult.birth_date + partner_birth_gap, self._born(18.2))
            name = adult.last_name if self.rng.random() >= _SPOUSE_OTHER_LAST_NAME else self._last_name()
            partner = self._person(Sex.FEMALE, partner_birth, name, Relation.OTHER_RELATIVE, moved_in)
            mother, father = partner, adult
        elif self.rng.random() < 0.8:
            births_guess = self._child_births(adult.birth_date, 1)
            partner_birth = self._father_birth(adult.birth_date, births_guess)
            partner = self._person(
                Sex.MALE, partner_birth, self._last_name(), Relation.OTHER_RELATIVE, moved_in
            )
            mother, father = adult, partner
        else:
            # A young mother raising her children in her parents' home, with no partner.
            partner, mother, father = None, adult, None
        births = self._child_births(mother.birth_date, self._children_count())
        if father is not None:
            births = [
                born for born in births if 18.05 <= (born - father.birth_date).days / _YEAR_DAYS <= 54.9
            ]
        children_name = father.last_name if father is not None else mother.last_name
        members += [partner] if partner is not None else []
        members += self._children(births, children_name, Relation.GRANDCHILD, moved_in, mother, father)
        return members

    def _single_parent(self) -> list[DemoPerson]:
        if self.rng.random() < 0.85:
            mother_birth = self._born(self.rng.uniform(19 if self.marginalised else 22, 52))
            wanted = self._children_count() if self.marginalised else min(self._children_count(), 3)
            births = self._child_births(mother_birth, wanted)
            mother = self._person(
                Sex.FEMALE, mother_birth, self._last_name(), Relation.HEAD, self._since(mother_birth)
            )
            children = self._children(births, mother.last_name, Relation.CHILD, mother.since, mother, None)
            return [mother, *children]
        mother_birth = self._born(self.rng.uniform(24, 50))
        births = self._child_births(mother_birth, min(self._children_count(), 3))
        father_birth = self._father_birth(mother_birth, births)
        father = self._person(
            Sex.MALE, father_birth, self._last_name(), Relation.HEAD, self._since(father_birth)
        )
        return [father, *self._children(births, father.last_name, Relation.CHILD, father.since, None, father)]

    def _couple_of_age(self, low: float, high: float) -> list[DemoPerson]:
        mother_birth = self._born(self.rng.uniform(low, high))
        father_birth = min(self._father_birth(mother_birth, []), self._born(low))
        mother, father = self._couple(mother_birth, father_birth)
        return [mother, father]

    def _young_couple(self) -> list[DemoPerson]:
        return self._couple_of_age(19, 30)

    def _couple_without_children(self) -> list[DemoPerson]:
        return self._couple_of_age(45, 64)

    def _elderly_couple(self) -> list[DemoPerson]:
        return self._couple_of_age(62, 86)

    def _elderly_alone(self) -> list[DemoPerson]:
        # Women outlive men: most old people living alone are widows.
        sex = self._sex(0.72)
        born = self._born(self.rng.uniform(65, 94))
        return [self._person(sex, born, self._last_name(), Relation.HEAD, self._since(born))]

    def _adult_alone(self) -> list[DemoPerson]:
        sex = self._sex(0.4)
        born = self._born(self.rng.uniform(22, 64))
        return [self._person(sex, born, self._last_name(), Relation.HEAD, self._since(born))]
