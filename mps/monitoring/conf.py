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
