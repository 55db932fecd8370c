"""Build a realistic, reproducible demo county: the community teams, households and people of Bacău.

The demo is a plan of steps that run in order inside one transaction, each reading and extending one
`DemoContext`. Steps keep what they generate in plain dataclasses (`DemoUser`, `DemoHousehold`,
`DemoPerson`), so a later step (census visits, assessments, cases) can build on the people without querying
them back. Every step draws its random numbers from its own generator seeded by the seed and the step's name
(and the locality), so adding a step later leaves what the earlier steps generate unchanged, and the same
seed always yields the same households, names, ages and references. Ages are computed against a fixed
reference date, never today's, for the same reason.

Users are created through `mps.accounts.services.user_create`, which validates roles and scopes. Households
and people are a bulk load: the registry services write one audited record at a time, which is right for
field work and too slow for ten thousand rows, so this module writes the rows with `bulk_create` and records
one audit event per locality that says where the data came from.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mps.accounts.models import Role, User
from mps.accounts.services import user_create
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.demo.context import (
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    MARGINALISED,
    DemoContext,
    DemoPerson,
    DemoPlan,
    DemoStep,
    DemoUser,
    LocalityTeam,
    ProgressFactory,
    locality_slug,
    silent_progress,
)
from mps.demo.fieldwork import (
    census_t0,
    census_t1,
    census_t2,
    census_t3,
    open_cases,
    register_births,
    set_census_calendar,
)
from mps.demo.households import generate_households
from mps.geography.models import Locality, Village
from mps.geography.services import load_demo_geography
from mps.moves import services as move_services
from mps.registry.models import Household, Membership, Person, Relation, Sex

DEMO_COUNTY = "BC"
DEMO_LOAD_OBJECT_TYPE = "demo_load"
_BATCH_SIZE = 1000
# Share of the people registered a second time, without a CNP (the duplicates page finds them).
_DUPLICATE_SHARE = 0.01


def build_demo(
    *,
    seed: int = DEFAULT_SEED,
    households: int = DEFAULT_HOUSEHOLDS,
    password: str | None = None,
    progress: ProgressFactory = silent_progress,
    plan: DemoPlan | None = None,
) -> DemoContext:
    """Run the demo plan in one transaction and return what it generated."""
    if households < 1:
        raise ValueError("The demo needs at least one household.")
    context = DemoContext(seed=seed, household_count=households, password=password, progress=progress)
    with transaction.atomic():
        for step in (plan or DEFAULT_PLAN).steps:
            step.run(context)
    return context


# Step: geography ------------------------------------------------------------------------------------------


def load_geography(context: DemoContext) -> None:
    """Load the demo localities of Bacău county with their villages."""
    context.localities = sorted(load_demo_geography(), key=lambda locality: (locality.name, locality.siruta))
    villages: dict[int, list[Village]] = {locality.siruta: [] for locality in context.localities}
    for village in Village.objects.filter(locality__in=context.localities).order_by("locality_id", "name"):
        villages[village.locality_id].append(village)
    context.villages = villages


# Step: users ----------------------------------------------------------------------------------------------

# (role, username prefix, sex of the name: None for either). Community nurses and Roma health mediators
# are almost all women in the pilot, so their names are women's names.
_TEAM_ROLES: tuple[tuple[Role, str, str | None], ...] = (
    (Role.SOCIAL_WORKER, "asistent", None),
    (Role.COMMUNITY_NURSE, "asistenta", Sex.FEMALE),
    (Role.SCHOOL_COUNSELLOR, "consilier", None),
)
_MEDIATOR_ROLES: tuple[tuple[Role, str, str | None], ...] = (
    (Role.SCHOOL_MEDIATOR, "mediator.scolar", None),
    (Role.HEALTH_MEDIATOR, "mediator.sanitar", Sex.FEMALE),
)


@dataclass(frozen=True)
class _Account:
    username: str
    role: Role
    sex: str | None
    scope_label: str
    locality: Locality | None = None
    county_code: str | None = None
    national: bool = False


def _accounts(localities: Sequence[Locality]) -> list[_Account]:
    """Return the demo accounts to create, in the order they are printed."""
    accounts: list[_Account] = []
    for locality in localities:
        slug = locality_slug(locality)
        roles = _TEAM_ROLES + (_MEDIATOR_ROLES if locality.marginalisation in MARGINALISED else ())
        accounts += [
            _Account(f"{prefix}.{slug}", role, sex, locality.name, locality) for role, prefix, sex in roles
        ]
        accounts.append(
            _Account(f"coordonator.{slug}", Role.LOCAL_COORDINATOR, None, locality.name, locality)
        )
    county_name = localities[0].county.name if localities else DEMO_COUNTY
    county_label = _("%(county)s county") % {"county": county_name}
    accounts += [
        _Account(
            f"supervizor.{slugify(county_name)}",
            Role.COUNTY_SUPERVISOR,
            None,
            county_label,
            county_code=DEMO_COUNTY,
        ),
        _Account("monitor.national", Role.NATIONAL_MONITOR, None, _("national"), national=True),
        _Account("admin", Role.ADMINISTRATOR, None, _("national"), national=True),
    ]
    return accounts


def create_users(context: DemoContext) -> None:
    """Create each locality's team and coordinator, the county supervisor, the national monitor and the admin."""
    fake = context.faker("users")
    rng = context.random("users")
    accounts = _accounts(context.localities)
    members: dict[int, list[User]] = {}
    # Hashing a password is deliberately slow (about a quarter of a second), so this step shows progress too.
    bar = context.progress(_("Creating users"), len(accounts))
    try:
        for account in accounts:
            female = rng.random() < 0.5 if account.sex is None else account.sex == Sex.FEMALE
            created = user_create(
                username=account.username,
                role=account.role,
                locality_codes=[account.locality.siruta] if account.locality else (),
                county_code=account.county_code,
                national=account.national,
                password=context.password,
                first_name=fake.first_name_female() if female else fake.first_name_male(),
                last_name=fake.last_name(),
            )
            context.users.append(
                DemoUser(
                    created.user, str(account.role.label), account.scope_label, created.generated_password
                )
            )
            if account.locality is not None and account.role != Role.LOCAL_COORDINATOR:
                members.setdefault(account.locality.siruta, []).append(created.user)
            bar.update(1)
    finally:
        bar.close()
    for locality in context.localities:
        team = tuple(members.get(locality.siruta, ()))
        social_worker = next(user for user in team if user.role == Role.SOCIAL_WORKER)
        context.teams[locality.siruta] = LocalityTeam(locality, social_worker=social_worker, members=team)


# Step: duplicates -----------------------------------------------------------------------------------------


def add_duplicate_people(context: DemoContext) -> None:
    """Register about 1 % of the people a second time, without a CNP, in another household of the county.

    This is what happens when two teams (or two visits) record the same person, e.g. a young adult counted
    both at their parents' and at their partner's home; the duplicates page must find and merge them.
    """
    rng = context.random("duplicates")
    people = list(context.people)
    candidates = [person for person in people if person.cnp and person.relation != Relation.HEAD]
    if len(context.households) < 2 or not candidates:
        return
    wanted = max(1, round(_DUPLICATE_SHARE * len(people)))
    home_of = {id(person): household for household in context.households for person in household.members}
    for original in rng.sample(candidates, min(wanted, len(candidates))):
        home = home_of[id(original)]
        others = [household for household in context.households if household is not home]
        household = rng.choice(others)
        duplicate = DemoPerson(
            ref=uuid.UUID(int=rng.getrandbits(128), version=4),
            first_name=original.first_name,
            last_name=original.last_name,
            sex=original.sex,
            birth_date=original.birth_date,
            relation=Relation.OTHER_RELATIVE,
            since=max(original.birth_date, context.reference_date - dt.timedelta(days=rng.randint(30, 900))),
            duplicate_of=original,
        )
        household.members.append(duplicate)
        context.duplicates.append(duplicate)


# Step: saving ---------------------------------------------------------------------------------------------


def save_registry(context: DemoContext) -> None:
    """Write the generated households, people and memberships in bulk."""
    bar = context.progress(_("Saving households"), len(context.households))
    try:
        for start in range(0, len(context.households), _BATCH_SIZE):
            batch = context.households[start : start + _BATCH_SIZE]
            households: list[Household] = []
            people: list[Person] = []
            memberships: list[Membership] = []
            for generated in batch:
                household = Household(
                    id=generated.ref,
                    locality=generated.locality,
                    village=generated.village,
                    address=generated.address,
                    latitude=generated.latitude,
                    longitude=generated.longitude,
                    location_accuracy_m=generated.accuracy_m,
                    case_manager=generated.case_manager,
                )
                household.refresh_search_keys()
                households.append(household)
                for member in generated.members:
                    person = Person(
                        id=member.ref,
                        first_name=member.first_name,
                        last_name=member.last_name,
                        sex=member.sex,
                        birth_date=member.birth_date,
                        cnp=member.cnp,
                        mother_id=member.mother.ref if member.mother else None,
                        father_id=member.father.ref if member.father else None,
                    )
                    person.refresh_search_keys()
                    people.append(person)
                    if context.births_after is not None and member.birth_date > context.births_after:
                        context.deferred_members.append((generated, member))
                        continue
                    memberships.append(
                        Membership(
                            household_id=generated.ref,
                            person_id=member.ref,
                            relation=member.relation,
                            start_date=member.since,
                        )
                    )
            # Families never span households, so every mother and father link points into this batch;
            # Django declares foreign keys deferrable, so the order of the rows within it does not matter.
            Household.objects.bulk_create(households, batch_size=_BATCH_SIZE)
            Person.objects.bulk_create(people, batch_size=_BATCH_SIZE)
            Membership.objects.bulk_create(memberships, batch_size=_BATCH_SIZE)
            bar.update(len(batch))
    finally:
        bar.close()


def record_load(context: DemoContext) -> None:
    """Write one audit event per locality saying that its records came from the demo builder."""
    households: dict[int, int] = {}
    people: dict[int, int] = {}
    for household in context.households:
        siruta = household.locality.siruta
        households[siruta] = households.get(siruta, 0) + 1
        people[siruta] = people.get(siruta, 0) + len(household.members)
    for locality in context.localities:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type=DEMO_LOAD_OBJECT_TYPE,
            object_id=locality.siruta,
            locality_id=locality.siruta,
            changes={
                "source": "build_demo",
                "seed": context.seed,
                "reference_date": context.reference_date.isoformat(),
                "households": households.get(locality.siruta, 0),
                "people": people.get(locality.siruta, 0),
            },
        )


# Step: transfers -------------------------------------------------------------------------------------------


def move_families(context: DemoContext) -> None:
    """Move two families of the first locality to the second: one transfer accepted, one waiting a decision.

    Through the transfers' services, as teams do it, so that the transfer pages have a family on each side. The
    addresses and reasons are what a Romanian team would type: data, not the interface's words.
    """
    if len(context.localities) < 2:
        return
    sending, receiving = context.localities[0], context.localities[1]
    with_case = list(Household.objects.filter(locality=sending, case__isnull=False).order_by("id")[:2])
    requester = context.teams[sending.siruta].social_worker
    coordinator = User.objects.filter(
        role=Role.LOCAL_COORDINATOR, is_active=True, localities=receiving
    ).first()
    if len(with_case) < 2 or coordinator is None:
        return
    moved_on = context.reference_date - dt.timedelta(days=20)
    accepted, waiting = with_case
    transfer = move_services.household_transfer_request(
        actor=requester,
        household=accepted,
        to_locality=receiving,
        moved_on=moved_on,
        to_address="Str. Gării nr. 12",
        reason="S-au mutat la bunici.",
    )
    move_services.household_transfer_accept(actor=coordinator, transfer=transfer)
    move_services.household_transfer_request(
        actor=requester,
        household=waiting,
        to_locality=receiving,
        moved_on=moved_on,
        to_address="Str. Morii nr. 3",
        reason="Și-au găsit de lucru în oraș.",
    )


# The teams, households and people only: what `build_demo --registry-only` builds.
REGISTRY_PLAN = DemoPlan(
    steps=(
        DemoStep("geography", load_geography),
        DemoStep("users", create_users),
        DemoStep("households", generate_households),
        DemoStep("duplicates", add_duplicate_people),
        DemoStep("registry", save_registry),
        DemoStep("audit", record_load),
    )
)
# Everything: the registry, then the census and assessments of four waves, then the cases.
DEFAULT_PLAN = DemoPlan(
    steps=(
        DemoStep("geography", load_geography),
        DemoStep("users", create_users),
        DemoStep("households", generate_households),
        DemoStep("duplicates", add_duplicate_people),
        DemoStep("calendar", set_census_calendar),
        DemoStep("registry", save_registry),
        DemoStep("audit", record_load),
        DemoStep("census_t0", census_t0),
        DemoStep("census_t1", census_t1),
        DemoStep("census_t2", census_t2),
        DemoStep("census_t3", census_t3),
        DemoStep("births", register_births),
        DemoStep("cases", open_cases),
        DemoStep("transfers", move_families),
    )
)
