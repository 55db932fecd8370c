"""Monitoring pages: dashboards from locality to country, the wave evaluation, maps, exports and reports.

Every view opens its area through `area_get_for_user` (404 outside the user's scope) and takes its cells from
the viewer's `cell_policy`, so pages and files hide the same small counts.
"""

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mps.accounts.models import User
from mps.core.routers import reads_from_replica

from .areas import SLUG_LEVELS, Area, area_get_for_user, home_area, user_localities
from .conf import map_tiles_attribution, map_tiles_url
from .dashboard import Dashboard, dashboard_build, period_from_key
from .dhis2 import data_value_set
from .evaluation import wave_number
from .maps import area_circles, household_points, map_indicators
from .pages import dashboard_page
from .privacy import CellPolicy, cell_policy
from .report import report_pdf
from .selectors import area_waves
from .tables import Table, table_csv, table_html, tables_xlsx
from .wave_table import wave_table_build

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _area(request: HttpRequest, level: str, code: str) -> tuple[Area, CellPolicy]:
    if level not in SLUG_LEVELS:
        raise Http404
    user = _user(request)
    area = area_get_for_user(user, SLUG_LEVELS[level], code)
    return area, cell_policy(user, area)


def _wave(request: HttpRequest) -> int | None:
    try:
        return wave_number(request.GET.get("wave", ""))
    except ValueError:
        return None


@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """Open the widest area the user may see, or let them choose among their localities."""
    user = _user(request)
    area = home_area(user)
    if area is not None:
        return redirect(area.url())
    return render(request, "monitoring/choose.html", {"areas": user_localities(user)})


@require_GET
@reads_from_replica
def area(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """Show the dashboard of an area for the chosen wave and period."""
    area, policy = _area(request, level, code)
    wave, period = _wave(request), period_from_key(request.GET.get("period", ""))
    page = dashboard_page(area, policy, wave=wave, period=period)

    def board() -> Dashboard:
        # The figures behind a body that came from the cache, built again only if something reads them (tests).
        return page.board or dashboard_build(area, policy, wave=wave, period=period)

    context = {"area": area, "policy": policy, "page": page, "board": SimpleLazyObject(board)}
    return render(request, "monitoring/area.html", context)


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_download(request: HttpRequest, table: Table, legend: str, name: str) -> HttpResponse:
    """Answer the table as CSV: for the user's spreadsheet by default, RFC 4180 with ``csv=standard``."""
    standard = request.GET.get("csv") == "standard"
    return _download(table_csv(table, legend, standard=standard), "text/csv; charset=utf-8", f"{name}.csv")


@require_GET
@reads_from_replica
def area_export(request: HttpRequest, level: str, code: str, table: str, fmt: str) -> HttpResponse:
    """Download one table of the dashboard (or every table, ``all``) as CSV or XLSX."""
    area, policy = _area(request, level, code)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    board = dashboard_build(
        area, policy, wave=_wave(request), period=period_from_key(request.GET.get("period", ""))
    )
    tables = board.table_list() if table == "all" else [board.tables[table]] if table in board.tables else []
    if not tables or (fmt == "csv" and len(tables) > 1):
        raise Http404
    name = f"mps-{area.slug}-{area.code}-{board.wave or 'fara-val'}-{table}"
    legend = "" if policy.exact else policy.legend
    if fmt == "csv":
        return _csv_download(request, tables[0], legend, name)
    heading = f"{area.name} · {board.wave} · {board.period.label}"
    return _download(tables_xlsx(tables, legend, heading), XLSX, f"{name}.xlsx")


@require_GET
@reads_from_replica
def dhis2(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """Download the prevalence of every code per locality of the area as a DHIS2 dataValueSets document."""
    area, policy = _area(request, level, code)
    waves = area_waves(area)
    chosen = _wave(request)
    wave = chosen if chosen in waves else (waves[-1] if waves else None)
    if wave is None:
        raise Http404
    document = data_value_set(area, wave, policy)
    return _download(
        json.dumps(document, ensure_ascii=False, indent=1),
        "application/json",
        f"mps-dhis2-{area.slug}-{area.code}-T{wave}.json",
    )


@require_GET
@reads_from_replica
def waves(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """Show (or download with ``format``) the wave-to-wave evaluation of the area."""
    area, policy = _area(request, level, code)
    available = area_waves(area)
    try:
        first = wave_number(request.GET.get("from", ""))
    except ValueError:
        first = available[0] if available else 0
    try:
        second = wave_number(request.GET.get("to", ""))
    except ValueError:
        second = available[-1] if available else 0
    result = wave_table_build(area, policy, first, second) if first != second else None
    fmt = request.GET.get("format", "")
    if result is not None and fmt in ("csv", "xlsx"):
        name = f"mps-evaluare-{area.slug}-{area.code}-T{first}-T{second}"
        legend = "" if policy.exact else policy.legend
        if fmt == "csv":
            return _csv_download(request, result.table, legend, name)
        return _download(tables_xlsx([result.table], legend, result.headline), XLSX, f"{name}.xlsx")
    context = {
        "area": area,
        "policy": policy,
        "result": result,
        "table": table_html(result.table) if result is not None else "",
        "waves": available,
        "first": first,
        "second": second,
        "query": request.GET.urlencode(),
    }
    return render(request, "monitoring/waves.html", context)


@require_GET
@reads_from_replica
def area_map(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """Show the map of an area: its households for those who may see them, and its areas as shaded circles."""
    area, policy = _area(request, level, code)
    waves = area_waves(area)
    chosen = _wave(request)
    wave = chosen if chosen in waves else (waves[-1] if waves else None)
    indicator = request.GET.get("indicator", "high_risk")
    labels = {
        "high_risk": _("High-risk households (%)"),
        "children_vulnerable": _("Children with at least one vulnerability (%)"),
        "critical": _("Households with a critical finding (%)"),
    }
    context = {
        "area": area,
        "policy": policy,
        "wave": wave,
        "waves": waves,
        "indicator": indicator if indicator in map_indicators() else "high_risk",
        "indicators": [(key, labels[key]) for key in map_indicators()],
        "shows_points": policy.exact,
        "map_config": {
            "tiles": map_tiles_url(),
            "attribution": map_tiles_attribution(),
            "areas_url": area.url("map_areas") + f"?wave=T{wave}&indicator={indicator}"
            if wave is not None
            else "",
            "points_url": area.url("map_points") if policy.exact else "",
            "risk_labels": {
                "high": _("high risk"),
                "medium": _("medium risk"),
                "low": _("low risk"),
                "none": _("no risk found"),
            },
            "households_label": _("Households assessed"),
        },
    }
    return render(request, "monitoring/map.html", context)


@require_GET
def map_points(request: HttpRequest, level: str, code: str) -> JsonResponse:
    """Return the area's households as GeoJSON points coloured by risk; only for viewers who may read them."""
    area, policy = _area(request, level, code)
    if not policy.exact:
        raise Http404
    return JsonResponse(household_points(_user(request), area))


@require_GET
@reads_from_replica
def map_areas(request: HttpRequest, level: str, code: str) -> JsonResponse:
    """Return the areas one level down as GeoJSON circles with the chosen indicator (small cells hidden)."""
    area, policy = _area(request, level, code)
    waves = area_waves(area)
    chosen = _wave(request)
    wave = chosen if chosen in waves else (waves[-1] if waves else None)
    return JsonResponse(area_circles(area, policy, wave, request.GET.get("indicator", "high_risk")))


@require_GET
@reads_from_replica
def report(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """Download the printable progress report of a county or locality for a half-year or a year, as PDF."""
    area, policy = _area(request, level, code)
    period = period_from_key(request.GET.get("period", ""))
    pdf = report_pdf(request, area, policy, period=period, wave=_wave(request))
    return _download(
        pdf, "application/pdf", f"mps-raport-{area.slug}-{area.code}-{period.key or 'total'}.pdf"
    )
