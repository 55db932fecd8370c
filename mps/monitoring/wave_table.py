"""The wave evaluation as a table of cells for one area and one viewer, with its headline."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .areas import Area
from .evaluation import WaveEvaluation, wave_evaluation
from .models import AreaLevel
from .privacy import Cell, CellPolicy
from .tables import Row, Table


@dataclass(frozen=True)
class WaveTable:
    """The evaluation, its table as the viewer may see it, and the sentence that sums it up."""

    evaluation: WaveEvaluation
    table: Table
    headline: str
    households: Cell
    persons: Cell
    children: Cell


def wave_table_build(area: Area, policy: CellPolicy, first: int, second: int) -> WaveTable:
    """Compute the wave evaluation of the area and present it with the viewer's small-cell policy."""
    localities = (
        None if area.level == AreaLevel.COUNTRY else list(area.localities().values_list("siruta", flat=True))
    )
    evaluation = wave_evaluation(f"T{first}", f"T{second}", localities)
    table = Table(
        "evaluation",
        _("Vulnerabilities between %(first)s and %(second)s")
        % {"first": evaluation.wave_from, "second": evaluation.wave_to},
        _("Vulnerability"),
        [
            _("Code"),
            _("Counted over"),
            _("Paired units"),
            evaluation.wave_from,
            evaluation.wave_to,
            _("Change"),
            _("p (exact McNemar)"),
        ],
    )
    for code in evaluation.codes:
        hidden = policy.hides(code.from_count) or policy.hides(code.to_count)
        table.rows.append(
            Row(
                code.name,
                [
                    Cell(code.code, kind="text"),
                    Cell(str(_("people") if code.level == "person" else _("households")), kind="text"),
                    policy.count(code.units),
                    policy.count(code.from_count),
                    policy.count(code.to_count),
                    Cell(None, suppressed=True) if hidden else Cell(code.change),
                    Cell(None, suppressed=True, kind="p") if hidden else Cell(code.p_value, kind="p"),
                ],
            )
        )
    headline = ngettext(
        "%(reduced)d of %(evaluated)d vulnerability reduced",
        "%(reduced)d of %(evaluated)d vulnerabilities reduced",
        evaluation.evaluated,
    ) % {"reduced": evaluation.reduced, "evaluated": evaluation.evaluated}
    return WaveTable(
        evaluation=evaluation,
        table=table,
        headline=headline,
        households=policy.count(evaluation.households),
        persons=policy.count(evaluation.persons),
        children=policy.count(evaluation.children_three_or_more),
    )
