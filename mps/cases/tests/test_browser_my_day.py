"""A social worker's day on the tablet: filters and pages of "Ziua mea", and household ↔ case by the links."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mps.accounts.tests.factories import worker_of
from mps.cases.models import Case
from mps.cases.tests.factories import CaseFactory, TaskFactory
from mps.geography.tests.factories import LocalityFactory
from mps.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_filters_and_pages_her_day(live_server, page: Page) -> None:
    locality = LocalityFactory.create(name="Pâncești")
    worker = worker_of(locality, username="ana.ionescu", first_name="Ana", last_name="Ionescu")
    cases = [
        CaseFactory.create(household__locality=locality, household__address=f"Str. Principală nr. {n + 10}")
        for n in range(27)
    ]
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    for n, case in enumerate(cases):
        TaskFactory.create(
            case=case, assignee=worker, title=f"Vizita {n + 1}", due_at=noon - dt.timedelta(days=n % 2)
        )
    TaskFactory.create(case=cases[-1], assignee=worker, title="Trimiteți trimiterea urgentă", urgent=True)
    Case.objects.filter(id=cases[0].id).update(case_manager=worker, reevaluation_due_on=timezone.localdate())

    log_in(page, live_server.url, worker.username)
    page.goto(f"{live_server.url}/cazuri/ziua-mea/")
    expect(page.get_by_role("heading", name="Ziua mea")).to_be_visible()
    expect(page.locator(".day-counts")).to_contain_text("Total 29")
    # Urgent first, with its household; a page holds 25 households.
    expect(page.locator("section.day-section").first).to_have_id("urgent")
    expect(page.locator("#urgent")).to_contain_text("Str. Principală nr. 36")
    households = page.locator("article.household-due h3 > a").all_inner_texts()
    assert len(set(households)) == 25
    expect(page.get_by_text("Pagina 1 din 2")).to_be_visible()
    expect(page.get_by_text("Reevaluare scadentă")).to_be_visible()

    page.get_by_label("Tip").select_option(label="Sarcini")
    page.get_by_role("button", name="Filtrează").click()
    expect(page.get_by_text("Reevaluare scadentă")).to_have_count(0)
    expect(page.locator(".day-counts")).to_contain_text("Total 28")
    page.get_by_role("link", name="Înainte").click()
    expect(page.get_by_text("Pagina 2 din 2")).to_be_visible()
    assert "type=task" in page.url
    assert "page=2" in page.url
    assert len(set(page.locator("article.household-due h3 > a").all_inner_texts())) == 2
    expect(page.get_by_label("Tip")).to_have_value("task")

    page.get_by_role("link", name="Arată tot").click()
    page.get_by_label("Gospodăria").select_option(label="Str. Principală nr. 36")
    page.get_by_role("button", name="Filtrează").click()
    expect(page.locator("article.household-due h3")).to_contain_text(["Str. Principală nr. 36"] * 2)
    expect(page.get_by_text("Pagina 1 din")).to_have_count(0)

    page.goto(f"{live_server.url}/cazuri/ziua-mea/?type=vizite")
    expect(page.get_by_text("Filtrul „Tip” nu are valoarea „vizite”; nu a fost aplicat.")).to_be_visible()
    expect(page.locator(".day-counts")).to_contain_text("Total 29")


def test_from_the_household_to_its_case_and_back_by_the_links(live_server, page: Page) -> None:
    locality = LocalityFactory.create(name="Nicolae Bălcescu")
    worker = worker_of(locality, username="elena.munteanu")
    case = CaseFactory.create(
        household__locality=locality, household__address="Str. Școlii nr. 7", case_manager=worker
    )

    log_in(page, live_server.url, worker.username)
    page.goto(f"{live_server.url}/gospodarii/{case.household_id}/")
    expect(page.get_by_role("heading", name="Str. Școlii nr. 7")).to_be_visible()
    page.get_by_role("link", name="Deschide cazul gospodăriei").click()
    expect(page).to_have_url(f"{live_server.url}/cazuri/{case.household_id}/")
    expect(page.locator("h1")).to_contain_text("Str. Școlii nr. 7")
    page.get_by_role("link", name="Fișa gospodăriei: Str. Școlii nr. 7").click()
    expect(page).to_have_url(f"{live_server.url}/gospodarii/{case.household_id}/")
    expect(page.get_by_role("heading", name="Str. Școlii nr. 7")).to_be_visible()
