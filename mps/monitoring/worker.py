"""The monitoring worker: the refresh run again and again, paced, with a heartbeat, stopped cleanly by SIGTERM.

Policy. One long-running process per deployment (`manage.py monitoring_worker`, supervised by systemd, see
`deploy/`) rolls the dashboard figures forward. After every run, and at least every ``HEARTBEAT_SECONDS`` while it
waits, it writes its heartbeat, so `/health/` can tell a stalled or dead worker from a quiet one. A lost database
connection or a failed run is logged and retried at the next turn; the figures are all-or-nothing per run, so a
retry redoes the same work. SIGTERM and SIGINT (systemd's stop, Ctrl-C) end the worker after the run in progress,
never in the middle of one.
"""

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from mps.monitoring.conf import refresh_freshness_seconds
from mps.monitoring.models import WorkerHeartbeat
from mps.monitoring.pages import dashboard_pages_warm
from mps.monitoring.refresh import RefreshResult, monitoring_refresh, pause_after

logger = logging.getLogger(__name__)

WORKER_NAME = "monitoring"
HEARTBEAT_SECONDS = 15.0


@dataclass
class WorkerOptions:
    every: float = 30.0
    share: float = 0.1
    warm: bool = True
    full_first: bool = False
    max_runs: int | None = None  # None: until stopped


class RefreshWorker:
    """Run the monitoring refresh in a loop until told to stop."""

    def __init__(
        self, options: WorkerOptions, report: Callable[[RefreshResult, int], None] | None = None
    ) -> None:
        self.options = options
        self.report = report
        self.stopping = threading.Event()
        self.started_at = timezone.now()
        self.runs = 0

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        """Ask the worker to stop after the run in progress (a signal handler)."""
        if signum is not None:
            logger.info("Signal %s received: the monitoring worker stops after this run.", signum)
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run(self) -> int:
        """Run until stopped (or ``max_runs``); return the number of runs."""
        full = self.options.full_first
        logger.info("Monitoring worker started (pid %s).", os.getpid())
        while not self.stopping.is_set():
            started = time.perf_counter()
            error = ""
            try:
                result = monitoring_refresh(full=full)
                warmed = dashboard_pages_warm() if self.options.warm else 0
                full = False
                self.runs += 1
                logger.info(
                    "Monitoring refresh: %s localities in %.2f s, %s dashboards warmed.",
                    result.localities,
                    result.seconds,
                    warmed,
                    extra={
                        "localities": result.localities,
                        "seconds": round(result.seconds, 3),
                        "warmed": warmed,
                    },
                )
                if self.report is not None:
                    self.report(result, warmed)
                pause = pause_after(
                    time.perf_counter() - started,
                    every=self.options.every,
                    share=self.options.share,
                    freshness=refresh_freshness_seconds(),
                )
            except DatabaseError as failure:
                logger.exception("The monitoring refresh failed; retrying in %s s.", self.options.every)
                error = str(failure)[:500]
                pause = self.options.every
            # A worker that runs for months must not keep a connection the database has dropped.
            _close_stale_connections()
            self.beat(error)
            if self.options.max_runs is not None and self.runs >= self.options.max_runs:
                break
            self._wait(pause)
        logger.info("Monitoring worker stopped after %s runs.", self.runs)
        return self.runs

    def _wait(self, seconds: float) -> None:
        """Sleep, waking to beat the heart and to stop as soon as asked."""
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self.stopping.wait(min(left, HEARTBEAT_SECONDS)):
                return
            if deadline - time.monotonic() > 0:
                self.beat()

    def beat(self, error: str = "") -> None:
        """Write the heartbeat; a database that cannot take it is logged, not fatal."""
        try:
            WorkerHeartbeat.objects.update_or_create(
                name=WORKER_NAME,
                defaults={
                    "beat_at": timezone.now(),
                    "host": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "started_at": self.started_at,
                    "runs": self.runs,
                    "last_error": error,
                },
            )
        except DatabaseError:
            logger.exception("The monitoring worker could not write its heartbeat.")
            _close_stale_connections()


def _close_stale_connections() -> None:
    # Inside a caller's transaction (a test, a one-off run in a shell) the connection is the caller's to keep:
    # Django would see its autocommit off and close it.
    if not connection.in_atomic_block:
        close_old_connections()


def heartbeat_age(now: dt.datetime | None = None) -> float | None:
    """Seconds since the monitoring worker's last heartbeat, or None if it never ran."""
    beat = WorkerHeartbeat.objects.filter(name=WORKER_NAME).values_list("beat_at", flat=True).first()
    if beat is None:
        return None
    return ((now or timezone.now()) - beat).total_seconds()
