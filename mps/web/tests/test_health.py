"""`/health/` for the load balancer and the operator: the database, the worker's heartbeat, the last refresh."""

import datetime as dt

import pytest
from django.utils import timezone

from mps.monitoring.models import WorkerHeartbeat
from mps.monitoring.worker import RefreshWorker, WorkerOptions

pytestmark = pytest.mark.django_db


def test_health_answers_anonymous_probes_and_says_the_worker_never_ran(client):
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "heartbeat_age_s": None, "max_age_s": 120.0}
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.get("/health/?require=worker").status_code == 503


def test_a_worker_run_beats_the_heart_and_dates_the_figures(client):
    runs = RefreshWorker(WorkerOptions(every=0, warm=False, max_runs=1)).run()

    assert runs == 1
    beat = WorkerHeartbeat.objects.get(name="monitoring")
    assert beat.runs == 1
    assert beat.last_error == ""
    body = client.get("/health/?require=worker").json()
    assert body["status"] == "ok"
    assert body["worker"]["ok"] is True
    assert body["refresh"]["as_of"] is not None
    assert body["refresh"]["duration_ms"] is not None


def test_a_stalled_worker_fails_the_strict_probe_but_not_the_load_balancers(client):
    RefreshWorker(WorkerOptions(every=0, warm=False, max_runs=1)).run()
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - dt.timedelta(minutes=5))

    assert client.get("/health/").status_code == 200
    strict = client.get("/health/?require=worker")
    assert strict.status_code == 503
    assert strict.json()["worker"]["heartbeat_age_s"] >= 300


def test_a_worker_asked_to_stop_finishes_its_run_and_leaves():
    worker = RefreshWorker(WorkerOptions(every=3600, warm=False))
    original_beat = worker.beat

    def beat_then_stop(error: str = "") -> None:
        original_beat(error)
        worker.stop()

    worker.beat = beat_then_stop

    assert worker.run() == 1  # not an hour's wait: the stop request ends the pause


def test_health_never_shows_a_page_or_a_name(client):
    body = client.get("/health/").content.decode()

    assert "<html" not in body
    assert set(client.get("/health/").json()) == {"status", "database", "worker", "refresh"}
