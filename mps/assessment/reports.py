"""What the assessment pages show: one assessment's findings by household and member, and a household's waves.

Read-only views built from the scoped selectors in `selectors.py`: the findings' names and explanations come
from the catalogue version that made them, in the active language; a wave is represented by its latest
assessment, and what changed between two consecutive waves (resolved, persisting, new) is the selectors'
`wave_comparison_for_household`, so the pages and any export agree.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from mps.accounts.models import User
from mps.assessment import selectors
from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import Catalogue, load_catalogue
from mps.assessment.rules.catalogue import CatalogueError
from mps.assessment.selectors import ChangeStatus
from mps.core.collation import romanian_key
from mps.registry.models import Household


@dataclass(frozen=True)
class FindingLine:
    """One finding as a worker reads it."""

    code: str
    name: str
    explanation: str
    weight: int
    critical: bool


@dataclass(frozen=True)
class MemberFindings:
    """One member of an assessment and what was found for them."""

    name: str
    relation: str
    age: int
    findings: list[FindingLine]


@dataclass(frozen=True)
class AssessmentReport:
    """An assessment with its findings grouped by household and member, critical ones listed apart."""

    assessment: Assessment
    household: list[FindingLine]
    members: list[MemberFindings]
    critical: list[tuple[str, FindingLine]]  # (whose, finding)

    @property
    def count(self) -> int:
        return len(self.household) + sum(len(member.findings) for member in self.members)


def assessment_report(assessment: Assessment) -> AssessmentReport:
    """Return an assessment's findings grouped for its result page (the assessment comes from a scoped selector)."""
    catalogue = _catalogue(assessment.catalogue)
    by_person: dict[uuid.UUID | None, list[FindingLine]] = {}
    for finding in assessment.findings.all():
        by_person.setdefault(finding.person_id, []).append(_line(catalogue, finding.code, finding))
    answers = MemberAnswers.objects.filter(assessment=assessment).select_related("person").order_by("-age")
    members = [
        MemberFindings(
            name=member.person.full_name,
            relation=member.get_relation_display(),
            age=member.age,
            findings=by_person.get(member.person_id, []),
        )
        for member in answers
    ]
    household = by_person.get(None, [])
    critical = [(str(assessment.household.address), line) for line in household if line.critical]
    critical += [(member.name, line) for member in members for line in member.findings if line.critical]
    return AssessmentReport(assessment=assessment, household=household, members=members, critical=critical)


@dataclass(frozen=True)
class WaveCell:
    """One cell of the waves table: a wave (found or not) or the change between two waves."""

    kind: str  # "wave" or "change"
    found: bool = False
    status: str = ""
    status_label: str = ""


@dataclass(frozen=True)
class WaveRow:
    """One vulnerability of the household or of one person, across the waves."""

    code: str
    name: str
    critical: bool
    person: str  # "" for the household's own vulnerabilities
    cells: list[WaveCell]


@dataclass(frozen=True)
class WavesTable:
    """The household's waves side by side: the latest assessment of each wave and every code found in any."""

    waves: list[Assessment]
    rows: list[WaveRow]
    next_wave: str

    @property
    def columns(self) -> list[tuple[str, Assessment | None, Assessment | None]]:
        """The header: ("wave", assessment, None) and ("change", earlier, later), interleaved."""
        columns: list[tuple[str, Assessment | None, Assessment | None]] = []
        for index, wave in enumerate(self.waves):
            if index:
                columns.append(("change", self.waves[index - 1], wave))
            columns.append(("wave", wave, None))
        return columns


STATUS_LABELS: dict[str, Promise] = {
    ChangeStatus.RESOLVED: gettext_lazy("resolved"),
    ChangeStatus.PERSISTING: gettext_lazy("persisting"),
    ChangeStatus.NEW: gettext_lazy("new"),
    ChangeStatus.NOT_REASSESSED: gettext_lazy("not reassessed"),
}


def waves_table(user: User, household: Household) -> WavesTable:
    """Return the household's waves side by side (the household comes from a scoped selector)."""
    assessments = selectors.assessment_list_for_household(user, household).prefetch_related(
        Prefetch("findings", queryset=Finding.objects.select_related("person"))
    )
    latest_of_wave: dict[int, Assessment] = {}
    for assessment in assessments:  # the latest visit first
        latest_of_wave.setdefault(assessment.wave_number, assessment)
    waves = [latest_of_wave[number] for number in sorted(latest_of_wave)]
    next_wave = f"T{max(latest_of_wave, default=-1) + 1}"

    found: list[set[tuple[uuid.UUID | None, str]]] = []
    names: dict[uuid.UUID | None, str] = {None: ""}
    for wave in waves:
        found.append({(finding.person_id, finding.code) for finding in wave.findings.all()})
        for finding in wave.findings.all():
            if finding.person is not None:
                names[finding.person_id] = finding.person.full_name
    changes: list[dict[tuple[uuid.UUID | None, str], str]] = [
        {
            (change.person.id if change.person else None, change.code): str(change.status)
            for change in comparison.changes
        }
        for comparison in selectors.wave_comparison_for_household(user, household)
    ]

    catalogue = _catalogue(waves[-1].catalogue) if waves else None
    keys = sorted(
        set().union(*found) if found else set(),
        key=lambda key: (key[0] is not None, romanian_key(names.get(key[0], "")), str(key[0] or ""), key[1]),
    )
    rows = []
    for person_id, code in keys:
        cells = []
        for index in range(len(waves)):
            if index:
                status = changes[index - 1].get((person_id, code), "") if index - 1 < len(changes) else ""
                cells.append(
                    WaveCell("change", status=status, status_label=str(STATUS_LABELS.get(status, "")))
                )
            cells.append(WaveCell("wave", found=(person_id, code) in found[index]))
        line = _line(catalogue, code) if catalogue else None
        rows.append(
            WaveRow(
                code=code,
                name=line.name if line else code,
                critical=line.critical if line else False,
                person=names.get(person_id, ""),
                cells=cells,
            )
        )
    return WavesTable(waves=waves, rows=rows, next_wave=next_wave)


def _catalogue(code: str) -> Catalogue | None:
    try:
        return load_catalogue(code)
    except CatalogueError:
        return None


def _line(catalogue: Catalogue | None, code: str, finding: Finding | None = None) -> FindingLine:
    """A finding's name and explanation in the active language; the code alone if the catalogue lacks it."""
    try:
        vulnerability = catalogue.vulnerability(code) if catalogue else None
    except KeyError:
        vulnerability = None
    if vulnerability is None:
        return FindingLine(
            code=code,
            name=code,
            explanation="",
            weight=finding.weight if finding else 0,
            critical=finding.critical if finding else False,
        )
    return FindingLine(
        code=code,
        name=vulnerability.name(),
        explanation=vulnerability.explanation(),
        weight=finding.weight if finding else vulnerability.weight,
        critical=finding.critical if finding else vulnerability.critical,
    )
