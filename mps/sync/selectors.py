"""Pull: what a device keeps of its user's localities, whole the first time and by cursor afterwards.

Policy. A device receives the households of the localities whose cases its user may read
(`mps.access.policy.case_localities`), each with its current members, its latest assessment (the whole
interchange document, so that a re-evaluation is prefilled offline), the case's open plan goals, open tasks and
pending referrals, and its entries in census campaigns that are not closed; the first pull also carries the
question definition and the catalogue. Every person sent is recorded as read by the user, as on the pages.

The cursor is opaque and signed: the time the pull started, the user and a digest of the localities in scope.
With a cursor, only households that changed since (household, members, people, assessments, case, goals,
referrals, tasks, census entries) are sent, and the window starts `CURSOR_OVERLAP` earlier, because a change
committed by a transaction that began before the previous pull carries a timestamp older than its cursor;
the device upserts by ref, so sending a record twice is harmless. A cursor that is invalid, belongs to another
user or predates a change of scope gives a full pull (`"full": true`), which the device takes as a replacement.

Transfers. A household accepted into another locality since the cursor comes as a `gone` entry (its ref, reason
`transferred`, the date), and the device deletes what it kept of it; a full pull has no `gone` entries, since it
replaces everything. A household that arrived by transfer is a changed household of the receiving team's
pull, whole (members, latest assessment, case, goals, tasks, referrals), because accepting the transfer saves
the household. Pending transfers of the device's localities come in `transfers` with every pull, saying only
what `mps.moves.selectors.family_summary` lets the user be told.
"""

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mps.access.policy import case_localities, editable_localities
from mps.accounts.models import User
from mps.assessment.models import Assessment, Finding
from mps.assessment.questions import Question, load_questions
from mps.assessment.rules import CURRENT_CATALOGUE
from mps.audit.services import audit_reads
from mps.cases.catalogue import catalogue_document
from mps.cases.models import (
    PENDING_REFERRAL_STATUSES,
    Case,
    GoalStatus,
    PlanGoal,
    Referral,
    Task,
)
from mps.census.models import CampaignStatus, CensusCampaign, CensusEntry
from mps.core.collation import romanian
from mps.geography.models import Locality, Village
from mps.moves.models import HouseholdTransfer, TransferStatus
from mps.moves.selectors import family_summary, households_moved_away, readable_locality_ids
from mps.registry.models import Household, Membership
from mps.sync.models import Conflict

CURSOR_SALT = "mps.sync.pull"
CURSOR_VERSION = 1
CURSOR_OVERLAP = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class _Cursor:
    since: dt.datetime
    user_id: int
    scope: str


def _scope_digest(locality_ids: Iterable[int]) -> str:
    text = ",".join(str(siruta) for siruta in sorted(locality_ids))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cursor_text(at: dt.datetime, user: User, scope: str) -> str:
    return signing.dumps(
        {"v": CURSOR_VERSION, "t": at.isoformat(), "u": user.pk, "s": scope}, salt=CURSOR_SALT, compress=True
    )


def _cursor_read(text: str) -> _Cursor | None:
    """Return the cursor a device sent back, or None if it is not one this server signed."""
    try:
        data = signing.loads(text, salt=CURSOR_SALT)
        if data.get("v") != CURSOR_VERSION:
            return None
        since = dt.datetime.fromisoformat(data["t"])
        return _Cursor(since=since, user_id=int(data["u"]), scope=str(data["s"]))
    except (signing.BadSignature, ValueError, KeyError, TypeError, AttributeError):
        return None


def sync_pull_for_user(user: User, cursor: str = "") -> dict[str, Any]:
    """Return the households the user's device keeps: all of them, or those changed since the cursor."""
    started = timezone.now()
    localities = list(case_localities(user).order_by(romanian("name")))
    locality_ids = [locality.siruta for locality in localities]
    scope = _scope_digest(locality_ids)
    previous = _cursor_read(cursor) if cursor else None
    full = previous is None or previous.user_id != user.pk or previous.scope != scope
    in_scope = Household.objects.filter(locality_id__in=locality_ids)
    gone: list[dict[str, Any]] = []
    if full:
        household_ids: Any = in_scope.values("id")
    else:
        assert previous is not None
        household_ids = _changed_households(in_scope, previous.since - CURSOR_OVERLAP)
        gone = _gone(locality_ids, previous.since - CURSOR_OVERLAP)
    households = _households(user, household_ids)
    payload: dict[str, Any] = {
        "cursor": _cursor_text(started, user, scope),
        "full": full,
        "server_time": started.isoformat(),
        "user": {"username": user.username, "name": user.get_full_name() or user.username},
        "localities": _localities(
            localities, editable=set(editable_localities(user).values_list("siruta", flat=True))
        ),
        "households": households,
        "gone": gone,
        "transfers": _pending_transfers(user, locality_ids),
    }
    if full:
        payload["catalogue"] = field_catalogue()
    return payload


def _localities(localities: list[Locality], *, editable: set[int]) -> list[dict[str, Any]]:
    villages: dict[int, list[str]] = defaultdict(list)
    for locality_id, name in Village.objects.filter(
        locality_id__in=[loc.siruta for loc in localities]
    ).values_list("locality_id", "name"):
        villages[locality_id].append(name)
    campaigns: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for campaign in CensusCampaign.objects.filter(locality_id__in=[loc.siruta for loc in localities]).exclude(
        status=CampaignStatus.CLOSED
    ):
        campaigns[campaign.locality_id].append(
            {
                "ref": str(campaign.id),
                "wave": campaign.wave,
                "starts_on": campaign.starts_on.isoformat(),
                "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
            }
        )
    return [
        {
            "siruta": str(loc.siruta),
            "name": loc.name,
            "editable": loc.siruta in editable,
            "villages": villages.get(loc.siruta, []),
            "campaigns": campaigns.get(loc.siruta, []),
        }
        for loc in localities
    ]


def _changed_households(in_scope: QuerySet[Household], since: dt.datetime) -> list[uuid.UUID]:
    """Return the households in scope with any change to what a device keeps of them since a moment."""
    changed = set(in_scope.filter(updated_at__gt=since).values_list("id", flat=True))
    scoped = Q(household__in=in_scope)
    changed |= set(
        Membership.objects.filter(scoped, updated_at__gt=since).values_list("household_id", flat=True)
    )
    changed |= set(
        Membership.objects.filter(scoped, end_date__isnull=True, person__updated_at__gt=since).values_list(
            "household_id", flat=True
        )
    )
    changed |= set(
        Assessment.objects.filter(scoped, updated_at__gt=since).values_list("household_id", flat=True)
    )
    changed |= set(Case.objects.filter(scoped, updated_at__gt=since).values_list("household_id", flat=True))
    case_scoped = Q(case__household__in=in_scope)
    changed |= set(
        PlanGoal.objects.filter(case_scoped, created_at__gt=since).values_list(
            "case__household_id", flat=True
        )
    )
    changed |= set(
        Referral.objects.filter(case_scoped, updated_at__gt=since).values_list(
            "case__household_id", flat=True
        )
    )
    changed |= set(
        Task.objects.filter(case_scoped, done_at__gt=since).values_list("case__household_id", flat=True)
    )
    changed |= set(
        CensusEntry.objects.filter(scoped, updated_at__gt=since).values_list("household_id", flat=True)
    )
    # A campaign closed or opened changes which entries a device may record visits on.
    changed |= set(
        CensusEntry.objects.filter(scoped, campaign__updated_at__gt=since).values_list(
            "household_id", flat=True
        )
    )
    return sorted(changed)


def _gone(locality_ids: list[int], since: dt.datetime) -> list[dict[str, Any]]:
    """Return the households transferred out of these localities since a moment, for the device to delete.

    A household that moved between two localities of the scope, or came back into it, is not gone: it is sent
    with the changed households instead. A full pull sends none: the device replaces everything it kept.
    """
    gone: dict[uuid.UUID, dict[str, Any]] = {}
    for household_id, decided_at, moved_on in (
        households_moved_away(locality_ids, since)
        .exclude(household__locality_id__in=locality_ids)
        .order_by("decided_at")
        .values_list("household_id", "decided_at", "moved_on")
    ):
        gone[household_id] = {
            "ref": str(household_id),
            "reason": "transferred",
            "on": timezone.localdate(decided_at).isoformat(),
            "moved_on": moved_on.isoformat(),
        }
    return list(gone.values())


def _pending_transfers(user: User, locality_ids: list[int]) -> list[dict[str, Any]]:
    """Return the household transfers waiting for a decision that leave or reach these localities.

    Each says only what `family_summary` lets this user be told: a team that claimed a family by CNP learns
    neither where it lived nor who is in it until the transfer is accepted.
    """
    transfers = (
        HouseholdTransfer.objects.filter(status=TransferStatus.PENDING)
        .filter(Q(from_locality_id__in=locality_ids) | Q(to_locality_id__in=locality_ids))
        .select_related("household", "from_locality", "to_locality")
        .order_by("created_at")[:200]
    )
    pending = []
    readable = readable_locality_ids(user)
    for transfer in transfers:
        summary = family_summary(user, transfer, readable)
        outgoing = transfer.from_locality_id in locality_ids
        pending.append(
            {
                "ref": str(transfer.id),
                "direction": "outgoing" if outgoing else "incoming",
                "household": str(transfer.household_id) if summary.may_open_household else None,
                # A claim by CNP names no place to the claiming team: where the family lived is withheld too.
                "from_locality": transfer.from_locality.name
                if outgoing or summary.members is not None
                else "",
                "to_locality": transfer.to_locality.name,
                "moved_on": transfer.moved_on.isoformat(),
                "requested_side": transfer.requested_side,
                "requested_on": timezone.localdate(transfer.created_at).isoformat(),
                "head_name": summary.head_name,
                "members": summary.members,
            }
        )
    return pending


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _ref(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _households(user: User, household_ids: Any) -> list[dict[str, Any]]:
    """Return each household with what the field app shows and edits offline, in a fixed number of queries."""
    households = list(
        Household.objects.filter(id__in=household_ids)
        .select_related("village")
        .order_by("locality_id", "address")
        .values_list(
            "id", "locality_id", "village__name", "address", "latitude", "longitude", "version", "updated_at"
        )
    )
    ids = [row[0] for row in households]
    if not ids:
        return []

    members: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    read_by_locality: dict[int, list[uuid.UUID]] = defaultdict(list)
    locality_of = {row[0]: row[1] for row in households}
    # Plain rows, not model instances: a pull reads hundreds of people and builds nothing else from them.
    for household_id, relation, person_id, first, last, sex, birth_date, cnp, mother, father in (
        Membership.objects.filter(household_id__in=ids, end_date__isnull=True)
        .order_by("household_id", "person__birth_date")
        .values_list(
            "household_id",
            "relation",
            "person_id",
            "person__first_name",
            "person__last_name",
            "person__sex",
            "person__birth_date",
            "person__cnp",
            "person__mother_id",
            "person__father_id",
        )
    ):
        members[household_id].append(
            {
                "ref": str(person_id),
                "first_name": first,
                "last_name": last,
                "sex": sex,
                "birth_date": birth_date.isoformat(),
                "cnp": cnp,
                "relation": relation,
                "mother": _ref(mother),
                "father": _ref(father),
            }
        )
        read_by_locality[locality_of[household_id]].append(person_id)

    latest: dict[uuid.UUID, dict[str, Any]] = {}
    assessment_household: dict[uuid.UUID, uuid.UUID] = {}
    for assessment_id, household_id, wave, assessed_on, score, risk, document in Assessment.objects.filter(
        household_id__in=ids, is_latest=True
    ).values_list("id", "household_id", "wave", "assessed_on", "score", "risk_level", "document"):
        assessment_household[assessment_id] = household_id
        latest[household_id] = {
            "ref": str(assessment_id),
            "wave": wave,
            "assessed_on": assessed_on.isoformat(),
            "score": score,
            "risk": risk,
            "findings": [],
            "document": document,
        }
    for assessment_id, code, person_id in Finding.objects.filter(
        assessment_id__in=list(assessment_household)
    ).values_list("assessment_id", "code", "person_id"):
        latest[assessment_household[assessment_id]]["findings"].append([code, _ref(person_id)])

    cases = {
        household_id: {"ref": str(case_id), "status": status, "manager": manager}
        for case_id, household_id, status, manager in Case.objects.filter(household_id__in=ids).values_list(
            "id", "household_id", "status", "case_manager__username"
        )
    }
    goals: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for goal_id, household_id, code, person_id, critical, persisting in PlanGoal.objects.filter(
        case__household_id__in=ids, status=GoalStatus.OPEN
    ).values_list("id", "case__household_id", "code", "person_id", "critical", "persisting"):
        goals[household_id].append(
            {
                "id": goal_id,
                "code": code,
                "person": _ref(person_id),
                "critical": critical,
                "persisting": persisting,
            }
        )
    tasks: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for task_id, household_id, kind, title, due_at, urgent, person_id in Task.objects.filter(
        case__household_id__in=ids, done_at__isnull=True
    ).values_list("id", "case__household_id", "kind", "title", "due_at", "urgent", "person_id"):
        tasks[household_id].append(
            {
                "id": task_id,
                "kind": kind,
                "title": title,
                "due": due_at.isoformat(),
                "urgent": urgent,
                "person": _ref(person_id),
            }
        )
    referrals: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for ref, household_id, code, institution, status, due_on, urgent, person_id in Referral.objects.filter(
        case__household_id__in=ids, status__in=PENDING_REFERRAL_STATUSES
    ).values_list(
        "id", "case__household_id", "code", "institution", "status", "due_on", "urgent", "person_id"
    ):
        referrals[household_id].append(
            {
                "ref": str(ref),
                "code": code,
                "institution": institution,
                "status": status,
                "due_on": due_on.isoformat(),
                "urgent": urgent,
                "person": _ref(person_id),
            }
        )
    census: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for entry_id, household_id, wave, status, attempts, last_visited_on, head_name in (
        # Only the campaigns of the household's locality: a family that moved in is not on the old team's list.
        CensusEntry.objects.filter(household_id__in=ids, campaign__locality_id=F("household__locality_id"))
        .exclude(campaign__status=CampaignStatus.CLOSED)
        .values_list(
            "id",
            "household_id",
            "campaign__wave",
            "status",
            "attempts",
            "last_visited_on",
            "register_head_name",
        )
    ):
        census[household_id].append(
            {
                "entry": str(entry_id),
                "wave": wave,
                "status": status,
                "attempts": attempts,
                "last_visited_on": _iso(last_visited_on),
                "head_name": head_name,
            }
        )

    for locality_id, person_ids in read_by_locality.items():
        audit_reads(actor=user, object_type="person", object_ids=person_ids, locality_id=locality_id)

    return [
        {
            "ref": str(household_id),
            "locality": str(locality_id),
            "village": village or "",
            "address": address,
            "lat": latitude,
            "lon": longitude,
            "version": version,
            "updated_at": updated_at.isoformat(),
            "members": members.get(household_id, []),
            "latest": latest.get(household_id),
            "case": cases.get(household_id),
            "goals": goals.get(household_id, []),
            "tasks": tasks.get(household_id, []),
            "referrals": referrals.get(household_id, []),
            "census": census.get(household_id, []),
        }
        for household_id, locality_id, village, address, latitude, longitude, version, updated_at in households
    ]


@cache
def field_catalogue(code: str = CURRENT_CATALOGUE) -> dict[str, Any]:
    """Return the question definition and the catalogue the field app builds its forms and names from."""
    questions = load_questions()
    return {
        "questions": {
            "code": questions.code,
            "visit": [_question(q) for q in questions.visit],
            "household": [_question(q) for q in questions.household],
            "member": [_question(q) for q in questions.member],
        },
        **catalogue_document(code),
    }


def _question(question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {
        "field": question.field,
        "type": question.type,
        "label_ro": question.label_ro,
        "label_en": question.label_en,
    }
    optional_parts = {
        "help_ro": question.help_ro,
        "help_en": question.help_en,
        "options": [
            {"value": o.value, "label_ro": o.label_ro, "label_en": o.label_en} for o in question.options
        ],
        "optional": question.optional,
        "applies_when": question.applies_when,
        "neutral": question.neutral,
        "minimum": question.minimum,
        "maximum": question.maximum,
        "max_length": question.max_length,
    }
    item.update({key: value for key, value in optional_parts.items() if value not in (None, "", [], False)})
    # A neutral answer of False or 0 is meaningful; only "no neutral answer" may be left out.
    if question.neutral is not None:
        item["neutral"] = question.neutral
    return item


# Conflicts --------------------------------------------------------------------------------------------------


def conflict_list_for_user(user: User, *, open_only: bool = True) -> QuerySet[Conflict]:
    """Return the conflicts of the households the user may see, newest first."""
    conflicts = Conflict.objects.filter(household__locality__in=case_localities(user))
    if open_only:
        conflicts = conflicts.filter(resolved_at__isnull=True)
    return conflicts.select_related(
        "household__locality",
        "household__village",
        "assessment__assessed_by",
        "other__assessed_by",
        "resolved_by",
        "transfer__from_locality",
        "pushed_by",
    ).order_by("-detected_at")


def conflict_get_for_user(user: User, conflict_id: uuid.UUID | str) -> Conflict:
    """Return one conflict the user may see, or 404."""
    try:
        return conflict_list_for_user(user, open_only=False).get(id=conflict_id)
    except (Conflict.DoesNotExist, ValueError) as error:
        raise Http404 from error
