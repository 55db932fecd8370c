"""The de-identified person-level export for national and county analysis: one row per person per assessment.

Policy. No row carries a name, a CNP, a record id, an address or a date of birth: the person is known by the
keyed pseudonym of their CNP (`mps.core.pseudonym`; of their record id when they have no CNP), and described
by sex, age in years at the visit, county, locality (SIRUTA), wave, the household's risk level and the codes
of the findings about them. People whose processing is restricted, and anonymised people, are left out
(GDPR art. 18: no further processing). The monitoring exports stay aggregates; this is the one that is not.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterator

from mps.assessment.models import Finding, MemberAnswers
from mps.core.pseudonym import cnp_pseudonym

COLUMNS = ["person_key", "sex", "age", "county", "locality_siruta", "wave", "risk_level", "codes"]
CHUNK = 2_000


def person_key(cnp: str | None, person_id: object) -> str:
    """Return the pseudonym a person is known by in the export: of their CNP, else of their record id."""
    return cnp_pseudonym(cnp) if cnp else cnp_pseudonym(f"ref:{person_id}")


def pseudonymised_rows() -> Iterator[dict[str, object]]:
    """Yield the export's rows, by assessment, reading the answers in chunks."""
    answers = (
        MemberAnswers.objects.filter(person__restricted=False, person__erased_on__isnull=True)
        .order_by("assessment_id", "person_id")
        .values_list(
            "assessment_id",
            "person_id",
            "person__cnp",
            "sex",
            "age",
            "assessment__locality__county_id",
            "assessment__locality_id",
            "assessment__wave",
            "assessment__risk_level",
        )
    )
    chunk: list[tuple[object, ...]] = []
    for row in answers.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from _rows(chunk)
            chunk = []
    if chunk:
        yield from _rows(chunk)


def _rows(chunk: list[tuple[object, ...]]) -> Iterator[dict[str, object]]:
    codes: dict[tuple[object, object], list[str]] = defaultdict(list)
    for finding_assessment, finding_person, code in (
        Finding.objects.filter(assessment_id__in={row[0] for row in chunk}, person__isnull=False)
        .order_by("code")
        .values_list("assessment_id", "person_id", "code")
    ):
        codes[(finding_assessment, finding_person)].append(code)
    for assessment_id, person_id, cnp, sex, age, county, siruta, wave, risk in chunk:
        yield {
            "person_key": person_key(cnp, person_id),  # type: ignore[arg-type]
            "sex": sex,
            "age": age,
            "county": county,
            "locality_siruta": siruta,
            "wave": wave,
            "risk_level": risk,
            "codes": ";".join(codes.get((assessment_id, person_id), [])),
        }


def pseudonymised_csv_lines() -> Iterator[str]:
    """Yield the export as CSV text, header first, a line at a time (for a streamed download or a file)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in pseudonymised_rows():
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
