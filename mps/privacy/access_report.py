"""The answer to an access request (GDPR art. 15): everything the platform holds about one person, and who saw it.

Policy. The report holds the person's own record (and the duplicates merged into it), their households with
the dates they lived there, the assessments of those households made while they lived there (the household's
answers, their own answers, the findings about them or about the household), the case of those households
(goals, actions, services, referrals naming them or the whole household), the census visits of those
households, the group activities they were invited to, their data-subject requests, and the audit trail of
their record (`selectors.person_trail`). One dictionary feeds both the JSON download and the PDF, so the two
never disagree. The PDF is in Romanian, like every document the platform prints.
"""

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mps.assessment.models import Assessment, Finding, HouseholdAnswers, MemberAnswers, Vulnerability
from mps.audit.selectors import trail_entries
from mps.cases.documents import html_to_pdf
from mps.cases.models import Case, Participation, PlanAction, PlanGoal, Referral, ServiceDelivery
from mps.census.models import CensusVisit
from mps.privacy.models import DataSubjectRequest
from mps.privacy.selectors import person_record_ids, person_trail
from mps.registry.models import Membership, Person

_SKIPPED_ANSWER_FIELDS = {"assessment", "person"}


def _answers(row: models.Model | None) -> list[dict[str, Any]]:
    """Return a row of answers as (field, label, value) entries, choices as their labels."""
    if row is None:
        return []
    entries = []
    for field in row._meta.concrete_fields:
        if field.name in _SKIPPED_ANSWER_FIELDS:
            continue
        value = getattr(row, field.attname)
        if field.choices and value not in (None, ""):
            value = str(dict(field.flatchoices).get(value, value))
        entries.append({"field": field.name, "label": str(field.verbose_name), "value": value})
    return entries


def _user(user: Any) -> str:
    return "" if user is None else str(user)


def _vulnerability_names() -> dict[tuple[str, str], str]:
    return {(v.catalogue, v.code): v.name_ro for v in Vulnerability.objects.all()}


def access_report(person: Person) -> dict[str, Any]:
    """Return everything held about the person, ready for JSON (dates as dates) and for the PDF."""
    with translation.override("ro"):
        return _report(person)


def _report(person: Person) -> dict[str, Any]:
    person_ids = person_record_ids(person)
    names = _vulnerability_names()
    memberships = list(
        Membership.objects.filter(person_id__in=person_ids)
        .select_related("household__locality__county", "household__village")
        .order_by("start_date")
    )
    stays: dict[Any, list[tuple[dt.date, dt.date | None]]] = {}
    for membership in memberships:
        stays.setdefault(membership.household_id, []).append((membership.start_date, membership.end_date))
    assessments = [
        assessment
        for assessment in Assessment.objects.filter(household_id__in=list(stays))
        .select_related("locality", "assessed_by")
        .order_by("assessed_on")
        if any(
            start <= assessment.assessed_on and (end is None or assessment.assessed_on <= end)
            for start, end in stays[assessment.household_id]
        )
    ]
    assessment_ids = [a.id for a in assessments]
    household_answers = {
        row.assessment_id: row for row in HouseholdAnswers.objects.filter(assessment_id__in=assessment_ids)
    }
    own_answers = {
        row.assessment_id: row
        for row in MemberAnswers.objects.filter(assessment_id__in=assessment_ids, person_id__in=person_ids)
    }
    findings: dict[Any, list[dict[str, Any]]] = {}
    for finding in Finding.objects.filter(assessment_id__in=assessment_ids).filter(
        Q(person_id__in=person_ids) | Q(person__isnull=True)
    ):
        findings.setdefault(finding.assessment_id, []).append(
            {
                "code": finding.code,
                "name": names.get((finding.catalogue, finding.code), ""),
                "concerns": "person" if finding.person_id else "household",
                "critical": finding.critical,
            }
        )
    person_or_household = Q(person_id__in=person_ids) | Q(person__isnull=True)
    cases = []
    for case in Case.objects.filter(household_id__in=list(stays)).select_related("household", "case_manager"):
        goals = PlanGoal.objects.filter(case=case).filter(person_or_household)
        cases.append(
            {
                "household": case.household.address,
                "status": case.get_status_display(),
                "opened_on": case.opened_on,
                "closed_on": case.closed_on,
                "case_manager": _user(case.case_manager),
                "goals": [
                    {
                        "code": goal.code,
                        "concerns": "person" if goal.person_id else "household",
                        "status": goal.get_status_display(),
                    }
                    for goal in goals
                ],
                "actions": [
                    {
                        "goal": action.goal.code,
                        "service": action.service.name_ro,
                        "owner": _user(action.owner),
                        "due_on": action.due_on,
                        "status": action.get_status_display(),
                    }
                    for action in PlanAction.objects.filter(goal__in=goals).select_related(
                        "goal", "service", "owner"
                    )
                ],
                "deliveries": [
                    {
                        "service": delivery.service.name_ro,
                        "delivered_on": delivery.delivered_on,
                        "place": delivery.get_place_display(),
                        "worker": _user(delivery.worker),
                        "note": delivery.note,
                    }
                    for delivery in ServiceDelivery.objects.filter(case=case)
                    .filter(person_or_household)
                    .select_related("service", "worker")
                ],
                "referrals": [
                    {
                        "institution": referral.get_institution_display(),
                        "code": referral.code,
                        "reason": referral.reason,
                        "status": referral.get_status_display(),
                        "due_on": referral.due_on,
                        "outcome": referral.outcome,
                    }
                    for referral in Referral.objects.filter(case=case).filter(person_or_household)
                ],
            }
        )
    return {
        "generated_at": timezone.now(),
        "person": {
            "id": str(person.id),
            "first_name": person.first_name,
            "last_name": person.last_name,
            "sex": person.get_sex_display(),
            "birth_date": person.birth_date,
            "cnp": person.cnp or "",
            "death_date": person.death_date,
            "mother": person.mother.full_name if person.mother else "",
            "father": person.father.full_name if person.father else "",
            "restricted": person.restricted,
            "erased_on": person.erased_on,
            "merged_records": [str(pid) for pid in person_ids if pid != person.id],
        },
        "memberships": [
            {
                "household": membership.household.address,
                "village": membership.household.village.name if membership.household.village else "",
                "locality": membership.household.locality.name,
                "county": membership.household.locality.county.name,
                "relation": membership.get_relation_display(),
                "start_date": membership.start_date,
                "end_date": membership.end_date,
                "end_reason": membership.get_end_reason_display() if membership.end_reason else "",
            }
            for membership in memberships
        ],
        "assessments": [
            {
                "wave": assessment.wave,
                "assessed_on": assessment.assessed_on,
                "locality": assessment.locality.name,
                "assessed_by": _user(assessment.assessed_by),
                "risk_level": assessment.get_risk_level_display(),
                "score": assessment.score,
                "household_answers": _answers(household_answers.get(assessment.id)),
                "own_answers": _answers(own_answers.get(assessment.id)),
                "findings": findings.get(assessment.id, []),
            }
            for assessment in assessments
        ],
        "cases": cases,
        "census_visits": [
            {
                "campaign": visit.entry.campaign.name,
                "wave": visit.entry.campaign.wave,
                "household": visit.entry.household.address,
                "visited_on": visit.visited_on,
                "outcome": visit.get_outcome_display(),
                "worker": _user(visit.worker),
                "note": visit.note,
            }
            for visit in CensusVisit.objects.filter(entry__household_id__in=list(stays))
            .select_related("entry__campaign", "entry__household", "worker")
            .order_by("visited_on")
        ],
        "group_activities": [
            {
                "title": participation.activity.title,
                "held_on": participation.activity.held_on,
                "attended": participation.attended,
            }
            for participation in Participation.objects.filter(person_id__in=person_ids).select_related(
                "activity"
            )
        ],
        "requests": [
            {
                "kind": request.get_kind_display(),
                "received_on": request.received_on,
                "status": request.get_status_display(),
                "outcome": request.get_outcome_display() if request.outcome else "",
            }
            for request in DataSubjectRequest.objects.filter(person_id__in=person_ids).order_by("received_on")
        ],
        "trail": [entry.as_json() for entry in trail_entries(person_trail(person).iterator(chunk_size=2000))],
    }


def access_report_json(report: dict[str, Any]) -> str:
    """Return the report as the JSON file given to the data subject."""
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def access_report_html(report: dict[str, Any]) -> str:
    """Return the report as HTML in Romanian, ready to print."""
    with translation.override("ro"):
        return render_to_string("privacy/pdf/access_report.html", {"report": report})


def access_report_pdf(report: dict[str, Any]) -> bytes:
    """Return the report as a PDF in Romanian."""
    return html_to_pdf(access_report_html(report))
