"""The administrators' page "who saw or changed this person's record": the events, in Romanian, to them only."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from mps.accounts.models import Role, ScopeKind
from mps.accounts.tests.factories import UserFactory, worker_of
from mps.assessment.models import Assessment, RiskLevel
from mps.audit.models import AuditAction, AuditEvent
from mps.audit.services import audit_record
from mps.core.cnp import make_cnp
from mps.geography.tests.factories import LocalityFactory
from mps.privacy.selectors import person_find, person_trail
from mps.registry import selectors, services
from mps.registry.models import Relation
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/audit/persoana/"
CNP = make_cnp("M", dt.date(1980, 5, 17), serial=7)


@pytest.fixture
def locality():
    return LocalityFactory.create(name="Nicolae Bălcescu")


@pytest.fixture
def worker(locality):
    return worker_of(locality, username="asistent.ioana", first_name="Ioana", last_name="Răducanu")


@pytest.fixture
def administrator():
    return UserFactory.create(
        role=Role.ADMINISTRATOR, scope=ScopeKind.NATIONAL, is_staff=True, username="admin"
    )


@pytest.fixture
def membership(worker, locality):
    """A man recorded by the worker, whose household page she then opened, and whose name she corrected."""
    household = services.household_create(actor=worker, locality=locality, address="Str. Școlii nr. 4")
    membership = services.member_add(
        actor=worker,
        household=household,
        first_name="Ștefan",
        last_name="Țurcanu",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        relation=Relation.HEAD,
        cnp=CNP,
        start_date=dt.date(2020, 1, 1),
    )
    selectors.household_record_for_user(worker, household.id)
    services.person_update(actor=worker, membership=membership, first_name="Ștefănel")
    return membership


@pytest.fixture
def someone_else(worker, locality):
    """Another household's events, which are nobody's business on this person's page."""
    household = services.household_create(actor=worker, locality=locality, address="Str. Morii nr. 9")
    services.member_add(
        actor=worker,
        household=household,
        first_name="Maria",
        last_name="Ionescu",
        sex="F",
        birth_date=dt.date(1990, 3, 2),
        relation=Relation.HEAD,
    )
    return household


def _trail(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_an_administrator_sees_who_recorded_opened_and_changed_the_person(
    client, administrator, membership, someone_else
):
    client.force_login(administrator)

    response = _trail(client, q=CNP)

    page = response.content.decode()
    assert "Cine a consultat sau a modificat datele unei persoane" in page
    assert "Ștefănel Țurcanu" in page
    entries = response.context["entries"]
    seen = [(e.actor_name, e.action_label, e.record_type_label, e.locality_name) for e in entries]
    worker = "Ioana Răducanu (asistent.ioana)"
    assert seen == [
        (str(administrator), "consultat", "persoană", "Nicolae Bălcescu"),  # this very look-up
        (worker, "modificat", "persoană", "Nicolae Bălcescu"),
        (worker, "consultat", "persoană", "Nicolae Bălcescu"),
        (worker, "consultat", "gospodărie", "Nicolae Bălcescu"),
        (worker, "creat", "persoană", "Nicolae Bălcescu"),
        (worker, "creat", "gospodărie", "Nicolae Bălcescu"),
    ]
    for label in ("Când", "Cine", "Acțiune", "Înregistrare", "Localitate", "6 evenimente"):
        assert label in page
    when = timezone.localtime(entries[0].event.at)
    assert f"{when:%d.%m.%Y}, {when:%H:%M}" in page  # the Romanian short date and time
    assert str(someone_else.id) not in {e.event.object_id for e in entries}


def test_the_page_finds_the_person_by_id_too(client, administrator, membership):
    client.force_login(administrator)

    by_id = _trail(client, q=str(membership.person_id))

    assert by_id.context["person"] == membership.person
    assert by_id.context["page"].paginator.count == 6


def test_the_look_up_itself_is_audited(client, administrator, membership):
    client.force_login(administrator)

    _trail(client, q=CNP)

    event = AuditEvent.objects.filter(actor=administrator).get()
    assert (event.action, event.object_type, event.object_id) == ("view", "person", str(membership.person_id))
    assert event.locality_id == membership.household.locality_id


@pytest.mark.parametrize(
    "make_user",
    [
        lambda locality: worker_of(locality),
        lambda locality: worker_of(locality, role=Role.LOCAL_COORDINATOR, is_staff=True),
        lambda locality: UserFactory.create(role=Role.ADMINISTRATOR, scope=ScopeKind.NATIONAL),
        lambda locality: UserFactory.create(role=Role.NATIONAL_MONITOR, scope=ScopeKind.NATIONAL),
    ],
    ids=["social worker", "coordinator who is staff", "administrator without staff", "national monitor"],
)
def test_anyone_but_an_administrator_gets_404_and_leaves_no_trace(client, locality, membership, make_user):
    user = make_user(locality)
    client.force_login(user)
    before = AuditEvent.objects.count()

    assert client.get(URL, {"q": CNP}).status_code == 404
    assert client.get(URL, {"q": CNP, "format": "json"}).status_code == 404
    assert client.get(URL).status_code == 404

    assert AuditEvent.objects.count() == before


def test_a_superuser_may_open_it(client, membership):
    client.force_login(UserFactory.create(role=Role.SOCIAL_WORKER, is_superuser=True, is_staff=True))

    assert _trail(client, q=CNP).context["person"] == membership.person


def test_the_json_download_lists_the_same_events_and_is_audited_as_an_export(
    client, administrator, membership
):
    client.force_login(administrator)
    shown = [e.event.pk for e in _trail(client, q=CNP).context["entries"]]

    response = client.get(URL, {"q": CNP, "format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="audit-{membership.person_id}.json"'
    document = json.loads(response.content)
    assert document["person"] == {"id": str(membership.person_id), "full_name": "Ștefănel Țurcanu"}
    events = document["events"]
    # The download's own export comes first; the rest is what the page showed.
    assert events[0]["action"] == "export"
    assert len(events) == len(shown) + 1
    changed = events[2]
    assert changed["actor"] == {"username": "asistent.ioana", "full_name": "Ioana Răducanu"}
    assert (changed["action"], changed["action_label"]) == ("update", "modificat")
    assert (changed["record_type"], changed["record_type_label"]) == ("person", "persoană")
    assert changed["record_id"] == str(membership.person_id)
    assert changed["locality"] == {"siruta": membership.household.locality_id, "name": "Nicolae Bălcescu"}
    assert dt.datetime.fromisoformat(changed["at"]).tzinfo is not None


def test_system_events_say_automatic(client, administrator, membership):
    audit_record(actor=None, action=AuditAction.UPDATE, object_type="person", object_id=membership.person_id)
    client.force_login(administrator)

    entries = _trail(client, q=CNP).context["entries"]
    document = json.loads(client.get(URL, {"q": CNP, "format": "json"}).content)

    assert entries[1].actor_name == "automat"
    assert document["events"][2]["actor"] is None
    assert document["events"][2]["actor_label"] == "automat"


def test_an_unknown_cnp_or_a_malformed_query_says_so(client, administrator, membership):
    client.force_login(administrator)

    unknown = _trail(client, q=make_cnp("F", dt.date(1970, 1, 1)))
    malformed = _trail(client, q="Țurcanu")

    assert "Nicio persoană nu este înregistrată cu acest CNP sau identificator." in unknown.content.decode()
    assert "Introduceți un CNP de 13 cifre" in malformed.content.decode()
    assert client.get(URL, {"q": str(uuid.uuid4()), "format": "json"}).status_code == 404
    assert not AuditEvent.objects.filter(actor=administrator).exists()


def test_households_count_only_while_the_person_lived_there_and_their_assessments_at_any_time(locality):
    moved_from = HouseholdFactory.create(locality=locality)
    membership = MembershipFactory.create(
        household=moved_from,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 6, 30),
        end_reason="moved_out",
    )
    person = membership.person
    during = audit_record(
        actor=None, action=AuditAction.VIEW, object_type="household", object_id=moved_from.id
    )
    after = audit_record(
        actor=None, action=AuditAction.VIEW, object_type="household", object_id=moved_from.id
    )
    last_day = timezone.make_aware(dt.datetime(2021, 6, 30, 23, 59))
    # The test database lets this through (see conftest): it is how an event of 2021 is made today.
    AuditEvent.objects.filter(pk=during.pk).update(at=last_day)
    visits = {
        when: Assessment.objects.create(
            id=uuid.uuid4(),
            household=moved_from,
            locality=locality,
            wave="V1",
            wave_number=1,
            assessed_on=when,
            catalogue="mps-v1",
            score=3,
            risk_level=RiskLevel.LOW,
            is_latest=when.year == 2022,
            document={},
        )
        for when in (dt.date(2021, 3, 1), dt.date(2022, 3, 1))
    }
    of_their_visit = audit_record(
        actor=None,
        action=AuditAction.CREATE,
        object_type="assessment",
        object_id=visits[dt.date(2021, 3, 1)].id,
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        object_type="assessment",
        object_id=visits[dt.date(2022, 3, 1)].id,
    )

    trail = list(person_trail(person))

    assert during in trail
    assert of_their_visit in trail
    assert after not in trail
    assert len(trail) == 2


def test_a_merged_duplicates_trail_is_the_kept_persons(worker, locality, membership):
    duplicate = services.member_add(
        actor=worker,
        household=HouseholdFactory.create(locality=locality),
        first_name="Stefan",
        last_name="Turcanu",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        relation=Relation.HEAD,
    ).person
    services.person_merge(actor=worker, keep=membership.person, duplicate=duplicate)

    assert person_find(person_id=duplicate.id) == membership.person
    assert str(duplicate.id) in {event.object_id for event in person_trail(membership.person)}


def test_the_page_reads_in_a_fixed_number_of_queries(
    client, administrator, locality, membership, django_assert_max_num_queries
):
    # Many readers, several localities: names and places come with the events, not one query each.
    for n in range(30):
        reader = worker_of(LocalityFactory.create(), username=f"cititor{n}")
        audit_record(
            actor=reader,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=membership.person_id,
            locality_id=reader.localities.get().siruta,
        )
    client.force_login(administrator)

    with django_assert_max_num_queries(13):
        entries = _trail(client, q=CNP).context["entries"]

    assert len(entries) == 36
