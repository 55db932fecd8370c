"""What each finding and member's answers count for in the figures, recomputed from the rows already stored.

An assessment's rows are written with these columns filled (`preparation._findings`); this recomputes them, set
by set, for rows written before the columns existed (the migration that added them) and for rows generated
SQL-side (the national benchmark). The rule is the one `_findings` applies: a finding is of a child, a Roma or a
person with a disability as its member's answers say; exactly one finding of each dimension per assessment, and
one per member and dimension, is the first (here the one with the lowest id); a member is vulnerable when a
finding names them, and their answers carry the assessment's locality, wave and risk level.
"""

# ruff: noqa: S608 - the SQL below is composed from table names and code constants only; every value is a parameter.

from typing import Any

from mps.assessment.rules import load_catalogue
from mps.assessment.rules.facts import ADULT_AGE


def dimension_case(column: str, catalogue_code: str, *, otherwise: str) -> tuple[str, list[str]]:
    """Return SQL giving the dimension of the code in ``column`` by a catalogue, and its parameters.

    The codes and dimensions are data (the catalogue file), so they are parameters, never SQL text; ``otherwise``
    is the SQL literal for a code the catalogue does not have.
    """
    vulnerabilities = load_catalogue(catalogue_code).vulnerabilities
    whens = " ".join("WHEN %s THEN %s" for _ in vulnerabilities)
    mapping = [value for v in vulnerabilities for value in (v.code, v.dimension)]
    return f"CASE {column} {whens} ELSE {otherwise} END", mapping


def fill_counting_columns(connection: Any, *, assessment: str, finding: str, member_answers: str) -> None:
    """Recompute the counting columns of every row of the ``finding`` and ``member_answers`` tables.

    The table names are passed in (a migration has them from its historical models) and quoted here.
    """
    a, f, m = (connection.ops.quote_name(name) for name in (assessment, finding, member_answers))
    # Set-based, one UPDATE of each table (a national table rewritten once): joins and window functions, never a
    # subquery per row.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # Sorts and hashes of every finding: in memory rather than in batches on disk, for this one statement.
            cursor.execute("SET LOCAL work_mem = '512MB'")
        cursor.execute(
            f"""
            UPDATE {m} SET vulnerable = c.vulnerable, locality_id = c.locality_id, wave_number = c.wave_number,
                           household_risk_level = c.risk_level
            FROM (
                SELECT x.id, v.person_id IS NOT NULL AS vulnerable, a.locality_id, a.wave_number, a.risk_level
                FROM {m} x JOIN {a} a ON a.id = x.assessment_id
                LEFT JOIN (SELECT DISTINCT assessment_id, person_id FROM {f} WHERE person_id IS NOT NULL) v
                       ON v.assessment_id = x.assessment_id AND v.person_id = x.person_id
            ) c
            WHERE {m}.id = c.id
            """  # nosec B608 - quoted names only
        )
        cursor.execute(f"SELECT DISTINCT catalogue FROM {f}")  # nosec B608 - quoted names only
        for (catalogue_code,) in cursor.fetchall():
            dimension, mapping = dimension_case("x.code", catalogue_code, otherwise="''")
            cursor.execute(
                f"""
                UPDATE {f} SET child = c.child, roma = c.roma, disability = c.disability,
                               first_in_dimension = c.first_in_dimension,
                               member_first_in_dimension = c.member_first_in_dimension
                FROM (
                    SELECT d.id, COALESCE(m.age < %s, FALSE) AS child, COALESCE(m.roma, FALSE) AS roma,
                           COALESCE(m.disability, FALSE) AS disability,
                           ROW_NUMBER() OVER (PARTITION BY d.assessment_id, d.dimension ORDER BY d.id) = 1
                               AS first_in_dimension,
                           d.person_id IS NOT NULL AND ROW_NUMBER() OVER (
                               PARTITION BY d.assessment_id, d.person_id, d.dimension ORDER BY d.id) = 1
                               AS member_first_in_dimension
                    FROM (SELECT x.id, x.assessment_id, x.person_id, {dimension} AS dimension
                          FROM {f} x WHERE x.catalogue = %s) d
                    LEFT JOIN {m} m ON m.assessment_id = d.assessment_id AND m.person_id = d.person_id
                ) c
                WHERE {f}.id = c.id
                """,  # nosec B608 - quoted names only
                [
                    ADULT_AGE,
                    *mapping,
                    catalogue_code,
                ],
            )
