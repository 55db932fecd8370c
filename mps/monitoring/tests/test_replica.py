"""A read replica for the dashboards (decision 0010): the monitoring pages read from the `replica` alias, the rest
of the platform and every write stay on the primary. The test settings give the second alias as a mirror of
the test database, as a streaming replica mirrors the primary."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from mps.accounts.tests.factories import TEST_PASSWORD
from mps.core.routers import REPLICA, ReplicaRouter, replica_reads
from mps.monitoring.models import AreaFigure
from mps.registry.models import Household

# Rows must be committed for a second connection to read them, as on a real replica.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _login(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)


@override_settings(MPS_READ_REPLICA=True)
def test_the_county_dashboard_reads_its_figures_from_the_replica(client, supervisor, refreshed):
    _login(client, supervisor)

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get("/monitorizare/judet/BC/")

    assert response.status_code == 200
    assert any("monitoring_areafigure" in q["sql"] for q in replica.captured_queries)
    assert not any("monitoring_areafigure" in q["sql"] for q in primary.captured_queries)


@override_settings(MPS_READ_REPLICA=True)
def test_a_workers_pages_and_every_write_stay_on_the_primary(client, worker, refreshed):
    _login(client, worker)

    with CaptureQueriesContext(connections[REPLICA]) as replica:
        assert client.get("/gospodarii/").status_code == 200

    assert replica.captured_queries == []
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(Household) == "default"
        assert router.db_for_read(AreaFigure) == REPLICA
        with transaction.atomic():
            # Inside a transaction on the primary, reads must see its own writes.
            assert router.db_for_read(AreaFigure) == "default"
    assert router.allow_migrate(REPLICA, "monitoring") is False


def test_without_a_replica_everything_reads_from_the_primary():
    with replica_reads():
        assert ReplicaRouter().db_for_read(AreaFigure) == "default"
