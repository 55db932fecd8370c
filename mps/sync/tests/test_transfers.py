"""A family moves to another locality: the old team's tablets let it go, the new team's receive it whole, and
what the old team's tablet still sends about it is refused but kept for the new team."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from mps.accounts.models import Role
from mps.accounts.tests.factories import worker_of
from mps.assessment.models import Assessment
from mps.audit.models import AuditEvent
from mps.cases.models import Case, Referral, ServiceDelivery
from mps.census.models import CensusVisit
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.core.cnp import make_cnp
from mps.moves import services as moves
from mps.registry.models import Household, Membership
from mps.sync import selectors
from mps.sync.models import Conflict, ConflictKind, ItemStatus, PushedItem
from mps.sync.selectors import conflict_list_for_user
from mps.sync.tests.documents import again, family

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
POOR = {"household.income.monthly_net_income_ron": 300}


@pytest.fixture
def no_overlap():
    """Make the cursor exact, so that only what really changed after a pull comes in the next one."""
    original = selectors.CURSOR_OVERLAP
    selectors.CURSOR_OVERLAP = original * 0
    yield
    selectors.CURSOR_OVERLAP = original


@pytest.fixture
def coordinator(other_locality):
    return worker_of(other_locality, role=Role.LOCAL_COORDINATOR, username="coord.dealu")


@pytest.fixture
def family_pushed(api, locality):
    """A poor family assessed by the Valea Mare tablet: a household with a case, goals and a census entry."""
    document = family(locality, POOR)
    assert api.push(assessments=[document]).json()["results"][0]["status"] == "accepted"
    household = Household.objects.get(id=document["household"]["ref"])
    campaign = CensusCampaignFactory.create(locality=locality, starts_on=YESTERDAY - dt.timedelta(days=30))
    CensusEntryFactory.create(campaign=campaign, household=household)
    return document, household


def _move(worker, coordinator, household, to_locality):
    transfer = moves.household_transfer_request(
        actor=worker,
        household=household,
        to_locality=to_locality,
        moved_on=YESTERDAY,
        to_address="Str. Morii 4",
        reason="S-au mutat la bunici.",
    )
    return moves.household_transfer_accept(actor=coordinator, transfer=transfer)


def test_the_old_teams_next_pull_says_the_household_is_gone_and_a_full_pull_never_lists_it(
    api, worker, coordinator, family_pushed, other_locality
):
    _document, household = family_pushed
    cursor = api.pull().json()["cursor"]
    _move(worker, coordinator, household, other_locality)

    body = api.pull(cursor).json()
    assert body["gone"] == [
        {
            "ref": str(household.id),
            "reason": "transferred",
            "on": timezone.localdate().isoformat(),
            "moved_on": YESTERDAY.isoformat(),
        }
    ]
    assert str(household.id) not in {h["ref"] for h in body["households"]}

    full = api.pull().json()
    assert full["full"] is True
    assert full["gone"] == []
    assert full["households"] == []


def test_a_household_that_moved_before_the_cursor_is_not_gone_again(
    api, worker, coordinator, family_pushed, other_locality, no_overlap
):
    _document, household = family_pushed
    _move(worker, coordinator, household, other_locality)
    cursor = api.pull().json()["cursor"]
    assert api.pull(cursor).json()["gone"] == []


def test_the_new_teams_pull_brings_the_household_whole_though_its_rows_did_not_change(
    api, other_api, worker, other_worker, coordinator, family_pushed, other_locality, no_overlap
):
    document, household = family_pushed
    cursor = other_api.pull().json()["cursor"]
    assert other_api.pull(cursor).json()["households"] == []

    _move(worker, coordinator, household, other_locality)

    body = other_api.pull(cursor).json()
    assert body["full"] is False
    assert body["gone"] == []
    [arrived] = body["households"]
    assert arrived["ref"] == str(household.id)
    assert arrived["locality"] == str(other_locality.siruta)
    assert arrived["address"] == "Str. Morii 4"
    assert {m["ref"] for m in arrived["members"]} == {m["ref"] for m in document["members"]}
    assert arrived["latest"]["ref"] == document["ref"]
    assert arrived["case"]["manager"] == other_worker.username
    assert arrived["goals"], "the plan's open goals came with the case"
    # The old team's census campaign is not the new team's to record visits on.
    assert arrived["census"] == []
    read = AuditEvent.objects.filter(
        actor=other_worker, action="view", object_type="person", locality_id=other_locality.siruta
    )
    assert set(read.values_list("object_id", flat=True)) == {m["ref"] for m in document["members"]}


def _visit(household):
    return {
        "ref": str(uuid.uuid4()),
        "household": str(household.id),
        "outcome": "nobody_home",
        "visited_on": YESTERDAY.isoformat(),
    }


def _service(household):
    return {
        "ref": str(uuid.uuid4()),
        "household": str(household.id),
        "service": "S01",
        "delivered_on": YESTERDAY.isoformat(),
        "place": "home_visit",
        "duration_minutes": 30,
        "note": "Consiliere.",
    }


def test_what_the_old_tablet_sends_after_the_move_is_refused_whole_and_kept_for_the_new_team(
    api, worker, other_worker, coordinator, family_pushed, other_locality
):
    document, household = family_pushed
    case = Case.objects.get(household=household)
    referral = Referral.objects.create(
        case=case,
        code="HE01",
        institution="family_doctor",
        reason="Înscriere la medic",
        due_on=YESTERDAY,
        locality_id=case.locality_id,
        status="draft",
    )
    _move(worker, coordinator, household, other_locality)
    visits_before, deliveries_before = CensusVisit.objects.count(), ServiceDelivery.objects.count()
    reassessed = again(document, assessed_on=YESTERDAY.isoformat())
    reassessed["members"].append({**reassessed["members"][-1], "ref": str(uuid.uuid4()), "cnp": None})
    items = {
        "assessments": [reassessed],
        "visits": [_visit(household)],
        "services": [_service(household)],
        "referrals": [{"ref": str(uuid.uuid4()), "referral": str(referral.id), "status": "sent"}],
    }

    results = api.push(**items).json()["results"]

    assert [r["status"] for r in results] == ["rejected"] * 4
    paths = [next(iter(r["errors"])) for r in results]
    assert paths == ["household.ref", "household", "household", "referral"]
    date = timezone.localdate().strftime("%d.%m.%Y")
    for result in results:
        [message] = next(iter(result["errors"].values()))
        assert message == (
            f"Gospodăria a fost transferată în Dealu Mic la {date}; ce ați trimis a fost păstrat pentru "
            "echipa care se ocupă acum de ea."
        )
    # Nothing of the four was stored, not even the new member of the assessment.
    assert not Assessment.objects.filter(id=reassessed["ref"]).exists()
    assert Membership.objects.filter(household=household).count() == len(document["members"])
    assert (CensusVisit.objects.count(), ServiceDelivery.objects.count()) == (
        visits_before,
        deliveries_before,
    )
    referral.refresh_from_db()
    assert referral.status == "draft"
    # Kept as sent, as conflicts of the household that its new team sees and the old one no longer does.
    conflicts = Conflict.objects.filter(kind=ConflictKind.MOVED_AWAY)
    assert {(c.item_kind, str(c.item_ref)) for c in conflicts} == {(r["kind"], r["ref"]) for r in results}
    assert conflicts.get(item_kind="assessment").payload == reassessed
    assert set(conflict_list_for_user(other_worker)) == set(conflicts)
    assert not conflict_list_for_user(worker).exists()
    kept = PushedItem.objects.filter(ref__in=[r["ref"] for r in results])
    assert {(item.status, item.household_id) for item in kept} == {(ItemStatus.REJECTED, household.id)}
    assert AuditEvent.objects.filter(
        object_type="sync_conflict", action="create", locality_id=other_locality.siruta
    ).count() == len(results)

    # The tablet tries again: the same answer, and still one conflict and one kept copy per item.
    changes_before = AuditEvent.objects.exclude(action="view").count()
    assert api.push(**items).json()["results"] == results
    assert Conflict.objects.filter(kind=ConflictKind.MOVED_AWAY).count() == 4
    assert PushedItem.objects.filter(ref__in=[r["ref"] for r in results]).count() == 4
    assert AuditEvent.objects.exclude(action="view").count() == changes_before


def test_a_household_the_pusher_never_worked_with_is_still_just_out_of_scope(
    api, other_api, coordinator, other_worker, locality, other_locality
):
    theirs = family(other_locality)
    other_api.push(assessments=[theirs])
    household = Household.objects.get(id=theirs["household"]["ref"])
    [result] = api.push(visits=[_visit(household)]).json()["results"]
    assert list(result["errors"]) == ["household.locality"]
    assert not Conflict.objects.exists()


def test_the_new_team_reviews_the_kept_item_on_the_conflicts_page(
    api, client, worker, other_worker, coordinator, family_pushed, other_locality
):
    _document, household = family_pushed
    _move(worker, coordinator, household, other_locality)
    api.push(visits=[_visit(household)])
    client.force_login(other_worker)
    page = client.get("/teren/conflicte/").content.decode()
    assert "trimis după transferul gospodăriei" in page
    assert "Gospodăria a venit din Valea Mare" in page
    assert "Str. Morii 4" in page


def test_pending_transfers_tell_each_side_only_what_it_may_know(
    api, other_api, worker, family_pushed, other_locality
):
    _document, household = family_pushed
    head = Membership.objects.get(household=household, relation="head").person
    request = moves.household_transfer_request(
        actor=worker, household=household, to_locality=other_locality, moved_on=YESTERDAY
    )
    [outgoing] = api.pull().json()["transfers"]
    assert (outgoing["direction"], outgoing["household"]) == ("outgoing", str(household.id))
    [incoming] = other_api.pull().json()["transfers"]
    assert (incoming["ref"], incoming["direction"], incoming["household"]) == (
        str(request.id),
        "incoming",
        None,
    )
    # The sending team handed the family over: the receiving one is told who and how many, not the address.
    assert incoming["from_locality"] == "Valea Mare"
    assert incoming["head_name"] == head.full_name
    assert (
        incoming["members"] == Membership.objects.filter(household=household, end_date__isnull=True).count()
    )


def test_a_family_claimed_by_cnp_is_not_described_to_the_claiming_team(
    api, other_api, other_worker, family_pushed, other_locality
):
    _document, household = family_pushed
    head = Membership.objects.get(household=household, relation="head").person
    if not head.cnp:
        head.cnp = make_cnp(head.sex, head.birth_date, serial=123)
        head.save(update_fields=["cnp"])
    moves.household_transfer_claim(
        actor=other_worker, cnp=head.cnp, to_locality=other_locality, moved_on=YESTERDAY
    )
    [incoming] = other_api.pull().json()["transfers"]
    assert incoming["requested_side"] == "receiving"
    assert (incoming["household"], incoming["from_locality"], incoming["head_name"], incoming["members"]) == (
        None,
        "",
        "",
        None,
    )
    [outgoing] = api.pull().json()["transfers"]
    assert outgoing["household"] == str(household.id)


def test_the_api_schema_documents_gone_households_pending_transfers_and_moved_conflicts(client):
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    pull = components["PullOut"]["properties"]
    assert "transferred" in pull["gone"]["description"]
    assert set(components["GoneOut"]["properties"]) == {"ref", "reason", "on", "moved_on"}
    assert {"direction", "household", "head_name", "members"} <= set(components["TransferOut"]["properties"])
    assert "transfers" in pull
    conflict = components["ConflictOut"]["properties"]
    assert {"item_kind", "item_ref"} <= set(conflict)
    assert "moved" in conflict["kind"]["description"]
