"""Privacy of aggregates: who sees exact counts, and how small counts are hidden from everyone else.

Policy. A viewer sees the exact figures of an area only if they may read the cases of every locality in it
(`case_localities` of mps.access.policy covers the area): the team and the county supervisor of their own
places. Everyone else who may open the area (national monitors, administrators) sees aggregates in which every
count under the small-cell threshold (``MPS_MONITORING_SMALL_CELL``, default 5, zero included) is replaced by
"<5", and every share, median or test computed from such a count is hidden with it. Pages, CSV, XLSX, DHIS2
and PDF exports all take their cells from the same `CellPolicy`, so no export can show what the page hides.
"""

from dataclasses import dataclass

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from mps.access.policy import can_read_cases, case_localities
from mps.accounts.models import User

from .areas import Area
from .conf import small_cell_threshold
from .models import AreaLevel


@dataclass(frozen=True)
class Cell:
    """One figure as a viewer may see it: its value, or suppressed."""

    value: float | int | str | None
    suppressed: bool = False
    # How to write the value: "count", "percent" (0 to 100, one decimal), "decimal" (one decimal) or "p" (p-value).
    kind: str = "count"

    @property
    def text(self) -> str:
        """The figure as pages and files show it (suppressed cells read "<5")."""
        if self.suppressed:
            return f"<{small_cell_threshold()}"
        if self.value is None:
            return "\u2013"  # an en dash: no figure
        if isinstance(self.value, str):
            return self.value
        # Decimals in the active language's way ("43,8" in Romanian); counts stay bare digits, which every
        # spreadsheet reads as a number whatever its language.
        if self.kind in ("percent", "decimal"):
            return number_format(self.value, decimal_pos=1)
        if self.kind == "p":
            if self.value >= 0.0001:
                return number_format(self.value, decimal_pos=4)
            return f"{self.value:.1e}".replace(".", get_format("DECIMAL_SEPARATOR"))
        return str(self.value)

    @property
    def plain(self) -> float | int | str | None:
        """The figure for a spreadsheet or JSON: a number, None, or the suppression mark."""
        return self.text if self.suppressed else self.value


def histogram_median(histogram: dict[int, int]) -> float | None:
    """Return the median of the values a histogram {value: how many} counts, without expanding it."""
    total = sum(histogram.values())
    if not total:
        return None
    # The median is the mean of the values at positions (total - 1) // 2 and total // 2, counted from 0.
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for value, times in sorted(histogram.items()):
        seen += times
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return sum(found) / len(found)


@dataclass(frozen=True)
class CellPolicy:
    """Turns raw figures into cells, suppressing small ones unless the viewer sees exact figures."""

    exact: bool
    threshold: int

    def hides(self, value: int | None) -> bool:
        """Tell whether a count is too small to show this viewer."""
        return not self.exact and value is not None and value < self.threshold

    def count(self, value: int | None) -> Cell:
        """Return a count as this viewer may see it."""
        if self.hides(value):
            return Cell(None, suppressed=True)
        return Cell(value)

    def share(self, part: int | None, whole: int | None) -> Cell:
        """Return ``part`` as a percentage of ``whole``, hidden when either count is."""
        if self.hides(part) or self.hides(whole):
            return Cell(None, suppressed=True, kind="percent")
        if not whole or part is None:
            return Cell(None, kind="percent")
        return Cell(round(100 * part / whole, 1), kind="percent")

    def derived(self, value: float | int | None, *counts: int | None, kind: str = "decimal") -> Cell:
        """Return a figure computed from counts (a median, a p-value), hidden when any of them is."""
        if any(self.hides(count) for count in counts):
            return Cell(None, suppressed=True, kind=kind)
        return Cell(value, kind=kind)

    def median_of(self, histogram: dict[int, int]) -> Cell:
        """Return the median of a histogram {value: how many}, hidden when it counts too few."""
        total = sum(histogram.values())
        if self.hides(total):
            return Cell(None, suppressed=True, kind="decimal")
        if not total:
            return Cell(None, kind="decimal")
        return Cell(histogram_median(histogram), kind="decimal")

    @property
    def legend(self) -> str:
        """The note every page and export carries when cells may be suppressed."""
        return _("“<%(n)d” marks a count under %(n)d, hidden to protect the people it describes.") % {
            "n": self.threshold
        }


def cell_policy(user: User | None, area: Area) -> CellPolicy:
    """Return how the user sees the area's figures: exact if they may read the cases of all of it."""
    threshold = small_cell_threshold()
    if user is None:
        # Management commands run by the operator of the platform.
        return CellPolicy(exact=True, threshold=threshold)
    if not can_read_cases(user) and area.level == AreaLevel.LOCALITY:
        # Aggregate-only users (national monitors, administrators) read the cases of no locality, and a locality
        # area holds one: the query below would say so on every page such a user opens.
        return CellPolicy(exact=False, threshold=threshold)
    outside = area.localities().exclude(siruta__in=case_localities(user).values("siruta"))
    return CellPolicy(exact=not outside.exists(), threshold=threshold)
