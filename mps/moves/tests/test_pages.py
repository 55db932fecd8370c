"""The transfer pages as each team meets them: the family's team asks, the new team's coordinator decides,
the county supervisor reads, and a worker of a third locality finds nothing."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mps.accounts.models import Role
from mps.accounts.tests.factories import county_supervisor_of, worker_of
from mps.audit.models import AuditEvent
from mps.cases.models import Case
from mps.cases.tests.factories import CaseFactory
from mps.census.tests.factories import CensusCampaignFactory, CensusEntryFactory
from mps.core.cnp import make_cnp
from mps.geography.models import County
from mps.geography.tests.factories import LocalityFactory, VillageFactory
from mps.moves import services
from mps.moves.models import HouseholdTransfer, PersonTransfer, RequestSide, TransferStatus
from mps.registry.models import Household, Membership, Relation, Sex
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
HEAD_CNP = make_cnp(Sex.FEMALE, dt.date(1988, 5, 3), serial=41)
CHILD_CNP = make_cnp(Sex.MALE, dt.date(2015, 9, 1), serial=42)


@pytest.fixture
def world():
    """Pâncești (Suceava), where the family lived; Răcăciuni (Bacău), where it moved; a third commune."""
    sending = LocalityFactory.create(name="Pâncești", county=County.objects.get(code="SV"))
    receiving = LocalityFactory.create(name="Răcăciuni")
    third = LocalityFactory.create(name="Berești-Tazlău")
    VillageFactory.create(locality=receiving, name="Gâșteni")
    household = HouseholdFactory.create(locality=sending, address="Str. Morii nr. 4")
    head = PersonFactory.create(
        first_name="Elena", last_name="Rusu", sex=Sex.FEMALE, birth_date=dt.date(1988, 5, 3), cnp=HEAD_CNP
    )
    child = PersonFactory.create(
        first_name="Andrei", last_name="Rusu", birth_date=dt.date(2015, 9, 1), cnp=CHILD_CNP
    )
    MembershipFactory.create(household=household, person=head, relation=Relation.HEAD)
    MembershipFactory.create(household=household, person=child, relation=Relation.CHILD)
    Case.objects.create(household=household, locality=sending, opened_on=YESTERDAY)
    users = {
        "sending": worker_of(sending, username="ana.sending"),
        "sending_coordinator": worker_of(sending, role=Role.LOCAL_COORDINATOR, username="coord.sending"),
        "receiving": worker_of(receiving, username="ion.receiving", first_name="Ion", last_name="Lupu"),
        "coordinator": worker_of(receiving, role=Role.LOCAL_COORDINATOR, username="coord.receiving"),
        "supervisor": county_supervisor_of("BC", username="sup.bacau"),
        "third": worker_of(third, username="dan.third"),
    }
    receiving_home = HouseholdFactory.create(locality=receiving, address="Str. Bunicii nr. 9")
    MembershipFactory.create(household=receiving_home, relation=Relation.HEAD)
    return {
        "from_place": sending,
        "to_place": receiving,
        "household": household,
        "child": child,
        "receiving_home": receiving_home,
        **users,
    }


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _request(world, **kwargs) -> HouseholdTransfer:
    return services.household_transfer_request(
        actor=world["sending"] if "actor" not in kwargs else kwargs.pop("actor"),
        household=world["household"],
        to_locality=world["to_place"],
        moved_on=YESTERDAY,
        to_address="Str. Gării nr. 12",
        reason="S-au mutat la bunici.",
        **kwargs,
    )


def _field_errors(html: str, field_id: str) -> str:
    """The HTML of the field block that holds this input, to check that an error sits beside it."""
    start = html.index(f'id="{field_id}"')
    block_start = html.rindex('<div class="field', 0, start)
    return html[block_start : html.index("</div>", start)]


# Requesting -----------------------------------------------------------------------------------------------


def test_the_household_page_offers_the_transfer_to_its_team_only(world):
    url = reverse("registry:household_detail", args=[world["household"].id])
    page = client_of(world["sending"]).get(url).content.decode()
    assert reverse("moves:household_transfer_request", args=[world["household"].id]) in page
    assert reverse("moves:person_move", args=[world["household"].id, world["child"].id]) in page
    assert reverse("moves:person_claim", args=[world["household"].id]) in page
    supervisor = county_supervisor_of("SV", username="sup.suceava")
    page = client_of(supervisor).get(url).content.decode()
    assert reverse("moves:household_transfer_request", args=[world["household"].id]) not in page


def test_the_sending_worker_requests_a_transfer_choosing_county_then_locality(world):
    client = client_of(world["sending"])
    url = reverse("moves:household_transfer_request", args=[world["household"].id])
    page = client.get(url).content.decode()
    # The family's own county is chosen first; its localities are listed, the other county's are not yet.
    assert '<option value="SV" selected>' in page
    assert "Pâncești" in page
    assert "Răcăciuni" not in page
    refreshed = client.get(url, {"county": "BC", "to_locality": world["to_place"].siruta}).content.decode()
    assert "Răcăciuni" in refreshed
    assert "Gâșteni" in refreshed

    response = client.post(
        url,
        {
            "county": "BC",
            "to_locality": world["to_place"].siruta,
            "to_address": "Str. Gării nr. 12",
            "moved_on": YESTERDAY.isoformat(),
            "reason": "S-au mutat la bunici.",
        },
    )
    transfer = HouseholdTransfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("moves:household_transfer_detail", args=[transfer.id])
    assert (transfer.to_locality, transfer.status, transfer.requested_side) == (
        world["to_place"],
        TransferStatus.PENDING,
        RequestSide.SENDING,
    )
    # Nothing moved yet.
    assert Household.objects.get(id=world["household"].id).locality == world["from_place"]
    # A second request says the first is waiting.
    page = client.get(url).content.decode()
    assert reverse("moves:household_transfer_detail", args=[transfer.id]) in page
    assert '<form method="post"' not in page.split("<main>")[1].split("</main>")[0].replace(
        'action="/cont/deconectare/"', ""
    )


def test_request_errors_name_the_field(world):
    client = client_of(world["sending"])
    url = reverse("moves:household_transfer_request", args=[world["household"].id])
    page = client.post(url, {"county": "BC", "moved_on": YESTERDAY.isoformat()}).content.decode()
    assert "Acest câmp este obligatoriu." in _field_errors(page, "id_to_locality")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = client.post(
        url, {"county": "BC", "to_locality": world["to_place"].siruta, "moved_on": tomorrow.isoformat()}
    ).content.decode()
    assert "Data nu poate fi în viitor." in _field_errors(page, "id_moved_on")
    assert not HouseholdTransfer.objects.exists()


@pytest.mark.parametrize("who", ["receiving", "coordinator", "supervisor", "third"])
def test_only_the_familys_team_may_request_its_transfer(world, who):
    url = reverse("moves:household_transfer_request", args=[world["household"].id])
    assert client_of(world[who]).get(url).status_code == 404
    assert client_of(world[who]).post(url, {"county": "BC"}).status_code == 404


# Seeing -------------------------------------------------------------------------------------------------


def test_each_side_sees_what_it_may_of_a_pending_transfer(world):
    transfer = _request(world)
    url = reverse("moves:household_transfer_detail", args=[transfer.id])
    household_url = reverse("registry:household_detail", args=[world["household"].id])

    sending = client_of(world["sending"]).get(url).content.decode()
    assert household_url in sending
    assert "Elena Rusu" in sending
    assert reverse("moves:household_transfer_withdraw", args=[transfer.id]) in sending
    assert reverse("moves:household_transfer_accept", args=[transfer.id]) not in sending

    receiving = client_of(world["receiving"]).get(url).content.decode()
    # The sending team handed the family over: the head's name and size, not its address or a way in.
    assert "Elena Rusu" in receiving
    assert household_url not in receiving
    assert "Str. Morii" not in receiving
    assert reverse("moves:household_transfer_accept", args=[transfer.id]) not in receiving

    coordinator = client_of(world["coordinator"]).get(url).content.decode()
    assert reverse("moves:household_transfer_accept", args=[transfer.id]) in coordinator
    assert reverse("moves:household_transfer_refuse", args=[transfer.id]) in coordinator
    # The default case manager is the receiving social worker with the fewest open cases.
    assert f'<option value="{world["receiving"].id}" selected>Ion Lupu</option>' in coordinator

    supervisor = client_of(world["supervisor"]).get(url).content.decode()
    assert "Răcăciuni" in supervisor
    assert reverse("moves:household_transfer_accept", args=[transfer.id]) not in supervisor
    assert reverse("moves:household_transfer_withdraw", args=[transfer.id]) not in supervisor

    assert client_of(world["third"]).get(url).status_code == 404
    viewed = AuditEvent.objects.filter(
        object_type="householdtransfer", object_id=str(transfer.id), action="view"
    )
    assert set(viewed.values_list("actor__username", flat=True)) == {
        "ana.sending",
        "ion.receiving",
        "coord.receiving",
        "sup.bacau",
    }


def test_the_list_shows_waiting_transfers_first_and_late_ones_marked(world):
    transfer = _request(world)
    HouseholdTransfer.objects.filter(id=transfer.id).update(created_at=timezone.now() - dt.timedelta(days=10))
    old = services.household_transfer_request(
        actor=world["sending"],
        household=HouseholdFactory.create(locality=world["from_place"]),
        to_locality=world["to_place"],
        moved_on=YESTERDAY,
    )
    services.transfer_withdraw(actor=world["sending"], transfer=old)
    url = reverse("moves:transfer_list")

    page = client_of(world["coordinator"]).get(url).content.decode()
    assert page.index(reverse("moves:household_transfer_detail", args=[transfer.id])) < page.index(
        reverse("moves:household_transfer_detail", args=[old.id])
    )
    assert 'class="transfer-overdue"' in page
    assert '<span class="figure" id="pending-incoming">1</span>' in page

    sending = client_of(world["sending"]).get(url, {"status": "cancelled"}).content.decode()
    assert reverse("moves:household_transfer_detail", args=[old.id]) in sending
    assert reverse("moves:household_transfer_detail", args=[transfer.id]) not in sending

    # The county supervisor starts with what waits in the county.
    supervisor = client_of(world["supervisor"]).get(url).content.decode()
    assert reverse("moves:household_transfer_detail", args=[transfer.id]) in supervisor
    assert reverse("moves:household_transfer_detail", args=[old.id]) not in supervisor

    third = client_of(world["third"]).get(url)
    assert third.status_code == 200
    assert reverse("moves:household_transfer_detail", args=[transfer.id]) not in third.content.decode()


def test_the_menu_tells_the_coordinator_how_many_wait(world):
    _request(world)
    page = client_of(world["coordinator"]).get(reverse("moves:transfer_list")).content.decode()
    assert 'title="Așteaptă decizia dumneavoastră">1</span>' in page
    page = client_of(world["receiving"]).get(reverse("moves:transfer_list")).content.decode()
    assert "Așteaptă decizia dumneavoastră" not in page


def test_the_household_page_tells_of_a_pending_transfer(world):
    transfer = _request(world)
    url = reverse("moves:household_panel", args=[world["household"].id])
    panel = client_of(world["sending"]).get(url).content.decode()
    assert reverse("moves:household_transfer_detail", args=[transfer.id]) in panel
    assert reverse("moves:household_transfer_withdraw", args=[transfer.id]) in panel
    for who in ("receiving", "third"):
        assert client_of(world[who]).get(url).status_code == 404


# Deciding -----------------------------------------------------------------------------------------------


def test_the_receiving_coordinator_accepts_and_the_sending_team_loses_the_household(world):
    transfer = _request(world)
    response = client_of(world["coordinator"]).post(
        reverse("moves:household_transfer_accept", args=[transfer.id]),
        {"accept-case_manager": world["receiving"].id, "accept-address": "Str. Gării nr. 12"},
    )
    assert response.status_code == 302
    household = Household.objects.get(id=world["household"].id)
    assert (household.locality, household.case_manager) == (world["to_place"], world["receiving"])
    household_url = reverse("registry:household_detail", args=[household.id])
    detail = reverse("moves:household_transfer_detail", args=[transfer.id])

    page = client_of(world["receiving"]).get(household_url).content.decode()
    # The history says a transfer moved the family, not the transfer's id.
    assert "Transfer între localități" in page
    assert str(transfer.id) not in page
    assert household_url in client_of(world["receiving"]).get(detail).content.decode()
    assert client_of(world["sending"]).get(household_url).status_code == 404
    sending = client_of(world["sending"]).get(detail)
    assert sending.status_code == 200
    page = sending.content.decode()
    assert household_url not in page
    assert "Elena Rusu" not in page
    assert "Răcăciuni" in page


def test_accepting_needs_an_address_named_by_field(world):
    transfer = services.household_transfer_request(
        actor=world["sending"],
        household=world["household"],
        to_locality=world["to_place"],
        moved_on=YESTERDAY,
    )
    page = (
        client_of(world["coordinator"])
        .post(
            reverse("moves:household_transfer_accept", args=[transfer.id]),
            {"accept-case_manager": world["receiving"].id, "accept-address": ""},
        )
        .content.decode()
    )
    assert "Acest câmp este obligatoriu." in _field_errors(page, "id_accept-address")
    assert HouseholdTransfer.objects.get(id=transfer.id).is_pending


def test_a_refusal_needs_a_reason_named_by_field(world):
    transfer = _request(world)
    url = reverse("moves:household_transfer_refuse", args=[transfer.id])
    page = client_of(world["coordinator"]).post(url, {"refuse-note": ""}).content.decode()
    assert "Acest câmp este obligatoriu." in _field_errors(page, "id_refuse-note")
    assert HouseholdTransfer.objects.get(id=transfer.id).is_pending
    response = client_of(world["coordinator"]).post(url, {"refuse-note": "Familia nu locuiește aici."})
    assert response.status_code == 302
    assert HouseholdTransfer.objects.get(id=transfer.id).status == TransferStatus.REFUSED
    page = client_of(world["sending"]).get(response["Location"]).content.decode()
    assert "Familia nu locuiește aici." in page


@pytest.mark.parametrize("who", ["sending", "sending_coordinator", "receiving", "supervisor", "third"])
def test_only_the_receiving_coordinator_may_decide(world, who):
    transfer = _request(world)
    for name in ("moves:household_transfer_accept", "moves:household_transfer_refuse"):
        response = client_of(world[who]).post(reverse(name, args=[transfer.id]), {"refuse-note": "Nu."})
        assert response.status_code == 404
    assert HouseholdTransfer.objects.get(id=transfer.id).is_pending


def test_the_requester_withdraws_and_nobody_else_may(world):
    transfer = _request(world)
    url = reverse("moves:household_transfer_withdraw", args=[transfer.id])
    for who in ("coordinator", "receiving", "supervisor", "third"):
        assert client_of(world[who]).post(url).status_code == 404
    assert client_of(world["sending"]).post(url).status_code == 302
    assert HouseholdTransfer.objects.get(id=transfer.id).status == TransferStatus.CANCELLED


# The receiving team's claims by CNP --------------------------------------------------------------------


def test_the_receiving_worker_claims_a_family_by_cnp_and_learns_nothing_before_the_decision(world):
    client = client_of(world["receiving"])
    url = reverse("moves:household_claim")
    page = client.get(url, {"cnp": HEAD_CNP}).content.decode()
    assert f'value="{HEAD_CNP}"' in page
    response = client.post(
        url, {"cnp": HEAD_CNP, "to_locality": world["to_place"].siruta, "moved_on": YESTERDAY.isoformat()}
    )
    transfer = HouseholdTransfer.objects.get()
    assert response.status_code == 302
    assert transfer.requested_side == RequestSide.RECEIVING
    page = client.get(response["Location"]).content.decode()
    assert "Elena Rusu" not in page
    assert "Str. Morii" not in page
    assert "Pâncești" in page
    listed = client.get(reverse("moves:transfer_list")).content.decode()
    assert "Str. Morii" not in listed
    # The sending team sees who asked for its family.
    assert "Elena Rusu" in client_of(world["sending"]).get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(object_type="cnp_lookup", actor=world["receiving"]).exists()


def test_a_claim_with_a_bad_cnp_says_so_beside_the_cnp(world):
    page = (
        client_of(world["receiving"])
        .post(
            reverse("moves:household_claim"),
            {
                "cnp": "1234567890123",
                "to_locality": world["to_place"].siruta,
                "moved_on": YESTERDAY.isoformat(),
            },
        )
        .content.decode()
    )
    assert 'role="alert"' in _field_errors(page, "id_cnp")
    assert not HouseholdTransfer.objects.exists()


def test_registering_a_member_whose_cnp_is_elsewhere_offers_the_transfer(world):
    home = world["receiving_home"]
    page = (
        client_of(world["receiving"])
        .post(
            reverse("registry:member_add", args=[home.id]),
            {
                "first_name": "Andrei",
                "last_name": "Rusu",
                "sex": Sex.MALE,
                "birth_date": "2015-09-01",
                "cnp": CHILD_CNP,
                "relation": Relation.GRANDCHILD,
            },
        )
        .content.decode()
    )
    assert f"{reverse('moves:person_claim', args=[home.id])}?cnp={CHILD_CNP}" in page
    assert f"{reverse('moves:household_claim')}?cnp={CHILD_CNP}&amp;locality={home.locality_id}" in page


# Persons ------------------------------------------------------------------------------------------------


def test_a_child_moves_at_once_to_a_household_of_the_same_team(world):
    other = HouseholdFactory.create(locality=world["from_place"], address="Str. Bisericii nr. 2")
    MembershipFactory.create(household=other, relation=Relation.HEAD)
    client = client_of(world["sending"])
    url = reverse("moves:person_move", args=[world["household"].id, world["child"].id])
    page = client.get(url, {"q": "Bisericii"}).content.decode()
    assert f'value="{other.id}"' in page
    page = client.post(
        url, {"relation": Relation.GRANDCHILD, "moved_on": YESTERDAY.isoformat()}
    ).content.decode()
    assert 'role="alert"' in page.split("<legend>")[1].split("</fieldset>")[0]
    response = client.post(
        url, {"to_household": other.id, "relation": Relation.GRANDCHILD, "moved_on": YESTERDAY.isoformat()}
    )
    assert response["Location"] == reverse("registry:household_detail", args=[other.id])
    assert Membership.objects.get(person=world["child"], end_date__isnull=True).household == other
    assert client_of(world["third"]).get(url).status_code == 404


def test_a_child_claimed_by_the_grandparents_team_is_named_to_them_only_once_accepted(world):
    home = world["receiving_home"]
    client = client_of(world["receiving"])
    response = client.post(
        reverse("moves:person_claim", args=[home.id]),
        {"cnp": CHILD_CNP, "relation": Relation.GRANDCHILD, "moved_on": YESTERDAY.isoformat()},
    )
    transfer = PersonTransfer.objects.get()
    detail = reverse("moves:person_transfer_detail", args=[transfer.id])
    assert response["Location"] == detail
    assert "Andrei Rusu" not in client.get(detail).content.decode()
    assert "Andrei Rusu" in client_of(world["sending"]).get(detail).content.decode()
    assert client_of(world["third"]).get(detail).status_code == 404
    coordinator = client_of(world["coordinator"])
    assert (
        reverse("moves:person_transfer_accept", args=[transfer.id])
        in coordinator.get(detail).content.decode()
    )
    assert coordinator.post(reverse("moves:person_transfer_accept", args=[transfer.id])).status_code == 302
    assert "Andrei Rusu" in client.get(detail).content.decode()
    assert Membership.objects.get(person=world["child"], end_date__isnull=True).household == home


def test_a_person_claim_refused_without_reason_names_the_field(world):
    home = world["receiving_home"]
    transfer = services.person_transfer_claim(
        actor=world["receiving"],
        cnp=CHILD_CNP,
        to_household=home,
        relation=Relation.GRANDCHILD,
        moved_on=YESTERDAY,
    )
    url = reverse("moves:person_transfer_refuse", args=[transfer.id])
    page = client_of(world["coordinator"]).post(url, {"refuse-note": " "}).content.decode()
    assert "Acest câmp este obligatoriu." in _field_errors(page, "id_refuse-note")
    assert client_of(world["receiving"]).post(url, {"refuse-note": "Nu."}).status_code == 404
    withdraw = reverse("moves:person_transfer_withdraw", args=[transfer.id])
    assert client_of(world["sending"]).post(withdraw).status_code == 404
    assert client_of(world["receiving"]).post(withdraw).status_code == 302
    assert PersonTransfer.objects.get(id=transfer.id).status == TransferStatus.CANCELLED


# Census and "Ziua mea" ---------------------------------------------------------------------------------


def test_a_moved_census_visit_offers_the_transfer(world):
    entry = CensusEntryFactory.create(
        campaign=CensusCampaignFactory.create(locality=world["from_place"], starts_on=YESTERDAY),
        household=world["household"],
    )
    response = client_of(world["sending"]).post(
        reverse("census:visit_record", args=[entry.id]),
        {"outcome": "moved_or_not_found", "visited_on": timezone.localdate().isoformat(), "note": ""},
        headers={"HX-Request": "true"},
    )
    assert (
        reverse("moves:household_transfer_request", args=[world["household"].id]) in response.content.decode()
    )


def test_late_decisions_show_in_the_coordinators_day(world):
    transfer = _request(world)
    url = reverse("moves:my_day_overdue")
    assert "overdue-transfers" not in client_of(world["coordinator"]).get(url).content.decode()
    HouseholdTransfer.objects.filter(id=transfer.id).update(created_at=timezone.now() - dt.timedelta(days=8))
    section = client_of(world["coordinator"]).get(url).content.decode()
    assert reverse("moves:household_transfer_detail", args=[transfer.id]) in section
    assert "Pâncești" in section
    for who in ("receiving", "sending_coordinator", "supervisor"):
        assert "overdue-transfers" not in client_of(world[who]).get(url).content.decode()
    day = client_of(world["coordinator"]).get(reverse("cases:my_day")).content.decode()
    assert f'hx-get="{url}"' in day


def test_the_transfer_list_has_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(12):
        services.household_transfer_request(
            actor=world["sending"],
            household=CaseFactory.create(household__locality=world["from_place"]).household,
            to_locality=world["to_place"],
            moved_on=YESTERDAY,
        )
    client = client_of(world["coordinator"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("moves:transfer_list")).status_code == 200


def test_the_old_census_list_no_longer_links_a_family_that_moved_away(world):
    entry = CensusEntryFactory.create(
        campaign=CensusCampaignFactory.create(locality=world["from_place"], starts_on=YESTERDAY),
        household=world["household"],
    )
    services.household_transfer_accept(actor=world["coordinator"], transfer=_request(world))
    page = client_of(world["sending"]).get(
        reverse("census:campaign_detail", args=[entry.campaign.locality_id, entry.campaign.wave])
    )
    html = page.content.decode()
    assert reverse("registry:household_detail", args=[world["household"].id]) not in html
    assert "Str. Gării" not in html
    assert "Gospodăria s-a mutat în altă localitate." in html
