"""The assessment form pages: prefilled from the registry or the last wave, saved through the one service,
problems shown next to their fields in Romanian, questions that do not apply hidden, access by scope."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.test.html import Element, parse_html
from django.urls import reverse

from mps.accounts.models import Role
from mps.accounts.tests.factories import TEST_PASSWORD, county_supervisor_of, worker_of
from mps.assessment import forms
from mps.assessment.models import Assessment, Finding
from mps.assessment.questions import load_questions
from mps.assessment.rules import load_catalogue
from mps.assessment.services import assessment_record
from mps.assessment.tests.builders import DAUGHTER, HEAD, REFS, SON, SPOUSE, assessment_with
from mps.census.models import CensusVisit
from mps.census.tests.factories import CensusCampaignFactory
from mps.core.cnp import make_cnp
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Person, Relation, Sex
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = "\N{EN DASH}"


# Reading pages


def _elements(node: Any):
    if isinstance(node, Element):
        yield node
        for child in node.children:
            yield from _elements(child)


def element_by_id(html: str, element_id: str) -> Element:
    for element in _elements(parse_html(html)):
        if dict(element.attributes).get("id") == element_id:
            return element
    raise AssertionError(f"No element with id {element_id!r}")


def text_of(node: Any) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text_of(child) for child in node.children)


def question_block(html: str, name: str) -> Element:
    return element_by_id(html, "q-" + forms.input_id(name))


def is_hidden(block: Element) -> bool:
    return "hidden" in dict(block.attributes)


def input_value(html: str, name: str) -> str:
    element = element_by_id(html, forms.input_id(name))
    return dict(element.attributes).get("value") or ""


def checked_value(html: str, name: str) -> str | None:
    for element in _elements(question_block(html, name)):
        attributes = dict(element.attributes)
        if element.name == "input" and "checked" in attributes:
            return attributes["value"]
    return None


def selected_value(html: str, name: str) -> str | None:
    for element in _elements(element_by_id(html, forms.input_id(name))):
        attributes = dict(element.attributes)
        if element.name == "option" and "selected" in attributes:
            return attributes["value"]
    return None


# Posting a document as the form would


def post_data(document: dict[str, Any]) -> dict[str, Any]:
    """Return the form fields that a worker filling the form for this document would send."""
    questions = load_questions()
    data: dict[str, Any] = {"ref": document["ref"], "members": [m["ref"] for m in document["members"]]}
    for question in questions.visit:
        data[forms.input_name("visit", question.field)] = _text(document, question.field)
    for question in questions.household:
        data[forms.input_name("household", question.field)] = _text(document["household"], question.field)
    for member in document["members"]:
        for question in questions.member:
            data[forms.input_name("member", question.field, member["ref"])] = _text(member, question.field)
    return {name: value for name, value in data.items() if value != ""}


def _text(answers: dict[str, Any], path: str) -> str:
    value: Any = answers
    for name in path.split("."):
        if not isinstance(value, dict) or name not in value:
            return ""
        value = value[name]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# The family


@pytest.fixture
def locality():
    return LocalityFactory.create(siruta=54975, name="Valea Mare")


@pytest.fixture
def worker(locality):
    return worker_of(locality, role=Role.COMMUNITY_NURSE, username="asistenta.ana")


@pytest.fixture
def client_of():
    def log_in(user) -> Client:
        client = Client()
        assert client.login(username=user.username, password=TEST_PASSWORD)
        return client

    return log_in


@pytest.fixture
def household(locality):
    """A registered family: father (head), mother, a son of 10 and a girl of 5."""
    household = HouseholdFactory.create(locality=locality, address="Strada Școlii nr. 7")
    father = PersonFactory.create(
        first_name="Ion", last_name="Popa", sex=Sex.MALE, birth_date=dt.date(1984, 3, 10)
    )
    mother = PersonFactory.create(
        first_name="Maria", last_name="Popa", sex=Sex.FEMALE, birth_date=dt.date(1990, 1, 20)
    )
    son = PersonFactory.create(
        first_name="Andrei", last_name="Popa", birth_date=dt.date(2015, 5, 2), mother=mother, father=father
    )
    girl = PersonFactory.create(
        first_name="Ioana",
        last_name="Popa",
        sex=Sex.FEMALE,
        birth_date=dt.date.today().replace(year=dt.date.today().year - 5) - dt.timedelta(days=30),
        mother=mother,
        father=father,
    )
    for person, relation in (
        (father, Relation.HEAD),
        (mother, Relation.SPOUSE),
        (son, Relation.CHILD),
        (girl, Relation.CHILD),
    ):
        MembershipFactory.create(household=household, person=person, relation=relation)
    household.people = {"father": father, "mother": mother, "son": son, "girl": girl}
    return household


def form_url(household) -> str:
    return reverse("assessment:assessment_new", args=[household.id])


def test_the_form_is_prefilled_from_the_registry_members(client_of, worker, household):
    response = client_of(worker).get(form_url(household))

    assert response.status_code == 200
    html = response.content.decode()
    people = household.people
    for person in people.values():
        assert input_value(html, f"m.{person.id}.first_name") == person.first_name
        assert input_value(html, f"m.{person.id}.birth_date") == person.birth_date.isoformat()
    assert selected_value(html, f"m.{people['father'].id}.relation") == "head"
    assert selected_value(html, f"m.{people['son'].id}.mother_ref") == str(people["mother"].id)
    assert selected_value(html, "v.wave") == "T0"
    assert input_value(html, "v.assessed_on") == dt.date.today().isoformat()
    assert input_value(html, "h.address") == "Strada Școlii nr. 7"
    # Labels come from the question definition, in Romanian.
    assert "Este înscris pe lista unui medic de familie?" in html
    assert "Evaluare nouă" in html
    # Nothing is answered for the worker on a first visit.
    assert checked_value(html, f"m.{people['son'].id}.health.family_doctor") is None


def test_questions_that_do_not_apply_are_hidden_by_the_server(client_of, worker, household):
    html = client_of(worker).get(form_url(household)).content.decode()
    people = household.people

    assert not is_hidden(question_block(html, f"m.{people['mother'].id}.health.pregnant"))
    assert is_hidden(question_block(html, f"m.{people['father'].id}.health.pregnant"))
    assert is_hidden(question_block(html, f"m.{people['girl'].id}.health.pregnant"))
    # Schooling by age: the 5-year-old has a school status but no grade completed; the 10-year-old has both.
    assert not is_hidden(question_block(html, f"m.{people['girl'].id}.education.status"))
    assert is_hidden(question_block(html, f"m.{people['girl'].id}.education.highest_grade"))
    assert not is_hidden(question_block(html, f"m.{people['son'].id}.education.highest_grade"))
    # Questions that depend on an answer not given yet are hidden too.
    assert is_hidden(question_block(html, f"m.{people['mother'].id}.health.prenatal_care"))
    assert is_hidden(question_block(html, f"m.{people['son'].id}.documents.identity_card"))
    assert not is_hidden(question_block(html, f"m.{people['father'].id}.documents.identity_card"))
    # The page carries the same definition for its script.
    assert 'id="assessment-questions"' in html


@pytest.fixture
def family_document(household):
    """The builders' baseline family, as the form would send it for the registered household."""
    return assessment_with(
        {
            "ref": str(uuid.uuid4()),
            "assessed_on": "2024-06-15",
            "household.ref": str(household.id),
            "household.consent": {"given": True, "by_member": REFS[HEAD], "on": "2024-06-15"},
            # The daughter has no birth certificate (ID01) and no family doctor (HE01).
            f"members[{DAUGHTER}].documents.birth_certificate": False,
            f"members[{DAUGHTER}].health.family_doctor": False,
        }
    )


def test_posting_a_valid_form_stores_it_and_shows_the_findings_in_romanian(
    client_of, worker, household, family_document
):
    client = client_of(worker)

    response = client.post(form_url(household), post_data(family_document))

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("assessment:assessment_detail", args=[assessment.id])
    assert assessment.household_id == household.id
    assert assessment.assessed_by == worker
    assert assessment.wave == "T0"
    assert set(Finding.objects.values_list("code", flat=True)) == {"ID01", "HE01"}
    page = client.get(response.url).content.decode()
    catalogue = load_catalogue("mps-v1")
    assert catalogue.vulnerability("ID01").name_ro in page
    assert catalogue.vulnerability("HE01").name_ro in page
    assert "risc scăzut" in page or "risc mediu" in page
    assert "Evaluarea a fost salvată." in page


def test_saving_records_the_assessed_visit_in_the_census_campaign_of_the_wave(
    client_of, worker, household, family_document
):
    campaign = CensusCampaignFactory.create(locality=household.locality, starts_on=dt.date(2024, 6, 1))

    client_of(worker).post(form_url(household), post_data(family_document))

    visit = CensusVisit.objects.get()
    assert visit.assessment == Assessment.objects.get()
    assert visit.entry.campaign == campaign
    assert visit.outcome == "assessed"


def test_the_form_speaks_english_when_the_user_chose_it(client_of, worker, household):
    client = client_of(worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(form_url(household)).content.decode()

    assert "Registered on a family doctor&#x27;s list?" in html
    assert "Save the assessment" in html


def test_a_question_that_does_not_apply_is_sent_with_its_neutral_answer(
    client_of, worker, household, family_document
):
    data = post_data(family_document)
    # A stale answer from a hidden input (or a tampered post): the father "pregnant", the 4-year-old "in union".
    data[forms.input_name("member", "health.pregnant", REFS[HEAD])] = "true"
    data[forms.input_name("member", "protection.in_union", REFS[DAUGHTER])] = "true"

    client_of(worker).post(form_url(household), data)

    document = Assessment.objects.get().document
    assert document["members"][HEAD]["health"]["pregnant"] is False
    assert document["members"][DAUGHTER]["protection"]["in_union"] is False
    assert not Finding.objects.filter(code__in=["HE05", "FA08"]).exists()


def test_an_invalid_form_shows_each_problem_next_to_its_field_in_romanian_and_saves_nothing(
    client_of, worker, household, family_document
):
    people_before = Person.objects.count()
    valid_cnp = make_cnp(sex="M", birth_date=dt.date(1984, 3, 10))
    bad_cnp = valid_cnp[:-1] + str((int(valid_cnp[-1]) + 1) % 10)
    data = post_data(family_document)
    data[forms.input_name("member", "cnp", REFS[HEAD])] = bad_cnp
    data[forms.input_name("member", "birth_date", REFS[SON])] = "2024-07-01"  # after the visit
    del data[forms.input_name("household", "housing.heating")]  # not answered

    response = client_of(worker).post(form_url(household), data)

    assert response.status_code == 200
    html = response.content.decode()
    cnp_block = text_of(question_block(html, f"m.{REFS[HEAD]}.cnp"))
    assert "cifra de control a cnp-ului este greșită" in cnp_block.lower()
    assert "Data nașterii este după data evaluării." in text_of(
        question_block(html, f"m.{REFS[SON]}.birth_date")
    )
    assert "Acest câmp este obligatoriu." in text_of(question_block(html, "h.housing.heating"))
    summary = text_of(element_by_id(html, "problems"))
    assert "Evaluarea nu a fost salvată" in summary
    assert "Andrei Popescu: Data nașterii Data nașterii este după data evaluării." in " ".join(
        summary.split()
    )
    assert "Gospodăria: 1 întrebare nu are răspuns." in " ".join(summary.split())
    # What the worker typed is kept.
    assert input_value(html, f"m.{REFS[SON]}.birth_date") == "2024-07-01"
    assert checked_value(html, f"m.{REFS[HEAD]}.health.family_doctor") == "true"
    assert Assessment.objects.count() == 0
    assert Person.objects.count() == people_before


def test_a_reevaluation_is_prefilled_from_the_last_assessment_with_the_next_wave(
    client_of, worker, household, family_document
):
    assessment_record(
        actor=worker,
        document={
            **family_document,
            "household": {
                **family_document["household"],
                "income": {"monthly_net_income_ron": 2750, "receives_minimum_inclusion_income": False},
            },
        },
    )

    baby = PersonFactory.create(
        first_name="Matei",
        last_name="Popescu",
        birth_date=dt.date(2024, 9, 1),
        mother=Person.objects.get(id=REFS[SPOUSE]),
    )
    MembershipFactory.create(
        household=household, person=baby, relation=Relation.CHILD, start_date=dt.date(2024, 9, 1)
    )

    html = client_of(worker).get(form_url(household)).content.decode()

    assert "Reevaluare T1: Strada Școlii nr. 7" in html
    assert selected_value(html, "v.wave") == "T1"
    assert input_value(html, "h.income.monthly_net_income_ron") == "2750"
    assert selected_value(html, "h.housing.dwelling") == "house"
    assert checked_value(html, f"m.{REFS[DAUGHTER]}.documents.birth_certificate") == "false"
    assert checked_value(html, f"m.{REFS[SPOUSE]}.health.pregnant") == "false"
    assert selected_value(html, f"m.{REFS[SON]}.education.status") == "school"
    # The members are the people of the last visit (the registry's former members have ended) ...
    assert f'value="{REFS[SON]}"' in html
    assert f"m.{household.people['girl'].id}.first_name" not in html
    # ... plus anyone the registry added since: a baby born after the visit, with nothing answered yet.
    assert input_value(html, f"m.{baby.id}.first_name") == "Matei"
    assert selected_value(html, f"m.{baby.id}.mother_ref") == REFS[SPOUSE]
    assert checked_value(html, f"m.{baby.id}.documents.birth_certificate") is None


def test_waves_show_resolved_persisting_and_new(client_of, worker, household, family_document):
    assessment_record(actor=worker, document=family_document)  # T0: ID01 and HE01 for the daughter
    later = assessment_with(
        {
            "ref": str(uuid.uuid4()),
            "wave": "T1",
            "assessed_on": "2025-06-15",
            "household.ref": str(household.id),
            # The birth certificate was issued; still no family doctor; the heating broke down.
            f"members[{DAUGHTER}].health.family_doctor": False,
            "household.housing.heating": False,
        }
    )
    assessment_record(actor=worker, document=later)

    response = client_of(worker).get(
        reverse("assessment:household_waves", args=[household.id]), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "<html" not in html  # a fragment for the household page
    rows = {}
    for row in _elements(element_by_id(html, "waves-table")):
        if row.name == "tr" and row.children and row.children[0].name == "td":
            cells = [" ".join(text_of(cell).split()) for cell in row.children if isinstance(cell, Element)]
            rows[cells[0].split()[0]] = cells
    assert rows["ID01"][1:] == ["Ioana Popescu", "✓", "rezolvată", NOT_FOUND]
    assert rows["HE01"][1:] == ["Ioana Popescu", "✓", "persistă", "✓"]
    assert rows["HO06"][1:] == ["gospodărie", NOT_FOUND, "nouă", "✓"]
    assert "Reevaluare T2" in html


def test_a_second_assessment_on_the_same_day_asks_for_confirmation(
    client_of, worker, household, family_document
):
    first = assessment_record(actor=worker, document=family_document).assessment
    client = client_of(worker)
    again = post_data(
        family_document
        | {"ref": str(uuid.uuid4()), "wave": "T1", "assessed_on": first.assessed_on.isoformat()}
    )

    response = client.post(form_url(household), again)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Această gospodărie a fost deja evaluată în această zi (etapa T0)" in html
    assert 'name="confirm_same_day"' in html
    assert reverse("assessment:assessment_detail", args=[first.id]) in html
    assert Assessment.objects.count() == 1

    response = client.post(form_url(household), again | {"confirm_same_day": "1"})

    assert response.status_code == 302
    assert Assessment.objects.count() == 2


def test_sending_the_same_assessment_again_is_not_asked_about(client_of, worker, household, family_document):
    client = client_of(worker)
    client.post(form_url(household), post_data(family_document))
    response = client.post(form_url(household), post_data(family_document))
    assert response.status_code == 302
    assert Assessment.objects.count() == 1


def test_another_localitys_household_answers_404(client_of, household):
    stranger = worker_of(LocalityFactory.create(), role=Role.COMMUNITY_NURSE)
    client = client_of(stranger)

    assert client.get(form_url(household)).status_code == 404
    assert client.post(form_url(household), {"members": []}).status_code == 404
    assert client.get(reverse("assessment:household_waves", args=[household.id])).status_code == 404


def test_a_county_supervisor_reads_results_and_waves_but_cannot_open_the_form(
    client_of, worker, household, family_document
):
    result = assessment_record(actor=worker, document=family_document)
    supervisor = client_of(county_supervisor_of(household.locality.county_id))

    assert supervisor.get(form_url(household)).status_code == 404
    assert supervisor.post(form_url(household), post_data(family_document)).status_code == 404
    assert (
        supervisor.get(reverse("assessment:assessment_detail", args=[result.assessment.id])).status_code
        == 200
    )
    waves = supervisor.get(reverse("assessment:household_waves", args=[household.id])).content.decode()
    assert "T0" in waves
    assert "Reevaluare" not in waves


def test_an_assessment_outside_the_scope_answers_404(client_of, worker, household, family_document):
    result = assessment_record(actor=worker, document=family_document)
    stranger = client_of(worker_of(LocalityFactory.create()))

    assert (
        stranger.get(reverse("assessment:assessment_detail", args=[result.assessment.id])).status_code == 404
    )


def test_the_waves_page_reads_a_fixed_number_of_queries(
    client_of, worker, household, family_document, django_assert_max_num_queries
):
    client = client_of(worker)
    url = reverse("assessment:household_waves", args=[household.id])
    assessment_record(actor=worker, document=family_document)
    for wave, on in (("T1", "2025-01-10"), ("T2", "2025-06-10"), ("T3", "2025-11-10")):
        later = assessment_with(
            {
                "ref": str(uuid.uuid4()),
                "wave": wave,
                "assessed_on": on,
                "household.ref": str(household.id),
                f"members[{SON}].health.family_doctor": False,
                "household.housing.heating": False,
            }
        )
        assessment_record(actor=worker, document=later)

    with django_assert_max_num_queries(12):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('class="wave"') >= 4
