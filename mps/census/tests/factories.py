"""Factories for census campaigns and entries, and a bare assessment row to link visits to."""

import datetime as dt

import factory

from mps.assessment.models import Assessment, RiskLevel
from mps.census.models import CampaignStatus, CensusCampaign, CensusEntry, EntrySource
from mps.geography.tests.factories import LocalityFactory
from mps.registry.tests.factories import HouseholdFactory


class CensusCampaignFactory(factory.django.DjangoModelFactory[CensusCampaign]):
    """An open T0 campaign of a new test locality that started on 1 March 2026."""

    class Meta:
        model = CensusCampaign

    locality = factory.SubFactory(LocalityFactory)
    wave = "T0"
    wave_number = 0
    name = factory.LazyAttribute(lambda o: f"Recensământ {o.wave}, {o.locality.name}")
    starts_on = dt.date(2026, 3, 1)
    status = CampaignStatus.OPEN


class CensusEntryFactory(factory.django.DjangoModelFactory[CensusEntry]):
    """A register entry for a new household of the campaign's locality."""

    class Meta:
        model = CensusEntry

    campaign = factory.SubFactory(CensusCampaignFactory)
    household = factory.LazyAttribute(lambda o: HouseholdFactory.create(locality=o.campaign.locality))
    source = EntrySource.REGISTER
    register_ref = factory.Sequence(lambda n: f"R{n:05d}")


class AssessmentFactory(factory.django.DjangoModelFactory[Assessment]):
    """A stored assessment with no answers: enough for a census visit to point at."""

    class Meta:
        model = Assessment

    household = factory.SubFactory(HouseholdFactory)
    locality = factory.LazyAttribute(lambda o: o.household.locality)
    wave = "T0"
    wave_number = 0
    assessed_on = dt.date(2026, 3, 10)
    catalogue = "mps-v1"
    score = 0
    risk_level = RiskLevel.NONE
    document = factory.LazyFunction(dict)
