"""Recording one assessment: answers, findings and the registry stored together, or nothing at all."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from mps.accounts.tests.factories import UserFactory, worker_of
from mps.assessment.importing import assessments_import
from mps.assessment.models import Assessment, Finding, HouseholdAnswers, MemberAnswers
from mps.assessment.services import RecordStatus, assessment_record
from mps.assessment.tests.builders import DAUGHTER, HEAD, REFS, SON, SPOUSE, assessment_with
from mps.audit.models import AuditEvent
from mps.core.cnp import make_cnp
from mps.core.errors import DomainValidationError
from mps.geography.tests.factories import LocalityFactory, VillageFactory
from mps.registry.models import Household, Membership, MembershipEnd, Person
from mps.registry.tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

SIRUTA = 54975  # the builders' locality
T1_REF = "aaaaaaaa-0000-4000-8000-000000000001"


@pytest.fixture
def locality():
    return LocalityFactory.create(siruta=SIRUTA)


@pytest.fixture
def village(locality):
    return VillageFactory.create(locality=locality, name="Valea Mare")


@pytest.fixture
def worker(locality):
    return worker_of(locality, username="ana.ionescu")


def _counts() -> dict[str, int]:
    models = (Assessment, HouseholdAnswers, MemberAnswers, Finding, Household, Person, Membership, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def _later_wave(answers: dict | None = None, *, on: str = "2025-06-15", ref: str = T1_REF) -> dict:
    return assessment_with({"ref": ref, "wave": "T1", "assessed_on": on, **(answers or {})})


def test_accepted_assessment_stores_answers_findings_score_and_people(worker, village):
    document = assessment_with(
        {
            "members[2].health.family_doctor": False,  # HE01, weight 2
            "household.housing.heating": False,  # HO06, weight 2
            "household.location": {"lat": 46.5, "lon": 26.9, "accuracy_m": 7},
        }
    )

    result = assessment_record(actor=worker, document=document)

    assert result.status == RecordStatus.ACCEPTED
    assessment = Assessment.objects.get(id=document["ref"])
    assert (assessment.score, assessment.risk_level, assessment.is_latest) == (4, "low", True)
    assert (assessment.wave, assessment.wave_number, assessment.catalogue) == ("T0", 0, "mps-v1")
    assert assessment.assessed_by == worker
    assert list(assessment.team.all()) == [worker]
    assert assessment.document == document
    assert sorted(
        Finding.objects.filter(assessment=assessment).values_list(
            "code", "person_id", "weight", "locality_id"
        )
    ) == [("HE01", uuid.UUID(REFS[SON]), 2, SIRUTA), ("HO06", None, 2, SIRUTA)]

    answers = HouseholdAnswers.objects.get(assessment=assessment)
    assert (answers.heating, answers.rooms, answers.members_count, answers.children_count) == (False, 3, 4, 2)
    assert answers.monthly_net_income_ron == Decimal("6000.00")
    by_person = {str(a.person_id): a for a in MemberAnswers.objects.filter(assessment=assessment)}
    assert by_person[REFS[HEAD]].age == 40
    assert by_person[REFS[DAUGHTER]].age == 4
    assert by_person[REFS[SON]].family_doctor is False
    assert by_person[REFS[SON]].education_status == "school"

    household = Household.objects.get(id=document["household"]["ref"])
    assert (household.locality_id, household.village, household.address) == (
        SIRUTA,
        village,
        "Strada Școlii nr. 7",
    )
    assert (household.latitude, household.longitude, household.location_accuracy_m) == (46.5, 26.9, 7)
    son = Person.objects.get(id=REFS[SON])
    assert (son.first_name, son.mother_id, son.father_id) == (
        "Andrei",
        uuid.UUID(REFS[SPOUSE]),
        uuid.UUID(REFS[HEAD]),
    )
    memberships = Membership.objects.filter(household=household)
    assert {(str(m.person_id), m.relation, m.start_date, m.end_date) for m in memberships} == {
        (REFS[HEAD], "head", dt.date(2024, 6, 15), None),
        (REFS[SPOUSE], "spouse", dt.date(2024, 6, 15), None),
        (REFS[SON], "child", dt.date(2024, 6, 15), None),
        (REFS[DAUGHTER], "child", dt.date(2024, 6, 15), None),
    }
    # Only what this service writes: apps above it (census, cases) may add their own trail for the visit.
    events = AuditEvent.objects.filter(
        actor=worker, action="create", object_type__in=["assessment", "household", "person"]
    )
    assert sorted(events.values_list("object_type", "action")) == [
        ("assessment", "create"),
        ("household", "create"),
        *[("person", "create")] * 4,
    ]


def test_unknown_village_leaves_the_village_empty(worker, locality):
    document = assessment_with({"household.village": "Satul Nimănui"})
    assessment_record(actor=worker, document=document)
    assert Household.objects.get(id=document["household"]["ref"]).village is None


def test_same_ref_twice_is_a_duplicate_and_changes_nothing(worker, locality):
    document = assessment_with()
    first = assessment_record(actor=worker, document=document)
    before = _counts()

    again = assessment_record(actor=worker, document=assessment_with({"household.address": "Altă stradă 1"}))

    assert again.status == RecordStatus.DUPLICATE
    assert again.assessment.pk == first.assessment.pk
    assert _counts() == before
    assert Household.objects.get().address == "Strada Școlii nr. 7"


def test_invalid_document_names_every_field_and_stores_nothing(worker, locality):
    document = assessment_with({"members[1].sex": "X", "household.housing.rooms": -1})
    before = _counts()

    with pytest.raises(DomainValidationError) as error:
        assessment_record(actor=worker, document=document)

    assert {"members[1].sex", "household.housing.rooms"} <= set(error.value.problems)
    assert _counts() == before


def test_unknown_locality_is_rejected_at_household_locality(worker):
    with pytest.raises(DomainValidationError) as error:
        assessment_record(actor=None, document=assessment_with({"household.locality": "999"}))
    assert list(error.value.problems) == ["household.locality"]
    assert not Assessment.objects.exists()


def test_actor_of_another_locality_is_refused(locality):
    outsider = worker_of(LocalityFactory.create())
    before = _counts()

    with pytest.raises(DomainValidationError) as error:
        assessment_record(actor=outsider, document=assessment_with())

    assert "household.locality" in error.value.problems
    assert _counts() == before


def test_visit_in_the_future_is_rejected(worker):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    with pytest.raises(DomainValidationError) as error:
        assessment_record(actor=worker, document=assessment_with({"assessed_on": tomorrow}))
    assert "assessed_on" in error.value.problems


def test_cnp_of_another_active_person_is_rejected_at_that_members_cnp(worker, locality):
    cnp = make_cnp("M", dt.date(2014, 5, 2), county="04", serial=1)
    PersonFactory.create(cnp=cnp, sex="M", birth_date=dt.date(2014, 5, 2))

    with pytest.raises(DomainValidationError) as error:
        assessment_record(actor=worker, document=assessment_with({"members[2].cnp": cnp}))

    assert list(error.value.problems) == ["members[2].cnp"]
    assert not Assessment.objects.exists()


def test_the_same_persons_cnp_is_not_a_conflict(worker, locality):
    cnp = make_cnp("M", dt.date(2014, 5, 2), county="04", serial=1)
    assessment_record(actor=worker, document=assessment_with({"members[2].cnp": cnp}))
    result = assessment_record(actor=worker, document=_later_wave({"members[2].cnp": cnp}))
    assert result.status == RecordStatus.ACCEPTED


def test_assessed_by_names_a_user_when_one_exists(locality):
    lead = UserFactory.create(username="ana.ionescu")
    result = assessment_record(actor=None, document=assessment_with())
    assert result.assessment.assessed_by == lead
    anonymous = assessment_record(actor=None, document=_later_wave({"assessed_by": "nimeni"}))
    assert anonymous.assessment.assessed_by is None


def test_later_wave_without_a_member_ends_her_stay_as_moved_out(worker, locality):
    assessment_record(actor=worker, document=assessment_with())
    later = _later_wave({"members[0].first_name": "Ioan"})
    later["members"].pop(DAUGHTER)

    assessment_record(actor=worker, document=later)

    daughter = Person.objects.get(id=REFS[DAUGHTER])  # still there: history is kept
    stay = Membership.objects.get(person=daughter)
    assert (stay.end_date, stay.end_reason) == (dt.date(2025, 6, 15), MembershipEnd.MOVED_OUT)
    assert (
        Membership.objects.filter(household_id=later["household"]["ref"], end_date__isnull=True).count() == 3
    )
    assert Person.objects.get(id=REFS[HEAD]).first_name == "Ioan"
    assert list(Assessment.objects.filter(is_latest=True).values_list("id", flat=True)) == [uuid.UUID(T1_REF)]
    assert MemberAnswers.objects.filter(assessment_id=assessment_with()["ref"]).count() == 4
    assert AuditEvent.objects.filter(object_id=REFS[DAUGHTER], action="end").exists()


def test_older_wave_recorded_late_does_not_rewrite_the_present(worker, locality):
    newer = _later_wave({"household.address": "Strada Nouă 3", "members[0].first_name": "Ioan"})
    newer["members"].pop(DAUGHTER)
    assessment_record(actor=worker, document=newer)
    current_before = set(
        Membership.objects.filter(end_date__isnull=True).values_list("person_id", "start_date")
    )

    older = assessment_with()
    result = assessment_record(actor=worker, document=older)

    assert result.assessment.is_latest is False
    assert list(Assessment.objects.filter(is_latest=True).values_list("id", flat=True)) == [uuid.UUID(T1_REF)]
    assert set(Membership.objects.filter(end_date__isnull=True).values_list("person_id", "start_date")) == (
        current_before
    )
    assert Household.objects.get().address == "Strada Nouă 3"
    assert Person.objects.get(id=REFS[HEAD]).first_name == "Ioan"
    # The daughter only the older wave saw: recorded, with the stay that wave shows, ended at the newer visit.
    stay = Membership.objects.get(person_id=REFS[DAUGHTER])
    assert (stay.start_date, stay.end_date, stay.end_reason) == (
        dt.date(2024, 6, 15),
        dt.date(2025, 6, 15),
        MembershipEnd.MOVED_OUT,
    )
    assert MemberAnswers.objects.filter(assessment=result.assessment).count() == 4


def test_person_found_in_another_household_moves_here(worker, locality):
    elsewhere = MembershipFactory.create(
        household__locality=locality,
        person=PersonFactory.create(id=REFS[SON], sex="M", birth_date=dt.date(2014, 5, 2)),
        relation="grandchild",
    )

    assessment_record(actor=worker, document=assessment_with())

    elsewhere.refresh_from_db()
    assert (elsewhere.end_date, elsewhere.end_reason) == (dt.date(2024, 6, 15), MembershipEnd.MOVED_OUT)
    assert Membership.objects.get(person_id=REFS[SON], end_date__isnull=True).household_id == uuid.UUID(
        assessment_with()["household"]["ref"]
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_merged_duplicates_ref_records_the_visit_under_the_person_kept(worker, locality, workers):
    # The spouse was registered twice and merged; her tablet still knows her by the duplicate's ref.
    kept = PersonFactory.create(first_name="Maria", sex="F", birth_date=dt.date(1986, 1, 9))
    PersonFactory.create(id=REFS[SPOUSE], merged_into=kept, sex="F", birth_date=dt.date(1986, 1, 9))
    document = assessment_with({"members[1].documents.identity_card": False})  # ID02 for the spouse

    summary = assessments_import([json.dumps(document)], actor=worker, workers=workers)

    assert (summary.accepted, summary.rejected) == (1, [])
    assessment = Assessment.objects.get()
    assert MemberAnswers.objects.filter(assessment=assessment, person=kept).exists()
    assert not MemberAnswers.objects.filter(person_id=REFS[SPOUSE]).exists()
    assert Finding.objects.get(assessment=assessment, code="ID02").person == kept
    son = Person.objects.get(id=REFS[SON])
    assert son.mother == kept
    created = AuditEvent.objects.get(object_type="person", object_id=REFS[SON], action="create")
    assert created.changes["mother"] == [None, str(kept.id)]
    assert Membership.objects.get(person=kept, end_date__isnull=True).household_id == assessment.household_id


def test_a_visit_does_not_move_a_household_to_another_locality(worker, locality):
    assessment_record(actor=None, document=assessment_with())
    elsewhere = LocalityFactory.create()
    before = _counts()

    with pytest.raises(DomainValidationError) as error:
        assessment_record(actor=None, document=_later_wave({"household.locality": str(elsewhere.siruta)}))

    assert "transfer" in str(error.value.problems["household.locality"][0])
    assert _counts() == before
    assert Household.objects.get().locality_id == SIRUTA


def test_an_older_wave_made_where_the_family_lived_before_is_recorded_there(worker, locality):
    assessment_record(actor=None, document=_later_wave())
    before_move = LocalityFactory.create()
    older = assessment_with({"household.locality": str(before_move.siruta)})

    result = assessment_record(actor=None, document=older)

    assert result.assessment.locality_id == before_move.siruta
    assert Household.objects.get().locality_id == SIRUTA


def test_a_visit_cannot_change_a_person_whose_processing_is_restricted(worker, locality):
    assessment_record(actor=worker, document=assessment_with())
    Person.objects.filter(id=REFS[SON]).update(restricted=True)
    before = _counts()

    with pytest.raises(DomainValidationError) as error:
        assessment_record(actor=worker, document=_later_wave())

    assert list(error.value.problems) == [f"members[{SON}].ref"]
    assert "GDPR" in str(error.value.problems[f"members[{SON}].ref"][0])
    assert _counts() == before
