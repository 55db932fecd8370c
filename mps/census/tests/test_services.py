"""Census writes: campaigns, register imports, invisibles and visits; validated, scoped, audited, idempotent."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone, translation

from mps.accounts.tests.factories import county_supervisor_of, worker_of
from mps.audit.models import AuditEvent
from mps.census import services
from mps.census.models import CampaignStatus, CensusEntry, CensusVisit, EntrySource, EntryStatus
from mps.census.tests.factories import AssessmentFactory, CensusCampaignFactory, CensusEntryFactory
from mps.core.errors import DomainValidationError
from mps.geography.tests.factories import LocalityFactory, VillageFactory
from mps.registry.models import Household
from mps.registry.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def campaign():
    return CensusCampaignFactory.create(starts_on=MARCH)


@pytest.fixture
def worker(campaign):
    return worker_of(campaign.locality)


def _row(ref, address="Str. Morii 1", village="", head_name="Ion Popa"):
    return {"register_ref": ref, "address": address, "village": village, "head_name": head_name}


# campaign_open


def test_campaign_open_derives_the_wave_number_and_a_romanian_name():
    locality = LocalityFactory.create(name="Pâncești")
    with translation.override("ro"):
        campaign = services.campaign_open(
            actor=worker_of(locality), locality=locality, wave="t1", starts_on=MARCH
        )
    assert (campaign.wave, campaign.wave_number, campaign.status) == ("T1", 1, CampaignStatus.OPEN)
    assert campaign.name == "Recensământ T1, Pâncești"
    assert AuditEvent.objects.filter(object_type="census_campaign", action="create").count() == 1


def test_campaign_open_in_the_future_is_planned_and_the_first_visit_opens_it(worker, campaign):
    later = services.campaign_open(
        actor=worker,
        locality=campaign.locality,
        wave="T1",
        starts_on=timezone.localdate() + dt.timedelta(days=3),
    )
    assert later.status == CampaignStatus.PLANNED


def test_campaign_open_refuses_a_second_campaign_for_the_wave_and_a_bad_wave(worker, campaign):
    with translation.override("ro"), pytest.raises(DomainValidationError) as error:
        services.campaign_open(actor=worker, locality=campaign.locality, wave="T0", starts_on=MARCH)
    assert error.value.problems["wave"] == [
        "Această localitate are deja o campanie de recensământ pentru această etapă."
    ]
    with pytest.raises(DomainValidationError) as error:
        services.campaign_open(actor=worker, locality=campaign.locality, wave="X9", starts_on=MARCH)
    assert "wave" in error.value.problems


def test_campaign_open_in_another_locality_is_refused(worker):
    with pytest.raises(DomainValidationError) as error:
        services.campaign_open(actor=worker, locality=LocalityFactory.create(), wave="T0", starts_on=MARCH)
    assert "locality" in error.value.problems


def test_a_county_supervisor_reads_but_may_not_open_campaigns(campaign):
    supervisor = county_supervisor_of(campaign.locality.county_id)
    with pytest.raises(DomainValidationError):
        services.campaign_open(actor=supervisor, locality=campaign.locality, wave="T1", starts_on=MARCH)


# register_import


def test_register_import_creates_households_and_entries_and_is_rerunnable(worker, campaign):
    village = VillageFactory.create(locality=campaign.locality, name="Valea Seacă")
    rows = [_row("A1", "Str. Școlii 4", "valea seaca"), _row("A2", "Str. Morii 7")]
    summary = services.register_import(actor=worker, campaign=campaign, rows=rows)
    assert (summary.added, summary.households_created, summary.already_listed) == (2, 2, 0)
    entry = CensusEntry.objects.get(campaign=campaign, register_ref="A1")
    assert entry.source == EntrySource.REGISTER
    assert entry.household.village == village
    assert entry.register_head_name == "Ion Popa"
    assert AuditEvent.objects.filter(object_type="household", action="create").count() == 2

    again = services.register_import(actor=worker, campaign=campaign, rows=[*rows, _row("A3")])
    assert (again.added, again.already_listed) == (1, 2)
    assert CensusEntry.objects.filter(campaign=campaign).count() == 3
    assert Household.objects.filter(locality=campaign.locality).count() == 3


def test_register_import_is_all_or_nothing_with_line_numbers(worker, campaign):
    rows = [
        _row("A1"),
        _row("", "Str. Nouă 2"),
        _row("A3", address=""),
        _row("A1"),
        _row("A5", village="Atlantida"),
    ]
    with translation.override("ro"), pytest.raises(DomainValidationError) as error:
        services.register_import(actor=worker, campaign=campaign, rows=rows)
    assert error.value.problems["file"] == [
        "Linia 3: lipsește referința din registru.",
        "Linia 4: lipsește adresa.",
        "Linia 5: referința din registru A1 a fost dată deja pe linia 2.",
        "Linia 6: satul Atlantida nu face parte din această localitate.",
    ]
    assert not CensusEntry.objects.exists()
    assert not Household.objects.exists()


def test_register_import_reads_a_csv_file_with_semicolons(tmp_path, worker, campaign):
    path = tmp_path / "registru.csv"
    path.write_text(
        "register_ref;address;village;head_name\nB1;Str. Țarinii 3;;Ștefan Ene\nB2;Str. Lungă 9;;\n",
        encoding="utf-8-sig",
    )
    summary = services.register_import(actor=worker, campaign=campaign, path=path)
    assert summary.added == 2
    assert CensusEntry.objects.get(register_ref="B1").household.address == "Str. Țarinii 3"


def test_register_import_refuses_a_file_without_the_header(tmp_path, worker, campaign):
    path = tmp_path / "registru.csv"
    path.write_text("id,adresa\n1,Str. X\n", encoding="utf-8")
    with pytest.raises(DomainValidationError) as error:
        services.register_import(actor=worker, campaign=campaign, path=path)
    assert "register_ref,address,village,head_name" in error.value.problems["file"][0]


def test_a_later_wave_finds_the_households_of_the_earlier_register(worker, campaign):
    services.register_import(actor=worker, campaign=campaign, rows=[_row("A1"), _row("A2")])
    t1 = services.campaign_open(actor=worker, locality=campaign.locality, wave="T1", starts_on=MARCH)
    summary = services.register_import(actor=worker, campaign=t1, rows=[_row("A1"), _row("A9")])
    assert (summary.households_matched, summary.households_created) == (1, 1)
    assert (
        CensusEntry.objects.get(campaign=t1, register_ref="A1").household_id
        == CensusEntry.objects.get(campaign=campaign, register_ref="A1").household_id
    )


# entry_add_found_in_field


def test_a_household_found_in_the_field_is_an_invisible(worker, campaign):
    entry = services.entry_add_new_household_found_in_field(
        actor=worker, campaign=campaign, address="Str. Fără Număr", head_name="Maria Dinu"
    )
    assert entry.source == EntrySource.FIELD
    assert entry.is_invisible
    assert entry.household.locality == campaign.locality
    with pytest.raises(DomainValidationError) as error:
        services.entry_add_found_in_field(actor=worker, campaign=campaign, household=entry.household)
    assert "household" in error.value.problems


def test_a_household_of_another_locality_cannot_be_added(worker, campaign):
    with pytest.raises(DomainValidationError) as error:
        services.entry_add_found_in_field(
            actor=worker, campaign=campaign, household=HouseholdFactory.create()
        )
    assert "household" in error.value.problems


def test_a_closed_campaign_list_does_not_change(worker, campaign):
    services.campaign_close(actor=worker, campaign=campaign, ends_on=dt.date(2026, 4, 30))
    with pytest.raises(DomainValidationError) as error:
        services.register_import(actor=worker, campaign=campaign, rows=[_row("A1")])
    assert "campaign" in error.value.problems


# visit_record


def test_visits_update_the_entry_status_and_attempts(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    services.visit_record(actor=worker, entry=entry, outcome="nobody_home", visited_on=dt.date(2026, 3, 2))
    assert (entry.status, entry.attempts) == (EntryStatus.NOBODY_HOME, 1)
    services.visit_record(actor=worker, entry=entry, outcome="assessed", visited_on=dt.date(2026, 3, 5))
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.last_visited_on) == ("assessed", 2, dt.date(2026, 3, 5))
    assert AuditEvent.objects.filter(object_type="census_visit").count() == 2


def test_visit_record_is_idempotent_on_ref(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    ref = uuid.uuid4()
    first = services.visit_record(actor=worker, entry=entry, outcome="refused", visited_on=MARCH, ref=ref)
    again = services.visit_record(actor=worker, entry=entry, outcome="refused", visited_on=MARCH, ref=ref)
    assert first.id == again.id == ref
    assert CensusVisit.objects.count() == 1
    entry.refresh_from_db()
    assert entry.attempts == 1
    other = CensusEntryFactory.create(campaign=campaign)
    with pytest.raises(DomainValidationError) as error:
        services.visit_record(actor=worker, entry=other, outcome="refused", visited_on=MARCH, ref=ref)
    assert "ref" in error.value.problems


def test_a_visit_in_the_future_or_before_the_campaign_is_refused_in_romanian(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with translation.override("ro"), pytest.raises(DomainValidationError) as error:
        services.visit_record(actor=worker, entry=entry, outcome="assessed", visited_on=tomorrow)
    assert error.value.problems["visited_on"] == ["Data vizitei nu poate fi în viitor."]
    with translation.override("ro"), pytest.raises(DomainValidationError) as error:
        services.visit_record(actor=worker, entry=entry, outcome="assessed", visited_on=dt.date(2026, 2, 28))
    assert error.value.problems["visited_on"] == [
        "Data vizitei nu poate fi înainte de începutul campaniei (01.03.2026)."
    ]
    assert not CensusVisit.objects.exists()


def test_a_visit_in_another_locality_is_refused(campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    outsider = worker_of(LocalityFactory.create())
    with pytest.raises(DomainValidationError) as error:
        services.visit_record(actor=outsider, entry=entry, outcome="assessed", visited_on=MARCH)
    assert "entry" in error.value.problems
    assert not CensusVisit.objects.exists()


def test_an_earlier_attempt_synced_late_does_not_undo_an_assessment(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    services.visit_record(actor=worker, entry=entry, outcome="assessed", visited_on=dt.date(2026, 3, 5))
    services.visit_record(actor=worker, entry=entry, outcome="nobody_home", visited_on=dt.date(2026, 3, 5))
    services.visit_record(actor=worker, entry=entry, outcome="nobody_home", visited_on=dt.date(2026, 3, 2))
    entry.refresh_from_db()
    assert (entry.status, entry.attempts) == (EntryStatus.ASSESSED, 3)
    with pytest.raises(DomainValidationError) as error:
        services.visit_record(actor=worker, entry=entry, outcome="refused", visited_on=dt.date(2026, 3, 9))
    assert "entry" in error.value.problems


def test_a_linked_assessment_must_be_of_the_household_and_wave(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    other = AssessmentFactory.create(household=HouseholdFactory.create(locality=campaign.locality))
    with pytest.raises(DomainValidationError) as error:
        services.visit_record(
            actor=worker, entry=entry, outcome="assessed", visited_on=MARCH, assessment=other
        )
    assert "assessment" in error.value.problems
    t1 = AssessmentFactory.create(household=entry.household, wave="T1", wave_number=1)
    with pytest.raises(DomainValidationError):
        services.visit_record(actor=worker, entry=entry, outcome="assessed", visited_on=MARCH, assessment=t1)
    own = AssessmentFactory.create(household=entry.household, is_latest=False)
    with pytest.raises(DomainValidationError):
        services.visit_record(actor=worker, entry=entry, outcome="refused", visited_on=MARCH, assessment=own)
    visit = services.visit_record(
        actor=worker, entry=entry, outcome="assessed", visited_on=MARCH, assessment=own
    )
    assert visit.assessment == own


# visit_record_for_assessment


def test_an_assessment_records_an_assessed_visit_on_its_listed_household(worker, campaign):
    entry = CensusEntryFactory.create(campaign=campaign)
    assessment = AssessmentFactory.create(household=entry.household, assessed_on=dt.date(2026, 3, 10))
    visit = services.visit_record_for_assessment(actor=worker, assessment=assessment)
    assert visit is not None
    assert (visit.entry, visit.outcome, visit.visited_on) == (entry, "assessed", dt.date(2026, 3, 10))
    assert services.visit_record_for_assessment(actor=worker, assessment=assessment) == visit
    assert CensusVisit.objects.count() == 1


def test_an_assessment_of_an_unlisted_household_adds_it_as_an_invisible(worker, campaign):
    household = HouseholdFactory.create(locality=campaign.locality)
    assessment = AssessmentFactory.create(household=household)
    visit = services.visit_record_for_assessment(actor=worker, assessment=assessment)
    assert visit is not None
    assert visit.entry.source == EntrySource.FIELD
    assert visit.entry.status == EntryStatus.ASSESSED


def test_an_assessment_without_an_open_campaign_records_nothing(worker, campaign):
    assessment = AssessmentFactory.create(
        household=HouseholdFactory.create(locality=campaign.locality), wave="T2", wave_number=2
    )
    assert services.visit_record_for_assessment(actor=worker, assessment=assessment) is None
    assert not CensusEntry.objects.exists()
