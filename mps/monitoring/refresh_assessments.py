"""The assessment figures of a refresh: which assessments count, and what they add to their locality's figures.

Every assessment figure is a sum over the counted assessments (the latest of each household in each wave) of
what each one holds: its household, its members' answers, its findings. Each member's answers and each finding
carry what they are counted by (their assessment's locality, wave and risk; ``vulnerable``, ``child``,
``first_in_dimension`` …, written with the assessment, which never changes), so each figure is a sum over one
table. A rebuild sums every row of each table and subtracts the rows of the assessments that a later one of
their household and wave replaced (few: a visit done again), so it is one pass over each national table, never a
join of them, and on PostgreSQL each pass is a parallel query. A run sums the rows of the assessments whose
household changed, signed: the one counted before subtracted, the latest added.
"""

# ruff: noqa: S608 - the SQL below is composed from table names and code constants only; every value is a parameter.
# Each statement is marked for bandit too (`# nosec B608`): see `refresh_sql`.

import datetime as dt

from django.db import connection

from mps.assessment.counting import dimension_case
from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import CURRENT_CATALOGUE

from . import indicators as ind
from .models import CountedAssessment
from .refresh_sql import drop, insert_unpivoted, materialize, table

# The assessments whose figures a run adds (sign 1) and subtracts (sign -1); the changed households; the
# assessments of a rebuild that a later one of their household and wave replaced.
LATEST = "monitoring_latest"
CHANGED = "monitoring_changed"
SUPERSEDED = "monitoring_superseded"

# What each table's rows are counted by: the columns the figures below read, as ``x`` (risk as ``risk_level``).
_ASSESSMENT_COLUMNS = "x.locality_id, x.wave_number, x.risk_level, x.has_critical"
_MEMBER_COLUMNS = "x.locality_id, x.wave_number, x.household_risk_level AS risk_level, x.age, x.roma, x.disability, x.vulnerable"
_FINDING_COLUMNS = (
    "x.locality_id, x.wave_number, x.code, x.child, x.roma, x.disability, x.first_in_dimension, "
    "x.member_first_in_dimension"
)


def _replaced() -> str:
    """Return the condition that a later assessment of its household and wave replaced assessment ``a``.

    Later: by visit date, then recording time, then id (the order every reader of "the latest" uses).
    """
    return f"""EXISTS (
            SELECT 1 FROM {table(Assessment)} b
            WHERE b.household_id = a.household_id AND b.wave_number = a.wave_number
              AND (b.assessed_on, b.created_at, b.id) > (a.assessed_on, a.created_at, a.id)
        )"""  # nosec B608 - quoted names and constants only


def _latest(join: str = "") -> str:
    """Return the SELECT of the latest assessment of each household and wave (by visit date, recording time, id)."""
    assessment = table(Assessment)
    return f"""
        SELECT a.id, a.household_id, a.locality_id, a.wave_number, a.risk_level, a.has_critical
        FROM {assessment} a {join}
        WHERE NOT {_replaced()}"""  # nosec B608 - quoted names and constants only


def _rebuild_counted(rebuilt_before: dt.datetime | None) -> None:
    """Store the assessments a rebuild replaces, and the counted ones that later runs could not tell.

    A rebuild counts the latest assessment of each household and wave. Later runs take the latest of those
    created up to the rebuild's mark to be the one it counted (the rebuild saw every one of those: its mark is
    older than any transaction it could not see); only for a latest one created after the mark is a row stored.
    """
    assessment, counted = table(Assessment), table(CountedAssessment)
    # Only the households and waves visited more than once can have one replaced: one pass over the index of
    # (household, wave) finds them. Left to itself the planner hashes every household of the country instead
    # (a table of millions of groups, spilled to disk, for the handful kept), three times slower.
    ordered = connection.vendor == "postgresql"
    if ordered:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_hashagg = off")
    materialize(
        SUPERSEDED,
        f"""
        SELECT a.id, {_ASSESSMENT_COLUMNS.replace("x.", "a.")}
        FROM {assessment} a
        JOIN (SELECT household_id, wave_number FROM {assessment} GROUP BY household_id, wave_number
              HAVING COUNT(*) > 1) d ON d.household_id = a.household_id AND d.wave_number = a.wave_number
        WHERE {_replaced()}
        """,  # nosec B608 - quoted names and constants only
        analyze=True,
        shared=True,
    )
    with connection.cursor() as cursor:
        if ordered:
            cursor.execute("SET LOCAL enable_hashagg = on")
        cursor.execute(
            f"INSERT INTO {counted} (household_id, wave_number, assessment_id) "
            f"SELECT a.household_id, a.wave_number, a.id FROM {assessment} a WHERE a.created_at > %s "
            f"AND NOT EXISTS (SELECT 1 FROM {SUPERSEDED} s WHERE s.id = a.id)",  # nosec B608 - quoted names and constants only
            [rebuilt_before],
        )


def signed_assessments(*, rebuilt_before: dt.datetime | None) -> None:
    """Store in ``LATEST`` the assessments whose figures to add (sign 1) and to subtract (sign -1).

    For the households and waves in ``CHANGED``: their latest assessment now, added, and the one counted so far,
    subtracted, where the two differ (a household seen again through the mark's overlap, with the same latest
    assessment, changes nothing). The one counted so far is the household's row of ``CountedAssessment`` or,
    without one, the latest of its assessments created up to ``rebuilt_before`` (see `_rebuild_counted`).
    ``CountedAssessment`` is brought up to date in the same transaction.
    """
    assessment, counted = table(Assessment), table(CountedAssessment)
    materialize(
        "monitoring_now",
        _latest(
            f"JOIN (SELECT DISTINCT household_id, wave_number FROM {CHANGED}) c "
            "ON c.household_id = a.household_id AND c.wave_number = a.wave_number"  # nosec B608 - quoted names and constants only
        ),
        analyze=True,
    )
    materialize(
        "monitoring_then",
        f"""
        SELECT n.household_id, n.wave_number, n.id AS now_id, COALESCE(k.assessment_id, (
            SELECT a.id FROM {assessment} a
            WHERE a.household_id = n.household_id AND a.wave_number = n.wave_number AND a.created_at <= %s
            ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC LIMIT 1
        )) AS then_id
        FROM monitoring_now n
        LEFT JOIN {counted} k ON k.household_id = n.household_id AND k.wave_number = n.wave_number
        """,  # nosec B608 - quoted names and constants only
        [rebuilt_before],
        analyze=True,
    )
    materialize(
        LATEST,
        f"""
        SELECT n.id, n.household_id, n.locality_id, n.wave_number, n.risk_level, n.has_critical, 1 AS sign
        FROM monitoring_now n
        JOIN monitoring_then t ON t.household_id = n.household_id AND t.wave_number = n.wave_number
        WHERE t.then_id IS NULL OR t.then_id <> n.id
        UNION ALL
        SELECT a.id, a.household_id, a.locality_id, a.wave_number, a.risk_level, a.has_critical, -1
        FROM monitoring_then t JOIN {assessment} a ON a.id = t.then_id
        WHERE t.then_id <> t.now_id
        """,  # nosec B608 - quoted names and constants only
        analyze=True,
    )
    drop("monitoring_now", "monitoring_then")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {counted} WHERE (household_id, wave_number) IN "
            f"(SELECT household_id, wave_number FROM {LATEST} WHERE sign = 1)"  # nosec B608 - quoted names and constants only
        )
        cursor.execute(
            f"INSERT INTO {counted} (household_id, wave_number, assessment_id) "
            f"SELECT household_id, wave_number, id FROM {LATEST} WHERE sign = 1"  # nosec B608 - quoted names and constants only
        )


def assessment_differences(*, full: bool, rebuilt_before: dt.datetime | None) -> set[int]:
    """Store the differences the changed assessments make to the locality figures; return those localities.

    Adding and subtracting assessments by their sign gives the exact difference of every sum; people of a
    dimension are counted within each household, like every other person figure. A rebuild adds every row and
    subtracts those of the replaced assessments (and returns no locality: it recomputes them all).
    """
    localities: set[int] = set()
    if full:
        _rebuild_counted(rebuilt_before)
    else:
        signed_assessments(rebuilt_before=rebuilt_before)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT locality_id FROM {LATEST}")  # nosec B608 - quoted names and constants only
            localities = {siruta for (siruta,) in cursor.fetchall()}
    _household_figures(_signed(Assessment, _ASSESSMENT_COLUMNS, full=full))
    _people_figures(_signed(MemberAnswers, _MEMBER_COLUMNS, full=full))
    _finding_figures(_signed(Finding, _FINDING_COLUMNS, full=full))
    drop(SUPERSEDED, LATEST)
    return localities


def _signed(model: type, columns: str, *, full: bool) -> str:
    """Return a subquery of a table's rows that a run counts, with their ``sign``.

    Rebuild: every row, added, and the rows of the replaced assessments, subtracted. A run: the rows of the
    assessments in ``LATEST``, by their sign; on PostgreSQL looked up by the list of assessments (joined, the
    planner prefers to scan every row of the country).
    """
    source = table(model)
    key = "x.id" if model is Assessment else "x.assessment_id"
    if full:
        return (
            f"(SELECT {columns}, 1 AS sign FROM {source} x UNION ALL "
            f"SELECT {columns}, -1 FROM {source} x JOIN {SUPERSEDED} s ON s.id = {key})"  # nosec B608 - quoted names and constants only
        )
    if model is Assessment:
        return f"(SELECT {columns}, x.sign FROM {LATEST} x)"  # nosec B608 - quoted names and constants only
    only = f" WHERE {key} = ANY(ARRAY(SELECT id FROM {LATEST}))" if connection.vendor == "postgresql" else ""  # nosec B608 - quoted names and constants only
    return f"(SELECT {columns}, l.sign FROM {source} x JOIN {LATEST} l ON l.id = {key}{only})"  # nosec B608 - quoted names and constants only


def _household_figures(source: str) -> None:
    risks = ", ".join(
        f"SUM(CASE WHEN risk_level = '{risk}' THEN sign ELSE 0 END) AS h_{risk}" for risk in ind.RISK_LEVELS
    )
    materialize(
        "monitoring_households",
        f"""SELECT locality_id, wave_number, SUM(sign) AS h_all,
            SUM(CASE WHEN has_critical THEN sign ELSE 0 END) AS h_critical, {risks}
            FROM {source} h GROUP BY locality_id, wave_number""",  # nosec B608 - quoted names and constants only
    )
    insert_unpivoted(
        "monitoring_households",
        [
            (f"'{ind.HOUSEHOLDS}'", "h_all"),
            (f"'{ind.HOUSEHOLDS_CRITICAL}'", "h_critical"),
            *((f"'{ind.households_at(risk)}'", f"h_{risk}") for risk in ind.RISK_LEVELS),
        ],
    )
    drop("monitoring_households")


def _people_figures(source: str) -> None:
    """People: every member of those assessments, by age, equity group, household risk and vulnerability."""
    person_sums: list[tuple[str, str]] = [
        (ind.PERSONS, "1 = 1"),
        (ind.CHILDREN, "age < 18"),
        (ind.PERSONS_VULNERABLE, "vulnerable"),
        (ind.CHILDREN_VULNERABLE, "age < 18 AND vulnerable"),
    ]
    for risk in ind.RISK_LEVELS:
        person_sums.append((ind.children_at(risk), f"age < 18 AND risk_level = '{risk}'"))
    for group, condition in ind.PERSON_GROUPS.items():
        person_sums += [
            (f"persons.{group}", condition),
            (f"children.{group}", f"age < 18 AND {condition}"),
            (f"children.{group}.high", f"age < 18 AND {condition} AND risk_level = 'high'"),
            (f"children.{group}.vulnerable", f"age < 18 AND {condition} AND vulnerable"),
        ]
    sums = ", ".join(
        f"SUM(CASE WHEN {condition} THEN sign ELSE 0 END) AS p{index}"
        for index, (_, condition) in enumerate(person_sums)
    )
    materialize(
        "monitoring_people_sums",
        f"SELECT locality_id, wave_number, {sums} FROM {source} m GROUP BY locality_id, wave_number",  # nosec B608 - quoted names and constants only
    )
    insert_unpivoted(
        "monitoring_people_sums", [(f"'{name}'", f"p{index}") for index, (name, _) in enumerate(person_sums)]
    )
    drop("monitoring_people_sums")


def _finding_figures(source: str) -> None:
    """Vulnerabilities by code (units, and the people of each equity group among them), then by dimension."""
    materialize(
        "monitoring_codes",
        f"""SELECT locality_id, wave_number, code, SUM(sign) AS units,
                   SUM(CASE WHEN child THEN sign ELSE 0 END) AS children,
                   SUM(CASE WHEN roma THEN sign ELSE 0 END) AS roma,
                   SUM(CASE WHEN disability THEN sign ELSE 0 END) AS disability,
                   SUM(CASE WHEN first_in_dimension THEN sign ELSE 0 END) AS households,
                   SUM(CASE WHEN member_first_in_dimension THEN sign ELSE 0 END) AS persons,
                   SUM(CASE WHEN member_first_in_dimension AND child THEN sign ELSE 0 END) AS dim_children
            FROM {source} f GROUP BY locality_id, wave_number, code""",  # nosec B608 - quoted names and constants only
    )
    insert_unpivoted(
        "monitoring_codes",
        [
            ("'code.' || code", "units"),
            ("'code.' || code || '.children'", "children"),
            ("'code.' || code || '.roma'", "roma"),
            ("'code.' || code || '.disability'", "disability"),
        ],
    )
    # Households with any vulnerability of the dimension, and the people and children with one in each
    # household: the first finding of each dimension in an assessment, and for each member, says so.
    dimension, mapping = dimension_case("c.code", CURRENT_CATALOGUE, otherwise="'XX'")
    materialize(
        "monitoring_dimensions",
        f"""SELECT locality_id, wave_number, dimension, SUM(households) AS households,
                   SUM(persons) AS persons, SUM(dim_children) AS children
            FROM (SELECT c.*, {dimension} AS dimension FROM monitoring_codes c) d
            GROUP BY locality_id, wave_number, dimension""",  # nosec B608 - quoted names and constants only
        mapping,
    )
    insert_unpivoted(
        "monitoring_dimensions",
        [
            ("'dim.' || dimension || '.households'", "households"),
            ("'dim.' || dimension || '.persons'", "persons"),
            ("'dim.' || dimension || '.children'", "children"),
        ],
    )
    drop("monitoring_codes", "monitoring_dimensions")
