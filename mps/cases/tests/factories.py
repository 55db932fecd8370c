"""Build the rows case management starts from: a locality with its team and assessments stored the real way."""

from typing import Any

import factory
from django.utils import timezone

from mps.accounts.models import Role, User
from mps.accounts.tests.factories import worker_of
from mps.assessment.models import Assessment
from mps.assessment.services import assessment_record
from mps.assessment.tests.builders import assessment_with
from mps.cases.models import ActivityKind, Case, GroupActivity, Task, TaskKind
from mps.geography.models import Locality
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import HouseholdFactory

SIRUTA = 54975  # the assessment builders' locality
T1_REF = "aaaaaaaa-0000-4000-8000-000000000001"
HOUSEHOLD_REF = "bbbbbbbb-0000-4000-8000-000000000000"


def builders_locality(**kwargs: Any) -> Locality:
    """Return the locality the assessment builders name (SIRUTA 54975)."""
    return LocalityFactory.create(siruta=SIRUTA, **kwargs)


def team_of(locality: Locality) -> dict[str, User]:
    """Return a community team for the locality: social worker, nurse, school mediator and coordinator."""
    return {
        "social_worker": worker_of(locality, username="ana.ionescu", first_name="Ana", last_name="Ionescu"),
        "nurse": worker_of(
            locality, role=Role.COMMUNITY_NURSE, username="maria.nurse", first_name="Maria", last_name="Lupu"
        ),
        "mediator": worker_of(locality, role=Role.SCHOOL_MEDIATOR, username="dan.mediator"),
        "coordinator": worker_of(
            locality, role=Role.LOCAL_COORDINATOR, username="coord", first_name="Elena", last_name="Sandu"
        ),
    }


def record(actor: User | None, answers: dict[str, Any] | None = None, **top: Any) -> Assessment:
    """Store an assessment of the builders' baseline family with these answers, through assessment_record."""
    document = assessment_with({**top, **(answers or {})})
    return assessment_record(actor=actor, document=document, source="import").assessment


def re_evaluation(
    actor: User | None, answers: dict[str, Any] | None = None, on: str = "2025-01-15"
) -> Assessment:
    """Store the T1 re-evaluation of the same family six months later."""
    return record(actor, answers, ref=T1_REF, wave="T1", assessed_on=on)


class GroupActivityFactory(factory.django.DjangoModelFactory[GroupActivity]):
    class Meta:
        model = GroupActivity

    locality = factory.SubFactory(LocalityFactory)
    kind = ActivityKind.PARENTING
    title = factory.Sequence(lambda n: f"Educație parentală, sesiunea {n + 1}")
    held_on = factory.Faker("date_between", start_date="-60d", end_date="today")
    place = "Centrul comunitar"


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """An open case of a new household of the given locality (set `household__locality`)."""

    class Meta:
        model = Case

    household = factory.SubFactory(HouseholdFactory)
    locality = factory.SelfAttribute("household.locality")
    opened_on = factory.LazyFunction(timezone.localdate)


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    """A follow-up task of a case, due today at noon unless told otherwise."""

    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    kind = TaskKind.FOLLOW_UP
    title = factory.Sequence(lambda n: f"Vizită de urmărire {n + 1}")
    due_at = factory.LazyFunction(
        lambda: timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    )
    locality = factory.SelfAttribute("case.locality")
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
