"""The demo's field work: census coverage, assessments from the engine, re-evaluations that follow the pilot, cases."""

import uuid
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from mps.assessment.models import Assessment, Finding
from mps.assessment.rules import evaluate, load_catalogue
from mps.cases.models import Case, Referral
from mps.census.models import CensusCampaign, CensusEntry, CensusVisit, EntrySource, VisitOutcome
from mps.census.selectors import campaign_progress
from mps.demo.context import REFERENCE_DATE, WAVES
from mps.demo.fieldwork import children_with_evaluations
from mps.registry.models import Membership, Person

HOUSEHOLDS = 120
SEED = 11


def build(**options: Any) -> str:
    out = StringIO()
    call_command("build_demo", verbosity=0, stdout=out, **{"households": HOUSEHOLDS, "seed": SEED, **options})
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Build the demo once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = build()
        yield output
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def cohort() -> set[uuid.UUID]:
    """The households re-evaluated up to T3."""
    return set(Assessment.objects.filter(wave="T3").values_list("household_id", flat=True))


def counts(wave: str, households: set[uuid.UUID]) -> Counter[str]:
    return Counter(
        Finding.objects.filter(assessment__wave=wave, assessment__household_id__in=households).values_list(
            "code", flat=True
        )
    )


def test_the_census_covers_most_households_and_counts_the_invisibles_apart(demo: str) -> None:
    campaigns = list(CensusCampaign.objects.filter(wave="T0"))
    assert campaigns
    entries = CensusEntry.objects.filter(campaign__wave="T0")
    assert entries.count() == HOUSEHOLDS
    statuses = Counter(entries.values_list("status", flat=True))
    assert 0.8 < statuses[VisitOutcome.ASSESSED] / HOUSEHOLDS < 1
    assert statuses[VisitOutcome.NOBODY_HOME] + statuses[VisitOutcome.REFUSED] > 0
    assert entries.filter(attempts__gte=2).exists()
    invisibles = entries.filter(source=EntrySource.FIELD)
    assert 0 < invisibles.count() < 0.1 * HOUSEHOLDS
    assert not invisibles.exclude(register_ref="").exists()
    progress = [campaign_progress(campaign) for campaign in campaigns]
    assert sum(p.invisibles for p in progress) == invisibles.count()
    assert sum(p.listed for p in progress) == HOUSEHOLDS - invisibles.count()
    # Visits are spread over the campaign by the locality's team, never in the future.
    visits = CensusVisit.objects.filter(entry__campaign__wave="T0").select_related(
        "entry__campaign", "worker"
    )
    assert len({visit.visited_on for visit in visits}) > 10
    for visit in visits:
        campaign = visit.entry.campaign
        assert campaign.starts_on <= visit.visited_on <= REFERENCE_DATE
        assert campaign.ends_on is None or visit.visited_on <= campaign.ends_on
        assert visit.worker.localities.filter(siruta=campaign.locality_id).exists()
    assert len({visit.worker.role for visit in visits}) >= 3


def test_every_assessed_visit_is_linked_to_its_assessment(demo: str) -> None:
    assessed = CensusVisit.objects.filter(outcome=VisitOutcome.ASSESSED).select_related(
        "entry__campaign", "assessment"
    )
    assert assessed.count() == Assessment.objects.count()
    for visit in assessed:
        assert visit.assessment is not None
        assert visit.assessment.household_id == visit.entry.household_id
        assert visit.assessment.wave == visit.entry.campaign.wave
        assert visit.assessment.assessed_on == visit.visited_on
    assert not CensusVisit.objects.exclude(outcome=VisitOutcome.ASSESSED).filter(assessment__isnull=False)
    # An entry's status is its latest visit's outcome.
    for entry in CensusEntry.objects.prefetch_related("visits"):
        visits = sorted(entry.visits.all(), key=lambda visit: visit.visited_on)
        assert entry.attempts == len(visits)
        assert entry.status == visits[-1].outcome
        assert entry.last_visited_on == visits[-1].visited_on


def test_households_are_re_evaluated_and_children_followed_through_three_waves(demo: str) -> None:
    waves = Counter(Assessment.objects.values_list("wave", flat=True))
    assert set(waves) == {wave.code for wave in WAVES}
    assert waves["T0"] > max(waves["T1"], waves["T2"], waves["T3"])
    assert min(waves.values()) > 0
    assert children_with_evaluations(3) >= 10
    # The same household keeps its refs and its people from wave to wave; visits move forward in time.
    household = next(iter(cohort()))
    history = list(Assessment.objects.filter(household_id=household).order_by("assessed_on"))
    assert [a.wave for a in history] == sorted(a.wave for a in history)
    first, last = history[0].document, history[-1].document
    assert {m["ref"] for m in first["members"]} & {m["ref"] for m in last["members"]}
    # Nobody is left without a household: children born after the census joined theirs.
    assert not Person.objects.exclude(id__in=Membership.objects.values("person_id")).exists()


def test_findings_come_from_the_rule_engine(demo: str) -> None:
    checked = Assessment.objects.order_by("wave_number", "id")
    for assessment in [*checked.filter(wave="T0")[:40], *checked.filter(wave="T3")[:20]]:
        evaluation = evaluate(assessment.document, load_catalogue(assessment.catalogue))
        expected = Counter(
            (uuid.UUID(found.member_ref) if found.member_ref else None, found.code)
            for found in evaluation.findings
        )
        assert Counter(assessment.findings.values_list("person_id", "code")) == expected
        assert assessment.score == evaluation.score
        assert assessment.risk_level == str(evaluation.risk_level)


def test_vulnerabilities_fall_as_in_the_pilot_but_not_all_of_them(demo: str) -> None:
    households = cohort()
    before, after = counts("T0", households), counts("T3", households)
    assert before["HE01"] > 0
    assert after["ID01"] == 0
    assert after["HE01"] == 0
    assert after["ED01"] == 0
    assert sum(before.values()) > sum(after.values())
    assert any(after[code] >= before[code] > 0 for code in before)


def test_every_critical_finding_has_an_urgent_referral(demo: str) -> None:
    assert Case.objects.exists()
    critical = set(
        Finding.objects.filter(critical=True).values_list("assessment__household_id", "code", "person_id")
    )
    urgent = set(Referral.objects.filter(urgent=True).values_list("case__household_id", "code", "person_id"))
    assert critical <= urgent


def test_the_summary_reports_the_waves(demo: str) -> None:
    assert "T0" in demo
    assert "T3" in demo
