"""Registering households and people: validation in Romanian, history kept, nothing half-saved."""

import datetime as dt

import pytest
from django.utils import translation

from mps.accounts.models import Role
from mps.accounts.tests.factories import county_supervisor_of, worker_of
from mps.audit.models import AuditEvent
from mps.core.cnp import make_cnp
from mps.core.errors import DomainValidationError
from mps.geography.tests.factories import LocalityFactory, VillageFactory
from mps.registry import selectors, services
from mps.registry.models import Household, Membership, MembershipEnd, Person, Relation

pytestmark = pytest.mark.django_db


@pytest.fixture
def locality():
    return LocalityFactory()


@pytest.fixture
def worker(locality):
    return worker_of(locality)


@pytest.fixture
def household(worker, locality):
    return services.household_create(actor=worker, locality=locality, address="Str. Școlii nr. 4")


def _add(worker, household, **overrides):
    data = {
        "first_name": "Ștefan",
        "last_name": "Țurcanu",
        "sex": "M",
        "birth_date": dt.date(1980, 5, 17),
        "relation": Relation.HEAD,
        "start_date": dt.date(2020, 1, 1),
    } | overrides
    return services.member_add(actor=worker, household=household, **data)


def test_household_create_is_audited(worker, household):
    event = AuditEvent.objects.get(object_type="household", object_id=str(household.id))
    assert event.action == "create"
    assert event.actor == worker
    assert event.changes["address"] == [None, "Str. Școlii nr. 4"]


def test_household_outside_scope_is_refused_and_nothing_saved(worker):
    foreign = LocalityFactory()
    with pytest.raises(DomainValidationError) as error:
        services.household_create(actor=worker, locality=foreign, address="Str. Morii 1")
    assert "locality" in error.value.problems
    assert not Household.objects.filter(locality=foreign).exists()


def test_supervisor_cannot_write(locality):
    supervisor = county_supervisor_of("BC")
    with pytest.raises(DomainValidationError):
        services.household_create(actor=supervisor, locality=locality, address="Str. Morii 1")


def test_village_must_belong_to_locality(worker, locality):
    stranger_village = VillageFactory()
    with pytest.raises(DomainValidationError) as error:
        services.household_create(actor=worker, locality=locality, address="x", village=stranger_village)
    assert "village" in error.value.problems


def test_errors_speak_romanian_and_name_every_field(worker, household):
    with translation.override("ro"), pytest.raises(DomainValidationError) as error:
        _add(worker, household, first_name=" ", birth_date=dt.date(2999, 1, 1), cnp="1234567890123")
    problems = error.value.problems
    assert set(problems) >= {"first_name", "birth_date", "cnp"}
    assert "obligatoriu" in str(problems["first_name"][0])
    assert not Person.objects.exists()


def test_cnp_must_agree_with_sex_and_birth_date(worker, household):
    woman_cnp = make_cnp("F", dt.date(1980, 5, 17), county="04")
    with pytest.raises(DomainValidationError) as error:
        _add(worker, household, cnp=woman_cnp)
    assert "cnp" in error.value.problems
    _add(worker, household, cnp=make_cnp("M", dt.date(1980, 5, 17), county="04"))


def test_cnp_is_unique(worker, household, locality):
    cnp = make_cnp("M", dt.date(1980, 5, 17), county="04")
    _add(worker, household, cnp=cnp)
    second = services.household_create(actor=worker, locality=locality, address="Str. Nouă 2")
    with pytest.raises(DomainValidationError) as error:
        _add(worker, second, cnp=cnp)
    assert "cnp" in error.value.problems
    assert Person.objects.count() == 1


def test_only_one_head_per_household(worker, household):
    _add(worker, household)
    with pytest.raises(DomainValidationError) as error:
        _add(worker, household, first_name="Maria", sex="F")
    assert "relation" in error.value.problems


def test_parents_must_fit(worker, household):
    father = _add(worker, household).person
    with pytest.raises(DomainValidationError) as error:
        _add(worker, household, first_name="Ana", sex="F", relation=Relation.CHILD, mother=father)
    assert "mother" in error.value.problems
    with pytest.raises(DomainValidationError) as error:
        _add(worker, household, relation=Relation.CHILD, father=father, birth_date=dt.date(1970, 1, 1))
    assert "father" in error.value.problems
    child = _add(
        worker,
        household,
        first_name="Andrei",
        relation=Relation.CHILD,
        father=father,
        birth_date=dt.date(2015, 3, 1),
    )
    assert child.person.father == father


def test_moving_out_keeps_history(worker, household):
    membership = _add(worker, household)
    services.membership_end(
        actor=worker, membership=membership, end_date=dt.date(2025, 6, 1), reason=MembershipEnd.MOVED_OUT
    )
    membership.refresh_from_db()
    assert membership.end_reason == MembershipEnd.MOVED_OUT
    record = selectors.household_record_for_user(worker, household.id)
    assert record.current == []
    assert [m.person for m in record.past] == [membership.person]
    # The person can start a new stay elsewhere; both memberships remain.
    assert Membership.objects.filter(person=membership.person).count() == 1


def test_death_is_recorded_on_the_person(worker, household):
    membership = _add(worker, household)
    services.membership_end(actor=worker, membership=membership, end_date=dt.date(2025, 6, 1), reason="died")
    membership.person.refresh_from_db()
    assert membership.person.death_date == dt.date(2025, 6, 1)


def test_update_records_old_and_new_values(worker, household):
    membership = _add(worker, household)
    services.person_update(actor=worker, membership=membership, first_name="Ștefănel")
    event = AuditEvent.objects.filter(object_type="person", action="update").get()
    assert event.changes == {"first_name": ["Ștefan", "Ștefănel"]}
    services.household_update(actor=worker, household=household, address="Str. Școlii nr. 5")
    assert AuditEvent.objects.filter(object_type="household", action="update").count() == 1


def test_reading_a_household_audits_every_person_read(worker, household):
    member = _add(worker, household)
    selectors.household_record_for_user(worker, household.id)
    assert AuditEvent.objects.filter(
        action="view", object_type="household", object_id=str(household.id)
    ).exists()
    assert AuditEvent.objects.filter(
        action="view", object_type="person", object_id=str(member.person_id)
    ).exists()


def test_search_ignores_diacritics_and_case(worker, household, locality):
    _add(worker, household)
    other = services.household_create(actor=worker, locality=locality, address="Str. Lungă 9")
    _add(worker, other, first_name="Maria", last_name="Pop", sex="F")
    for query in ("stefan", "ȘTEFAN", "turcanu", "scolii", "Școlii"):
        found = list(selectors.household_list_for_user(worker, query=query))
        assert found == [household], query
    assert list(selectors.household_list_for_user(worker, query="maria")) == [other]


def test_an_address_search_ignores_street_and_number_markers(worker, locality):
    written_short = services.household_create(actor=worker, locality=locality, address="Principala 112")
    written_long = services.household_create(
        actor=worker, locality=locality, address="Str. Principală nr. 112"
    )
    services.household_create(actor=worker, locality=locality, address="Principala 113")
    for query in ("Str. Principală nr. 112", "principala 112", "strada principala, nr. 112"):
        found = set(selectors.household_list_for_user(worker, query=query))
        assert found == {written_short, written_long}, query


def test_search_results_say_who_matched(worker, household):
    _add(worker, household)
    _add(worker, household, first_name="Ioana", relation=Relation.CHILD, birth_date=dt.date(2015, 3, 1))
    [by_child] = selectors.household_list_for_user(worker, query="ioana")
    assert (by_child.head_name, by_child.matched_name, by_child.matched_relation) == (
        "Ștefan Țurcanu",
        "Ioana Țurcanu",
        Relation.CHILD,
    )
    [by_address] = selectors.household_list_for_user(worker, query="scolii 4")
    assert by_address.matched_name is None


def test_search_by_cnp(worker, household):
    cnp = make_cnp("M", dt.date(1980, 5, 17), county="04")
    _add(worker, household, cnp=cnp)
    assert list(selectors.household_list_for_user(worker, query=cnp)) == [household]


def test_duplicates_are_listed_and_merge_keeps_both_histories(worker, locality):
    first_home = services.household_create(actor=worker, locality=locality, address="Str. A 1")
    second_home = services.household_create(actor=worker, locality=locality, address="Str. B 2")
    original = _add(worker, first_home, cnp=make_cnp("M", dt.date(1980, 5, 17), county="04")).person
    services.membership_end(
        actor=worker, membership=original.memberships.get(), end_date=dt.date(2024, 1, 1), reason="moved_out"
    )
    copy = _add(worker, second_home, first_name="Stefan", last_name="TURCANU").person
    groups = selectors.duplicate_candidates_for_user(worker)
    assert len(groups) == 1
    assert set(groups[0].people) == {original, copy}

    services.person_merge(actor=worker, keep=original, duplicate=copy)
    copy.refresh_from_db()
    assert copy.merged_into == original
    addresses = set(original.memberships.values_list("household__address", flat=True))
    assert addresses == {"Str. A 1", "Str. B 2"}
    assert original.memberships.filter(end_date__isnull=True).get().household == second_home
    assert selectors.duplicate_candidates_for_user(worker) == []


def test_the_record_with_a_cnp_is_proposed_to_survive_and_the_user_may_choose_another(worker, locality):
    from django.test import Client
    from django.urls import reverse

    first_home = services.household_create(actor=worker, locality=locality, address="Str. A 1")
    second_home = services.household_create(actor=worker, locality=locality, address="Str. B 2")
    recorded_first = _add(worker, first_home).person
    with_cnp = _add(worker, second_home, cnp=make_cnp("M", dt.date(1980, 5, 17), county="04")).person
    [group] = selectors.duplicate_candidates_for_user(worker)
    assert group.suggested_keep == with_cnp

    client = Client()
    client.force_login(worker)
    page = client.get(reverse("registry:duplicates")).content.decode()
    assert f'name="keep" value="{with_cnp.id}" id="keep-{with_cnp.id}" aria-label' in page
    assert f'value="{with_cnp.id}" id="keep-{with_cnp.id}" aria-label="Păstrează înregistrarea: ' in page

    # The user keeps the older record instead; ticking the kept one too changes nothing.
    response = client.post(
        reverse("registry:duplicates"),
        {"keep": recorded_first.id, "duplicates": [recorded_first.id, with_cnp.id]},
    )
    assert response.status_code == 302
    with_cnp.refresh_from_db()
    recorded_first.refresh_from_db()
    assert with_cnp.merged_into == recorded_first
    assert recorded_first.merged_into is None
    assert recorded_first.cnp == make_cnp("M", dt.date(1980, 5, 17), county="04")


def test_a_group_merge_is_all_or_nothing(worker, locality):
    homes = [
        services.household_create(actor=worker, locality=locality, address=f"Str. A {n}") for n in range(3)
    ]
    keep = _add(worker, homes[0]).person
    same = _add(worker, homes[1]).person
    different = _add(worker, homes[2], cnp=make_cnp("M", dt.date(1980, 5, 17), county="04", serial=3)).person
    keep.cnp = make_cnp("M", dt.date(1980, 5, 17), county="04", serial=4)
    keep.save()
    with pytest.raises(DomainValidationError):
        services.person_merge_group(actor=worker, keep=keep, duplicates=[same, different])
    same.refresh_from_db()
    assert same.merged_into is None
    with pytest.raises(DomainValidationError):
        services.person_merge_group(actor=worker, keep=keep, duplicates=[keep])


def test_merge_refuses_different_cnps(worker, household, locality):
    a = _add(worker, household, cnp=make_cnp("M", dt.date(1980, 5, 17), county="04", serial=1)).person
    other = services.household_create(actor=worker, locality=locality, address="Str. C 3")
    b = _add(worker, other, cnp=make_cnp("M", dt.date(1980, 5, 17), county="04", serial=2)).person
    with pytest.raises(DomainValidationError):
        services.person_merge(actor=worker, keep=a, duplicate=b)


def test_duplicates_are_per_county(worker, locality):
    from mps.geography.models import County

    neamt = LocalityFactory(county=County.objects.get(code="NT"))
    both = worker_of(locality, neamt, role=Role.SOCIAL_WORKER)
    h1 = services.household_create(actor=both, locality=locality, address="Str. A 1")
    h2 = services.household_create(actor=both, locality=neamt, address="Str. A 1")
    _add(both, h1)
    _add(both, h2)
    assert selectors.duplicate_candidates_for_user(both) == []


def test_a_malformed_ref_is_not_found_rather_than_an_error(worker):
    from django.http import Http404

    for bad in ("not-a-uuid", "123", ""):
        with pytest.raises(Http404):
            selectors.household_get_for_user(worker, bad)
        with pytest.raises(Http404):
            selectors.person_get_for_user(worker, bad)


def test_a_cnp_registered_elsewhere_is_not_disclosed_and_the_lookup_is_audited(worker, household):
    cnp = make_cnp("M", dt.date(1980, 5, 17), county="04")
    elsewhere = LocalityFactory.create(name="Altundeva")
    other_worker = worker_of(elsewhere)
    other_home = services.household_create(actor=other_worker, locality=elsewhere, address="Str. Ascunsă 1")
    holder = _add(other_worker, other_home, first_name="Secret", last_name="Ascuns", cnp=cnp).person

    with translation.override("en"), pytest.raises(DomainValidationError) as refused:
        _add(worker, household, cnp=cnp)
    message = " ".join(refused.value.problems["cnp"])
    assert "outside your localities" in message
    assert "transfer" in message
    for secret in ("Secret", "Ascuns", "Ascunsă", "Altundeva"):
        assert secret not in message
    lookup = AuditEvent.objects.get(object_type="cnp_lookup")
    assert (lookup.actor, lookup.object_id, lookup.locality_id) == (
        worker,
        str(holder.id),
        household.locality_id,
    )


def test_a_cnp_taken_in_the_users_own_localities_says_by_whom(worker, household, locality):
    cnp = make_cnp("M", dt.date(1980, 5, 17), county="04")
    _add(worker, household, cnp=cnp)
    other = services.household_create(actor=worker, locality=locality, address="Str. Nouă 2")
    with pytest.raises(DomainValidationError) as refused:
        _add(worker, other, cnp=cnp, first_name="Alt")
    assert "Ștefan Țurcanu" in refused.value.problems["cnp"][0]
    assert "Str. Școlii nr. 4" in refused.value.problems["cnp"][0]
    assert not AuditEvent.objects.filter(object_type="cnp_lookup").exists()


def test_over_long_names_and_addresses_are_refused_naming_the_field(worker, household, locality):
    with pytest.raises(DomainValidationError) as refused:
        _add(worker, household, first_name="A" * 101)
    assert list(refused.value.problems) == ["first_name"]
    with pytest.raises(DomainValidationError) as refused:
        services.household_create(actor=worker, locality=locality, address="Str. " + "Lungă " * 60)
    assert "address" in refused.value.problems
    assert Household.objects.count() == 1
