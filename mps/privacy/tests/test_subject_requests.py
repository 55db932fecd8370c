"""Data-subject requests end to end: recorded, checked, answered through the services and the pages, audited."""

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from weasyprint import HTML

from mps.accounts.models import Role, ScopeKind
from mps.accounts.tests.factories import UserFactory, national_monitor
from mps.assessment.models import Finding, MemberAnswers
from mps.assessment.tests.builders import REFS, SON
from mps.audit.models import AuditAction, AuditEvent
from mps.cases.models import Case, CaseStatus
from mps.cases.tests.factories import builders_locality, record, team_of
from mps.cases.tests.pdf_text import pdf_text
from mps.core.errors import DomainValidationError
from mps.privacy import services
from mps.privacy.access_report import access_report, access_report_html
from mps.privacy.models import DataSubjectRequest, RequestKind, RequestOutcome, RequestStatus
from mps.registry import selectors as registry_selectors
from mps.registry import services as registry_services
from mps.registry.models import Membership, Person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def team():
    return team_of(builders_locality(name="Pâncești"))


@pytest.fixture
def administrator():
    return UserFactory.create(
        role=Role.ADMINISTRATOR,
        scope=ScopeKind.NATIONAL,
        is_staff=True,
        username="dpo.national",
        first_name="Dana",
        last_name="Protecție",
    )


@pytest.fixture
def son(team):
    """Andrei Popescu, 10, whose neglect the team found on 15 June 2024 (so his household's case is open)."""
    record(team["social_worker"], {"members[2].protection.neglect_signs": True})
    return Person.objects.get(id=REFS[SON])


def _request(administrator, person, kind, **kwargs):
    return services.subject_request_record(
        actor=administrator,
        person=person,
        kind=kind,
        received_on=kwargs.pop("received_on", timezone.localdate()),
        requester=kwargs.pop("requester", "Maria Popescu, mama"),
        identity_checked=kwargs.pop("identity_checked", True),
        **kwargs,
    )


def _membership(person):
    return Membership.objects.select_related("household", "person").get(person=person, end_date__isnull=True)


def test_recording_a_request_sets_the_deadline_a_month_later_and_is_audited(administrator, son):
    request = _request(administrator, son, RequestKind.ACCESS, received_on=dt.date(2026, 12, 1))

    assert request.due_on == dt.date(2026, 12, 31)
    assert request.status == RequestStatus.RECEIVED
    event = AuditEvent.objects.get(object_type="data_subject_request", object_id=str(request.id))
    assert event.action == AuditAction.CREATE
    assert event.actor == administrator
    assert "Maria" not in json.dumps(event.changes)  # the trail keeps codes, not who asked


def test_bad_input_names_the_field_and_saves_nothing(administrator, son):
    with pytest.raises(DomainValidationError) as error:
        services.subject_request_record(
            actor=administrator,
            person=son,
            kind="forget_me",
            received_on=timezone.localdate() + dt.timedelta(days=1),
            requester="x" * 201,
        )

    assert set(error.value.problems) == {"kind", "received_on", "requester"}
    assert DataSubjectRequest.objects.count() == 0


def test_an_access_request_gives_everything_held_and_who_saw_it(client, administrator, team, son):
    # The worker opened the household page: her username must be in the trail the person receives.
    registry_selectors.household_record_for_user(team["social_worker"], _membership(son).household_id)
    client.force_login(administrator)

    created = client.post(
        "/confidentialitate/cereri/noua/",
        {
            "q": str(son.id),
            "kind": RequestKind.ACCESS,
            "received_on": timezone.localdate().isoformat(),
            "requester": "Maria Popescu, mama",
            "identity_checked": "on",
        },
    )
    request = DataSubjectRequest.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/confidentialitate/cereri/{request.id}/"
    page = client.get(created["Location"]).content.decode()
    assert "Andrei Popescu" in page
    assert "Descarcă datele deținute (PDF)" in page

    download = client.get(f"/confidentialitate/cereri/{request.id}/date.json")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    held = json.loads(download.content)
    code = Finding.objects.get(person=son).code
    assert held["person"]["first_name"] == "Andrei"
    assert held["memberships"][0]["relation"] == "copil"
    assert code in {f["code"] for a in held["assessments"] for f in a["findings"]}
    assert held["cases"][0]["goals"]
    assert "ana.ionescu" in {e["actor"]["username"] for e in held["trail"] if e["actor"]}
    pdf = client.get(f"/confidentialitate/cereri/{request.id}/date.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert (
        AuditEvent.objects.filter(
            object_type="person", object_id=str(son.id), action=AuditAction.EXPORT
        ).count()
        == 2
    )

    answered = client.post(
        f"/confidentialitate/cereri/{request.id}/raspunde/", {"note": "Trimis prin poștă."}
    )
    assert answered.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.outcome) == (RequestStatus.ANSWERED, RequestOutcome.DATA_PROVIDED)


def test_the_printed_report_shows_what_a_reader_checks(administrator, team, son):
    registry_selectors.household_record_for_user(team["social_worker"], _membership(son).household_id)
    report = access_report(son)

    text = " ".join(
        pdf_text(HTML(string=access_report_html(report)).write_pdf(uncompressed_pdf=True)).split()
    )

    assert "Datele deținute despre dumneavoastră" in text
    assert "Andrei Popescu" in text
    assert Finding.objects.get(person=son).code in text
    assert "ana.ionescu" in text


def test_a_request_is_not_answered_before_the_identity_is_checked(administrator, son):
    request = _request(administrator, son, RequestKind.ACCESS, identity_checked=False)

    with pytest.raises(DomainValidationError) as error:
        services.subject_request_answer(actor=administrator, request=request)
    assert "identity_checked" in error.value.problems

    services.subject_request_confirm_identity(actor=administrator, request=request)
    answered = services.subject_request_answer(actor=administrator, request=request)
    assert answered.status == RequestStatus.ANSWERED
    assert answered.identity_checked_by == administrator


def test_rectification_records_the_corrections_made_through_the_registry(administrator, team, son):
    request = _request(
        administrator, son, RequestKind.RECTIFICATION, details="Numele corect este Andrei-Ion."
    )
    with pytest.raises(DomainValidationError):
        services.subject_request_answer(actor=administrator, request=request)  # nothing corrected yet

    registry_services.person_update(
        actor=team["social_worker"], membership=_membership(son), first_name="Andrei-Ion"
    )
    answered = services.subject_request_answer(actor=administrator, request=request)

    assert answered.outcome == RequestOutcome.RECTIFIED
    assert answered.corrections[0]["by"] == "ana.ionescu"
    assert answered.corrections[0]["fields"] == ["first_name"]
    assert answered.outcome_summary == "Corectat: prenume."


def test_a_restriction_makes_the_record_read_only_for_workers_until_lifted(client, administrator, team, son):
    request = _request(administrator, son, RequestKind.RESTRICTION)
    services.subject_request_answer(actor=administrator, request=request)
    worker = team["social_worker"]

    with pytest.raises(DomainValidationError) as error:
        registry_services.person_update(actor=worker, membership=_membership(son), first_name="Andrei-Ion")
    assert "restricționată" in str(error.value)
    with pytest.raises(DomainValidationError):
        registry_services.membership_end(
            actor=worker, membership=_membership(son), end_date=timezone.localdate(), reason="moved_out"
        )
    client.force_login(worker)
    household_page = client.get(f"/gospodarii/{_membership(son).household_id}/").content.decode()
    assert "restricționat" in household_page

    client.force_login(administrator)
    refused = client.post(f"/confidentialitate/cereri/{request.id}/ridica-restrictia/", {"lift-reason": ""})
    assert refused.status_code == 400
    assert "Motivul" in refused.content.decode() or "motivul" in refused.content.decode()
    lifted = client.post(
        f"/confidentialitate/cereri/{request.id}/ridica-restrictia/",
        {"lift-reason": "Persoana și-a retras cererea."},
    )
    assert lifted.status_code == 302
    registry_services.person_update(actor=worker, membership=_membership(son), first_name="Andrei-Ion")
    assert Person.objects.get(id=son.id).first_name == "Andrei-Ion"
    actions = set(
        AuditEvent.objects.filter(object_type="person", object_id=str(son.id)).values_list(
            "action", flat=True
        )
    )
    assert {AuditAction.RESTRICT, AuditAction.LIFT} <= actions


def test_erasure_is_a_restriction_while_the_household_has_an_open_case(administrator, son):
    request = _request(administrator, son, RequestKind.ERASURE)

    answered = services.subject_request_answer(actor=administrator, request=request)

    assert answered.outcome == RequestOutcome.RESTRICTED_INSTEAD
    assert "caz deschis" in answered.outcome_summary
    son.refresh_from_db()
    assert (son.first_name, son.restricted, son.erased_on) == ("Andrei", True, None)


def test_erasure_is_a_restriction_within_the_retention_period(administrator, son):
    Case.objects.update(
        status=CaseStatus.CLOSED, closed_on=dt.date(2025, 1, 10), close_reason="goals_achieved"
    )
    request = _request(administrator, son, RequestKind.ERASURE)

    answered = services.subject_request_answer(actor=administrator, request=request)

    assert answered.outcome == RequestOutcome.RESTRICTED_INSTEAD
    assert "10.01.2030" in answered.outcome_summary  # five years after the case was closed
    assert Person.objects.get(id=son.id).restricted


@override_settings(MPS_RECORD_RETENTION_YEARS=1)
def test_erasure_past_the_retention_anonymises_the_person_and_keeps_the_counts(
    client, administrator, team, son
):
    Case.objects.update(
        status=CaseStatus.CLOSED, closed_on=dt.date(2025, 1, 10), close_reason="goals_achieved"
    )
    registry_services.person_update(
        actor=team["social_worker"], membership=_membership(son), first_name="Andrei-Mihai"
    )
    household_id = _membership(son).household_id
    counts = (Finding.objects.count(), MemberAnswers.objects.count(), Membership.objects.count())
    client.force_login(administrator)
    request = _request(administrator, son, RequestKind.ERASURE)
    page = client.get(f"/confidentialitate/cereri/{request.id}/").content.decode()
    assert "anonimizează" in page

    answered = client.post(f"/confidentialitate/cereri/{request.id}/raspunde/", {"note": ""})

    assert answered.status_code == 302
    request.refresh_from_db()
    assert request.outcome == RequestOutcome.ERASED
    son.refresh_from_db()
    assert son.full_name == "Persoană anonimizată"
    assert (son.cnp, son.birth_date, son.erased_on) == (None, dt.date(2014, 1, 1), timezone.localdate())
    assert (Finding.objects.count(), MemberAnswers.objects.count(), Membership.objects.count()) == counts
    document_names = {m["first_name"] for m in son.answers.get().assessment.document["members"]}
    assert "Andrei" not in document_names
    client.force_login(team["coordinator"])
    household_page = client.get(f"/gospodarii/{household_id}/").content.decode()
    assert "Andrei" not in household_page
    assert "Persoană anonimizată" in household_page
    erase = AuditEvent.objects.get(object_type="person", object_id=str(son.id), action=AuditAction.ERASE)
    assert "Andrei" not in json.dumps(erase.changes)
    with pytest.raises(DomainValidationError):
        registry_services.person_update(
            actor=team["social_worker"], membership=_membership(son), first_name="X"
        )


def test_refusal_and_extension_need_a_reason_and_extend_only_once(administrator, son):
    request = _request(administrator, son, RequestKind.OBJECTION, received_on=dt.date(2026, 12, 1))
    services.subject_request_start(actor=administrator, request=request)

    extended = services.subject_request_extend(
        actor=administrator, request=request, reason="Cererea privește mai multe gospodării."
    )
    assert extended.due_on == dt.date(2027, 2, 28)  # 31 December + two months, in a short February
    with pytest.raises(DomainValidationError):
        services.subject_request_extend(actor=administrator, request=extended, reason="Încă o dată.")
    with pytest.raises(DomainValidationError) as error:
        services.subject_request_refuse(actor=administrator, request=extended, reason=" ")
    assert "reason" in error.value.problems

    refused = services.subject_request_refuse(
        actor=administrator, request=extended, reason="Prelucrarea are temei legal (Legea 292/2011)."
    )
    assert (refused.status, refused.outcome) == (RequestStatus.REFUSED, RequestOutcome.REFUSED)
    with pytest.raises(DomainValidationError):
        services.subject_request_start(actor=administrator, request=refused)
    changes = AuditEvent.objects.filter(object_type="data_subject_request", object_id=str(request.id))
    assert changes.count() == 4  # recorded, started, extended, refused


def test_the_list_filters_by_status_and_marks_the_overdue(client, administrator, son):
    late = _request(
        administrator, son, RequestKind.ACCESS, received_on=timezone.localdate() - dt.timedelta(days=45)
    )
    _request(administrator, son, RequestKind.RESTRICTION)
    client.force_login(administrator)

    page = client.get("/confidentialitate/cereri/").content.decode()
    assert page.count("Andrei Popescu") == 2
    assert "termen depășit" in page
    overdue = client.get("/confidentialitate/cereri/", {"overdue": "on"})
    assert [r.id for r in overdue.context["requests"]] == [late.id]
    answered = client.get("/confidentialitate/cereri/", {"status": RequestStatus.ANSWERED})
    assert answered.context["requests"] == []


def test_everyone_but_an_administrator_gets_404(client, team, administrator, son):
    request = _request(administrator, son, RequestKind.ACCESS)
    urls = [
        "/confidentialitate/cereri/",
        "/confidentialitate/cereri/noua/",
        f"/confidentialitate/cereri/{request.id}/",
        f"/confidentialitate/cereri/{request.id}/date.json",
        f"/confidentialitate/cereri/{request.id}/date.pdf",
        "/confidentialitate/export-pseudonimizat.csv",
    ]
    coordinator_staff = team["coordinator"]
    coordinator_staff.is_staff = True
    coordinator_staff.save()
    for user in (team["social_worker"], coordinator_staff, national_monitor(username="monitor")):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(f"/confidentialitate/cereri/{request.id}/raspunde/").status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_the_menu_shows_the_requests_to_administrators_only(client, administrator, team):
    client.force_login(administrator)
    assert "/confidentialitate/cereri/" in client.get("/").content.decode()
    client.force_login(team["social_worker"])
    assert "/confidentialitate/cereri/" not in client.get("/").content.decode()
