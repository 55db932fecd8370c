"""Transfers as the teams live them: a family moves, the new team takes it over with its case; a child moves."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from mps.access.policy import case_localities
from mps.accounts.models import Role
from mps.accounts.tests.factories import worker_of
from mps.assessment.tests.builders import REFS, SON
from mps.audit.models import AuditEvent
from mps.cases.followup import case_update_from_assessment
from mps.cases.models import (
    ActionStatus,
    Case,
    CaseEvent,
    CaseEventKind,
    GoalStatus,
    PlanAction,
    PlanGoal,
    Referral,
    Task,
)
from mps.cases.tests.factories import builders_locality, record, team_of
from mps.core.cnp import make_cnp
from mps.core.errors import DomainValidationError
from mps.geography.tests.factories import LocalityFactory, VillageFactory
from mps.moves import services
from mps.moves.models import HouseholdTransfer, PersonTransfer, RequestSide, TransferStatus
from mps.moves.selectors import family_summary, household_transfers_for, overdue_for_coordinator
from mps.registry.models import Household, Membership, MembershipEnd, Person, Relation
from mps.registry.selectors import household_get_for_user
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

NO_DOCTOR = {"members[2].health.family_doctor": False}  # HE01 for the son
NO_HEATING = {"household.housing.heating": False}  # HO06 for the household
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def old_team():
    return team_of(builders_locality(name="Pâncești"))


@pytest.fixture
def new_place():
    locality = LocalityFactory.create(name="Răcăciuni")
    team = {
        "coordinator": worker_of(locality, role=Role.LOCAL_COORDINATOR, username="coord.nou"),
        "busy": worker_of(locality, username="asistent.ocupat"),
        "free": worker_of(locality, username="asistent.liber"),
        "nurse": worker_of(locality, role=Role.COMMUNITY_NURSE, username="asistenta.noua"),
    }
    # The busy social worker already manages a case: the lighter one gets the family.
    Case.objects.create(
        household=HouseholdFactory.create(locality=locality),
        locality=locality,
        case_manager=team["busy"],
        opened_on=YESTERDAY,
    )
    return locality, team


@pytest.fixture
def family_with_case(old_team):
    """The builders' family (assessed T0 in Pâncești) with an open case, goals, a referral and a task."""
    assessment = record(old_team["social_worker"], {**NO_DOCTOR, **NO_HEATING})
    case = case_update_from_assessment(actor=None, assessment=assessment)
    assert case is not None
    son = Person.objects.get(id=REFS[SON])
    Person.objects.filter(id=son.id).update(cnp=make_cnp(son.sex, son.birth_date, serial=321))
    Referral.objects.create(
        case=case,
        code="HE01",
        person=son,
        institution="family_doctor",
        reason="Înscriere la medic",
        due_on=YESTERDAY,
        locality_id=case.locality_id,
        status="sent",
    )
    Task.objects.create(
        case=case,
        kind="follow_up",
        title="Vizită",
        assignee=old_team["nurse"],
        due_at=timezone.now(),
        person=son,
        locality_id=case.locality_id,
        dedupe_key="test:follow",
    )
    return case


def _request(old_team, case, locality, **kwargs):
    return services.household_transfer_request(
        actor=old_team["social_worker"],
        household=case.household,
        to_locality=locality,
        moved_on=YESTERDAY,
        reason="S-au mutat la bunici.",
        **kwargs,
    )


def test_accepting_a_household_moves_the_family_and_its_case_to_the_new_team(
    old_team, new_place, family_with_case
):
    locality, team = new_place
    village = VillageFactory.create(locality=locality, name="Gâșteni")
    transfer = _request(old_team, family_with_case, locality, to_address="Str. Morii 4", to_village=village)
    household = Household.objects.get(id=family_with_case.household_id)
    assert household.locality_id != locality.siruta  # nothing moves before the decision

    services.household_transfer_accept(actor=team["coordinator"], transfer=transfer)

    household.refresh_from_db()
    case = Case.objects.get(id=family_with_case.id)
    transfer.refresh_from_db()
    assert (household.locality_id, household.address, household.village) == (
        locality.siruta,
        "Str. Morii 4",
        village,
    )
    assert case.locality_id == locality.siruta
    assert case.case_manager == team["free"] == household.case_manager == transfer.new_case_manager
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.decided_by == team["coordinator"]
    assert set(Referral.objects.filter(case=case).values_list("locality_id", flat=True)) == {locality.siruta}
    task = Task.objects.get(case=case)
    assert (task.locality_id, task.assignee) == (locality.siruta, team["free"])
    open_actions = PlanAction.objects.filter(
        goal__case=case, status__in=(ActionStatus.PROPOSED, ActionStatus.PLANNED)
    )
    assert open_actions.exists()
    assert not open_actions.filter(owner__localities=old_team["social_worker"].localities.first()).exists()
    event = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSFER).get()
    assert event.to_manager == team["free"]
    assert "Răcăciuni" in event.note
    # The assessment follows the household: the new team reads it, the old team no longer does.
    assert household_get_for_user(team["free"], household.id) == household
    assert not case_localities(old_team["social_worker"]).filter(siruta=household.locality_id).exists()


def test_both_teams_see_the_move_in_their_audit_trail(old_team, new_place, family_with_case):
    locality, team = new_place
    transfer = _request(old_team, family_with_case, locality, to_address="Str. Morii 4")
    services.household_transfer_accept(actor=team["coordinator"], transfer=transfer)
    moves = AuditEvent.objects.filter(object_type="household", object_id=str(family_with_case.household_id))
    assert set(moves.filter(changes__has_key="transfer").values_list("locality_id", flat=True)) == {
        transfer.from_locality_id,
        locality.siruta,
    }
    assert AuditEvent.objects.filter(object_type="householdtransfer", object_id=str(transfer.id)).count() == 4


def test_the_coordinator_may_choose_the_case_manager_but_only_from_the_new_team(
    old_team, new_place, family_with_case
):
    locality, team = new_place
    transfer = _request(old_team, family_with_case, locality, to_address="Str. Morii 4")
    with pytest.raises(DomainValidationError) as error:
        services.household_transfer_accept(
            actor=team["coordinator"], transfer=transfer, case_manager=old_team["social_worker"]
        )
    assert "case_manager" in error.value.problems
    services.household_transfer_accept(
        actor=team["coordinator"], transfer=transfer, case_manager=team["busy"]
    )
    assert Case.objects.get(id=family_with_case.id).case_manager == team["busy"]


def test_only_the_receiving_coordinator_decides(old_team, new_place, family_with_case):
    locality, team = new_place
    transfer = _request(old_team, family_with_case, locality, to_address="Str. Morii 4")
    for someone in (team["free"], old_team["coordinator"]):
        with pytest.raises(DomainValidationError) as error:
            services.household_transfer_accept(actor=someone, transfer=transfer)
        assert "transfer" in error.value.problems
    assert HouseholdTransfer.objects.get(id=transfer.id).is_pending


def test_a_refusal_needs_a_reason_and_leaves_the_family_where_it_was(old_team, new_place, family_with_case):
    locality, team = new_place
    transfer = _request(old_team, family_with_case, locality)
    with pytest.raises(DomainValidationError) as error:
        services.household_transfer_refuse(actor=team["coordinator"], transfer=transfer, note=" ")
    assert "note" in error.value.problems
    services.household_transfer_refuse(
        actor=team["coordinator"], transfer=transfer, note="Familia nu locuiește aici."
    )
    assert Household.objects.get(id=family_with_case.household_id).locality_id == transfer.from_locality_id
    with pytest.raises(DomainValidationError):
        services.household_transfer_accept(actor=team["coordinator"], transfer=transfer)


def test_the_request_names_the_wrong_fields(old_team, new_place, family_with_case):
    _locality, _team = new_place
    other_village = VillageFactory.create()
    with pytest.raises(DomainValidationError) as error:
        services.household_transfer_request(
            actor=old_team["social_worker"],
            household=family_with_case.household,
            to_locality=family_with_case.household.locality,
            moved_on=timezone.localdate() + dt.timedelta(days=3),
            to_village=other_village,
            reason="x" * 5001,
        )
    assert {"to_locality", "moved_on", "village", "reason"} <= set(error.value.problems)
    assert not HouseholdTransfer.objects.exists()


def test_one_pending_transfer_per_household(old_team, new_place, family_with_case):
    locality, _team = new_place
    _request(old_team, family_with_case, locality)
    with pytest.raises(DomainValidationError) as error:
        _request(old_team, family_with_case, LocalityFactory.create())
    assert "household" in error.value.problems
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdTransfer.objects.create(
            household=family_with_case.household,
            from_locality_id=family_with_case.locality_id,
            to_locality=locality,
            moved_on=YESTERDAY,
            requested_side=RequestSide.SENDING,
            requested_by=old_team["social_worker"],
        )


def test_a_worker_of_another_locality_cannot_ask_to_move_a_household(new_place, family_with_case):
    locality, team = new_place
    with pytest.raises(DomainValidationError) as error:
        services.household_transfer_request(
            actor=team["free"], household=family_with_case.household, to_locality=locality, moved_on=YESTERDAY
        )
    assert "household" in error.value.problems


def test_a_claim_by_cnp_reveals_nothing_until_it_is_accepted(old_team, new_place, family_with_case):
    locality, team = new_place
    son = Person.objects.get(id=REFS[SON])
    transfer = services.household_transfer_claim(
        actor=team["free"],
        cnp=son.cnp,
        to_locality=locality,
        moved_on=YESTERDAY,
        reason="Familia spune că vine din Pâncești.",
    )
    assert transfer.requested_side == RequestSide.RECEIVING
    summary = family_summary(team["coordinator"], transfer)
    assert summary == type(summary)(may_open_household=False)
    # The sending team sees whose household is claimed.
    assert family_summary(old_team["social_worker"], transfer).head_name
    assert AuditEvent.objects.filter(object_type="cnp_lookup", actor=team["free"]).exists()

    accepted = services.household_transfer_accept(
        actor=team["coordinator"], transfer=transfer, address="Str. Nouă 1"
    )
    assert family_summary(team["coordinator"], accepted).may_open_household


def test_a_claim_tells_only_what_the_worker_can_act_on(old_team, new_place, family_with_case):
    locality, team = new_place
    for cnp, message in (
        ("123", "13"),
        (make_cnp("M", dt.date(1990, 1, 1), serial=777), "înregistrați familia aici"),
    ):
        with pytest.raises(DomainValidationError) as error:
            services.household_transfer_claim(
                actor=team["free"], cnp=cnp, to_locality=locality, moved_on=YESTERDAY
            )
        assert "cnp" in error.value.problems
        assert message in " ".join(map(str, error.value.problems["cnp"])) or cnp == "123"
    here = Person.objects.get(id=REFS[SON])
    with pytest.raises(DomainValidationError) as error:
        services.household_transfer_claim(
            actor=old_team["social_worker"],
            cnp=here.cnp,
            to_locality=family_with_case.household.locality,
            moved_on=YESTERDAY,
        )
    assert "deja înregistrată în această localitate" in str(error.value)


def test_the_requesting_team_may_withdraw_a_pending_request(old_team, new_place, family_with_case):
    locality, team = new_place
    transfer = _request(old_team, family_with_case, locality)
    with pytest.raises(DomainValidationError):
        services.transfer_withdraw(actor=team["free"], transfer=transfer)
    services.transfer_withdraw(actor=old_team["coordinator"], transfer=transfer)
    assert HouseholdTransfer.objects.get(id=transfer.id).status == TransferStatus.CANCELLED


def test_overdue_requests_reach_the_receiving_coordinator(old_team, new_place, family_with_case, settings):
    locality, team = new_place
    transfer = _request(old_team, family_with_case, locality)
    assert overdue_for_coordinator(team["coordinator"]) == ([], [])
    HouseholdTransfer.objects.filter(id=transfer.id).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert overdue_for_coordinator(team["coordinator"])[0] == [transfer]
    assert overdue_for_coordinator(team["free"]) == ([], [])
    assert list(household_transfers_for(old_team["social_worker"])) == [transfer]


# Persons ----------------------------------------------------------------------------------------------------


def test_a_child_moving_to_grandparents_elsewhere_takes_their_case_with_them(
    old_team, new_place, family_with_case
):
    locality, team = new_place
    son = Person.objects.get(id=REFS[SON])
    grandparents = HouseholdFactory.create(locality=locality)
    MembershipFactory.create(household=grandparents, relation=Relation.HEAD)
    membership = Membership.objects.get(person=son, end_date__isnull=True)
    transfer = services.person_transfer_request(
        actor=old_team["social_worker"],
        membership=membership,
        to_household=grandparents,
        relation=Relation.GRANDCHILD,
        moved_on=YESTERDAY,
    )
    assert transfer.is_pending  # another locality: its coordinator decides
    services.person_transfer_accept(actor=team["coordinator"], transfer=transfer)

    membership.refresh_from_db()
    assert (membership.end_date, membership.end_reason) == (YESTERDAY, MembershipEnd.MOVED_OUT)
    assert Membership.objects.get(person=son, end_date__isnull=True).household == grandparents
    new_case = Case.objects.get(household=grandparents)
    assert new_case.case_manager == team["free"]
    assert PlanGoal.objects.filter(case=new_case, person=son, code="HE01", status=GoalStatus.OPEN).exists()
    assert PlanGoal.objects.filter(case=family_with_case, code="HO06").exists()  # the household's goal stays
    referral = Referral.objects.get(person=son)
    assert (referral.case, referral.locality_id) == (new_case, locality.siruta)
    assert Task.objects.get(person=son).case == new_case


def test_a_move_within_the_team_happens_at_once(old_team, family_with_case):
    son = Person.objects.get(id=REFS[SON])
    aunt = HouseholdFactory.create(locality=family_with_case.household.locality)
    membership = Membership.objects.get(person=son, end_date__isnull=True)
    transfer = services.person_transfer_request(
        actor=old_team["social_worker"],
        membership=membership,
        to_household=aunt,
        relation=Relation.OTHER_RELATIVE,
        moved_on=YESTERDAY,
    )
    assert transfer.status == TransferStatus.ACCEPTED
    assert Membership.objects.get(person=son, end_date__isnull=True).household == aunt


def test_a_person_can_be_claimed_by_cnp_into_a_household_of_the_receiving_team(
    old_team, new_place, family_with_case
):
    locality, team = new_place
    son = Person.objects.get(id=REFS[SON])
    grandparents = HouseholdFactory.create(locality=locality)
    transfer = services.person_transfer_claim(
        actor=team["free"],
        cnp=son.cnp,
        to_household=grandparents,
        relation=Relation.GRANDCHILD,
        moved_on=YESTERDAY,
    )
    assert transfer.is_pending
    assert transfer.from_locality_id == family_with_case.locality_id
    services.person_transfer_refuse(
        actor=team["coordinator"], transfer=transfer, note="Copilul nu locuiește aici."
    )
    assert (
        Membership.objects.get(person=son, end_date__isnull=True).household_id
        == family_with_case.household_id
    )


def test_a_person_move_names_the_wrong_fields(old_team, family_with_case):
    head = Membership.objects.filter(household=family_with_case.household, relation=Relation.HEAD).get()
    other = HouseholdFactory.create(locality=family_with_case.household.locality)
    MembershipFactory.create(household=other, relation=Relation.HEAD, person=PersonFactory.create())
    with pytest.raises(DomainValidationError) as error:
        services.person_transfer_request(
            actor=old_team["social_worker"],
            membership=head,
            to_household=other,
            relation=Relation.HEAD,
            moved_on=dt.date(1900, 1, 1),
        )
    assert {"relation", "moved_on"} <= set(error.value.problems)
    assert not PersonTransfer.objects.exists()
