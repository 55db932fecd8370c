"""What the steps of the demo build share: the options, the plan, and what earlier steps generated.

Steps keep what they generate in plain dataclasses (`DemoUser`, `DemoHousehold`, `DemoPerson`, and for the
field work each household's `HouseholdState`), so a later step can build on the people without querying them
back. Every module of the demo imports this one; none of them imports the builder, which assembles the plan.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol

from django.utils.text import slugify
from faker import Faker

from mps.accounts.models import User
from mps.demo.cases import DemoCasesSummary
from mps.geography.models import Locality, Marginalisation, Village
from mps.registry.models import Relation

# Ages are measured against this date, not today, so the same seed gives the same people next year too.
REFERENCE_DATE = dt.date(2026, 9, 1)
DEFAULT_SEED = 42
DEFAULT_HOUSEHOLDS = 3000


@dataclass(frozen=True)
class Wave:
    """One wave of the demo: when its census campaign runs."""

    code: str
    number: int
    starts_on: dt.date
    weeks: int

    def ends_on(self, latest: dt.date) -> dt.date:
        return min(self.starts_on + dt.timedelta(weeks=self.weeks) - dt.timedelta(days=3), latest)


# The social census in spring 2025, then a re-evaluation about every six months, the last one in the summer
# before the demo's reference date (2026-09-01): every visit is in the past.
WAVES = (
    Wave("T0", 0, dt.date(2025, 3, 3), 8),
    Wave("T1", 1, dt.date(2025, 9, 8), 6),
    Wave("T2", 2, dt.date(2026, 3, 2), 6),
    Wave("T3", 3, dt.date(2026, 6, 29), 8),
)
CENSUS_START = WAVES[0].starts_on


# The localities where the pilot found the most vulnerable families.
MARGINALISED = frozenset({Marginalisation.HIGH, Marginalisation.MEDIUM})


def chance(rng: random.Random, probability: float) -> bool:
    """Return True with the given probability."""
    return rng.random() < probability


def new_ref(rng: random.Random) -> uuid.UUID:
    """Return a version-4 UUID drawn from ``rng``, so the same seed gives the same refs."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# The plan and its context --------------------------------------------------------------------------------


class ProgressBar(Protocol):
    """What a step needs from a progress bar (tqdm's bar fits)."""

    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[str, int], ProgressBar]


class _SilentBar:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def silent_progress(description: str, total: int) -> ProgressBar:
    """Return a progress bar that shows nothing."""
    return _SilentBar()


@dataclass(frozen=True)
class DemoUser:
    """A demo account and the password to print for it (None when it came from the environment)."""

    user: User
    role_label: str
    scope_label: str
    password: str | None


@dataclass(frozen=True)
class LocalityTeam:
    """The community team of one locality."""

    locality: Locality
    social_worker: User
    members: tuple[User, ...]


@dataclass(eq=False)
class DemoPerson:
    """A generated person and their place in the household."""

    ref: uuid.UUID
    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date
    relation: str
    since: dt.date
    cnp: str | None = None
    mother: DemoPerson | None = None
    father: DemoPerson | None = None
    duplicate_of: DemoPerson | None = None

    def age_on(self, day: dt.date) -> int:
        """Return the age in whole years on a given day."""
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


@dataclass(eq=False)
class DemoHousehold:
    """A generated household: where it lives, who manages its case and who lives in it."""

    ref: uuid.UUID
    locality: Locality
    village: Village | None
    address: str
    latitude: float
    longitude: float
    accuracy_m: float
    case_manager: User | None
    composition: str
    members: list[DemoPerson] = field(default_factory=list)

    @property
    def head(self) -> DemoPerson:
        return next(person for person in self.members if person.relation == Relation.HEAD)


@dataclass
class DemoContext:
    """Everything the steps share: the options, and what earlier steps have generated."""

    seed: int = DEFAULT_SEED
    household_count: int = DEFAULT_HOUSEHOLDS
    password: str | None = None
    reference_date: dt.date = REFERENCE_DATE
    progress: ProgressFactory = silent_progress
    localities: list[Locality] = field(default_factory=list)
    villages: dict[int, list[Village]] = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)
    teams: dict[int, LocalityTeam] = field(default_factory=dict)
    households: list[DemoHousehold] = field(default_factory=list)
    duplicates: list[DemoPerson] = field(default_factory=list)
    # People born after this date (children born once the census began) get their household membership
    # from the visit that finds them, or from the `births` step; None writes every membership at once.
    births_after: dt.date | None = None
    deferred_members: list[tuple[DemoHousehold, DemoPerson]] = field(default_factory=list)
    fieldwork: Fieldwork | None = None

    def random(self, *scope: object) -> random.Random:
        """Return a generator seeded by the seed and the scope, independent of every other scope."""
        # Seeding with text is stable across runs and Python versions (it is hashed with SHA-512).
        return random.Random(":".join([str(self.seed), *map(str, scope)]))  # nosec B311 - demo data, not secrets

    def faker(self, *scope: object) -> Faker:
        """Return a Romanian Faker seeded by the seed and the scope."""
        fake = Faker("ro_RO")
        fake.seed_instance(":".join([str(self.seed), *map(str, scope)]))
        return fake

    @property
    def people(self) -> Iterator[DemoPerson]:
        """Yield every generated person, duplicates included."""
        for household in self.households:
            yield from household.members


@dataclass(frozen=True)
class DemoStep:
    """One named step of the demo build."""

    name: str
    run: Callable[[DemoContext], None]


@dataclass(frozen=True)
class DemoPlan:
    """The steps of a demo build, in order."""

    steps: tuple[DemoStep, ...]

    def with_step(self, step: DemoStep, *, after: str) -> DemoPlan:
        """Return the plan with a step inserted after the named one."""
        names = [existing.name for existing in self.steps]
        if after not in names:
            raise ValueError(f"The plan has no step named {after!r}.")
        position = names.index(after) + 1
        return replace(self, steps=(*self.steps[:position], step, *self.steps[position:]))


def locality_slug(locality: Locality) -> str:
    """Return the locality's name as an ASCII slug for usernames ("Târgu Ocna" → "targu-ocna")."""
    return slugify(locality.name)


# State: what the team would find in each household, evolving from wave to wave -------------------------


@dataclass(eq=False)
class MemberState:
    """What is true of one person at the latest wave; the answers of a visit are rendered from it."""

    person: DemoPerson
    cnp: str | None
    roma: bool | None
    birth_certificate: bool = True
    identity_card: bool = True
    family_doctor: bool = True
    insured: bool = True
    vaccination: str = "complete"
    prenatal_care: bool = True
    chronic_illness: bool = False
    chronic_followed: bool = True
    disability: bool = False
    disability_certificate: bool = False
    disability_benefit: bool = False
    malnutrition: bool = False
    needs_daily_care: bool = False
    has_caregiver: bool = True
    preschool: bool = True
    never_enrolled: bool = False
    dropped_out: bool = False
    dropped_grade: int = 0
    vocational: bool = False
    absences: bool = False
    repeated_grade: bool = False
    special_needs: bool = False
    special_needs_support: bool = True
    adult_grade: int = 12
    job: str = "employed_formal"
    unemployed_months: int = 0
    child_allowance: bool = True
    parents_abroad: bool = False
    neglect: bool = False
    child_labour: bool = False
    early_union: bool = False
    university: bool = False
    moved_out: bool = False


@dataclass(eq=False)
class HouseholdState:
    """What is true of one household at the latest wave."""

    household: DemoHousehold
    degree: str
    members: list[MemberState]
    dwelling: str
    rooms: int
    electricity: bool
    safe_water: bool
    indoor_toilet: bool
    heating: bool
    unsafe_structure: bool
    damp: bool
    legal_documents: bool
    poor: bool
    income_ratio: float
    zero_income: bool
    minimum_income: bool
    violence: bool
    substance: bool


@dataclass
class WaveSummary:
    """What one wave recorded across the localities."""

    wave: str
    listed: int = 0
    invisibles: int = 0
    visits: int = 0
    assessed: int = 0

    @property
    def coverage_percent(self) -> float:
        return 100 * self.assessed / self.listed if self.listed else 0.0


@dataclass
class Fieldwork:
    """What the field-work steps share: each household's state, the cohort followed, the register numbers."""

    states: dict[uuid.UUID, HouseholdState] = field(default_factory=dict)
    register_refs: dict[uuid.UUID, str] = field(default_factory=dict)
    active: list[uuid.UUID] = field(default_factory=list)  # re-evaluated households still followed
    waves: list[WaveSummary] = field(default_factory=list)
    cnps: set[str] = field(default_factory=set)
    children_followed: int = 0
    cases: DemoCasesSummary | None = None
