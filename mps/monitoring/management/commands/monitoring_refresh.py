"""Roll the monitoring figures forward once, or forever as the background worker with --loop (`worker.py`)."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mps.monitoring.conf import refresh_niceness, refresh_share
from mps.monitoring.pages import dashboard_cache_is_shared, dashboard_pages_warm
from mps.monitoring.refresh import RefreshResult, monitoring_refresh
from mps.monitoring.worker import RefreshWorker, WorkerOptions


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
            "--max-runs", type=int, default=None, help="With --loop, stop after this many runs (for checks)."
        )
        parser.add_argument(
            "--no-warm",
            action="store_true",
            help="Do not build the country, region and county dashboards into the cache after each run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Warming helps only when the server processes read the cache this worker writes.
        warm = dashboard_cache_is_shared() and not options["no_warm"]
        if not options["loop"]:
            result = monitoring_refresh(full=options["full"])
            warmed = dashboard_pages_warm() if warm else 0
            if options["verbosity"] > 0:
                self._report(result, warmed)
            return
        niceness = refresh_niceness() if options["nice"] is None else options["nice"]
        if niceness > 0:
            # Imports and requests first: the worker's own Python work (sums, warming) yields the CPU to them.
            os.nice(niceness)
        verbosity = options["verbosity"]

        def report(result: RefreshResult, warmed: int) -> None:
            # In a loop, quiet runs (nothing changed) are reported only at verbosity 2.
            if verbosity > 1 or (verbosity > 0 and result.localities):
                self._report(result, warmed)

        worker = RefreshWorker(
            WorkerOptions(
                every=options["every"],
                share=refresh_share() if options["share"] is None else options["share"],
                warm=warm,
                full_first=options["full"],
                max_runs=options.get("max_runs"),
            ),
            report=report,
        )
        worker.install_signal_handlers()
        worker.run()

    def _report(self, result: RefreshResult, warmed: int) -> None:
        self.stdout.write(
            f"{result.localities} localities refreshed in {result.seconds:.2f} s "
            f"({'full' if result.full else 'changed only'}), figures as of {result.as_of.isoformat()}"
            + (f"; {warmed} dashboards warmed" if warmed else "")
        )
        self.stdout.flush()
