"""The demo's field work: the social census (T0), the assessments of every wave, re-evaluations and cases.

The steps here build on the households of `households.py`. For every locality and wave a census campaign lists
the households to visit and records each visit with its outcome; every household assessed gets an
interchange-v1 assessment made from its own family (the same refs, names, birth dates, CNPs and parent links
as the registry), with answers drawn at rates that depend on how marginalised the locality is. The documents
go through `mps.assessment.importing.assessments_import`, so the findings, scores and risk levels come from
the rule engine and the registry is updated by the one write path, never written here.

Part of the assessed households (more often families with children in marginalised communities: the ones a
case manager follows) are re-evaluated at T1, T2 and T3. Each wave's answers evolve from the previous wave's
state of the household: ages advance with the visit dates, children born in between appear, a few young
adults move out, and most vulnerabilities fall the way they fell in the Bacău pilot (documents and family
doctor for every child, every pre-schooler in kindergarten, fewer unvaccinated children, teenage mothers and
drop-outs, families claiming the benefits they are entitled to), while a few (substance abuse, chronic illness
not followed, overcrowding, informal work, parents working abroad) do not.

Census entries and visits are a bulk load, like the registry: `census.services.visit_record` writes one
visit with five queries and an audit row, which is right for a tablet and too slow for ten thousand demo
visits. The rows written here keep the invariants `visit_record` keeps (each entry's status is the outcome of
its latest visit, attempts and last visit date match its visits, an assessed visit links the assessment of
its household and wave, no visit after the household was assessed), and one audit event per campaign says
where they came from. Campaigns are opened and closed through the census services.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from mps.accounts.models import Role, User
from mps.assessment.importing import assessments_import
from mps.assessment.models import MemberAnswers
from mps.audit.models import AuditAction
from mps.audit.services import audit_record
from mps.census.models import CensusEntry, CensusVisit, EntrySource, VisitOutcome
from mps.census.services import campaign_close, campaign_open
from mps.demo.answers import ADULT_AGE, Evolution, LateBirthCnpIssuer, StateMaker, render_document
from mps.demo.cases import build_demo_cases
from mps.demo.context import (
    CENSUS_START,
    WAVES,
    DemoContext,
    DemoHousehold,
    Fieldwork,
    HouseholdState,
    ProgressBar,
    Wave,
    WaveSummary,
    chance,
    locality_slug,
    new_ref,
)
from mps.geography.models import Locality, LocalityKind, Marginalisation
from mps.registry.models import Membership

DEMO_CENSUS_OBJECT_TYPE = "census_campaign"
_IMPORT_BATCH = 500


# Share of the households assessed at T0 that a case manager goes on to re-evaluate.
REEVALUATED_SHARE = 0.25
INVISIBLE_SHARE = 0.03
# Share of the open cases whose plan the family has signed by the reference date. Signing runs through the
# cases services one case at a time (plan, agreement, services delivered, referrals), about 60 ms a case.
AGREEMENT_SHARE = 0.3


@dataclass
class PlannedVisit:
    """One visit of a campaign, planned before anything is written."""

    ref: uuid.UUID
    day: dt.date
    worker: User
    outcome: str
    note: str = ""
    assessment_ref: uuid.UUID | None = None


@dataclass
class PlannedEntry:
    """A household on a campaign's list and its visits."""

    ref: uuid.UUID
    state: HouseholdState
    source: str
    register_ref: str
    head_name: str
    visits: list[PlannedVisit] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.visits[-1].outcome


# Step: the calendar -----------------------------------------------------------------------------------------


def set_census_calendar(context: DemoContext) -> None:
    """Children born after the census started join their household's register when a visit finds them."""
    context.births_after = CENSUS_START


# What a worker writes after a visit that did not end in an assessment.
_NOTES: dict[str, tuple[str, ...]] = {
    VisitOutcome.NOBODY_HOME: (
        "Nu a răspuns nimeni; revenim.",
        "Vecinii spun că familia lucrează la câmp ziua.",
        "Poarta încuiată; am lăsat bilet.",
        "",
    ),
    VisitOutcome.REFUSED: ("Familia nu dorește să participe.", "Capul gospodăriei a refuzat discuția.", ""),
    VisitOutcome.MOVED_OR_NOT_FOUND: (
        "Casa este nelocuită.",
        "Familia s-a mutat în alt județ, după spusele vecinilor.",
        "Adresa nu a fost găsită.",
    ),
    VisitOutcome.ASSESSED: ("",),
}


# Visits ---------------------------------------------------------------------------------------------------


class _VisitPlanner:
    """Plan the visits of one locality's campaign: who goes, on which working day, with what outcome."""

    def __init__(self, rng: random.Random, team: Sequence[User], first: dt.date, last: dt.date) -> None:
        self.rng = rng
        self.days = [
            first + dt.timedelta(days=n)
            for n in range((last - first).days + 1)
            if (first + dt.timedelta(days=n)).weekday() < 5
        ] or [first]
        weights = {
            Role.SOCIAL_WORKER: 35,
            Role.COMMUNITY_NURSE: 30,
            Role.SCHOOL_COUNSELLOR: 15,
            Role.SCHOOL_MEDIATOR: 10,
            Role.HEALTH_MEDIATOR: 10,
        }
        self.team = list(team)
        self.weights = [weights.get(Role(user.role), 5) for user in self.team]

    def worker(self) -> User:
        return self.rng.choices(self.team, self.weights)[0]

    def visits(self, final: str, failed_before: int) -> list[PlannedVisit]:
        """Return up to `failed_before` "nobody home" attempts, then the final outcome, on distinct days."""
        last = len(self.days) - 1
        positions = [self.rng.randint(0, last)]
        for _attempt in range(failed_before):
            positions.append(positions[-1] + self.rng.randint(2, 9))
        # Attempts that would fall after the campaign's end move back; the ones pushed before its start drop.
        overflow = max(0, positions[-1] - last)
        positions = [position - overflow for position in positions if position - overflow >= 0]
        visits = []
        for number, position in enumerate(positions):
            outcome = final if number == len(positions) - 1 else VisitOutcome.NOBODY_HOME
            visits.append(
                PlannedVisit(
                    ref=new_ref(self.rng),
                    day=self.days[position],
                    worker=self.worker(),
                    outcome=outcome,
                    note=self.rng.choice(_NOTES[outcome]),
                )
            )
        return visits


def _final_outcome(rng: random.Random, assessed_share: float) -> tuple[str, int]:
    """Draw how a household's census ends and how many "nobody home" attempts came before."""
    roll = rng.random()
    if roll < assessed_share:
        return VisitOutcome.ASSESSED, rng.choices((0, 1, 2), (80, 15, 5))[0]
    rest = (roll - assessed_share) / (1 - assessed_share)
    if rest < 0.5:
        return VisitOutcome.NOBODY_HOME, rng.choices((0, 1, 2), (30, 40, 30))[0]
    if rest < 0.75:
        return VisitOutcome.REFUSED, rng.choices((0, 1), (80, 20))[0]
    return VisitOutcome.MOVED_OR_NOT_FOUND, rng.choices((0, 1), (70, 30))[0]


def _head_name(household: DemoHousehold) -> str:
    head = household.head
    return f"{head.last_name} {head.first_name}"


# Steps: the waves ---------------------------------------------------------------------------------------


def _latest_visit_day(context: DemoContext) -> dt.date:
    # The assessment service refuses visit dates in the future: never go past today, whatever the clock says.
    return min(context.reference_date, timezone.localdate())


def _fieldwork(context: DemoContext) -> Fieldwork:
    if context.fieldwork is None:
        taken = {person.cnp for person in context.people if person.cnp}
        context.fieldwork = Fieldwork(cnps=taken)
    return context.fieldwork


def census_t0(context: DemoContext) -> None:
    """The social census: every household listed (a few found in the field), visited, most of them assessed."""
    work = _fieldwork(context)
    wave = WAVES[0]
    latest = _latest_visit_day(context)
    if wave.starts_on > latest:
        return
    last_day = wave.ends_on(latest)
    by_locality: dict[int, list[DemoHousehold]] = {}
    for household in context.households:
        by_locality.setdefault(household.locality.siruta, []).append(household)
    plans: list[tuple[Locality, list[PlannedEntry]]] = []
    for locality in context.localities:
        households = by_locality.get(locality.siruta, [])
        team = context.teams.get(locality.siruta)
        if not households or team is None:
            continue
        rng = context.random("census", wave.code, locality.siruta)
        states = StateMaker(context.random("answers", wave.code, locality.siruta), locality)
        planner = _VisitPlanner(rng, team.members, wave.starts_on, last_day)
        invisible_count = max(1 if len(households) >= 10 else 0, round(INVISIBLE_SHARE * len(households)))
        invisible = {id(h) for h in rng.sample(households, min(invisible_count, len(households)))}
        urban = locality.kind != LocalityKind.COMMUNE
        assessed_share = rng.uniform(0.85, 0.88) if urban else rng.uniform(0.89, 0.92)
        entries: list[PlannedEntry] = []
        for household in households:
            field_found = id(household) in invisible
            final: str
            if field_found:
                final, failed = (VisitOutcome.ASSESSED, 0) if chance(rng, 0.95) else (VisitOutcome.REFUSED, 0)
            else:
                final, failed = _final_outcome(rng, assessed_share)
            visits = planner.visits(final, failed)
            state = states.household(household, visits[-1].day)
            work.states[household.ref] = state
            if field_found:
                register_ref = ""
            else:
                register_ref = f"SPAS-{locality.siruta}-{len(work.register_refs) + 1:05d}"
                work.register_refs[household.ref] = register_ref
            entries.append(
                PlannedEntry(
                    ref=new_ref(rng),
                    state=state,
                    source=EntrySource.FIELD if field_found else EntrySource.REGISTER,
                    register_ref=register_ref,
                    head_name="" if field_found else _head_name(household),
                    visits=visits,
                )
            )
        plans.append((locality, entries))
    # Households found in the field get a register number once the census is over.
    for household in context.households:
        if household.ref in work.states and household.ref not in work.register_refs:
            work.register_refs[household.ref] = (
                f"SPAS-{household.locality.siruta}-{len(work.register_refs) + 1:05d}"
            )
    _record_wave(context, wave, last_day, plans)
    _choose_cohort(context, plans)


def _choose_cohort(context: DemoContext, plans: list[tuple[Locality, list[PlannedEntry]]]) -> None:
    """Pick the households a case manager re-evaluates: mostly families with children, poorer, marginalised."""
    work = _fieldwork(context)
    rng = context.random("cohort")
    weight = {Marginalisation.HIGH: 1.8, Marginalisation.MEDIUM: 1.4, Marginalisation.LOW: 1.0}
    candidates: list[tuple[float, uuid.UUID]] = []
    for locality, entries in plans:
        for entry in entries:
            if entry.outcome != VisitOutcome.ASSESSED:
                continue
            day = entry.visits[-1].day
            state = entry.state
            children = any(
                m.person.age_on(day) < ADULT_AGE for m in state.members if m.person.birth_date <= day
            )
            score = (3.0 if children else 0.3) * weight.get(Marginalisation(locality.marginalisation), 0.7)
            score *= 1.6 if state.poor else 1.0
            # Weighted sampling without replacement (Efraimidis-Spirakis): the largest u^(1/w) win.
            candidates.append((rng.random() ** (1 / score), state.household.ref))
    wanted = round(REEVALUATED_SHARE * len(candidates))
    chosen = {ref for _key, ref in sorted(candidates, reverse=True)[:wanted]}
    work.active = [h.ref for h in context.households if h.ref in chosen]


def _reevaluation(wave: Wave) -> Callable[[DemoContext], None]:
    def step(context: DemoContext) -> None:
        work = _fieldwork(context)
        latest = _latest_visit_day(context)
        if wave.starts_on > latest or not work.active:
            return
        last_day = wave.ends_on(latest)
        cnps = LateBirthCnpIssuer(work.cnps, context.random("cnp", wave.code))
        active = set(work.active)
        plans: list[tuple[Locality, list[PlannedEntry]]] = []
        still: set[uuid.UUID] = set()
        for locality in context.localities:
            team = context.teams.get(locality.siruta)
            households = [
                h for h in context.households if h.locality.siruta == locality.siruta and h.ref in active
            ]
            if not households or team is None:
                continue
            rng = context.random("census", wave.code, locality.siruta)
            evolution = Evolution(context.random("answers", wave.code, locality.siruta), wave.number, cnps)
            planner = _VisitPlanner(rng, team.members, wave.starts_on, last_day)
            entries = []
            for household in households:
                roll = rng.random()
                if roll < 0.92:
                    final, failed = VisitOutcome.ASSESSED, rng.choices((0, 1), (85, 15))[0]
                elif roll < 0.96:
                    final, failed = VisitOutcome.NOBODY_HOME, rng.choices((0, 1), (50, 50))[0]
                elif roll < 0.98:
                    final, failed = VisitOutcome.REFUSED, 0
                else:
                    final, failed = VisitOutcome.MOVED_OR_NOT_FOUND, 0
                visits = planner.visits(final, failed)
                state = work.states[household.ref]
                # Time passes for every household followed, whether or not the team finds it at home.
                evolution.household(state, visits[-1].day)
                evolution.move_out(state, visits[-1].day)
                if final in (VisitOutcome.ASSESSED, VisitOutcome.NOBODY_HOME):
                    still.add(household.ref)
                entries.append(
                    PlannedEntry(
                        ref=new_ref(rng),
                        state=state,
                        source=EntrySource.REGISTER,
                        register_ref=work.register_refs[household.ref],
                        head_name=_head_name(household),
                        visits=visits,
                    )
                )
            plans.append((locality, entries))
        work.active = [ref for ref in work.active if ref in still]
        _record_wave(context, wave, last_day, plans)

    return step


census_t1 = _reevaluation(WAVES[1])
census_t2 = _reevaluation(WAVES[2])
census_t3 = _reevaluation(WAVES[3])


def _record_wave(
    context: DemoContext, wave: Wave, last_day: dt.date, plans: list[tuple[Locality, list[PlannedEntry]]]
) -> None:
    """Import the wave's assessments through the assessment service, then write its census campaigns."""
    work = _fieldwork(context)
    summary = WaveSummary(wave.code)
    documents: list[str] = []
    for _locality, entries in plans:
        for entry in entries:
            visit = entry.visits[-1]
            if visit.outcome != VisitOutcome.ASSESSED:
                continue
            visit.assessment_ref = new_ref(context.random("assessment", wave.code, entry.state.household.ref))
            document = render_document(
                entry.state,
                ref=visit.assessment_ref,
                wave=wave,
                day=visit.day,
                username=visit.worker.username,
            )
            documents.append(json.dumps(document, ensure_ascii=False))
    bar = context.progress(
        _("Assessments %(wave)s (through the rule engine)") % {"wave": wave.code}, len(documents)
    )
    try:
        result = assessments_import(
            documents, batch_size=_IMPORT_BATCH, workers=1, progress=lambda done: _advance(bar, done)
        )
    finally:
        bar.close()
    if result.rejected:
        first = result.rejected[0]
        raise RuntimeError(
            f"The demo made an assessment the service refused ({len(result.rejected)} in all): "
            + "; ".join(f"{problem.path}: {problem.message}" for problem in first.problems)
        )
    bar = context.progress(_("Census %(wave)s") % {"wave": wave.code}, len(plans))
    try:
        for locality, entries in plans:
            _write_campaign(context, wave, last_day, locality, entries, summary)
            bar.update(1)
    finally:
        bar.close()
    work.waves.append(summary)


def _advance(bar: ProgressBar, done: int) -> None:
    bar.update(done)


def _coordinator(context: DemoContext, locality: Locality) -> User:
    for demo in context.users:
        user = demo.user
        if user.role == Role.LOCAL_COORDINATOR and user.username.endswith(f".{locality_slug(locality)}"):
            return user
    return context.teams[locality.siruta].social_worker


def _write_campaign(
    context: DemoContext,
    wave: Wave,
    last_day: dt.date,
    locality: Locality,
    planned: list[PlannedEntry],
    summary: WaveSummary,
) -> None:
    coordinator = _coordinator(context, locality)
    campaign = campaign_open(actor=coordinator, locality=locality, wave=wave.code, starts_on=wave.starts_on)
    listed_at = timezone.make_aware(dt.datetime.combine(wave.starts_on - dt.timedelta(days=7), dt.time(9)))
    entries: list[CensusEntry] = []
    visits: list[CensusVisit] = []
    for plan in planned:
        entry = CensusEntry(
            id=plan.ref,
            campaign=campaign,
            household_id=plan.state.household.ref,
            source=plan.source,
            register_ref=plan.register_ref,
            register_head_name=plan.head_name,
            listed_at=listed_at
            if plan.source == EntrySource.REGISTER
            else timezone.make_aware(dt.datetime.combine(plan.visits[0].day, dt.time(10))),
            listed_by=coordinator if plan.source == EntrySource.REGISTER else plan.visits[0].worker,
            # As `visit_record` keeps them: the latest visit's outcome, the number of visits, the last date.
            status=plan.outcome,
            attempts=len(plan.visits),
            last_visited_on=plan.visits[-1].day,
        )
        entries.append(entry)
        visits += [
            CensusVisit(
                id=visit.ref,
                entry_id=entry.id,
                visited_on=visit.day,
                worker=visit.worker,
                outcome=visit.outcome,
                note=visit.note,
                assessment_id=visit.assessment_ref,
            )
            for visit in plan.visits
        ]
        summary.listed += 1
        summary.invisibles += plan.source == EntrySource.FIELD
        summary.visits += len(plan.visits)
        summary.assessed += plan.outcome == VisitOutcome.ASSESSED
    CensusEntry.objects.bulk_create(entries, batch_size=1000)
    CensusVisit.objects.bulk_create(visits, batch_size=1000)
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type=DEMO_CENSUS_OBJECT_TYPE,
        object_id=campaign.id,
        locality_id=locality.siruta,
        changes={
            "demo_load": [
                None,
                {
                    "source": "build_demo",
                    "seed": context.seed,
                    "entries": len(entries),
                    "invisibles": sum(e.source == EntrySource.FIELD for e in entries),
                    "visits": len(visits),
                },
            ]
        },
    )
    # Every wave but the latest is over; the latest stays open for the visits still to come.
    if wave is not WAVES[-1] and wave.starts_on + dt.timedelta(weeks=wave.weeks) <= _latest_visit_day(
        context
    ):
        campaign_close(actor=coordinator, campaign=campaign, ends_on=last_day)


# Step: the newborns -------------------------------------------------------------------------------------


def register_births(context: DemoContext) -> None:
    """Give the children born after the census began, whom no visit recorded, their household membership."""
    waiting = list(context.deferred_members)
    if not waiting:
        return
    housed = set(
        Membership.objects.filter(person_id__in=[person.ref for _household, person in waiting]).values_list(
            "person_id", flat=True
        )
    )
    Membership.objects.bulk_create(
        [
            Membership(
                household_id=household.ref,
                person_id=person.ref,
                relation=person.relation,
                start_date=person.since,
            )
            for household, person in waiting
            if person.ref not in housed
        ],
        batch_size=1000,
    )


# Step: cases ----------------------------------------------------------------------------------------------


def open_cases(context: DemoContext) -> None:
    """Open the cases of the assessed households and add a year of case work, through the cases app."""
    work = _fieldwork(context)
    bar = context.progress(_("Case management"), 1)
    try:
        work.cases = build_demo_cases(
            context.random("cases"), today=context.reference_date, agreement_share=AGREEMENT_SHARE
        )
        bar.update(1)
    finally:
        bar.close()
    work.children_followed = children_with_evaluations(3)


def children_with_evaluations(minimum: int) -> int:
    """Return how many people were assessed as children (under 18 at their first visit) at least `minimum` times."""
    first_ages: dict[uuid.UUID, int] = {}
    for person_id, age in MemberAnswers.objects.order_by("assessment__assessed_on").values_list(
        "person_id", "age"
    ):
        first_ages.setdefault(person_id, age)
    counts = (
        MemberAnswers.objects.values("person_id")
        .annotate(evaluations=Count("assessment_id", distinct=True))
        .filter(evaluations__gte=minimum)
        .values_list("person_id", flat=True)
    )
    return sum(1 for person_id in counts if first_ages.get(person_id, ADULT_AGE) < ADULT_AGE)
