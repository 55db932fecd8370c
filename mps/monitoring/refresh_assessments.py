"""The assessment figures of a refresh: which assessments count, and what they add to their locality's figures.

Every assessment figure is a sum over the counted assessments (the latest of each household in each wave) of
what each one holds: its household, its members' answers, its findings. Each member's answers and each finding
say what they count for (``vulnerable``; ``child``, ``first_in_dimension`` …, written with the assessment), so
each figure is one pass over one table joined to the counted assessments, never a join of findings with
members nor a DISTINCT over them: on the national tables these passes run as parallel queries (`refresh_sql`).
"""

# ruff: noqa: S608 - the SQL below is composed from table names and code constants only; every value is a parameter.
# Each statement is marked for bandit too (`# nosec B608`): see `refresh_sql`.

import datetime as dt

from django.db import connection

from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue

from . import indicators as ind
from .models import CountedAssessment
from .refresh_sql import drop, insert_unpivoted, materialize, table

# The assessments whose figures a run adds (sign 1) and subtracts (sign -1), and the changed households.
LATEST = "monitoring_latest"
CHANGED = "monitoring_changed"


def signed_assessments(*, full: bool, rebuilt_before: dt.datetime | None) -> None:
    """Store in ``LATEST`` the assessments whose figures to add (sign 1) and to subtract (sign -1).

    Rebuild: the latest assessment of every household in every wave, each added. Otherwise, for the households and
    waves in ``CHANGED``: their latest assessment now, added, and the one counted so far, subtracted, where the
    two differ (a household seen again through the mark's overlap, with the same latest assessment, changes
    nothing). The one counted so far is the household's row of ``CountedAssessment`` or, without one, the latest
    of its assessments created up to ``rebuilt_before``: the last rebuild saw every one of those (its mark is
    older than any transaction it could not see) and stored a row only for the households whose counted
    assessment was created later. ``CountedAssessment`` is brought up to date in the same transaction.
    """
    assessment, counted = table(Assessment), table(CountedAssessment)
    # The latest assessment of the household in its wave: by visit date, recording time, then id.
    latest = f"""
        SELECT a.id, a.household_id, a.locality_id, a.wave_number, a.risk_level, a.has_critical, a.created_at
        FROM {assessment} a {{join}}
        WHERE NOT EXISTS (
            SELECT 1 FROM {assessment} b
            WHERE b.household_id = a.household_id AND b.wave_number = a.wave_number
              AND (b.assessed_on, b.created_at, b.id) > (a.assessed_on, a.created_at, a.id)
        )"""  # nosec B608 - quoted names and constants only
    if full:
        materialize(
            LATEST,
            f"SELECT x.*, 1 AS sign FROM ({latest.format(join='')}) x",  # nosec B608 - quoted names and constants only
            analyze=True,
            shared=True,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {counted} (household_id, wave_number, assessment_id) "
                f"SELECT household_id, wave_number, id FROM {LATEST} WHERE created_at > %s",  # nosec B608 - quoted names and constants only
                [rebuilt_before],
            )
        return
    materialize(
        "monitoring_now",
        latest.format(
            join=f"JOIN (SELECT DISTINCT household_id, wave_number FROM {CHANGED}) c "
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

    Adding and subtracting the assessments in ``LATEST`` by their sign gives the exact difference of every sum;
    people of a dimension are counted within each household, like every other person figure.
    """
    signed_assessments(full=full, rebuilt_before=rebuilt_before)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT locality_id FROM {LATEST}")  # nosec B608 - quoted names and constants only
        localities = {siruta for (siruta,) in cursor.fetchall()}
    _household_figures()
    _people_figures(of_latest=_of_latest(full))
    _finding_figures(of_latest=_of_latest(full))
    drop(LATEST)
    return localities


def _of_latest(full: bool) -> str:
    """Return the condition that keeps a table's rows of the assessments in ``LATEST``, joined as ``l``.

    For a run on PostgreSQL, index lookups by the list of assessments: joined, the planner prefers to scan every
    row of the country. A rebuild reads every row anyway: the join alone, as a parallel hash join.
    """
    if not full and connection.vendor == "postgresql":
        return f"x.assessment_id = ANY(ARRAY(SELECT id FROM {LATEST}))"  # nosec B608 - quoted names and constants only
    return "1 = 1"


def _household_figures() -> None:
    risks = ", ".join(
        f"SUM(CASE WHEN risk_level = '{risk}' THEN sign ELSE 0 END) AS h_{risk}" for risk in ind.RISK_LEVELS
    )
    materialize(
        "monitoring_households",
        f"""SELECT locality_id, wave_number, SUM(sign) AS h_all,
            SUM(CASE WHEN has_critical THEN sign ELSE 0 END) AS h_critical, {risks}
            FROM {LATEST} GROUP BY locality_id, wave_number""",  # nosec B608 - quoted names and constants only
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


def _people_figures(*, of_latest: str) -> None:
    """People: every member of those assessments, by age, equity group, household risk and vulnerability."""
    person_sums: list[tuple[str, str]] = [
        (ind.PERSONS, "1 = 1"),
        (ind.CHILDREN, "x.age < 18"),
        (ind.PERSONS_VULNERABLE, "x.vulnerable"),
        (ind.CHILDREN_VULNERABLE, "x.age < 18 AND x.vulnerable"),
    ]
    for risk in ind.RISK_LEVELS:
        person_sums.append((ind.children_at(risk), f"x.age < 18 AND l.risk_level = '{risk}'"))
    for group, column in ind.PERSON_GROUPS.items():
        condition = f"x.{column}"
        person_sums += [
            (f"persons.{group}", condition),
            (f"children.{group}", f"x.age < 18 AND {condition}"),
            (f"children.{group}.high", f"x.age < 18 AND {condition} AND l.risk_level = 'high'"),
            (f"children.{group}.vulnerable", f"x.age < 18 AND {condition} AND x.vulnerable"),
        ]
    sums = ", ".join(
        f"SUM(CASE WHEN {condition} THEN l.sign ELSE 0 END) AS p{index}"
        for index, (_, condition) in enumerate(person_sums)
    )
    materialize(
        "monitoring_people_sums",
        f"""SELECT l.locality_id, l.wave_number, {sums}
            FROM {table(MemberAnswers)} x JOIN {LATEST} l ON l.id = x.assessment_id
            WHERE {of_latest} GROUP BY l.locality_id, l.wave_number""",  # nosec B608 - quoted names and constants only
    )
    insert_unpivoted(
        "monitoring_people_sums", [(f"'{name}'", f"p{index}") for index, (name, _) in enumerate(person_sums)]
    )
    drop("monitoring_people_sums")


def _finding_figures(*, of_latest: str) -> None:
    """Vulnerabilities by code (units, and the people of each equity group among them), then by dimension."""
    materialize(
        "monitoring_codes",
        f"""SELECT l.locality_id, l.wave_number, x.code, SUM(l.sign) AS units,
                   SUM(CASE WHEN x.child THEN l.sign ELSE 0 END) AS children,
                   SUM(CASE WHEN x.roma THEN l.sign ELSE 0 END) AS roma,
                   SUM(CASE WHEN x.disability THEN l.sign ELSE 0 END) AS disability,
                   SUM(CASE WHEN x.first_in_dimension THEN l.sign ELSE 0 END) AS households,
                   SUM(CASE WHEN x.member_first_in_dimension THEN l.sign ELSE 0 END) AS persons,
                   SUM(CASE WHEN x.member_first_in_dimension AND x.child THEN l.sign ELSE 0 END) AS dim_children
            FROM {table(Finding)} x JOIN {LATEST} l ON l.id = x.assessment_id
            WHERE {of_latest} GROUP BY l.locality_id, l.wave_number, x.code""",  # nosec B608 - quoted names and constants only
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
    catalogue = load_catalogue(CURRENT_CATALOGUE)
    # The codes and dimensions are data (the catalogue file), so they are parameters, never SQL text.
    dimension_of = " ".join("WHEN %s THEN %s" for _ in catalogue.vulnerabilities)
    materialize(
        "monitoring_dimensions",
        f"""SELECT locality_id, wave_number, dimension, SUM(households) AS households,
                   SUM(persons) AS persons, SUM(dim_children) AS children
            FROM (SELECT c.*, CASE c.code {dimension_of} ELSE 'XX' END AS dimension FROM monitoring_codes c) d
            GROUP BY locality_id, wave_number, dimension""",  # nosec B608 - quoted names and constants only
        [value for v in catalogue.vulnerabilities for value in (v.code, v.dimension)],
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
