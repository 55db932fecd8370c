"""What `/health/` tells a load balancer and an operator: the database, the worker's heartbeat, the last refresh.

Policy. The web process is healthy when it can reach its database: that alone decides the status code a load
balancer acts on (200, else 503), since taking every web process out of rotation because the background worker
stalled would turn a late dashboard into an outage. The worker's heartbeat age and the age of the figures are
reported beside it, and `?require=worker` makes a stale worker a 503 too, for the monitoring that pages an
operator. Nothing personal is ever in the answer.
"""

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from mps.monitoring.models import RefreshMark
from mps.monitoring.worker import heartbeat_age


def worker_max_age_seconds() -> float:
    """How old the worker's heartbeat may be before it counts as stalled (MPS_HEALTH_WORKER_MAX_AGE, 120 s)."""
    return float(getattr(settings, "MPS_HEALTH_WORKER_MAX_AGE", 120))


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    database_ms: float
    worker_age: float | None
    refresh_as_of: dt.datetime | None
    refresh_duration_ms: int | None

    @property
    def worker_ok(self) -> bool:
        return self.worker_age is not None and self.worker_age <= worker_max_age_seconds()

    def status_code(self, *, require_worker: bool = False) -> int:
        healthy = self.database_ok and (self.worker_ok or not require_worker)
        return 200 if healthy else 503

    def as_json(self) -> dict[str, Any]:
        now = timezone.now()
        return {
            "status": "ok"
            if self.database_ok and self.worker_ok
            else ("degraded" if self.database_ok else "down"),
            "database": {"ok": self.database_ok, "ms": round(self.database_ms, 1)},
            "worker": {
                "ok": self.worker_ok,
                "heartbeat_age_s": None if self.worker_age is None else round(self.worker_age, 1),
                "max_age_s": worker_max_age_seconds(),
            },
            "refresh": {
                "as_of": self.refresh_as_of.isoformat() if self.refresh_as_of else None,
                "age_s": round((now - self.refresh_as_of).total_seconds(), 1) if self.refresh_as_of else None,
                "duration_ms": self.refresh_duration_ms,
            },
        }


def health_report() -> HealthReport:
    """Probe the database and read the worker's heartbeat and the last refresh."""
    started = time.perf_counter()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        mark = RefreshMark.objects.filter(name="default").values("as_of", "duration_ms").first()
        age = heartbeat_age()
    except DatabaseError:
        return HealthReport(False, (time.perf_counter() - started) * 1000, None, None, None)
    return HealthReport(
        database_ok=True,
        database_ms=(time.perf_counter() - started) * 1000,
        worker_age=age,
        refresh_as_of=mark["as_of"] if mark else None,
        refresh_duration_ms=mark["duration_ms"] if mark else None,
    )
