"""Wave-to-wave evaluation: which vulnerabilities fell between two waves, for the same households and people.

Method (the 2019 evaluation of the Bacău pilot, computed from the base tables on demand, as a report):

- The cohort is the households assessed in both waves. Each household counts with its latest assessment of
  each wave (latest visit date, then latest recording), so a household visited twice in one wave counts once.
  With an area, the pair is reported where the later of its two assessments was made: a household that moved
  between the waves stays in the cohort, in the locality that followed it up (and holds its case now), not
  lost in both.
- Household-level codes are compared on the cohort's households; person-level codes on the people present in
  both assessments of their household (matched by ``ref``), so people who moved out, died or were born in
  between drop out of the pairs instead of counting as "resolved" or "new".
- For each code: the number of paired units, the count at each wave, and the two-sided exact McNemar p-value
  on the paired answers: a binomial test on the discordant pairs (present only in the first wave, b; present
  only in the second, c): p = min(1, 2 · Σ_{i ≤ min(b, c)} C(b + c, i) / 2^(b + c)); with no discordant pair,
  p = 1.
- The headline "X of Y vulnerabilities reduced": Y counts the codes present in the first wave, X those whose
  count fell.
- The children followed through three or more evaluations: people under 18 at their first evaluation who
  appear in the latest assessment of their household in at least three waves between the two waves given,
  counted where their latest assessment of those waves was made.
"""

# ruff: noqa: S608 - the SQL below is composed from table names and code constants only; every value is a parameter.
# Each statement is marked for bandit too (`# nosec B608`): the names are quoted by the database's own
# `quote_name` or are this module's constants; anything from a request or from data (areas, waves, dates,
# localities, catalogue codes) is a query parameter. Interpolating a value here would be a bug.

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from mps.assessment.models import Assessment, Finding, MemberAnswers
from mps.assessment.rules import CURRENT_CATALOGUE, load_catalogue
from mps.core.routers import read_connection

# Above this many discordant pairs the exact sum of binomial coefficients becomes slow (big integers); the
# tail is then summed in floating point from the log-coefficients, accurate to about 1e-12.
_EXACT_LIMIT = 20_000


def mcnemar_exact(b: int, c: int) -> float:
    """Return the two-sided exact McNemar p-value for ``b`` and ``c`` discordant pairs."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    if n <= _EXACT_LIMIT:
        term = 1  # C(n, 0)
        tail = 1
        for i in range(k):
            term = term * (n - i) // (i + 1)
            tail += term
        return min(1.0, 2 * tail / 2**n)
    log_half = n * math.log(2)
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - log_half for i in range(k + 1)]
    top = max(logs)
    return min(1.0, 2 * math.exp(top) * sum(math.exp(value - top) for value in logs))


@dataclass(frozen=True)
class CodeChange:
    """How one vulnerability changed between the two waves in the paired units."""

    code: str
    level: str
    dimension: str
    name: str
    units: int
    from_count: int
    to_count: int
    discordant_from: int
    discordant_to: int
    p_value: float

    @property
    def change(self) -> int:
        return self.to_count - self.from_count

    @property
    def evaluated(self) -> bool:
        return self.from_count > 0

    @property
    def reduced(self) -> bool:
        return self.evaluated and self.to_count < self.from_count


@dataclass(frozen=True)
class WaveEvaluation:
    """The wave table: the paired cohort, the change of every catalogue code and the headline."""

    wave_from: str
    wave_to: str
    households: int
    persons: int
    children_three_or_more: int
    codes: list[CodeChange]

    @property
    def evaluated(self) -> int:
        return sum(code.evaluated for code in self.codes)

    @property
    def reduced(self) -> int:
        return sum(code.reduced for code in self.codes)

    def as_json(self) -> dict[str, object]:
        """Return the evaluation in the shape `wave_report --format json` prints."""
        return {
            "from": self.wave_from,
            "to": self.wave_to,
            "households": self.households,
            "persons": self.persons,
            "evaluated": self.evaluated,
            "reduced": self.reduced,
            "children_three_or_more": self.children_three_or_more,
            "vulnerabilities": [
                {
                    "code": code.code,
                    "level": code.level,
                    "units": code.units,
                    "from_count": code.from_count,
                    "to_count": code.to_count,
                    "p_value": code.p_value,
                }
                for code in self.codes
            ],
        }


def wave_number(wave: str) -> int:
    """Return the number of a wave code ("T3" → 3); raise ValueError for anything else."""
    wave = wave.strip().upper()
    if len(wave) < 2 or wave[0] != "T" or not wave[1:].isdigit():
        raise ValueError(wave)
    return int(wave[1:])


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _latest_sql() -> str:
    """Return SQL selecting the latest assessment of each household in each of the two waves (params: waves)."""
    return f"""
        SELECT id, household_id, wave_number, locality_id FROM (
            SELECT id, household_id, wave_number, locality_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY household_id, wave_number
                       ORDER BY assessed_on DESC, created_at DESC, id DESC
                   ) AS position
            FROM {_table(Assessment)}
            WHERE wave_number IN (%s, %s)
        ) ranked WHERE position = 1
    """  # nosec B608 - quoted names and constants only


def _in_localities(column: str, localities: list[int] | None) -> tuple[str, list[Any]]:
    """Return an ``AND column IN (…)`` clause and its parameters; no clause for None (the whole country)."""
    if localities is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(localities))})", list(localities)


def wave_evaluation(wave_from: str, wave_to: str, localities: Iterable[int] | None = None) -> WaveEvaluation:
    """Compute the wave table between two waves, for the whole country or only these localities."""
    first, second = wave_number(wave_from), wave_number(wave_to)
    if first == second:
        raise ValueError("The two waves must differ.")
    chosen = None if localities is None else sorted(set(localities))
    catalogue = load_catalogue(CURRENT_CATALOGUE)
    counts: dict[str, tuple[int, int, int]] = {}
    if chosen == []:
        households = persons = children = 0
    else:
        # A household that moved between the two waves is paired across the move and reported where its later
        # assessment was made: the follow-up happened there, and that team now holds its case.
        later = "t" if second > first else "f"
        where, where_params = _in_localities(f"{later}.locality_id", chosen)
        pairs = f"""
            WITH latest AS ({_latest_sql()}),
            pairs AS (
                SELECT f.household_id, f.id AS from_id, t.id AS to_id
                FROM latest f JOIN latest t ON t.household_id = f.household_id
                WHERE f.wave_number = %s AND t.wave_number = %s{where}
            ),
            people AS (
                SELECT p.from_id, p.to_id, mf.person_id
                FROM pairs p
                JOIN {_table(MemberAnswers)} mf ON mf.assessment_id = p.from_id
                JOIN {_table(MemberAnswers)} mt ON mt.assessment_id = p.to_id AND mt.person_id = mf.person_id
            )
        """  # nosec B608 - quoted names and constants only
        params = [first, second, first, second, *where_params]
        finding = _table(Finding)
        with read_connection(Assessment).cursor() as cursor:
            cursor.execute(
                pairs + " SELECT (SELECT COUNT(*) FROM pairs), (SELECT COUNT(*) FROM people)",  # nosec B608 - quoted names and constants only
                params,
            )
            households, persons = cursor.fetchone()
            # Per unit and code: present in the first wave (1), in the second (2) or in both (3).
            cursor.execute(
                pairs
                + f"""
                , household_codes AS (
                    SELECT p.household_id AS unit, fi.code,
                           MAX(CASE WHEN fi.assessment_id = p.from_id THEN 1 ELSE 0 END)
                           + MAX(CASE WHEN fi.assessment_id = p.to_id THEN 2 ELSE 0 END) AS presence
                    FROM pairs p JOIN {finding} fi ON fi.assessment_id IN (p.from_id, p.to_id)
                    WHERE fi.person_id IS NULL
                    GROUP BY p.household_id, fi.code
                ),
                person_codes AS (
                    SELECT pe.person_id AS unit, fi.code,
                           MAX(CASE WHEN fi.assessment_id = pe.from_id THEN 1 ELSE 0 END)
                           + MAX(CASE WHEN fi.assessment_id = pe.to_id THEN 2 ELSE 0 END) AS presence
                    FROM people pe JOIN {finding} fi
                      ON fi.assessment_id IN (pe.from_id, pe.to_id) AND fi.person_id = pe.person_id
                    GROUP BY pe.person_id, fi.code
                ),
                both_levels AS (
                    SELECT code, presence FROM household_codes
                    UNION ALL SELECT code, presence FROM person_codes
                )
                SELECT code,
                       SUM(CASE WHEN presence = 1 THEN 1 ELSE 0 END),
                       SUM(CASE WHEN presence = 2 THEN 1 ELSE 0 END),
                       SUM(CASE WHEN presence = 3 THEN 1 ELSE 0 END)
                FROM both_levels GROUP BY code
                """,  # nosec B608 - quoted names and constants only
                params,
            )
            counts = {code: (int(b), int(c), int(a)) for code, b, c, a in cursor.fetchall()}
        children = _children_followed(first, second, chosen)
    codes = []
    for vulnerability in sorted(catalogue.vulnerabilities, key=lambda v: v.code):
        only_from, only_to, both = counts.get(vulnerability.code, (0, 0, 0))
        codes.append(
            CodeChange(
                code=vulnerability.code,
                level=vulnerability.level,
                dimension=vulnerability.dimension,
                name=vulnerability.name(),
                units=households if vulnerability.level == "household" else persons,
                from_count=both + only_from,
                to_count=both + only_to,
                discordant_from=only_from,
                discordant_to=only_to,
                p_value=mcnemar_exact(only_from, only_to),
            )
        )
    return WaveEvaluation(
        wave_from=f"T{first}",
        wave_to=f"T{second}",
        households=households,
        persons=persons,
        children_three_or_more=children,
        codes=codes,
    )


def _children_followed(first: int, second: int, localities: list[int] | None) -> int:
    """Count people under 18 at their first evaluation seen in three or more waves between the two given.

    A child is counted where their latest assessment in those waves was made, with every wave they were seen in
    wherever it was, so a family that moved is followed across the move, once.
    """
    low, high = sorted((first, second))
    where, where_params = _in_localities("last_locality", localities)
    sql = f"""
        WITH latest AS (
            SELECT id, wave_number, locality_id FROM (
                SELECT id, wave_number, locality_id,
                       ROW_NUMBER() OVER (
                           PARTITION BY household_id, wave_number
                           ORDER BY assessed_on DESC, created_at DESC, id DESC
                       ) AS position
                FROM {_table(Assessment)}
                WHERE wave_number BETWEEN %s AND %s
            ) ranked WHERE position = 1
        ),
        seen AS (
            SELECT m.person_id, m.age, l.wave_number,
                   FIRST_VALUE(l.locality_id) OVER (
                       PARTITION BY m.person_id ORDER BY l.wave_number DESC, l.id DESC
                   ) AS last_locality
            FROM latest l JOIN {_table(MemberAnswers)} m ON m.assessment_id = l.id
        ),
        followed AS (
            SELECT person_id, MIN(age) AS first_age, COUNT(DISTINCT wave_number) AS waves,
                   MIN(last_locality) AS last_locality
            FROM seen GROUP BY person_id
        )
        SELECT COUNT(*) FROM followed WHERE waves >= 3 AND first_age < 18{where}
    """  # nosec B608 - quoted names and constants only
    with read_connection(Assessment).cursor() as cursor:
        cursor.execute(sql, [low, high, *where_params])
        return int(cursor.fetchone()[0])
