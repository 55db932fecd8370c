"""The demo builder: teams, plausible households, reproducibility, and the command's options."""

import datetime as dt
import re
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from mps.accounts.models import Role, ScopeKind, User
from mps.audit.models import AuditEvent
from mps.core.cnp import cnp_problems
from mps.demo.builder import DEMO_LOAD_OBJECT_TYPE
from mps.demo.context import REFERENCE_DATE, locality_slug
from mps.demo.households import allocate_households
from mps.geography.models import Locality, Marginalisation
from mps.registry.models import Household, Membership, Person, Relation, Sex
from mps.registry.selectors import duplicate_candidates_for_user

HOUSEHOLDS = 60


def build(**options: Any) -> str:
    """Run the command for the registry alone (test_fieldwork.py covers the census, assessments and cases)."""
    out = StringIO()
    call_command(
        "build_demo", verbosity=0, stdout=out, **{"households": HOUSEHOLDS, "registry_only": True, **options}
    )
    return out.getvalue()


def years_between(earlier: dt.date, later: dt.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {
        "households": sorted(
            Household.objects.values_list("id", "locality_id", "address", "latitude", "longitude")
        ),
        "people": sorted(
            Person.objects.values_list(
                "id", "first_name", "last_name", "sex", "birth_date", "cnp", "mother_id"
            )
        ),
        "memberships": sorted(
            Membership.objects.values_list("household_id", "person_id", "relation", "start_date")
        ),
        "users": sorted(User.objects.values_list("username", "first_name", "last_name", "role")),
    }


def forget_demo() -> None:
    Membership.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    User.objects.all().delete()


@pytest.mark.django_db
def test_every_locality_gets_its_team_and_mediators_only_where_marginalised() -> None:
    build()

    localities = list(Locality.objects.filter(county_id="BC"))
    assert len(localities) >= 10
    for locality in localities:
        slug = locality_slug(locality)
        roles = {
            user.username: user.role
            for user in User.objects.filter(localities=locality, scope=ScopeKind.LOCALITIES)
        }
        expected = {
            f"asistent.{slug}": Role.SOCIAL_WORKER,
            f"asistenta.{slug}": Role.COMMUNITY_NURSE,
            f"consilier.{slug}": Role.SCHOOL_COUNSELLOR,
            f"coordonator.{slug}": Role.LOCAL_COORDINATOR,
        }
        if locality.marginalisation in (Marginalisation.HIGH, Marginalisation.MEDIUM):
            expected |= {
                f"mediator.scolar.{slug}": Role.SCHOOL_MEDIATOR,
                f"mediator.sanitar.{slug}": Role.HEALTH_MEDIATOR,
            }
        assert roles == expected, locality.name
        assert all(name.isascii() for name in roles)
    for user in User.objects.filter(scope=ScopeKind.LOCALITIES):
        assert user.localities.count() == 1
        assert user.first_name
        assert user.last_name

    supervisor = User.objects.get(username="supervizor.bacau")
    assert (supervisor.role, supervisor.scope, supervisor.county_id) == (
        Role.COUNTY_SUPERVISOR,
        ScopeKind.COUNTY,
        "BC",
    )
    monitor = User.objects.get(username="monitor.national")
    assert (monitor.role, monitor.scope) == (Role.NATIONAL_MONITOR, ScopeKind.NATIONAL)
    admin = User.objects.get(username="admin")
    assert (admin.role, admin.scope, admin.is_superuser) == (Role.ADMINISTRATOR, ScopeKind.NATIONAL, True)


@pytest.mark.django_db
def test_households_hold_plausible_families() -> None:
    build(households=200)

    households = list(Household.objects.select_related("locality", "case_manager"))
    assert len(households) == 200
    heads = Counter(
        Membership.objects.filter(relation=Relation.HEAD, end_date__isnull=True).values_list(
            "household_id", flat=True
        )
    )
    assert all(heads[household.id] == 1 for household in households)
    for household in households:
        assert household.case_manager is not None
        assert household.case_manager.role == Role.SOCIAL_WORKER
        assert household.case_manager.localities.get() == household.locality
        locality = household.locality
        assert locality.latitude is not None
        assert locality.longitude is not None
        assert household.latitude is not None
        assert household.longitude is not None
        assert household.location_accuracy_m is not None
        assert abs(household.latitude - locality.latitude) < 0.1
        assert abs(household.longitude - locality.longitude) < 0.1
        assert 5 <= household.location_accuracy_m <= 30
        assert household.search_text
        assert household.locality.is_urban == (household.village_id is None)

    people = {person.id: person for person in Person.objects.all()}
    assert 2.4 <= len(people) / len(households) <= 3.8
    for person in people.values():
        assert person.name_key
        assert person.birth_date <= REFERENCE_DATE
        if person.mother_id:
            mother = people[person.mother_id]
            assert mother.sex == Sex.FEMALE
            assert 16 <= years_between(mother.birth_date, person.birth_date) <= 45
        if person.father_id:
            father = people[person.father_id]
            assert father.sex == Sex.MALE
            assert 18 <= years_between(father.birth_date, person.birth_date) <= 55

    relations = Counter(Membership.objects.values_list("relation", flat=True))
    assert {Relation.HEAD, Relation.SPOUSE, Relation.CHILD} <= set(relations)
    children = [person for person in people.values() if years_between(person.birth_date, REFERENCE_DATE) < 18]
    assert children
    assert any(person.mother_id for person in children)

    cnps = [person.cnp for person in people.values() if person.cnp]
    assert len(cnps) == len(set(cnps))
    assert 0.8 <= len(cnps) / len(people) <= 0.97
    for person in people.values():
        if person.cnp:
            assert cnp_problems(person.cnp, sex=person.sex, birth_date=person.birth_date) == []
            assert person.cnp[7:9] in {"04", "27", "37", "22", "39", "19"}
    assert any(person.cnp is None for person in children)


@pytest.mark.django_db
def test_some_people_are_recorded_twice_for_the_duplicates_page() -> None:
    build(households=200)

    supervisor = User.objects.get(username="supervizor.bacau")
    groups = duplicate_candidates_for_user(supervisor)
    assert groups
    for group in groups:
        first, second = group.people[0], group.people[1]
        assert (first.name_key, first.birth_date) == (second.name_key, second.birth_date)
    assert any(any(person.cnp is None for person in group.people) for group in groups)


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_demo() -> None:
    build(seed=7)
    first = snapshot()
    forget_demo()

    build(seed=7)

    assert snapshot() == first
    forget_demo()
    build(seed=8)
    assert snapshot()["people"] != first["people"]


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_registry_alone() -> None:
    build()
    before = (Household.objects.count(), Person.objects.count(), User.objects.count())

    output = build(if_empty=True)

    assert (Household.objects.count(), Person.objects.count(), User.objects.count()) == before
    assert output.strip()
    with pytest.raises(CommandError):
        build()


@pytest.mark.django_db
def test_demo_users_log_in_with_the_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPS_DEMO_PASSWORD", "Bacau-demo-2026")

    output = build()

    assert "Bacau-demo-2026" not in output
    for username in (
        "asistent.bacau",
        "coordonator.buciumi",
        "supervizor.bacau",
        "monitor.national",
        "admin",
    ):
        assert Client().login(username=username, password="Bacau-demo-2026"), username


@pytest.mark.django_db
def test_generated_passwords_are_printed_and_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MPS_DEMO_PASSWORD", raising=False)

    output = build()

    printed = dict(re.findall(r"^(\S+)\s{2,}.*\s{2,}(\S+)$", output, flags=re.MULTILINE))
    assert set(User.objects.values_list("username", flat=True)) <= set(printed)
    assert Client().login(username="mediator.sanitar.buciumi", password=printed["mediator.sanitar.buciumi"])


@pytest.mark.django_db
def test_a_weak_demo_password_is_refused_and_nothing_is_saved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPS_DEMO_PASSWORD", "demo")

    with pytest.raises(CommandError):
        build()

    assert not User.objects.exists()
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_each_locality_load_is_audited() -> None:
    build()

    events = AuditEvent.objects.filter(object_type=DEMO_LOAD_OBJECT_TYPE)
    by_locality = {event.object_id: event for event in events}
    assert set(by_locality) == {str(siruta) for siruta in Locality.objects.values_list("siruta", flat=True)}
    assert sum(event.changes["households"] for event in events) == HOUSEHOLDS
    assert sum(event.changes["people"] for event in events) == Person.objects.count()


def test_households_are_shared_in_proportion_to_population() -> None:
    localities = [
        Locality(siruta=1, name="Mare", population=90_000),
        Locality(siruta=2, name="Mică", population=9_000),
        Locality(siruta=3, name="Cătun", population=1_000),
    ]

    assert allocate_households(localities, 1000) == {1: 900, 2: 90, 3: 10}
    assert allocate_households(localities, 3) == {1: 1, 2: 1, 3: 1}
    assert sum(allocate_households(localities, 7).values()) == 7
