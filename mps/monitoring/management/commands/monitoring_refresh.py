"""Roll the monitoring figures forward once, or forever as the background worker with --loop."""

import logging
import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from mps.monitoring.conf import refresh_freshness_seconds, refresh_niceness, refresh_share
from mps.monitoring.pages import dashboard_cache_is_shared, dashboard_pages_warm
from mps.monitoring.refresh import monitoring_refresh, pause_after

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Recompute the monitoring figures of the localities changed since the last run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="Rebuild every locality, not only the changed ones."
        )
        parser.add_argument(
            "--loop", action="store_true", help="Run again and again, as the background worker."
        )
        parser.add_argument(
            "--every", type=float, default=30.0, help="Seconds at least between two runs with --loop."
        )
        parser.add_argument(
            "--share",
            type=float,
            default=None,
            help="Share of the time the worker may spend running (MPS_MONITORING_REFRESH_SHARE, 0.1; 1: no pacing).",
        )
        parser.add_argument(
            "--nice",
            type=int,
            default=None,
            help="OS priority increment of the worker with --loop (MPS_MONITORING_REFRESH_NICE, 10; 0: none).",
        )
        parser.add_argument(
            "--no-warm",
            action="store_true",
            help="Do not build the country, region and county dashboards into the cache after each run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        full = options["full"]
        # Warming helps only when the server processes read the cache this worker writes.
        warm = dashboard_cache_is_shared() and not options["no_warm"]
        share = refresh_share() if options["share"] is None else options["share"]
        niceness = refresh_niceness() if options["nice"] is None else options["nice"]
        if options["loop"] and niceness > 0:
            # Imports and requests first: the worker's own Python work (sums, warming) yields the CPU to them.
            os.nice(niceness)
        while True:
            started = time.perf_counter()
            try:
                result = monitoring_refresh(full=full)
                warmed = dashboard_pages_warm() if warm else 0
            except DatabaseError:
                if not options["loop"]:
                    raise
                # The worker outlives a lost connection or a failed run: the next run redoes the same work.
                logger.exception("The monitoring refresh failed; retrying in %s s.", options["every"])
                close_old_connections()
                time.sleep(options["every"])
                continue
            # In a loop, quiet runs (nothing changed) are reported only at verbosity 2.
            if options["verbosity"] > 1 or (
                options["verbosity"] > 0 and (result.localities or not options["loop"])
            ):
                self.stdout.write(
                    f"{result.localities} localities refreshed in {result.seconds:.2f} s "
                    f"({'full' if result.full else 'changed only'}), figures as of {result.as_of.isoformat()}"
                    + (f"; {warmed} dashboards warmed" if warmed else "")
                )
                self.stdout.flush()
            if not options["loop"]:
                return
            full = False
            # A worker that runs for months must not keep a connection the database has dropped.
            close_old_connections()
            # Paced by the whole run, warming included: the database's share of it is spent in its own process,
            # which no priority of this one reaches.
            pause = pause_after(
                time.perf_counter() - started,
                every=options["every"],
                share=share,
                freshness=refresh_freshness_seconds(),
            )
            if options["verbosity"] > 1:
                self.stdout.write(f"next run in {pause:.1f} s")
                self.stdout.flush()
            time.sleep(pause)
