"""Settings of monitoring, each with its default: a deployment overrides them in its settings module."""

from django.conf import settings


def small_cell_threshold() -> int:
    """Return the smallest count shown to aggregate-only viewers (``MPS_MONITORING_SMALL_CELL``, default 5)."""
    return int(getattr(settings, "MPS_MONITORING_SMALL_CELL", 5))


def map_tiles_url() -> str:
    """Return the tile server URL template for maps (``MPS_MAP_TILES_URL``); empty draws a plain background."""
    return str(getattr(settings, "MPS_MAP_TILES_URL", ""))


def map_tiles_attribution() -> str:
    """Return the attribution the tile server asks for (``MPS_MAP_TILES_ATTRIBUTION``)."""
    return str(getattr(settings, "MPS_MAP_TILES_ATTRIBUTION", ""))


def refresh_overlap_seconds() -> int:
    """Return the margin each refresh run looks back by, for clock differences between servers (seconds)."""
    return int(getattr(settings, "MPS_MONITORING_REFRESH_OVERLAP", 10))


def dashboard_cache_alias() -> str:
    """Return the cache (an alias of CACHES) that keeps rendered dashboards (``MPS_MONITORING_CACHE``).

    Empty (the default): the dashboards' own database cache, a table of this app that every server process and
    the refresh worker share. Any cache every process shares will do (Redis, Memcached); a cache in each
    process's memory works too, but then the refresh worker cannot warm it.
    """
    return str(getattr(settings, "MPS_MONITORING_CACHE", ""))


def dashboard_cache_seconds() -> int:
    """Return how long a rendered dashboard is kept at most (``MPS_MONITORING_CACHE_SECONDS``, 15 minutes).

    Figures never go stale in the cache (their version is in the key); this bounds only how long a renamed
    locality or worker takes to show on a page whose figures did not change.
    """
    return int(getattr(settings, "MPS_MONITORING_CACHE_SECONDS", 900))


def refresh_share() -> float:
    """Return the share of the time the refresh worker may spend running (``MPS_MONITORING_REFRESH_SHARE``, 0.1).

    After a run of d seconds the worker waits at least d·(1 - share)/share (9·d at a tenth) before the next, the
    way PostgreSQL's autovacuum paces itself, unless freshness (``refresh_freshness_seconds``) needs it sooner.
    1 turns pacing off.
    """
    return float(getattr(settings, "MPS_MONITORING_REFRESH_SHARE", 0.1))


def refresh_freshness_seconds() -> float:
    """Return how long a change may take to reach the dashboards at most (``MPS_MONITORING_REFRESH_FRESHNESS``).

    Default 60 s. Pacing never makes the worker wait so long that a change committed just after a run began
    would miss this bound (assuming the next run takes as long as the last one).
    """
    return float(getattr(settings, "MPS_MONITORING_REFRESH_FRESHNESS", 60))


def refresh_niceness() -> int:
    """Return the OS priority increment of the refresh worker's process (``MPS_MONITORING_REFRESH_NICE``, 10).

    Imports and requests come first. It covers the worker's own Python work (activity sums, warming the pages);
    the SQL runs in the database server's process, which the pacing bounds instead. 0 leaves the priority alone.
    """
    return int(getattr(settings, "MPS_MONITORING_REFRESH_NICE", 10))
