"""The columns that say what a finding counts for: written by the import, recomputed alike from stored rows."""

import json

import pytest
from django.db import connection

from mps.assessment.counting import fill_counting_columns
from mps.assessment.importing import assessments_import
from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue
from mps.demo.synthetic import LOCALITIES, synthetic_assessments
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db

COLUMNS = ("child", "roma", "disability", "first_in_dimension", "member_first_in_dimension")


MEMBER_COLUMNS = ("vulnerable", "locality_id", "wave_number", "household_risk_level")


def _counting() -> tuple[dict[int, tuple[object, ...]], dict[int, tuple[object, ...]]]:
    findings = {row[0]: tuple(row[1:]) for row in Finding.objects.values_list("id", *COLUMNS)}
    members = {row[0]: tuple(row[1:]) for row in MemberAnswers.objects.values_list("id", *MEMBER_COLUMNS)}
    return findings, members


def _import(count: int) -> None:
    for code in LOCALITIES:
        LocalityFactory.create(siruta=int(code))
    lines = [json.dumps(document, ensure_ascii=False) for document in synthetic_assessments(count, seed=5)]
    assert not assessments_import(lines).rejected


def test_the_import_writes_what_a_recount_of_the_stored_rows_gives():
    _import(60)
    written = _counting()
    Finding.objects.update(**dict.fromkeys(COLUMNS, False))
    MemberAnswers.objects.update(vulnerable=False, wave_number=9, household_risk_level="none")

    fill_counting_columns(
        connection,
        assessment=Assessment._meta.db_table,
        finding=Finding._meta.db_table,
        member_answers=MemberAnswers._meta.db_table,
    )

    assert _counting() == written


def test_each_household_and_person_counts_once_per_dimension():
    _import(60)
    by_household: dict[tuple[object, str], int] = {}
    by_person: dict[tuple[object, object, str], int] = {}
    dimension_of = {v.code: v.dimension for v in load_catalogue(CURRENT_CATALOGUE).vulnerabilities}
    for finding in Finding.objects.all():
        dimension = dimension_of[finding.code]
        by_household[(finding.assessment_id, dimension)] = (
            by_household.get((finding.assessment_id, dimension), 0) + finding.first_in_dimension
        )
        if finding.person_id:
            key = (finding.assessment_id, finding.person_id, dimension)
            by_person[key] = by_person.get(key, 0) + finding.member_first_in_dimension
        else:
            assert not (finding.child)
            assert not (finding.roma)
            assert not (finding.disability)
            assert not (finding.member_first_in_dimension)
    assert by_household
    assert set(by_household.values()) == {1}
    assert by_person
    assert set(by_person.values()) == {1}
    vulnerable = set(Finding.objects.exclude(person=None).values_list("assessment_id", "person_id"))
    for assessment_id, person_id, flag in MemberAnswers.objects.values_list(
        "assessment_id", "person_id", "vulnerable"
    ):
        assert flag == ((assessment_id, person_id) in vulnerable)
    assert Finding.objects.filter(child=True).exists()
    for member in MemberAnswers.objects.select_related("assessment"):
        assessment = member.assessment
        assert (member.locality_id, member.wave_number, member.household_risk_level) == (
            assessment.locality_id,
            assessment.wave_number,
            assessment.risk_level,
        )
