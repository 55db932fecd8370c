"""Fixtures of the monitoring tests: a county with the known data set, and the people who look at it."""

import pytest

from mps.accounts.tests.factories import county_supervisor_of, national_monitor, worker_of
from mps.geography.tests.factories import LocalityFactory
from mps.monitoring.refresh import monitoring_refresh
from mps.monitoring.tests.data import SIRUTA, record_known_data


@pytest.fixture
def locality():
    return LocalityFactory.create(siruta=SIRUTA, name="Valea Mare", latitude=46.5, longitude=26.9)


@pytest.fixture
def worker(locality):
    return worker_of(locality, username="ana.ionescu")


@pytest.fixture
def known_data(worker, locality):
    record_known_data(worker, locality)
    return locality


@pytest.fixture
def refreshed(known_data):
    monitoring_refresh(full=True)
    return known_data


@pytest.fixture
def supervisor():
    return county_supervisor_of("BC")


@pytest.fixture
def monitor():
    return national_monitor()
