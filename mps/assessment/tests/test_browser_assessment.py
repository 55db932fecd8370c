"""A community nurse on a tablet assesses a family with a newborn and sees the findings at once."""

import datetime as dt
import os

import pytest
from playwright.sync_api import Locator, Page, expect

from mps.accounts.models import Role
from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.assessment.models import Assessment
from mps.assessment.rules import load_catalogue
from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Relation, Sex
from mps.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot when MPS_SCREENSHOTS names a folder (to look at the tablet layout)."""
    if os.environ.get("MPS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["MPS_SCREENSHOTS"], name), full_page=full_page)


def answer(scope: Locator, question: str, choice: str) -> None:
    """Tap Da or Nu for a yes/no question."""
    scope.get_by_role("group", name=question, exact=True).get_by_label(choice, exact=True).check()


def answer_the_rest_no(scope: Locator) -> None:
    """Tap Nu for every yes/no question shown and not answered yet."""
    groups = scope.locator("fieldset.yesno:visible")
    for index in range(groups.count()):
        group = groups.nth(index)
        if group.locator("input:checked").count() == 0:
            group.get_by_label("Nu", exact=True).check()


def member(page: Page, name: str) -> Locator:
    """Open a member's part of the form (collapsed by default) and return it."""
    part = page.locator("details.member").filter(has=page.locator("summary", has_text=name))
    if part.get_attribute("open") is None:
        part.locator("summary").click()
    return part


def test_a_nurse_assesses_a_family_with_a_newborn_and_sees_the_findings(live_server, page: Page) -> None:
    today = dt.date.today()
    locality = LocalityFactory.create(name="Valea Seacă")
    nurse = worker_of(
        locality,
        role=Role.COMMUNITY_NURSE,
        username="asistenta.medicala",
        first_name="Elena",
        last_name="Stan",
    )
    household = HouseholdFactory.create(locality=locality, address="Str. Fântânii nr. 3")
    father = PersonFactory.create(
        first_name="Mihai", last_name="Lungu", sex=Sex.MALE, birth_date=dt.date(1994, 8, 1)
    )
    mother = PersonFactory.create(
        first_name="Alina", last_name="Lungu", sex=Sex.FEMALE, birth_date=dt.date(1998, 2, 14)
    )
    baby = PersonFactory.create(
        first_name="Luca",
        last_name="Lungu",
        sex=Sex.MALE,
        birth_date=today - dt.timedelta(weeks=3),
        mother=mother,
        father=father,
    )
    for person, relation in ((father, Relation.HEAD), (mother, Relation.SPOUSE), (baby, Relation.CHILD)):
        MembershipFactory.create(household=household, person=person, relation=relation)

    page.goto(f"{live_server.url}/cont/autentificare/")
    page.get_by_label("Nume de utilizator").fill(nurse.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    page.goto(f"{live_server.url}/gospodarii/{household.id}/")
    expect(page.locator("#assessments")).to_contain_text("Gospodăria nu a fost încă evaluată.")
    page.get_by_role("link", name="Evaluare nouă").click()

    expect(page.get_by_role("heading", name="Evaluare nouă: Str. Fântânii nr. 3")).to_be_visible()
    expect(page.get_by_label("Etapa evaluării")).to_have_value("T0")
    expect(page.get_by_label("Data vizitei")).to_have_value(today.isoformat())

    # Pregnancy is asked of the mother, not of the father; prenatal care only once she is pregnant.
    dad = member(page, "Mihai Lungu")
    expect(dad.get_by_role("group", name="Are certificat de naștere?")).to_be_visible()
    expect(dad.get_by_role("group", name="Este însărcinată?")).to_be_hidden()
    mum = member(page, "Alina Lungu")
    expect(mum.get_by_role("group", name="Este însărcinată?")).to_be_visible()
    expect(mum.get_by_role("group", name="Sarcina este urmărită de un medic?")).to_be_hidden()
    answer(mum, "Este însărcinată?", "Da")
    expect(mum.get_by_role("group", name="Sarcina este urmărită de un medic?")).to_be_visible()
    answer(mum, "Este însărcinată?", "Nu")
    expect(mum.get_by_role("group", name="Sarcina este urmărită de un medic?")).to_be_hidden()

    # The household.
    home = page.locator("details.household")
    home.get_by_label("Tipul locuinței").select_option("house")
    home.get_by_label("Numărul de camere de locuit").fill("2")
    for question in (
        "Locuința are electricitate?",
        "Există o sursă sigură de apă potabilă în locuință sau în curte?",
        "Locuința are toaletă în interior?",
        "Locuința are o sursă de încălzire funcțională pentru iarnă?",
        "Există acte de proprietate, închiriere sau folosință pentru locuință și teren?",
    ):
        answer(home, question, "Da")
    home.get_by_label("Venitul net lunar al gospodăriei (lei)").fill("4200")
    answer(home, "Gospodăria și-a dat acordul pentru înregistrarea și prelucrarea datelor?", "Da")
    home.get_by_label("Membrul care și-a dat acordul").select_option(label="Alina Lungu")
    answer_the_rest_no(home)

    # The parents: documents, insurance and a family doctor; he works, she is on maternity leave.
    for parent, status in ((dad, "employed_formal"), (mum, "caregiver")):
        for question in (
            "Are certificat de naștere?",
            "Are carte de identitate valabilă (sau carte de identitate provizorie)?",
            "Este înscris pe lista unui medic de familie?",
            "Are asigurare de sănătate în sistemul public?",
            "Este căsătorit sau trăiește în cuplu?",
        ):
            answer(parent, question, "Da")
        parent.get_by_label("Situația școlară").select_option("finished")
        parent.get_by_label("Ultima clasă absolvită").fill("12")
        parent.get_by_label("Situația ocupațională").select_option(status)
        answer_the_rest_no(parent)

    # The newborn: no birth certificate yet, no family doctor, vaccination behind schedule.
    newborn = member(page, "Luca Lungu")
    expect(newborn.get_by_role("group", name="Este însărcinată?")).to_be_hidden()
    expect(newborn.get_by_label("Situația școlară")).to_be_hidden()
    answer(newborn, "Are certificat de naștere?", "Nu")
    answer(newborn, "Este înscris pe lista unui medic de familie?", "Nu")
    newborn.get_by_label("Vaccinarea conform calendarului național").select_option("incomplete")
    answer(newborn, "Are nevoie de ajutor pentru activitățile zilnice?", "Da")
    answer(newborn, "Îl îngrijește cineva?", "Da")
    answer(newborn, "Primește alocația de stat pentru copii?", "Da")
    answer_the_rest_no(newborn)
    screenshot(page, "assessment-form.png")

    page.get_by_role("button", name="Salvează evaluarea").click()

    catalogue = load_catalogue("mps-v1")
    expect(page.get_by_role("heading", name="Evaluare T0: Str. Fântânii nr. 3")).to_be_visible()
    expect(page.locator("#risk-level")).to_have_text("risc mediu")
    expect(page.locator("#result")).to_contain_text("Scor 7")
    findings = page.locator(".member-findings", has_text="Luca Lungu")
    for code in ("ID01", "HE01", "HE03"):
        expect(findings).to_contain_text(code)
        expect(findings).to_contain_text(catalogue.vulnerability(code).name_ro)
    expect(page.locator("#critical")).to_have_count(0)
    screenshot(page, "assessment-result.png")

    assessment = Assessment.objects.get()
    assert assessment.assessed_by == nurse
    assert assessment.document["household"]["consent"]["by_member"] == str(mother.id)

    # Back on the household page, the wave is there and the next one is offered.
    page.get_by_role("link", name="Înapoi la gospodărie").click()
    expect(page.locator("#waves-table")).to_contain_text("Copil fără certificat de naștere")
    expect(page.get_by_role("link", name="Reevaluare T1")).to_be_visible()
    screenshot(page, "assessment-household.png")


def test_a_member_added_on_the_page_is_asked_what_applies_and_problems_show_by_their_fields(
    live_server, page: Page
) -> None:
    today = dt.date.today()
    locality = LocalityFactory.create(name="Valea Seacă")
    worker = worker_of(locality, username="asistent.social", first_name="Dan", last_name="Ene")
    household = HouseholdFactory.create(locality=locality, address="Str. Morii nr. 9")
    head = PersonFactory.create(
        first_name="Ana", last_name="Toma", sex=Sex.FEMALE, birth_date=dt.date(1980, 5, 5)
    )
    MembershipFactory.create(household=household, person=head, relation=Relation.HEAD)

    page.goto(f"{live_server.url}/cont/autentificare/")
    page.get_by_label("Nume de utilizator").fill(worker.username)
    page.get_by_label("Parolă").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Autentificare").click()
    page.goto(f"{live_server.url}/evaluari/gospodarii/{household.id}/evaluare-noua/")

    page.get_by_role("button", name="+ Adaugă un membru").click()
    added = page.locator("details.member").last
    expect(added.locator("summary")).to_contain_text("Membru nou")
    added.get_by_label("Prenumele").fill("Irina")
    added.get_by_label("Numele de familie").fill("Toma")
    expect(added.locator("summary")).to_contain_text("Irina Toma")
    # A girl of 12: pregnancy and school questions are asked, an identity card is not.
    added.get_by_label("Sexul").select_option("F")
    added.get_by_label("Data nașterii").fill(today.replace(year=today.year - 12).isoformat())
    expect(added.get_by_role("group", name="Este însărcinată?")).to_be_visible()
    expect(added.get_by_label("Ultima clasă absolvită")).to_be_visible()
    expect(
        added.get_by_role(
            "group", name="Are carte de identitate valabilă (sau carte de identitate provizorie)?"
        )
    ).to_be_hidden()
    added.get_by_label("Sexul").select_option("M")
    expect(added.get_by_role("group", name="Este însărcinată?")).to_be_hidden()
    added.get_by_label("Sexul").select_option("F")
    # The new member can be chosen as someone's mother; the head cannot be her own.
    expect(added.get_by_label("Mama (dacă locuiește în gospodărie) (opțional)")).to_contain_text("Ana Toma")
    # Born after the visit: the validator's message appears next to the birth date, in Romanian.
    added.get_by_label("Data nașterii").fill((today + dt.timedelta(days=2)).isoformat())
    page.get_by_label("Data vizitei").fill(today.isoformat())

    page.get_by_role("button", name="Salvează evaluarea").click()

    expect(page.locator("#problems")).to_contain_text("Evaluarea nu a fost salvată.")
    irina = page.locator("details.member", has=page.locator("summary", has_text="Irina Toma"))
    expect(irina).to_have_attribute("open", "")
    birth = irina.locator(".q", has=page.get_by_label("Data nașterii"))
    expect(birth.locator(".errorlist")).to_have_text("Data nașterii este după data evaluării.")
    expect(page.locator("details.household .q.field-error").first).to_contain_text(
        "Acest câmp este obligatoriu."
    )
    screenshot(page, "assessment-errors.png", full_page=False)
    assert not Assessment.objects.exists()

    irina.get_by_role("button", name="Scoate acest membru din evaluare").click()
    expect(page.locator("details.member")).to_have_count(1)
