"""Every URL of the project that names a record, for every role, on the records of another locality: 404 or 403.

The URLs come from the URL configuration, not from a list kept by hand: a page added tomorrow is probed too.
Each record parameter is filled with the ids of a whole foreign world (household, people, assessment, case,
referral, plan action, agreement, task, activity, census entry, data-subject request, household and person
transfers), so the one of the right kind is always among them; the answer must never be a page (2xx) or a change, by GET or by POST.
"""

import itertools
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from mps.accounts.models import Role, ScopeKind
from mps.accounts.tests.factories import UserFactory, county_supervisor_of, national_monitor, worker_of
from mps.audit.models import AuditEvent
from mps.cases import services as case_services
from mps.cases.followup import case_update_from_assessment
from mps.cases.models import ActionStatus, PlanAction, Referral
from mps.cases.services import ActionChoice
from mps.cases.tests.factories import GroupActivityFactory, TaskFactory, builders_locality, record, team_of
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.geography.models import County
from mps.geography.tests.factories import LocalityFactory
from mps.moves import services as move_services
from mps.moves.models import PersonTransfer
from mps.privacy.models import RequestKind
from mps.privacy.services import subject_request_record
from mps.registry.tests.factories import HouseholdFactory
from mps.security.tests.factories import PasskeyFactory

pytestmark = pytest.mark.django_db

# Paths without a record of anyone: shared assets and the field app's language files.
NOT_RECORDS = {"sync_api_docs_asset", "i18n"}
# Old English paths only redirect to the Romanian ones, which are probed themselves.
LEGACY_PREFIX = "households/"
ALLOWED = {403, 404, 405}


def _patterns(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def record_patterns() -> list[tuple[str, URLPattern]]:
    return [
        (route, pattern)
        for route, pattern in _patterns(get_resolver().url_patterns)
        if pattern.pattern.converters
        and pattern.name not in NOT_RECORDS
        and not route.startswith(("admin/", LEGACY_PREFIX))
    ]


@pytest.fixture
def foreign_world():
    """A locality with everything a team records, and the ids that name each record."""
    locality = builders_locality(name="Străinești")
    team = team_of(locality)
    worker = team["social_worker"]
    assessment = record(worker, {"members[2].protection.neglect_signs": True})
    case = case_update_from_assessment(actor=None, assessment=assessment)
    actions = PlanAction.objects.filter(goal__case=case, status=ActionStatus.PROPOSED)
    case_services.plan_accept(
        actor=worker, case=case, choices=[ActionChoice(a.id, True, a.owner, a.due_on) for a in actions]
    )
    agreement = case_services.agreement_record(
        actor=worker,
        case=case,
        signed_on=timezone.localdate(),
        signed_by="Ion Popescu",
        family_commitments="Mergem la școală.",
        team_commitments="Vă însoțim.",
    )
    household = assessment.household
    entry = CensusEntryFactory.create(campaign=CensusCampaignFactory.create(locality=locality))
    administrator = UserFactory.create(role=Role.ADMINISTRATOR, scope=ScopeKind.NATIONAL, is_staff=True)
    subject_request = subject_request_record(
        actor=administrator,
        person=household.memberships.first().person,
        kind=RequestKind.ACCESS,
        received_on=timezone.localdate(),
        requester="Ion Popescu",
    )
    # Transfers between two foreign localities: one of the family, one of a person.
    elsewhere = LocalityFactory.create(name="Departe", county=locality.county)
    household_transfer = move_services.household_transfer_request(
        actor=worker, household=household, to_locality=elsewhere, moved_on=timezone.localdate()
    )
    neighbours = HouseholdFactory.create(locality=elsewhere)
    person_transfer = PersonTransfer.objects.create(
        person_id=household.memberships.values_list("person_id", flat=True)[0],
        from_household=household,
        to_household=neighbours,
        from_locality=locality,
        to_locality=elsewhere,
        relation="other_relative",
        moved_on=timezone.localdate(),
        requested_by=worker,
    )
    uuids = [
        household.id,
        *household.memberships.values_list("person_id", flat=True),
        assessment.id,
        case.id,
        *Referral.objects.filter(case=case).values_list("id", flat=True)[:1],
        GroupActivityFactory.create(locality=locality, facilitator=worker).id,
        entry.id,
        household_transfer.id,
        person_transfer.id,
    ]
    ints = {
        "siruta": [locality.siruta],
        "task_id": [TaskFactory.create(case=case).id],
        "action_id": list(PlanAction.objects.filter(goal__case=case).values_list("id", flat=True)[:1]),
        "agreement_id": [agreement.id],
        "request_id": [subject_request.id],
        "passkey_id": [PasskeyFactory.create(user=worker).id],
    }
    return {
        "locality": locality,
        "uuids": uuids,
        "ints": ints,
        "team": team,
        "case": case,
        "household_transfer": household_transfer,
        "person_transfer": person_transfer,
    }


def _values(name: str, converter: object, world: dict) -> list[str]:
    kind = type(converter).__name__
    if kind == "UUIDConverter":
        return [str(ref) for ref in world["uuids"]]
    if kind == "IntConverter":
        return [str(value) for value in world["ints"][name]]
    return {
        "level": ["locality"],
        "code": [str(world["locality"].siruta)],
        "wave": ["T0"],
        "move": ["activate"],
        "table": ["households"],
        "fmt": ["csv"],
    }[name]


def _urls(route: str, pattern: URLPattern, world: dict) -> Iterator[str]:
    converters = pattern.pattern.converters
    for combination in itertools.product(*(_values(name, converters[name], world) for name in converters)):
        path = route
        for name, value in zip(converters, combination, strict=True):
            # "<uuid:ref>" or "<ref>" becomes the value chosen for ref.
            path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
        yield "/" + path


def test_the_matrix_covers_every_record_page():
    routes = {route for route, _pattern in record_patterns()}
    assert len(routes) >= 30
    assert "cazuri/<uuid:ref>/" in routes
    assert "gospodarii/<uuid:ref>/membri/<uuid:person_ref>/editeaza/" in routes
    assert "transferuri/gospodarie/<uuid:ref>/accepta/" in routes


def test_the_foreign_ids_are_real_pages_for_their_own_team(foreign_world):
    # The control: the same ids open for the team of that locality, so the 404s below are the scope's doing.
    client = Client()
    client.force_login(foreign_world["team"]["coordinator"])
    case = foreign_world["case"]
    for url in (
        f"/cazuri/{case.household_id}/",
        f"/gospodarii/{case.household_id}/",
        f"/evaluari/{case.last_assessment_id}/",
        f"/transferuri/gospodarie/{foreign_world['household_transfer'].id}/",
        f"/transferuri/persoana/{foreign_world['person_transfer'].id}/",
    ):
        assert client.get(url).status_code == 200, url


def test_no_role_reaches_another_localitys_records_by_any_url(foreign_world):
    home = LocalityFactory.create(name="Acasă")
    users = [
        worker_of(home, username="m.asistent"),
        worker_of(home, role=Role.LOCAL_COORDINATOR, username="m.coordonator"),
        county_supervisor_of(County.objects.exclude(code=foreign_world["locality"].county_id).first().code),
    ]
    monitor = national_monitor(username="m.monitor")
    clients = {}
    for user in [*users, monitor]:
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
        clients[user.pk].user_name = user.username
    changes_before = AuditEvent.objects.exclude(action="view").count()
    leaks: list[str] = []
    probed = 0
    for route, pattern in record_patterns():
        # The national monitor may read every area's aggregates (monitoring); never a record.
        audience = users if route.startswith("monitorizare/") else [*users, monitor]
        for client, url in itertools.product(
            [clients[user.pk] for user in audience], list(_urls(route, pattern, foreign_world))
        ):
            for method in (client.get, client.post):
                status = method(url).status_code
                probed += 1
                if status not in ALLOWED:
                    leaks.append(f"{client.user_name} {method.__name__.upper()} {url}: {status}")
    assert leaks == []
    assert probed > 500
    assert AuditEvent.objects.exclude(action="view").count() == changes_before
