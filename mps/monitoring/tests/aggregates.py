"""Every stored aggregate row, for comparing two ways of computing them (incremental against a rebuild)."""

from typing import Any

from mps.monitoring.models import AreaActivity, AreaFigure, WorkerCaseload
from mps.monitoring.refresh import monitoring_refresh


def stored_aggregates() -> tuple[set[Any], set[Any], set[Any]]:
    """Return every aggregate row, without ids."""
    return (
        set(
            AreaFigure.objects.values_list(
                "level", "area", "urban", "marginalisation", "wave_number", "indicator", "value"
            )
        ),
        set(
            AreaActivity.objects.values_list(
                "level", "area", "urban", "marginalisation", "month", "indicator", "bucket", "value"
            )
        ),
        set(WorkerCaseload.objects.values_list("locality_id", "worker_id", "open_cases")),
    )


def assert_a_rebuild_agrees() -> None:
    """Check that a full rebuild gives exactly the rows the incremental refreshes left."""
    incremental = stored_aggregates()
    monitoring_refresh(full=True)
    assert stored_aggregates() == incremental
