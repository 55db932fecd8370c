"""'Ziua mea': counts on top, urgent first, then today, overdue and upcoming, by household, filtered and paged."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mps.accounts.tests.factories import TEST_PASSWORD, worker_of
from mps.cases.models import Case
from mps.cases.selectors import my_day_for_user
from mps.cases.tests.factories import CaseFactory, TaskFactory
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2026, 12, 2)


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def _at_noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _day(user, **params):
    response = _client(user).get(reverse("cases:my_day"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def locality():
    return LocalityFactory(name="Pâncești")


@pytest.fixture
def worker(locality):
    return worker_of(locality, username="ana.ionescu", first_name="Ana", last_name="Ionescu")


def _task(worker, locality, address, title, *, due=None, urgent=False, case=None):
    case = case or CaseFactory(household__locality=locality, household__address=address, case_manager=worker)
    return TaskFactory(
        case=case, assignee=worker, title=title, urgent=urgent, due_at=_at_noon(due or timezone.localdate())
    )


def test_the_day_comes_in_sections_urgent_then_today_then_overdue_then_upcoming(worker, locality):
    school = CaseFactory(
        household__locality=locality, household__address="Str. Școlii nr. 7", case_manager=worker
    )
    _task(worker, locality, "", "Sunați familia", due=WEDNESDAY, case=school)
    _task(worker, locality, "", "Vizită întârziată", due=WEDNESDAY - dt.timedelta(days=3), case=school)
    _task(worker, locality, "Str. Morii nr. 1", "Trimiteți trimiterea urgentă", urgent=True, due=WEDNESDAY)
    _task(worker, locality, "Str. Viilor nr. 3", "Vizită vineri", due=WEDNESDAY + dt.timedelta(days=2))
    _task(worker, locality, "Str. Lungă nr. 9", "După duminică", due=WEDNESDAY + dt.timedelta(days=5))

    day = my_day_for_user(worker, today=WEDNESDAY)

    assert day.counts() == {"urgent": 1, "today": 1, "overdue": 1, "upcoming": 1, "total": 4}
    sections = day.sections()
    assert [section.key for section in sections] == ["urgent", "today", "overdue", "upcoming"]
    assert [[g.household.address for g in s.households] for s in sections] == [
        ["Str. Morii nr. 1"],
        ["Str. Școlii nr. 7"],
        ["Str. Școlii nr. 7"],
        ["Str. Viilor nr. 3"],
    ]
    # The household with the most pressing item comes first in the pages.
    assert [h.address for h in day.households()] == [
        "Str. Morii nr. 1",
        "Str. Școlii nr. 7",
        "Str. Viilor nr. 3",
    ]


def test_the_page_shows_the_counts_and_groups_a_households_items_under_its_name(worker, locality):
    case = CaseFactory(
        household__locality=locality, household__address="Str. Școlii nr. 7", case_manager=worker
    )
    _task(worker, locality, "", "Sunați familia", case=case)
    _task(worker, locality, "", "Duceți actele la primărie", case=case)
    _task(worker, locality, "Str. Morii nr. 1", "Trimiteți trimiterea urgentă", urgent=True)
    Case.objects.filter(id=case.id).update(reevaluation_due_on=timezone.localdate() - dt.timedelta(days=1))

    page = _day(worker)

    counts = page[page.index('class="day-counts"') : page.index("</ul>", page.index('class="day-counts"'))]
    assert 'Urgente <span class="figure">1</span>' in counts
    assert 'Scadente azi <span class="figure">2</span>' in counts
    assert 'Cu termen depășit <span class="figure">1</span>' in counts
    assert 'Total <span class="figure">4</span>' in counts
    assert page.index('id="urgent"') < page.index('id="today"') < page.index('id="overdue"')
    today = page[page.index('id="today"') : page.index('id="overdue"')]
    assert today.count("Str. Școlii nr. 7</a>") == 1
    assert "Sunați familia" in today
    assert "Duceți actele la primărie" in today
    assert reverse("registry:household_detail", args=[case.household_id]) in today
    assert "Reevaluare scadentă" in page[page.index('id="overdue"') :]


def test_filters_by_type_household_and_locality_and_names_an_unknown_filter(worker, locality):
    other = LocalityFactory(name="Măgura")
    worker.localities.add(other)
    school = _task(worker, locality, "Str. Școlii nr. 7", "Sunați familia").case
    _task(worker, other, "Str. Morii nr. 1", "Vizită la Măgura")
    Case.objects.filter(id=school.id).update(reevaluation_due_on=timezone.localdate())

    only_tasks = _day(worker, type="task")
    assert "Sunați familia" in only_tasks
    assert "Reevaluare scadentă" not in only_tasks
    one_household = _day(worker, household=str(school.household_id))
    assert "Sunați familia" in one_household
    assert "Vizită la Măgura" not in one_household
    magura = _day(worker, locality=other.siruta)
    assert "Vizită la Măgura" in magura
    assert "Sunați familia" not in magura

    page = _day(worker, type="vizite", locality=other.siruta)
    assert "Filtrul „Tip” nu are valoarea „vizite”" in page
    assert "Vizită la Măgura" in page
    assert "Sunați familia" not in page
    foreign = LocalityFactory(name="Berești")
    page = _day(worker, locality=foreign.siruta, household="nu-e-o-gospodărie")
    assert "Filtrul „Localitate”" in page
    assert "Filtrul „Gospodăria”" in page
    assert "Sunați familia" in page
    assert "Vizită la Măgura" in page


def test_pages_of_twenty_five_households_keep_the_filters(worker, locality):
    for n in range(27):
        _task(worker, locality, f"Str. Principală nr. {n + 10}", f"Vizita {n + 1}")

    first = _day(worker, type="task")
    assert first.count('<article class="household-due">') == 25
    assert "Pagina 1 din 2" in first
    assert "?type=task&amp;page=2" in first
    second = _day(worker, type="task", page=2)
    assert second.count('<article class="household-due">') == 2
    assert 'Total <span class="figure">27</span>' in second


def test_the_day_reads_in_the_same_number_of_queries_for_three_or_thirty_households(worker, locality):
    client = _client(worker)
    client.get(reverse("cases:my_day"))  # the first page after logging in also saves the session

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("cases:my_day")).status_code == 200
        return len(context)

    for n in range(3):
        _task(
            worker, locality, f"Str. Mică nr. {n}", f"Vizita {n}", due=timezone.localdate() - dt.timedelta(1)
        )
    few = queries()
    for n in range(27):
        _task(worker, locality, f"Str. Mare nr. {n}", f"Vizita mare {n}", urgent=n % 2 == 0)
    assert queries() == few
    assert few <= 10


def test_a_worker_sees_neither_a_colleagues_tasks_nor_another_locality_in_the_filter(worker, locality):
    colleague = worker_of(locality, username="ioana.alta")
    _task(colleague, locality, "Str. Morii nr. 1", "Sarcina colegei")
    LocalityFactory(name="Berești")
    page = _day(worker)
    assert "Sarcina colegei" not in page
    assert "Berești" not in page
    assert '<p class="muted nothing-due">Nimic scadent.</p>' in page


def test_marking_a_task_done_comes_back_to_the_same_filtered_page(worker, locality):
    task = _task(worker, locality, "Str. Școlii nr. 7", "Sunați familia")
    client = _client(worker)
    page = client.get(reverse("cases:my_day"), {"type": "task"}).content.decode()
    assert 'name="day_query" value="type=task"' in page
    response = client.post(
        reverse("cases:task_done", args=[task.id]),
        {"next": "day", "day_query": "type=task&page=2&evil=https://example.com"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:my_day") + "?type=task&page=2"
    task.refresh_from_db()
    assert task.done_at is not None
