"""Factories for households, people and memberships."""

import datetime as dt
from typing import Any

import factory

from mps.geography.tests.factories import LocalityFactory
from mps.registry.models import Household, Membership, Person, Relation, Sex


class HouseholdFactory(factory.django.DjangoModelFactory[Household]):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    locality = factory.SubFactory(LocalityFactory)
    address = factory.Sequence(lambda n: f"Str. Principală nr. {n + 1}")

    @factory.post_generation
    def search_keys(obj: Household, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.refresh_search_keys()
        if create:
            obj.save(update_fields=["search_text"])


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    first_name = "Ion"
    last_name = factory.Sequence(lambda n: f"Ionescu{n}")
    sex = Sex.MALE
    birth_date = dt.date(1985, 4, 12)

    @factory.post_generation
    def search_keys(obj: Person, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.refresh_search_keys()
        if create:
            obj.save(update_fields=["name_key", "search_text"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory)
    relation = Relation.HEAD
    start_date = dt.date(2020, 1, 1)
