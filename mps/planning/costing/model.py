"""The cost model: from covered communities and parameters to staff, yearly cost, shares and a roll-out plan.

Formulas (every symbol is a parameter of ``parameters.py``):

* posts of a core role in a community = max(1, children / children-per-post of that role);
* school and health mediators = their norm in every highly marginalised community;
* county coordinators = coordinators per county x counties covered + community teams / teams per supervisor;
* national coordinators = a fixed unit whenever anything is covered;
* posts of a role = the role's full-time equivalents summed over communities, rounded up;
* yearly cost of a post = 12 x gross x (1 + employer contributions) + 12 x meal allowance + holiday vouchers;
* recurrent yearly cost = posts' cost + transport and IT per post + supplies per child + a community centre in
  each highly marginalised community;
* first-year cost = recurrent cost + one-off costs (recruitment, training, a tablet per post; setting up each
  community centre);
* each ministry's part = the cost of its roles (coordinators split evenly) plus the other costs in the same
  proportion; its share = its part / its budget.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from mps.planning.costing.communities import (
    Community,
    Scenario,
    counties_covered,
    rollout_order,
    validate_communities,
)
from mps.planning.costing.parameters import CostParameters, Salaries, StaffNorms, validate_parameters

# Full-time equivalents within this of a whole number are that number: float sums must not add a post.
FTE_TOLERANCE = 1e-6


class StaffRole(StrEnum):
    SOCIAL_WORKER = "social_worker"
    COMMUNITY_NURSE = "community_nurse"
    SCHOOL_COUNSELLOR = "school_counsellor"
    SCHOOL_MEDIATOR = "school_mediator"
    HEALTH_MEDIATOR = "health_mediator"
    COUNTY_COORDINATOR = "county_coordinator"
    NATIONAL_COORDINATOR = "national_coordinator"

    @property
    def label(self) -> Promise:
        """Return the role's name for people."""
        return ROLE_LABELS[self]


ROLE_LABELS: dict[StaffRole, Promise] = {
    StaffRole.SOCIAL_WORKER: gettext_lazy("social workers"),
    StaffRole.COMMUNITY_NURSE: gettext_lazy("community nurses"),
    StaffRole.SCHOOL_COUNSELLOR: gettext_lazy("school counsellors"),
    StaffRole.SCHOOL_MEDIATOR: gettext_lazy("school mediators"),
    StaffRole.HEALTH_MEDIATOR: gettext_lazy("health mediators"),
    StaffRole.COUNTY_COORDINATOR: gettext_lazy("county coordinators"),
    StaffRole.NATIONAL_COORDINATOR: gettext_lazy("national coordinators"),
}
COMMUNITY_ROLES = (
    StaffRole.SOCIAL_WORKER,
    StaffRole.COMMUNITY_NURSE,
    StaffRole.SCHOOL_COUNSELLOR,
    StaffRole.SCHOOL_MEDIATOR,
    StaffRole.HEALTH_MEDIATOR,
)


class Ministry(StrEnum):
    SOCIAL_PROTECTION = "social_protection"
    EDUCATION = "education"
    HEALTH = "health"

    @property
    def label(self) -> Promise:
        """Return the ministry's name for people."""
        return MINISTRY_LABELS[self]


MINISTRY_LABELS: dict[Ministry, Promise] = {
    Ministry.SOCIAL_PROTECTION: gettext_lazy("Ministry of Social Protection"),
    Ministry.EDUCATION: gettext_lazy("Ministry of Education"),
    Ministry.HEALTH: gettext_lazy("Ministry of Health"),
}
# Which ministry pays each community role; coordinators work for all three and are split evenly.
ROLE_MINISTRY: dict[StaffRole, Ministry | None] = {
    StaffRole.SOCIAL_WORKER: Ministry.SOCIAL_PROTECTION,
    StaffRole.COMMUNITY_NURSE: Ministry.HEALTH,
    StaffRole.SCHOOL_COUNSELLOR: Ministry.EDUCATION,
    StaffRole.SCHOOL_MEDIATOR: Ministry.EDUCATION,
    StaffRole.HEALTH_MEDIATOR: Ministry.HEALTH,
    StaffRole.COUNTY_COORDINATOR: None,
    StaffRole.NATIONAL_COORDINATOR: None,
}


@dataclass(frozen=True)
class CostBreakdown:
    """Yearly recurrent cost by item, in lei."""

    salaries: float = 0.0
    transport: float = 0.0
    it: float = 0.0
    supplies: float = 0.0
    community_centres: float = 0.0

    @property
    def total(self) -> float:
        """Return the sum of all items."""
        return self.salaries + self.transport + self.it + self.supplies + self.community_centres


@dataclass(frozen=True)
class RolloutYear:
    """One year of a progressive roll-out: what is active at its end and what it costs."""

    year: int
    communities: float
    new_communities: float
    children: float
    staff: int
    new_staff: int
    cost_ron: float
    cost_usd: float


@dataclass(frozen=True)
class ScenarioResult:
    """Everything a planner needs about one scenario; yearly figures are recurrent unless named first-year."""

    scenario: int
    title: str
    source: str  # "localities" (the platform's geography) or "aggregates" (national round counts)
    regions: tuple[str, ...]
    communities: float
    rural_communities: float
    urban_communities: float
    marginalised_communities: float
    counties: float
    children: float
    staff_by_role: dict[str, int]
    staff: int
    recurrent: CostBreakdown
    annual_cost_ron: float
    annual_cost_usd: float
    start_up_cost_ron: float
    first_year_cost_ron: float
    first_year_cost_usd: float
    cost_per_child_ron: float
    cost_per_child_usd: float
    gdp_share_pct: float
    first_year_gdp_share_pct: float
    ministry_cost_ron: dict[str, float]
    ministry_share_pct: dict[str, float]
    first_year_ministry_share_pct: dict[str, float]
    rollout: tuple[RolloutYear, ...] = field(default_factory=tuple)

    @property
    def rollout_total_ron(self) -> float:
        """Return the cost of all roll-out years together."""
        return sum(year.cost_ron for year in self.rollout)

    def as_dict(self) -> dict[str, object]:
        """Return the result as plain JSON-ready data, with rounded whole figures."""
        data = asdict(self)
        data["communities"] = round(self.communities)
        data["rural_communities"] = round(self.rural_communities)
        data["urban_communities"] = round(self.urban_communities)
        data["marginalised_communities"] = round(self.marginalised_communities)
        data["counties"] = round(self.counties)
        data["children"] = round(self.children)
        data["regions"] = list(self.regions)
        data["recurrent"] = {key: round(value) for key, value in asdict(self.recurrent).items()}
        for key in ("annual_cost_ron", "annual_cost_usd", "start_up_cost_ron", "first_year_cost_ron"):
            data[key] = round(data[key])
        data["first_year_cost_usd"] = round(self.first_year_cost_usd)
        data["cost_per_child_ron"] = round(self.cost_per_child_ron, 2)
        data["cost_per_child_usd"] = round(self.cost_per_child_usd, 2)
        data["gdp_share_pct"] = round(self.gdp_share_pct, 4)
        data["first_year_gdp_share_pct"] = round(self.first_year_gdp_share_pct, 4)
        data["ministry_cost_ron"] = {key: round(value) for key, value in self.ministry_cost_ron.items()}
        data["ministry_share_pct"] = {key: round(value, 4) for key, value in self.ministry_share_pct.items()}
        data["first_year_ministry_share_pct"] = {
            key: round(value, 4) for key, value in self.first_year_ministry_share_pct.items()
        }
        data["rollout"] = [
            {
                "year": year.year,
                "communities": round(year.communities),
                "new_communities": round(year.new_communities),
                "children": round(year.children),
                "staff": year.staff,
                "new_staff": year.new_staff,
                "cost_ron": round(year.cost_ron),
                "cost_usd": round(year.cost_usd),
            }
            for year in self.rollout
        ]
        data["rollout_total_ron"] = round(self.rollout_total_ron)
        return data


def community_fte(community: Community, norms: StaffNorms) -> dict[StaffRole, float]:
    """Return the full-time posts by role that ``community.count`` such communities need."""
    count = community.count
    if count <= 0:
        return dict.fromkeys(COMMUNITY_ROLES, 0.0)
    children_each = community.children / count
    fte = {
        StaffRole.SOCIAL_WORKER: count * max(1.0, children_each / norms.children_per_social_worker),
        StaffRole.COMMUNITY_NURSE: count * max(1.0, children_each / norms.children_per_community_nurse),
        StaffRole.SCHOOL_COUNSELLOR: count * max(1.0, children_each / norms.children_per_school_counsellor),
        StaffRole.SCHOOL_MEDIATOR: 0.0,
        StaffRole.HEALTH_MEDIATOR: 0.0,
    }
    if community.highly_marginalised:
        fte[StaffRole.SCHOOL_MEDIATOR] = count * norms.school_mediators_per_marginalised_community
        fte[StaffRole.HEALTH_MEDIATOR] = count * norms.health_mediators_per_marginalised_community
    return fte


def _posts(fte: float) -> int:
    """Round full-time equivalents up to whole posts, ignoring float noise."""
    return max(0, math.ceil(fte - FTE_TOLERANCE))


def staff_by_role(
    communities: Sequence[Community], counties: float, norms: StaffNorms
) -> dict[StaffRole, int]:
    """Return the posts by role for the communities and the counties that supervise them."""
    totals = dict.fromkeys(StaffRole, 0.0)
    teams = 0.0
    for community in communities:
        for role, fte in community_fte(community, norms).items():
            totals[role] += fte
        teams += max(community.count, 0.0)
    if counties > 0:
        totals[StaffRole.COUNTY_COORDINATOR] = (
            norms.county_coordinators_per_county * counties
            + teams / norms.community_teams_per_county_supervisor
        )
        totals[StaffRole.NATIONAL_COORDINATOR] = float(norms.national_coordinators)
    return {role: _posts(fte) for role, fte in totals.items()}


def yearly_cost_per_post(role: StaffRole, salaries: Salaries) -> float:
    """Return what the employer pays in a year for one post of a role."""
    gross: float = getattr(salaries, role.value)
    return (
        12 * gross * (1 + salaries.employer_contribution_rate)
        + 12 * salaries.meal_allowance_monthly
        + salaries.holiday_vouchers_yearly
    )


def recurrent_cost(
    staff: dict[StaffRole, int], children: float, marginalised: float, parameters: CostParameters
) -> CostBreakdown:
    """Return the yearly recurrent cost of running the package with these posts."""
    running = parameters.running
    posts = sum(staff.values())
    community_posts = sum(staff[role] for role in COMMUNITY_ROLES)
    return CostBreakdown(
        salaries=sum(
            count * yearly_cost_per_post(role, parameters.salaries) for role, count in staff.items()
        ),
        transport=community_posts * running.transport_per_post,
        it=posts * running.it_per_post,
        supplies=children * running.supplies_per_child,
        community_centres=marginalised * running.community_centre_per_year,
    )


def start_up_cost(new_posts: int, new_centres: float, parameters: CostParameters) -> float:
    """Return the one-off cost of filling new posts and opening new community centres."""
    one_off = parameters.start_up
    per_post = one_off.recruitment_per_post + one_off.training_per_post + one_off.tablet_per_post
    return new_posts * per_post + new_centres * one_off.community_centre_setup


def ministry_parts(staff: dict[StaffRole, int], total: float, salaries: Salaries) -> dict[Ministry, float]:
    """Split a total cost between the three ministries in proportion to the salaries each one pays."""
    paid = dict.fromkeys(Ministry, 0.0)
    for role, count in staff.items():
        cost = count * yearly_cost_per_post(role, salaries)
        ministry = ROLE_MINISTRY[role]
        if ministry is None:
            for each in Ministry:
                paid[each] += cost / len(Ministry)
        else:
            paid[ministry] += cost
    salary_total = sum(paid.values())
    if salary_total <= 0:
        return {ministry: total / len(Ministry) for ministry in Ministry}
    return {ministry: total * amount / salary_total for ministry, amount in paid.items()}


def _budget(parameters: CostParameters, ministry: Ministry) -> float:
    """Return a ministry's yearly budget."""
    budget: float = getattr(parameters.economy, f"budget_{ministry.value}")
    return budget


def cost_scenario(
    communities: Sequence[Community],
    parameters: CostParameters,
    *,
    scenario: Scenario | int = Scenario.ALL,
    source: str = "aggregates",
    regions: tuple[str, ...] = (),
) -> ScenarioResult:
    """Cost covering these communities: staff, recurrent and first-year cost, shares and a roll-out plan."""
    validate_parameters(parameters)
    validate_communities(communities)
    scenario = Scenario(scenario)
    counties = counties_covered(communities)
    children = sum(c.children for c in communities)
    marginalised = sum(c.count for c in communities if c.highly_marginalised)
    staff = staff_by_role(communities, counties, parameters.norms)
    recurrent = recurrent_cost(staff, children, marginalised, parameters)
    annual = recurrent.total
    start_up = start_up_cost(sum(staff.values()), marginalised, parameters)
    first_year = annual + start_up
    economy = parameters.economy
    parts = ministry_parts(staff, annual, parameters.salaries)
    first_parts = ministry_parts(staff, first_year, parameters.salaries)
    per_child = annual / children if children > 0 else 0.0
    return ScenarioResult(
        scenario=int(scenario),
        title=str(scenario.title),
        source=source,
        regions=regions if scenario == Scenario.REGIONS else (),
        communities=sum(c.count for c in communities),
        rural_communities=sum(c.count for c in communities if not c.urban),
        urban_communities=sum(c.count for c in communities if c.urban),
        marginalised_communities=marginalised,
        counties=counties,
        children=children,
        staff_by_role={role.value: count for role, count in staff.items()},
        staff=sum(staff.values()),
        recurrent=recurrent,
        annual_cost_ron=annual,
        annual_cost_usd=annual / economy.lei_per_usd,
        start_up_cost_ron=start_up,
        first_year_cost_ron=first_year,
        first_year_cost_usd=first_year / economy.lei_per_usd,
        cost_per_child_ron=per_child,
        cost_per_child_usd=per_child / economy.lei_per_usd,
        gdp_share_pct=100 * annual / economy.gdp,
        first_year_gdp_share_pct=100 * first_year / economy.gdp,
        ministry_cost_ron={m.value: amount for m, amount in parts.items()},
        ministry_share_pct={m.value: 100 * amount / _budget(parameters, m) for m, amount in parts.items()},
        first_year_ministry_share_pct={
            m.value: 100 * amount / _budget(parameters, m) for m, amount in first_parts.items()
        },
        rollout=rollout_plan(communities, counties, parameters),
    )


def _phases(communities: Sequence[Community], years: int) -> list[list[Community]]:
    """Split communities, most marginalised first, into equal yearly phases; aggregate rows split pro rata."""
    ordered = rollout_order([c for c in communities if c.count > 0])
    total = sum(c.count for c in ordered)
    phases: list[list[Community]] = [[] for _ in range(years)]
    if total <= 0:
        return phases
    per_year = total / years
    year, room = 0, per_year
    for community in ordered:
        left = community.count
        while left > FTE_TOLERANCE:
            if room <= FTE_TOLERANCE and year < years - 1:
                year, room = year + 1, per_year
            take = left if year == years - 1 else min(left, room)
            if community.siruta is not None and take < left:
                # A real locality is never split: it joins the year in which it starts.
                take = left
            fraction = take / community.count
            phases[year].append(replace(community, count=take, children=community.children * fraction))
            left -= take
            room -= take
    return phases


def rollout_plan(
    communities: Sequence[Community], counties: float, parameters: CostParameters
) -> tuple[RolloutYear, ...]:
    """Plan a progressive roll-out: the county and national units from year one, then equal community phases.

    A year's cost is the full recurrent cost of what was already running, the new teams' cost for the months
    they work in their first year, and the one-off cost of the new posts and community centres.
    """
    years = parameters.rollout.years
    worked = parameters.rollout.first_year_months_worked / 12
    plan = []
    active: list[Community] = []
    previous_staff = 0
    # Before any community starts, the structures exist: county coordinators and the national unit.
    previous_cost = recurrent_cost(staff_by_role([], counties, parameters.norms), 0, 0, parameters).total
    for index, phase in enumerate(_phases(communities, years), start=1):
        active = active + phase
        staff = staff_by_role(active, counties, parameters.norms)
        cost_now = recurrent_cost(
            staff,
            sum(c.children for c in active),
            sum(c.count for c in active if c.highly_marginalised),
            parameters,
        ).total
        posts = sum(staff.values())
        new_centres = sum(c.count for c in phase if c.highly_marginalised)
        year_cost = (
            previous_cost
            + worked * (cost_now - previous_cost)
            + start_up_cost(max(posts - previous_staff, 0), new_centres, parameters)
        )
        plan.append(
            RolloutYear(
                year=index,
                communities=sum(c.count for c in active),
                new_communities=sum(c.count for c in phase),
                children=sum(c.children for c in active),
                staff=posts,
                new_staff=max(posts - previous_staff, 0),
                cost_ron=year_cost,
                cost_usd=year_cost / parameters.economy.lei_per_usd,
            )
        )
        previous_staff, previous_cost = posts, cost_now
    return tuple(plan)
