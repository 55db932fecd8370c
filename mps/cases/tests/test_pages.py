"""Case pages: in Romanian, within the user's scope (404 outside it), bounded queries on lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mps.accounts.models import Role
from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.cases import services, transitions
from mps.cases.followup import case_update_from_assessment
from mps.cases.models import (
    ActionStatus,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    PlanAction,
    Referral,
    ServiceDelivery,
)
from mps.cases.tests.factories import GroupActivityFactory, builders_locality, record, team_of
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household, Membership
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

NEGLECT_AND_NO_DOCTOR = {
    "members[2].protection.neglect_signs": True,
    "members[2].health.family_doctor": False,
}


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def locality():
    return builders_locality(name="Pâncești")


@pytest.fixture
def team(locality):
    return team_of(locality)


@pytest.fixture
def case(team):
    return case_update_from_assessment(
        actor=None, assessment=record(team["social_worker"], NEGLECT_AND_NO_DOCTOR)
    )


def _detail(case):
    return reverse("cases:case_detail", args=[case.household_id])


def test_the_case_page_shows_the_plan_the_urgent_referral_and_the_tasks_in_romanian(team, case):
    page = _client(team["social_worker"]).get(_detail(case)).content.decode()
    assert "Trimitere urgentă de făcut" in page
    assert "Copil cu semne de neglijare" in page
    assert "Revizuiți și acceptați planul" in page
    assert "Ana Ionescu" in page
    assert "Înscrierea copilului pe lista unui medic de familie" in page


def test_a_worker_of_another_locality_can_neither_see_nor_change_the_case(case):
    outsider = worker_of(LocalityFactory.create())
    client = _client(outsider)
    referral = case.referrals.get()
    assert client.get(_detail(case)).status_code == 404
    assert client.get(reverse("cases:plan_edit", args=[case.household_id])).status_code == 404
    assert client.post(reverse("cases:delivery_add", args=[case.household_id]), {}).status_code == 404
    assert client.post(reverse("cases:referral_move", args=[referral.id, "send"])).status_code == 404
    assert client.get(reverse("cases:referral_pdf", args=[referral.id])).status_code == 404
    assert client.post(reverse("cases:case_move", args=[case.household_id, "activate"])).status_code == 404
    task = case.tasks.first()
    assert client.post(reverse("cases:task_done", args=[task.id])).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "draft"
    assert not ServiceDelivery.objects.exists()
    assert (
        reverse("cases:case_detail", args=[case.household_id])
        not in client.get(reverse("cases:case_list")).content.decode()
    )


def test_a_county_supervisor_reads_but_cannot_change(case, locality):
    from mps.accounts.tests.factories import county_supervisor_of

    supervisor = county_supervisor_of(locality.county_id)
    client = _client(supervisor)
    assert client.get(_detail(case)).status_code == 200
    assert client.get(reverse("cases:plan_edit", args=[case.household_id])).status_code == 404


def test_accepting_the_plan_and_recording_the_agreement_activates_the_case(team, case):
    client = _client(team["social_worker"])
    actions = list(PlanAction.objects.filter(goal__case=case))
    data = {}
    for action in actions:
        data[f"include_{action.id}"] = "on"
        data[f"owner_{action.id}"] = str(action.owner_id)
        data[f"due_{action.id}"] = action.due_on.isoformat()
    assert client.post(reverse("cases:plan_edit", args=[case.household_id]), data).status_code == 302
    assert not PlanAction.objects.filter(goal__case=case, status=ActionStatus.PROPOSED).exists()
    response = client.post(
        reverse("cases:agreement_new", args=[case.household_id]),
        {
            "signed_on": timezone.localdate().isoformat(),
            "signed_by": "Ion Popescu",
            "family_commitments": "Ducem copilul la medic.",
            "team_commitments": "Însoțim familia.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    agreement = case.agreements.get()
    pdf = client.get(reverse("cases:agreement_pdf", args=[case.household_id, agreement.id]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_plan_date_beyond_two_years_is_refused(team, case):
    client = _client(team["social_worker"])
    action = PlanAction.objects.filter(goal__case=case).first()
    late = (case.opened_on + dt.timedelta(days=800)).isoformat()
    page = client.post(
        reverse("cases:plan_edit", args=[case.household_id]),
        {f"include_{action.id}": "on", f"owner_{action.id}": str(action.owner_id), f"due_{action.id}": late},
    ).content.decode()
    assert "cel mult doi ani" in page
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED


def test_the_quick_form_logs_a_home_visit_and_returns_the_row(team, case):
    member = Membership.objects.filter(household_id=case.household_id).select_related("person").first()
    service = PlanAction.objects.filter(goal__case=case).first().service
    response = _client(team["social_worker"]).post(
        reverse("cases:delivery_add", args=[case.household_id]),
        {
            "service": service.id,
            "person": str(member.person_id),
            "worker": team["social_worker"].id,
            "delivered_on": timezone.localdate().isoformat(),
            "place": "home_visit",
            "duration_minutes": 40,
            "note": "Vizită la domiciliu.",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "vizită la domiciliu" in response.content.decode()
    assert ServiceDelivery.objects.filter(case=case, place="home_visit", duration_minutes=40).exists()


def test_the_referral_letter_is_a_pdf(team, case):
    referral = case.referrals.get()
    response = _client(team["social_worker"]).get(reverse("cases:referral_pdf", args=[referral.id]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_my_day_shows_the_urgent_task_first_to_the_manager_and_the_coordinator(team, case):
    Case.objects.filter(id=case.id).update(reevaluation_due_on=timezone.localdate())
    for user in (team["social_worker"], team["coordinator"]):
        page = _client(user).get(reverse("cases:my_day")).content.decode()
        today = page[page.index('id="urgent"') :]
        assert today.index("Trimiteți trimiterea urgentă") < today.index("Reevaluare scadentă")


def test_my_day_lists_overdue_referrals_and_due_re_evaluations(team, case):
    referral = case.referrals.get()
    transitions.referral_send(actor=team["social_worker"], referral=referral)
    Referral.objects.filter(id=referral.id).update(due_on=timezone.localdate() - dt.timedelta(days=5))
    Case.objects.filter(id=case.id).update(reevaluation_due_on=timezone.localdate())
    page = _client(team["social_worker"]).get(reverse("cases:my_day")).content.decode()
    assert "Trimitere cu termen depășit" in page
    assert "Reevaluare scadentă" in page
    overdue = _client(team["social_worker"]).get(reverse("cases:overdue_referrals")).content.decode()
    assert case.household.address in overdue


def test_the_coordinator_reassigns_the_case_and_the_transfer_is_kept(team, case, locality):
    other = worker_of(locality, username="ioana.other", first_name="Ioana", last_name="Munteanu")
    client = _client(team["coordinator"])
    response = client.post(reverse("cases:case_reassign", args=[case.household_id]), {"manager": other.id})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.case_manager == other
    assert Household.objects.get(id=case.household_id).case_manager == other
    assert case.events.filter(kind="transfer", from_manager=team["social_worker"], to_manager=other).exists()
    # A worker cannot reassign.
    assert (
        _client(team["social_worker"])
        .get(reverse("cases:case_reassign", args=[case.household_id]))
        .status_code
        == 404
    )


def test_the_case_list_has_a_bounded_number_of_queries(team, locality):
    for n in range(12):
        household = HouseholdFactory.create(locality=locality)
        Case.objects.create(
            household=household,
            locality=locality,
            case_manager=team["social_worker"],
            opened_on=dt.date(2025, 1, n + 1),
        )
    client = _client(team["social_worker"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    assert response.content.decode().count("status-open") == 12
    assert len(queries) <= 12


def test_the_overdue_list_has_a_bounded_number_of_queries(team, locality):
    for _ in range(8):
        c = case_update_from_assessment(
            actor=None,
            assessment=record(
                team["social_worker"],
                NEGLECT_AND_NO_DOCTOR,
                ref=str(__import__("uuid").uuid4()),
                **{"household.ref": str(__import__("uuid").uuid4())},
            ),
        )
        c.referrals.update(due_on=dt.date(2020, 1, 1))
    client = _client(team["social_worker"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:overdue_referrals"))
    assert response.content.decode().count('class="badge overdue"') == 8
    assert len(queries) <= 8


def test_the_workload_page_compares_caseloads_with_the_norm(team, case):
    page = _client(team["coordinator"]).get(reverse("cases:workload")).content.decode()
    assert "125\u2013250" in page
    assert "Ana Ionescu" in page
    assert "vendor/chart.umd.min.js" in page
    assert 'id="workload-data"' in page


def test_group_activities_count_parents_who_took_part_and_children_who_benefited(team, locality):
    activity = GroupActivityFactory.create(
        locality=locality, facilitator=team["social_worker"], held_on=dt.date(2025, 3, 1)
    )
    household = HouseholdFactory.create(locality=locality)
    mother = PersonFactory.create(first_name="Elena", sex="F", birth_date=dt.date(1990, 1, 1))
    MembershipFactory.create(household=household, person=mother)
    for year in (2015, 2018, 2001):  # two children, one adult son
        MembershipFactory.create(
            household=household, person=PersonFactory.create(birth_date=dt.date(year, 5, 5)), relation="child"
        )
    absent = PersonFactory.create()
    MembershipFactory.create(household=HouseholdFactory.create(locality=locality), person=absent)
    services.participant_add(actor=team["social_worker"], activity=activity, person=mother)
    services.participant_add(actor=team["social_worker"], activity=activity, person=absent, attended=False)

    client = _client(team["social_worker"])
    with CaptureQueriesContext(connection) as queries:
        listing = client.get(reverse("cases:activity_list")).content.decode()
    assert len(queries) <= 14
    assert "părinți au participat" in listing
    detail = client.get(reverse("cases:activity_detail", args=[activity.id])).content.decode()
    assert '<div class="figure">1</div>' in detail
    assert '<div class="figure">2</div>' in detail


def test_a_worker_of_another_locality_cannot_open_an_activity(team, locality):
    activity = GroupActivityFactory.create(locality=locality, facilitator=team["social_worker"])
    outsider = worker_of(LocalityFactory.create(), role=Role.COMMUNITY_NURSE)
    assert _client(outsider).get(reverse("cases:activity_detail", args=[activity.id])).status_code == 404


def test_a_case_opened_by_the_platform_shows_its_history_as_made_automatically(team, case):
    # As the demo and the bulk import open cases: no user behind the event.
    CaseEvent.objects.create(case=case, actor=None, kind=CaseEventKind.ASSESSMENT)
    response = _client(team["social_worker"]).get(_detail(case))
    assert response.status_code == 200
    assert "automat" in response.content.decode()


def test_my_day_writes_the_date_as_romanian_does_and_says_plainly_when_nothing_is_due(team):
    page = _client(team["social_worker"]).get(reverse("cases:my_day")).content.decode()
    today = timezone.localdate()
    month = ["ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
             "octombrie", "noiembrie", "decembrie"][today.month - 1]  # fmt: skip
    assert f"{today.day} {month} {today.year}" in page
    assert '<p class="muted nothing-due">Nimic scadent' in page
    assert '<li class="muted">' not in page


def test_the_household_and_its_case_link_to_each_other(team, case):
    client = _client(team["social_worker"])
    household_url = reverse("registry:household_detail", args=[case.household_id])
    household = client.get(household_url).content.decode()
    assert f'<a href="{_detail(case)}">Deschide cazul gospodăriei</a>' in household
    page = client.get(_detail(case)).content.decode()
    assert f'<a href="{household_url}">Fișa gospodăriei: {case.household.address}</a>' in page
    without_case = HouseholdFactory(locality=case.locality)
    assert (
        "Niciun caz deschis încă."
        in client.get(reverse("registry:household_detail", args=[without_case.id])).content.decode()
    )
    household_page = reverse("registry:household_detail", args=[case.household_id])

    household = client.get(household_page).content.decode()
    assert f'href="{_detail(case)}"' in household
    assert "Deschide cazul" in household
    case_page = client.get(_detail(case)).content.decode()
    assert f'href="{household_page}"' in case_page


def test_a_household_without_a_case_says_so_instead_of_a_link(team, locality):
    household = HouseholdFactory.create(locality=locality)

    page = _client(team["social_worker"]).get(reverse("registry:household_detail", args=[household.id]))

    assert page.status_code == 200
    assert "Niciun caz" in page.content.decode()
