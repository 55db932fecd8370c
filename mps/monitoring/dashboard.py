"""The figures of one area's dashboard, as tables of cells and chart data, for pages and exports alike.

Every figure is read from the aggregate tables (`selectors`), turned into cells by the viewer's `CellPolicy`
(`privacy`), and assembled here once, so that a page, its CSV and XLSX files and the PDF report show the same
numbers with the same cells hidden.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from mps.accounts.models import Role
from mps.assessment.models import RiskLevel
from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue
from mps.census.models import EntrySource, EntryStatus

from . import indicators as ind
from . import selectors
from .areas import Area
from .privacy import Cell, CellPolicy, histogram_median
from .tables import Row, Table

RISK_LABELS = {level.value: level.label for level in RiskLevel}


@dataclass(frozen=True)
class Period:
    """The months a dashboard's activity figures cover (both ends included; None: open)."""

    key: str
    label: str
    start: dt.date | None
    end: dt.date | None


def period_choices(months: list[dt.date]) -> list[Period]:
    """Return the periods a viewer can pick: everything, each year and each half-year with activity."""
    choices = [Period("", pgettext("period", "all"), None, None)]
    for year in sorted({month.year for month in months}, reverse=True):
        choices.append(Period(str(year), str(year), dt.date(year, 1, 1), dt.date(year, 12, 1)))
        halves = {1 if month.month <= 6 else 2 for month in months if month.year == year}
        for half in sorted(halves):
            start = dt.date(year, 1 if half == 1 else 7, 1)
            end = dt.date(year, 6 if half == 1 else 12, 1)
            label = _("%(year)d, first half") if half == 1 else _("%(year)d, second half")
            choices.append(Period(f"{year}-H{half}", label % {"year": year}, start, end))
    return choices


def period_from_key(key: str) -> Period:
    """Return the period a key names (``2024``, ``2024-H1``, ``2024-H2``); everything for anything else."""
    try:
        if len(key) == 4 and key.isdigit():
            year = int(key)
            return Period(key, key, dt.date(year, 1, 1), dt.date(year, 12, 1))
        if len(key) == 7 and key[:4].isdigit() and key[4:] in ("-H1", "-H2"):
            year, first = int(key[:4]), key.endswith("H1")
            label = _("%(year)d, first half") if first else _("%(year)d, second half")
            return Period(
                key,
                label % {"year": year},
                dt.date(year, 1 if first else 7, 1),
                dt.date(year, 6 if first else 12, 1),
            )
    except ValueError:
        pass
    return Period("", pgettext("period", "all"), None, None)


@dataclass
class Dashboard:
    """Everything one dashboard shows."""

    area: Area
    policy: CellPolicy
    waves: list[int]
    wave_number: int | None
    period: Period
    as_of: dt.datetime | None
    # The months with activity (services, referrals), for the choice of period.
    months: list[dt.date] = field(default_factory=list)
    headline: dict[str, Cell] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)

    @property
    def wave(self) -> str:
        return f"T{self.wave_number}" if self.wave_number is not None else ""

    def table_list(self) -> list[Table]:
        return list(self.tables.values())


# The sheet of each table in the XLSX workbook: short, in the reader's language.
SHEET_NAMES = {
    "areas": gettext_lazy("Areas"),
    "coverage": gettext_lazy("Census coverage"),
    "risk": gettext_lazy("Risk levels"),
    "prevalence": gettext_lazy("Prevalence"),
    "dimensions": gettext_lazy("Dimensions"),
    "equity": gettext_lazy("Equity"),
    "trend": gettext_lazy("Trend"),
    "services": gettext_lazy("Services"),
    "referrals": gettext_lazy("Referrals"),
    "caseload": gettext_lazy("Caseload"),
}


def dashboard_build(
    area: Area,
    policy: CellPolicy,
    *,
    wave: int | None,
    period: Period,
    version: selectors.FiguresVersion | None = None,
) -> Dashboard:
    """Read and assemble the dashboard of an area for one wave and one period.

    ``version``: the figures' version when the caller has read it already (saves reading the "as of" again).
    """
    as_of = version.as_of if version is not None else selectors.figures_as_of()
    # Every figure of the area in one query; waves, the chosen wave, its splits, the trend, the activity of the
    # period and the caseloads come from it.
    read = selectors.area_dashboard_figures(area, period.start, period.end, named=policy.exact)
    all_figures = read.figures
    waves = all_figures.waves
    wave_number = wave if wave in waves else (waves[-1] if waves else None)
    board = Dashboard(
        area=area,
        policy=policy,
        waves=waves,
        wave_number=wave_number,
        period=period,
        as_of=as_of,
    )
    figures = all_figures.in_wave(wave_number) if wave_number is not None else {}
    c = policy.count
    board.headline = {
        "households": c(figures.get(ind.HOUSEHOLDS, 0)),
        "persons": c(figures.get(ind.PERSONS, 0)),
        "children": c(figures.get(ind.CHILDREN, 0)),
        "high_risk": policy.share(figures.get(ind.households_at("high"), 0), figures.get(ind.HOUSEHOLDS, 0)),
        "children_vulnerable": policy.share(
            figures.get(ind.CHILDREN_VULNERABLE, 0), figures.get(ind.CHILDREN, 0)
        ),
    }
    if wave_number is not None:
        board.tables["areas"] = _areas_table(area, policy, wave_number)
    board.tables["coverage"] = _coverage_table(figures, policy)
    board.tables["risk"] = _risk_table(figures, policy)
    board.tables["prevalence"] = _prevalence_table(figures, policy)
    board.tables["dimensions"] = _dimensions_table(figures, policy)
    splits = all_figures.by_split(wave_number, EQUITY_INDICATORS) if wave_number is not None else {}
    board.tables["equity"] = _equity_table(splits, figures, policy)
    trend = all_figures.trend(
        [
            ind.HOUSEHOLDS,
            ind.CHILDREN,
            ind.CHILDREN_VULNERABLE,
            *(ind.households_at(r) for r in ind.RISK_LEVELS),
        ],
    )
    board.tables["trend"] = _trend_table(trend, policy)
    board.months = read.activity.months
    activity = read.activity.totals
    board.tables["services"] = _services_table(activity, policy)
    board.tables["referrals"] = _referrals_table(activity, policy)
    board.tables["caseload"] = _caseload_table(read.caseloads, policy)
    if "areas" in board.tables and not board.tables["areas"].rows:
        del board.tables["areas"]
    for key, table in board.tables.items():
        table.sheet = str(SHEET_NAMES.get(key, ""))
    board.charts = _charts(board, figures, trend)
    return board


def _areas_table(area: Area, policy: CellPolicy, wave_number: int) -> Table:
    """Return the areas one level down with their main figures, each linking to its own dashboard."""
    wanted = [
        ind.HOUSEHOLDS,
        ind.households_at("high"),
        ind.CHILDREN,
        ind.CHILDREN_VULNERABLE,
        ind.census(EntrySource.REGISTER),
        ind.census(EntrySource.FIELD),
        ind.census(f"status.{EntryStatus.ASSESSED}"),
    ]
    children = selectors.children_with_figures(area, wave_number, wanted)
    table = Table(
        "areas",
        _("Areas within"),
        _("Area"),
        [
            _("Households assessed"),
            _("High-risk households (%)"),
            _("Children"),
            _("Children with at least one vulnerability (%)"),
            _("Census coverage (%)"),
        ],
    )
    for child, values in children:
        listed = values.get(ind.census(EntrySource.REGISTER), 0) + values.get(
            ind.census(EntrySource.FIELD), 0
        )
        table.rows.append(
            Row(
                child.name,
                [
                    policy.count(values.get(ind.HOUSEHOLDS, 0)),
                    policy.share(values.get(ind.households_at("high"), 0), values.get(ind.HOUSEHOLDS, 0)),
                    policy.count(values.get(ind.CHILDREN, 0)),
                    policy.share(values.get(ind.CHILDREN_VULNERABLE, 0), values.get(ind.CHILDREN, 0)),
                    policy.share(values.get(ind.census(f"status.{EntryStatus.ASSESSED}"), 0), listed),
                ],
                url=child.url(),
            )
        )
    return table


def _coverage_table(figures: dict[str, int], policy: CellPolicy) -> Table:
    """Return the social census of the wave: households listed, found, visited and by outcome."""
    register = figures.get(ind.census(EntrySource.REGISTER), 0)
    field_found = figures.get(ind.census(EntrySource.FIELD), 0)
    total = register + field_found
    table = Table(
        "coverage", _("Census coverage"), _("Households"), [_("Number"), _("Share of the list (%)")]
    )
    rows = [
        (_("Listed from registers"), register),
        (_("Found in the field (not in any register)"), field_found),
        (_("On the list in all"), total),
        (_("Visited at least once"), figures.get(ind.census("visited"), 0)),
    ]
    rows += [
        (str(status.label), figures.get(ind.census(f"status.{status.value}"), 0)) for status in EntryStatus
    ]
    for label, value in rows:
        table.rows.append(Row(label, [policy.count(value), policy.share(value, total)]))
    return table


def _risk_table(figures: dict[str, int], policy: CellPolicy) -> Table:
    """Return households and children by the household's risk level."""
    households, children = figures.get(ind.HOUSEHOLDS, 0), figures.get(ind.CHILDREN, 0)
    table = Table(
        "risk",
        _("Households and children by risk level"),
        _("Risk level"),
        [_("Households"), _("Share of households (%)"), _("Children"), _("Share of children (%)")],
    )
    for risk in ind.RISK_LEVELS:
        h, k = figures.get(ind.households_at(risk), 0), figures.get(ind.children_at(risk), 0)
        table.rows.append(
            Row(
                str(RISK_LABELS[risk]),
                [policy.count(h), policy.share(h, households), policy.count(k), policy.share(k, children)],
            )
        )
    critical = figures.get(ind.HOUSEHOLDS_CRITICAL, 0)
    table.rows.append(
        Row(
            _("with a critical finding"),
            [policy.count(critical), policy.share(critical, households), Cell(None), Cell(None)],
        )
    )
    return table


@lru_cache(maxsize=8)
def _vulnerability_rows(language: str) -> list[tuple[str, Cell, Cell, bool]]:
    """Return the label cells of the prevalence table in a language: name, code, dimension and level."""
    catalogue = load_catalogue(CURRENT_CATALOGUE)
    dimensions = {d.code: d.name(language) for d in catalogue.dimensions}
    return [
        (
            v.name(language),
            Cell(v.code, kind="text"),
            Cell(dimensions[v.dimension], kind="text"),
            v.level == "person",
        )
        for v in sorted(catalogue.vulnerabilities, key=lambda v: v.code)
    ]


NO_FIGURE = Cell(None)


def _prevalence_table(figures: dict[str, int], policy: CellPolicy) -> Table:
    """Return every vulnerability of the catalogue with its count and share, and among children and groups."""
    households, persons = figures.get(ind.HOUSEHOLDS, 0), figures.get(ind.PERSONS, 0)
    table = Table(
        "prevalence",
        _("Prevalence of each vulnerability"),
        _("Vulnerability"),
        [
            _("Code"),
            _("Dimension"),
            _("Counted over"),
            _("Number"),
            _("Share (%)"),
            _("Children"),
            _("Self-declared Roma"),
            _("People with disabilities"),
        ],
    )
    over_people, over_households = Cell(_("people"), kind="text"), Cell(_("households"), kind="text")
    for name, code_cell, dimension_cell, person in _vulnerability_rows(get_language() or "ro"):
        code = str(code_cell.value)
        count = figures.get(ind.code_units(code), 0)
        table.rows.append(
            Row(
                name,
                [
                    code_cell,
                    dimension_cell,
                    over_people if person else over_households,
                    policy.count(count),
                    policy.share(count, persons if person else households),
                    policy.count(figures.get(ind.code_units(code, "children"), 0)) if person else NO_FIGURE,
                    policy.count(figures.get(ind.code_units(code, "roma"), 0)) if person else NO_FIGURE,
                    policy.count(figures.get(ind.code_units(code, "disability"), 0)) if person else NO_FIGURE,
                ],
            )
        )
    return table


def _dimensions_table(figures: dict[str, int], policy: CellPolicy) -> Table:
    """Return, per dimension, the households, people and children with at least one of its vulnerabilities."""
    catalogue = load_catalogue(CURRENT_CATALOGUE)
    households, persons, children = (
        figures.get(ind.HOUSEHOLDS, 0),
        figures.get(ind.PERSONS, 0),
        figures.get(ind.CHILDREN, 0),
    )
    table = Table(
        "dimensions",
        _("Vulnerabilities by dimension"),
        _("Dimension"),
        [
            _("Households"),
            _("Share of households (%)"),
            _("People"),
            _("Share of people (%)"),
            _("Children"),
            _("Share of children (%)"),
        ],
    )
    for dimension in catalogue.dimensions:
        h = figures.get(ind.dimension_units(dimension.code, "households"), 0)
        p = figures.get(ind.dimension_units(dimension.code, "persons"), 0)
        k = figures.get(ind.dimension_units(dimension.code, "children"), 0)
        table.rows.append(
            Row(
                dimension.name(),
                [
                    policy.count(h),
                    policy.share(h, households),
                    policy.count(p),
                    policy.share(p, persons),
                    policy.count(k),
                    policy.share(k, children),
                ],
            )
        )
    return table


EQUITY_INDICATORS = [ind.CHILDREN, ind.children_at("high"), ind.CHILDREN_VULNERABLE]


def _equity_table(
    splits: dict[selectors.Split, dict[str, int]], figures: dict[str, int], policy: CellPolicy
) -> Table:
    """Return the children's risk and vulnerability in rural and urban places, marginalised areas and groups."""

    def summed(choose: Any) -> tuple[int, int, int]:
        parts = [
            values for (urban, marginalisation), values in splits.items() if choose(urban, marginalisation)
        ]
        return tuple(sum(part.get(name, 0) for part in parts) for name in EQUITY_INDICATORS)  # type: ignore[return-value]

    table = Table(
        "equity",
        _("Equity: children by place and group"),
        _("Children"),
        [
            _("Children"),
            _("In high-risk households"),
            _("In high-risk households (%)"),
            _("With at least one vulnerability"),
            _("With at least one vulnerability (%)"),
        ],
    )
    groups: list[tuple[str, tuple[int, int, int]]] = [
        (_("All children"), summed(lambda u, m: True)),
        (_("Rural (communes)"), summed(lambda u, m: not u)),
        (_("Urban (towns and cities)"), summed(lambda u, m: u)),
        (_("Marginalised areas"), summed(lambda u, m: m in ("low", "medium", "high"))),
        (_("Highly marginalised areas"), summed(lambda u, m: m == "high")),
        (
            _("Self-declared Roma"),
            (
                figures.get("children.roma", 0),
                figures.get("children.roma.high", 0),
                figures.get("children.roma.vulnerable", 0),
            ),
        ),
        (
            _("Children with disabilities"),
            (
                figures.get("children.disability", 0),
                figures.get("children.disability.high", 0),
                figures.get("children.disability.vulnerable", 0),
            ),
        ),
    ]
    for label, (children, high, vulnerable) in groups:
        table.rows.append(
            Row(
                label,
                [
                    policy.count(children),
                    policy.count(high),
                    policy.share(high, children),
                    policy.count(vulnerable),
                    policy.share(vulnerable, children),
                ],
            )
        )
    return table


def _trend_table(trend: dict[int, dict[str, int]], policy: CellPolicy) -> Table:
    """Return the main figures of every wave, in order."""
    table = Table(
        "trend",
        _("Trend across waves"),
        _("Wave"),
        [
            _("Households assessed"),
            _("High-risk households (%)"),
            _("Medium-risk households (%)"),
            _("Children"),
            _("Children with at least one vulnerability (%)"),
        ],
    )
    for wave_number, values in trend.items():
        households, children = values.get(ind.HOUSEHOLDS, 0), values.get(ind.CHILDREN, 0)
        table.rows.append(
            Row(
                f"T{wave_number}",
                [
                    policy.count(households),
                    policy.share(values.get(ind.households_at("high"), 0), households),
                    policy.share(values.get(ind.households_at("medium"), 0), households),
                    policy.count(children),
                    policy.share(values.get(ind.CHILDREN_VULNERABLE, 0), children),
                ],
            )
        )
    return table


def _service_labels() -> tuple[dict[str, str], dict[str, str]]:
    from mps.cases.models import ServiceKind

    return {k.value: str(k.label) for k in ServiceKind}, {r.value: str(r.label) for r in Role}


def _services_table(activity: dict[tuple[str, int], int], policy: CellPolicy) -> Table:
    """Return the services delivered in the period by kind and by the role of who delivered them."""
    kinds, roles = _service_labels()
    table = Table(
        "services",
        _("Services delivered"),
        _("Services"),
        [_("Number"), _("Share (%)")],
    )
    total = activity.get((ind.SERVICES, 0), 0)
    table.rows.append(Row(_("All services"), [policy.count(total), policy.share(total, total)]))
    for kind, label in kinds.items():
        n = activity.get((ind.services_of_kind(kind), 0), 0)
        table.rows.append(
            Row(_("Kind: %(kind)s") % {"kind": label}, [policy.count(n), policy.share(n, total)])
        )
    for role, label in roles.items():
        n = activity.get((ind.services_by_role(role), 0), 0)
        if n:
            table.rows.append(
                Row(_("Delivered by: %(role)s") % {"role": label}, [policy.count(n), policy.share(n, total)])
            )
    minutes = activity.get((ind.SERVICES_MINUTES, 0), 0)
    table.rows.append(Row(_("Hours of work"), [policy.derived(round(minutes / 60, 1), total), Cell(None)]))
    return table


def _referrals_table(activity: dict[tuple[str, int], int], policy: CellPolicy) -> Table:
    """Return the referrals made in the period by status and by institution, with the median days to completion."""
    from mps.cases.models import Institution, ReferralStatus

    table = Table(
        "referrals",
        _("Referrals to other institutions"),
        _("Referrals"),
        [_("Number"), _("Completed"), _("Median days to completion")],
    )
    all_days: dict[int, int] = {}
    for institution in Institution:
        made = activity.get((ind.referrals_to(institution.value), 0), 0)
        days = {
            bucket: value
            for (name, bucket), value in activity.items()
            if name == ind.referrals_completed(institution.value)
        }
        for bucket, value in days.items():
            all_days[bucket] = all_days.get(bucket, 0) + value
        if made or days:
            table.rows.append(
                Row(
                    _("To: %(institution)s") % {"institution": institution.label},
                    [policy.count(made), policy.count(sum(days.values())), policy.median_of(days)],
                )
            )
    for status in ReferralStatus:
        n = activity.get((ind.referrals_in_status(status.value), 0), 0)
        table.rows.append(
            Row(_("Status: %(status)s") % {"status": status.label}, [policy.count(n), Cell(None), Cell(None)])
        )
    completed = sum(all_days.values())
    table.rows.insert(
        0,
        Row(
            _("All referrals"),
            [
                policy.count(
                    sum(activity.get((ind.referrals_in_status(s.value), 0), 0) for s in ReferralStatus)
                ),
                policy.count(completed),
                policy.median_of(all_days),
            ],
        ),
    )
    return table


def _caseload_table(caseloads: list[selectors.Caseload], policy: CellPolicy) -> Table:
    """Return each case manager's open cases for viewers who see exact figures; the distribution for others."""
    if policy.exact:
        table = Table("caseload", _("Caseload per case manager"), _("Case manager"), [_("Open cases")])
        for caseload in sorted(caseloads, key=lambda c: (-c.open_cases, c.worker)):
            table.rows.append(Row(caseload.name, [Cell(caseload.open_cases)]))
        return table
    table = Table("caseload", _("Caseload per case manager"), _("Case managers"), [_("Value")])
    counts = [caseload.open_cases for caseload in caseloads]
    histogram: dict[int, int] = {}
    for total in counts:
        histogram[total] = histogram.get(total, 0) + 1
    table.rows += [
        Row(_("Case managers with open cases"), [Cell(len(counts))]),
        Row(_("Median open cases per case manager"), [Cell(histogram_median(histogram), kind="decimal")]),
        Row(_("Most open cases of one case manager"), [Cell(max(counts) if counts else None)]),
        Row(_("Case managers above 250 open cases"), [Cell(sum(1 for v in counts if v > 250))]),
    ]
    return table


def _chart_value(cell: Cell) -> float | int | None:
    return None if cell.suppressed or not isinstance(cell.value, int | float) else cell.value


def _charts(board: Dashboard, figures: dict[str, int], trend: dict[int, dict[str, int]]) -> dict[str, Any]:
    """Return the data of the page's charts (Chart.js); hidden cells are gaps, never numbers."""
    risk = board.tables["risk"]
    dimensions = board.tables["dimensions"]
    trend_table = board.tables["trend"]
    services = board.tables["services"]
    return {
        "pyramid": {
            "labels": [row.label for row in risk.rows[:4]],
            "households": [_chart_value(row.cells[0]) for row in risk.rows[:4]],
            "children": [_chart_value(row.cells[2]) for row in risk.rows[:4]],
            "households_label": _("Households"),
            "children_label": _("Children"),
        },
        "dimensions": {
            "labels": [row.label for row in dimensions.rows],
            "households": [_chart_value(row.cells[1]) for row in dimensions.rows],
            "children": [_chart_value(row.cells[5]) for row in dimensions.rows],
            "households_label": _("Share of households (%)"),
            "children_label": _("Share of children (%)"),
        },
        "trend": {
            "labels": [row.label for row in trend_table.rows],
            "high": [_chart_value(row.cells[1]) for row in trend_table.rows],
            "medium": [_chart_value(row.cells[2]) for row in trend_table.rows],
            "children": [_chart_value(row.cells[4]) for row in trend_table.rows],
            "high_label": _("High-risk households (%)"),
            "medium_label": _("Medium-risk households (%)"),
            "children_label": _("Children with at least one vulnerability (%)"),
        },
        "services": {
            "labels": [row.label for row in services.rows[1:8]],
            "values": [_chart_value(row.cells[0]) for row in services.rows[1:8]],
            "label": _("Services delivered"),
        },
    }
