"""The background worker of a deployment: `monitoring_refresh --loop` under its own name, for systemd."""

from typing import Any

from mps.monitoring.management.commands.monitoring_refresh import Command as RefreshCommand


class Command(RefreshCommand):
    help = (
        "Run the monitoring refresh forever, paced, with a heartbeat for /health/; SIGTERM stops it after the "
        "run in progress. The unit deploy/mps-worker.service runs it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **{**options, "loop": True})
