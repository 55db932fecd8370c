"""Dashboard pages as served: each page's body is rendered once per version of its figures and kept in a cache.

Policy. The body of a dashboard (filters, headline, tables, chart data) is a function of the area, the filters
(wave and period), the language, the viewer's `CellPolicy` and the area's figures, and of nothing else: it
names no viewer and holds no form token. The figures change only when the refresh worker recomputes one of
the area's localities, and that run stamps the locality's `LocalityRefresh` (a full rebuild stamps them all).
So the cache key holds every one of those inputs, the privacy class (exact, or aggregate-only with its
small-cell threshold), the instant the area's figures last changed and a fingerprint of the code that renders
a body:

- an entry is never served after its figures changed, because the next run that changes them gives a new key;
- an entry is never served to a viewer of another privacy class, because the policy is part of the key. Two
  viewers with exact figures of the same area (its team, its county supervisor) see the same body: the policy
  is all that `dashboard_build` knows of the viewer;
- what does change per request, the viewer's name and menu, the form tokens and the "Figures as of" instant
  (which moves with every run, even one that changed nothing), is rendered around the body on every request.

Where bodies are kept. Country, region and county pages go to a cache that every server process and the
refresh worker share (``MPS_MONITORING_CACHE``, by default this app's own table through Django's database
cache backend), and the worker builds the national monitors' view of those 51 areas after each run, so that
the pages opened most are ready before anyone asks. Locality pages stay in the memory of the process that built
them: 3,180 of them, each opened by its own team, mostly once per change of its figures and built in about ten
milliseconds, so storing them where it costs nothing beats a database write on every first view.

Reference data (a locality renamed, a worker's name in the caseload table) is not in the key; entries expire
after ``MPS_MONITORING_CACHE_SECONDS`` (default 15 minutes), which bounds how long such a change takes to show.
Bodies are stored compressed: a county's body is about 70 KB of HTML and compresses twentyfold in a tenth of a
millisecond.
"""

import hashlib
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .areas import Area, area_children, country
from .conf import dashboard_cache_alias, dashboard_cache_seconds, small_cell_threshold
from .dashboard import Dashboard, Period, dashboard_build, period_choices, period_from_key
from .models import AreaLevel, DashboardCacheEntry
from .privacy import CellPolicy
from .selectors import FiguresVersion, figures_version
from .tables import table_html

# What a body is made from besides its figures: a deployment that changes any of these gets new keys, so a
# shared cache does not serve a body rendered by the previous version of this app's code or translations. (Labels
# borrowed from other apps, such as a case status, and the catalogue's names fall under the expiry instead.)
_BODY_SOURCES = [
    Path(__file__).parent / name
    for name in (
        "pages.py",
        "dashboard.py",
        "tables.py",
        "privacy.py",
        "indicators.py",
        "templates/monitoring/_dashboard_body.html",
        "locale/ro/LC_MESSAGES/django.mo",
    )
]


@lru_cache(maxsize=1)
def _body_format() -> str:
    digest = hashlib.sha256()
    for source in _BODY_SOURCES:
        digest.update(source.read_bytes() if source.exists() else b"")
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class DashboardPage:
    """A dashboard's body as HTML, and when its figures were brought up to date."""

    body: SafeString
    version: FiguresVersion
    # The board the body was rendered from when this request built it; None when the body came from the cache.
    board: Dashboard | None


def filters_query(wave: int | None, period: Period) -> str:
    """Return the query string that keeps the chosen filters in the page's links (drill-down, downloads)."""
    params = {}
    if wave is not None:
        params["wave"] = f"T{wave}"
    if period.key:
        params["period"] = period.key
    return urlencode(params)


def dashboard_cache_key(
    area: Area,
    policy: CellPolicy,
    *,
    wave: int | None,
    period: Period,
    language: str,
    version: FiguresVersion,
) -> str:
    """Return the cache key of a dashboard body: every input of the body, the privacy class and the version."""
    if version.area_changed is None:
        raise ValueError("An area whose figures were never computed has no cached page.")
    privacy = "exact" if policy.exact else f"aggregate-{policy.threshold}"
    wave_part = "latest" if wave is None else f"T{wave}"
    return (
        f"monitoring:dashboard:{_body_format()}:{area.level}:{area.code}:{wave_part}:{period.key or 'all'}:"
        f"{language}:{privacy}:{version.area_changed.isoformat()}"
    )


def dashboard_body_render(board: Dashboard, *, wave: int | None) -> SafeString:
    """Render the body of a dashboard: filters, headline, charts' data and every table, with their links."""
    area = board.area
    query = filters_query(wave, board.period)
    context = {
        "board": board,
        "area": area,
        "periods": period_choices(board.months),
        "query": query,
        "charts": board.charts,
        # Each table's CSV and XLSX live at <area>/export/<table key>.<format>.
        "tables": {
            key: table_html(table, query=query, export_base=area.url() + "export/")
            for key, table in board.tables.items()
        },
    }
    # No request: nothing of the viewer (name, menu, form tokens) can end up in a body that others are served.
    return render_to_string("monitoring/_dashboard_body.html", context)


def dashboard_page(area: Area, policy: CellPolicy, *, wave: int | None, period: Period) -> DashboardPage:
    """Return the body of the area's dashboard for the viewer's policy, from the cache or built and cached."""
    version = figures_version(area)
    if version.area_changed is None:
        # Nothing computed for this area yet: the page says so, and there is no version to key it by.
        board = dashboard_build(area, policy, wave=wave, period=period, version=version)
        return DashboardPage(dashboard_body_render(board, wave=wave), version, board)
    cache = _cache_for(area)
    key = dashboard_cache_key(
        area, policy, wave=wave, period=period, language=get_language(), version=version
    )
    stored = cache.get(key)
    if stored is not None:
        # The bytes `_store` wrote from `dashboard_body_render`, which the template engine escaped.
        return DashboardPage(mark_safe(zlib.decompress(stored).decode()), version, None)  # noqa: S308 # nosec B308, B703 - our own rendered HTML
    board = dashboard_build(area, policy, wave=wave, period=period, version=version)
    body = dashboard_body_render(board, wave=wave)
    _store(cache, key, body)
    return DashboardPage(body, version, board)


def _store(cache: BaseCache, key: str, body: str) -> None:
    cache.set(key, zlib.compress(body.encode(), 1), dashboard_cache_seconds())


@lru_cache(maxsize=1)
def _own_cache() -> DatabaseCache:
    # Django's database cache backend on this app's table (`DashboardCacheEntry`), made here rather than in
    # CACHES so that the dashboards have a shared cache wherever the platform runs, with nothing to configure.
    # Ten thousand entries: every area's default page in both languages and both privacy classes, with room for
    # filters; beyond that Django culls the expired entries first.
    return DatabaseCache(DashboardCacheEntry._meta.db_table, {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def dashboard_cache() -> BaseCache:
    """Return the cache that keeps rendered dashboards: ``MPS_MONITORING_CACHE``, or the dashboards' own table."""
    alias = dashboard_cache_alias()
    return caches[alias] if alias else _own_cache()


@lru_cache(maxsize=1)
def _process_cache() -> LocMemCache:
    # Locality pages stay in the memory of the process that built them: there are 3,180 of them, each opened by
    # its own team, mostly once per change of its figures, and built in about ten milliseconds, so storing them
    # where it costs nothing (not a database write on each first view) is worth more than sharing them.
    return LocMemCache("mps-monitoring-localities", {"OPTIONS": {"MAX_ENTRIES": 4_000}})


def _cache_for(area: Area) -> BaseCache:
    return _process_cache() if area.level == AreaLevel.LOCALITY else dashboard_cache()


def dashboard_caches_clear() -> None:
    """Empty the caches of rendered dashboards (this process's locality pages and the shared cache)."""
    _process_cache().clear()
    dashboard_cache().clear()


def dashboard_cache_is_shared() -> bool:
    """Tell whether every server process and the refresh worker read the same dashboard cache."""
    return not isinstance(dashboard_cache(), LocMemCache | DummyCache)


def dashboard_pages_warm() -> int:
    """Build and cache the default view of the country, every region and every county; return how many were built.

    The pages monitoring opens first, as national monitors see them: the latest wave, every period, in the default
    language, small cells hidden. A page already cached for the current figures is left alone, so after a run
    that changed nothing warming costs two small queries per page (its version, a cache lookup). Other views (a supervisor's exact figures, a
    filter, English) are built on their first request.
    """
    policy = CellPolicy(exact=False, threshold=small_cell_threshold())
    top = country()
    regions = area_children(top)
    areas = [top, *regions, *(county for region in regions for county in area_children(region))]
    cache, period, language, built = dashboard_cache(), period_from_key(""), settings.LANGUAGE_CODE, 0
    with translation.override(language):
        for area in areas:
            version = figures_version(area)
            if version.area_changed is None:
                continue
            key = dashboard_cache_key(
                area, policy, wave=None, period=period, language=language, version=version
            )
            if cache.has_key(key):
                continue
            board = dashboard_build(area, policy, wave=None, period=period, version=version)
            _store(cache, key, dashboard_body_render(board, wave=None))
            built += 1
    return built
