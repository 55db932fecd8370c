"""Every change to census campaigns: one function each, atomic, validated, scope-checked and audited.

Only the visit services (`visit_record`, `visits_record_for_assessments`, and
`household_moves.entries_follow_household_move`) write visits, and they keep each entry's status, attempts and last visit date in step with its visits in the same
transaction; the coverage counts depend on that.
"""

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mps.access.policy import editable_localities, may_edit_in
from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.audit.models import AuditAction, AuditEvent
from mps.audit.services import audit_record
from mps.core.errors import DomainValidationError
from mps.core.limits import NOTE_MAX, too_long
from mps.core.search_text import fold_for_search
from mps.geography.models import Locality, Village
from mps.registry.models import Household
from mps.registry.services import household_create

from .models import (
    CampaignStatus,
    CensusCampaign,
    CensusEntry,
    CensusVisit,
    EntrySource,
    EntryStatus,
    VisitOutcome,
)

WAVE_PATTERN = re.compile(r"^T[0-9]{1,2}$")
REGISTER_COLUMNS = ("register_ref", "address", "village", "head_name")
MAX_REGISTER_ROWS = 20_000


def wave_number(wave: str) -> int:
    """Return the number of a wave code: 0 for T0, 3 for T3."""
    return int(wave[1:])


def _not_an_editor(field: str) -> DomainValidationError:
    return DomainValidationError({field: [_("You may not change the census of this locality.")]})


def _require_editor(actor: User, locality_id: int, field: str) -> None:
    if not may_edit_in(actor, locality_id):
        raise _not_an_editor(field)


def _in_another_locality() -> DomainValidationError:
    return DomainValidationError({"household": [_("This household is in another locality.")]})


def campaign_open(
    *, actor: User, locality: Locality, wave: str, starts_on: dt.date, name: str = ""
) -> CensusCampaign:
    """Open the census campaign of a locality for one wave; it is planned while its start is ahead."""
    _require_editor(actor, locality.siruta, "locality")
    wave = wave.strip().upper()
    name = name.strip()
    problems: dict[str, list[str]] = {}
    if not WAVE_PATTERN.match(wave):
        problems["wave"] = [_("The wave must be T followed by one or two digits, such as T0 or T1.")]
    elif CensusCampaign.objects.filter(locality=locality, wave=wave).exists():
        problems["wave"] = [_("This locality already has a census campaign for this wave.")]
    if len(name) > CensusCampaign._meta.get_field("name").max_length:  # type: ignore[operator]
        problems["name"] = [_("The name is too long.")]
    if problems:
        raise DomainValidationError(problems)
    today = timezone.localdate()
    campaign = CensusCampaign(
        locality=locality,
        wave=wave,
        wave_number=wave_number(wave),
        name=name or _("Census %(wave)s, %(locality)s") % {"wave": wave, "locality": locality.name},
        starts_on=starts_on,
        status=CampaignStatus.PLANNED if starts_on > today else CampaignStatus.OPEN,
    )
    try:
        with transaction.atomic():
            campaign.save(force_insert=True)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="census_campaign",
                object_id=campaign.id,
                locality_id=locality.siruta,
                changes={
                    "wave": [None, wave],
                    "starts_on": [None, starts_on.isoformat()],
                    "name": [None, campaign.name],
                },
            )
    except IntegrityError as error:
        # Two coordinators opening the same wave at once: the unique constraint decides.
        raise DomainValidationError(
            {"wave": [_("This locality already has a census campaign for this wave.")]}
        ) from error
    return campaign


def campaign_close(*, actor: User, campaign: CensusCampaign, ends_on: dt.date) -> CensusCampaign:
    """Close a campaign on a date; visits made up to that day may still be synced afterwards."""
    _require_editor(actor, campaign.locality_id, "campaign")
    problems: dict[str, list[str]] = {}
    if campaign.status == CampaignStatus.CLOSED:
        problems["campaign"] = [_("This campaign is already closed.")]
    if ends_on < campaign.starts_on:
        problems["ends_on"] = [_("The campaign cannot end before it started.")]
    if ends_on > timezone.localdate():
        problems["ends_on"] = [_("The end date cannot be in the future.")]
    if problems:
        raise DomainValidationError(problems)
    with transaction.atomic():
        before = campaign.status
        campaign.status = CampaignStatus.CLOSED
        campaign.ends_on = ends_on
        campaign.version += 1
        campaign.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="census_campaign",
            object_id=campaign.id,
            locality_id=campaign.locality_id,
            changes={"status": [before, campaign.status], "ends_on": [None, ends_on.isoformat()]},
        )
    return campaign


def _require_listing_open(campaign: CensusCampaign, field: str) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise DomainValidationError({field: [_("This campaign is closed; its list can no longer change.")]})


@dataclass
class RegisterImportSummary:
    """What a register import did: rows read, entries added, entries already there, households created."""

    rows: int = 0
    added: int = 0
    already_listed: int = 0
    households_created: int = 0
    households_matched: int = 0
    added_refs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _RegisterRow:
    line: int
    register_ref: str
    address: str
    village: Village | None
    head_name: str


def _read_register_file(path: str | Path) -> list[dict[str, str]]:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainValidationError({"file": [_("The file must be a CSV saved as UTF-8.")]}) from error
    return register_rows_from_text(text)


def register_rows_from_text(text: str) -> list[dict[str, str]]:
    """Parse the text of a CSV register (comma or semicolon separated) into rows keyed by column name."""
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Romanian save CSV with semicolons, since the comma is the decimal separator.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if not set(REGISTER_COLUMNS) <= set(header):
        raise DomainValidationError(
            {
                "file": [
                    _("The first line of the file must name the columns: %(columns)s.")
                    % {"columns": ",".join(REGISTER_COLUMNS)}
                ]
            }
        )
    reader.fieldnames = header
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


def _register_problems(
    campaign: CensusCampaign, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[_RegisterRow], list[str]]:
    villages = {fold_for_search(v.name): v for v in Village.objects.filter(locality_id=campaign.locality_id)}
    problems: list[str] = []
    parsed: list[_RegisterRow] = []
    seen: dict[str, int] = {}
    # Line 1 is the header, so the first row of data is line 2, as a spreadsheet numbers it.
    for line, row in enumerate(rows, start=2):
        ref = str(row.get("register_ref") or "").strip()
        address = str(row.get("address") or "").strip()
        village_name = str(row.get("village") or "").strip()
        head_name = str(row.get("head_name") or "").strip()
        village = villages.get(fold_for_search(village_name)) if village_name else None
        if not ref:
            problems.append(_("Line %(line)s: the register reference is missing.") % {"line": line})
        elif len(ref) > 64:
            problems.append(_("Line %(line)s: the register reference is too long.") % {"line": line})
        elif ref in seen:
            problems.append(
                _("Line %(line)s: the register reference %(ref)s was already given on line %(first)s.")
                % {"line": line, "ref": ref, "first": seen[ref]}
            )
        else:
            seen[ref] = line
        if not address:
            problems.append(_("Line %(line)s: the address is missing.") % {"line": line})
        elif len(address) > 300:
            problems.append(_("Line %(line)s: the address is too long.") % {"line": line})
        if village_name and village is None:
            problems.append(
                _("Line %(line)s: the village %(village)s is not part of this locality.")
                % {"line": line, "village": village_name}
            )
        if len(head_name) > 200:
            problems.append(_("Line %(line)s: the name of the head is too long.") % {"line": line})
        parsed.append(_RegisterRow(line, ref, address, village, head_name))
    return parsed, problems


def register_import(
    *,
    actor: User,
    campaign: CensusCampaign,
    rows: Iterable[Mapping[str, Any]] | None = None,
    path: str | Path | None = None,
) -> RegisterImportSummary:
    """Add the households of a register to a campaign's list, all or nothing; rows already listed are skipped.

    A row whose register reference is already on this campaign is left alone, so the same file can be
    imported again. A reference that an earlier campaign of the locality listed points at the same household,
    so a later wave does not register it twice. Other rows become new households through the registry's
    `household_create` (one write path, one audit event per household).
    """
    _require_editor(actor, campaign.locality_id, "campaign")
    _require_listing_open(campaign, "campaign")
    if (rows is None) == (path is None):
        raise TypeError("register_import takes either rows or path")
    data: Sequence[Mapping[str, Any]]
    if rows is not None:
        data = list(rows)
    else:
        assert path is not None
        data = _read_register_file(path)
    if not data:
        raise DomainValidationError({"file": [_("The register has no rows.")]})
    if len(data) > MAX_REGISTER_ROWS:
        raise DomainValidationError(
            {"file": [_("A register may have at most %(count)s rows.") % {"count": MAX_REGISTER_ROWS}]}
        )
    parsed, problems = _register_problems(campaign, data)
    if problems:
        raise DomainValidationError({"file": problems})
    refs = [row.register_ref for row in parsed]
    listed = set(
        CensusEntry.objects.filter(campaign=campaign, register_ref__in=refs).values_list(
            "register_ref", flat=True
        )
    )
    earlier = dict(
        CensusEntry.objects.filter(campaign__locality_id=campaign.locality_id, register_ref__in=refs)
        .exclude(campaign=campaign)
        .order_by("campaign__wave_number")
        .values_list("register_ref", "household_id")
    )
    on_list = set(CensusEntry.objects.filter(campaign=campaign).values_list("household_id", flat=True))
    summary = RegisterImportSummary(rows=len(parsed))
    now = timezone.now()
    with transaction.atomic():
        new_entries: list[CensusEntry] = []
        for row in parsed:
            if row.register_ref in listed:
                summary.already_listed += 1
                continue
            household_id = earlier.get(row.register_ref)
            if household_id is not None and household_id in on_list:
                # Already on this campaign's list, found in the field before the register arrived.
                summary.already_listed += 1
                continue
            if household_id is not None:
                summary.households_matched += 1
            else:
                household = household_create(
                    actor=actor, locality=campaign.locality, address=row.address, village=row.village
                )
                household_id = household.id
                summary.households_created += 1
            on_list.add(household_id)
            new_entries.append(
                CensusEntry(
                    campaign=campaign,
                    household_id=household_id,
                    source=EntrySource.REGISTER,
                    register_ref=row.register_ref,
                    register_head_name=row.head_name,
                    listed_at=now,
                    listed_by=actor,
                )
            )
            summary.added_refs.append(row.register_ref)
        CensusEntry.objects.bulk_create(new_entries)
        summary.added = len(new_entries)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="census_campaign",
            object_id=campaign.id,
            locality_id=campaign.locality_id,
            changes={
                "register_import": [
                    None,
                    {
                        "rows": summary.rows,
                        "added": summary.added,
                        "already_listed": summary.already_listed,
                        "households_created": summary.households_created,
                        "households_matched": summary.households_matched,
                    },
                ]
            },
        )
    return summary


def entry_add_found_in_field(*, actor: User, campaign: CensusCampaign, household: Household) -> CensusEntry:
    """Add to a campaign a household the team found in the field that no register listed (an "invisible")."""
    _require_editor(actor, campaign.locality_id, "campaign")
    _require_listing_open(campaign, "campaign")
    if household.locality_id != campaign.locality_id:
        raise _in_another_locality()
    if CensusEntry.objects.filter(campaign=campaign, household=household).exists():
        raise DomainValidationError({"household": [_("This household is already on the campaign's list.")]})
    entry, event = _field_entry(actor=actor, campaign=campaign, household_id=household.id)
    entry.household = household
    with transaction.atomic():
        entry.save(force_insert=True)
        event.save()
    return entry


def _field_entry(
    *, actor: User, campaign: CensusCampaign, household_id: uuid.UUID
) -> tuple[CensusEntry, AuditEvent]:
    """Return, unsaved, the entry of a household found in the field and its audit row."""
    entry = CensusEntry(
        campaign=campaign, household_id=household_id, source=EntrySource.FIELD, listed_by=actor
    )
    return entry, AuditEvent(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="census_entry",
        object_id=str(entry.id),
        locality_id=campaign.locality_id,
        changes={
            "campaign": [None, str(campaign.id)],
            "household": [None, str(household_id)],
            "source": [None, entry.source],
        },
    )


def entry_add_new_household_found_in_field(
    *,
    actor: User,
    campaign: CensusCampaign,
    address: str,
    village: Village | None = None,
    head_name: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    location_accuracy_m: float | None = None,
) -> CensusEntry:
    """Register a household no register knew and add it to the campaign as an invisible, together."""
    _require_editor(actor, campaign.locality_id, "campaign")
    _require_listing_open(campaign, "campaign")
    if len(head_name.strip()) > 200:
        raise DomainValidationError({"head_name": [_("The name of the head is too long.")]})
    with transaction.atomic():
        household = household_create(
            actor=actor,
            locality=campaign.locality,
            address=address,
            village=village,
            latitude=latitude,
            longitude=longitude,
            location_accuracy_m=location_accuracy_m,
        )
        entry = entry_add_found_in_field(actor=actor, campaign=campaign, household=household)
        if head_name.strip():
            entry.register_head_name = head_name.strip()
            entry.save(update_fields=["register_head_name"])
    return entry


def _latest_key(visit: CensusVisit) -> tuple[dt.date, bool, dt.datetime]:
    # On the same day an "assessed" visit outranks a failed attempt that reached the server later.
    return (visit.visited_on, visit.outcome == VisitOutcome.ASSESSED, visit.created_at)


# What an entry keeps of its visits; only the visit services write these.
_ENTRY_FIELDS_FROM_VISITS = ["attempts", "status", "last_visited_on", "version", "updated_at"]


def _entry_follow_visits(entry: CensusEntry, visits: Sequence[CensusVisit]) -> None:
    """Set the entry's status, attempts and last visit date from all its visits; the caller saves it."""
    latest = max(visits, key=_latest_key) if visits else None
    entry.attempts = len(visits)
    entry.status = latest.outcome if latest else EntryStatus.TO_VISIT
    entry.last_visited_on = max(v.visited_on for v in visits) if visits else None
    entry.version += 1


def _refresh_entry(entry: CensusEntry) -> None:
    _entry_follow_visits(entry, list(entry.visits.all()))
    entry.save(update_fields=_ENTRY_FIELDS_FROM_VISITS)


def _visit_problems(
    *,
    entry: CensusEntry,
    outcome: str,
    visited_on: dt.date,
    assessment: Assessment | None,
) -> dict[str, list[str]]:
    campaign = entry.campaign
    problems: dict[str, list[str]] = {}
    if outcome not in VisitOutcome.values:
        problems["outcome"] = [_("Choose the outcome of the visit.")]
    if visited_on > timezone.localdate():
        problems["visited_on"] = [_("The visit date cannot be in the future.")]
    elif visited_on < campaign.starts_on:
        problems["visited_on"] = [
            _("The visit date cannot be before the campaign started (%(date)s).")
            % {"date": date_format(campaign.starts_on, "SHORT_DATE_FORMAT")}
        ]
    elif campaign.ends_on is not None and visited_on > campaign.ends_on:
        problems["visited_on"] = [
            _("The visit date cannot be after the campaign ended (%(date)s).")
            % {"date": date_format(campaign.ends_on, "SHORT_DATE_FORMAT")}
        ]
    if assessment is not None:
        if outcome != VisitOutcome.ASSESSED:
            problems["assessment"] = [_("Only a visit whose outcome is “assessed” can link an assessment.")]
        elif assessment.household_id != entry.household_id:
            problems["assessment"] = [_("This assessment is of another household.")]
        elif assessment.wave != campaign.wave:
            problems["assessment"] = [_("This assessment belongs to another wave.")]
        elif CensusVisit.objects.filter(assessment=assessment).exists():
            problems["assessment"] = [_("This assessment is already linked to a visit.")]
    if not problems and entry.status == EntryStatus.ASSESSED:
        assessed_on = (
            entry.visits.filter(outcome=VisitOutcome.ASSESSED)
            .order_by("visited_on")
            .values_list("visited_on", flat=True)
            .first()
        )
        # An earlier failed attempt may still arrive from a tablet that was offline; nothing after it may.
        if outcome == VisitOutcome.ASSESSED or (assessed_on is not None and visited_on > assessed_on):
            problems["entry"] = [_("This household was already assessed in this campaign.")]
    return problems


def visit_record(
    *,
    actor: User,
    entry: CensusEntry,
    outcome: str,
    visited_on: dt.date,
    note: str = "",
    assessment: Assessment | None = None,
    ref: uuid.UUID | None = None,
) -> CensusVisit:
    """Record one visit to a listed household; sending the same `ref` again returns the stored visit."""
    campaign = entry.campaign
    _require_editor(actor, campaign.locality_id, "entry")
    if ref is not None:
        existing = CensusVisit.objects.filter(id=ref).first()
        if existing is not None:
            if existing.entry_id != entry.id:
                raise DomainValidationError({"ref": [_("This reference belongs to another visit.")]})
            return existing
    problems = _visit_problems(entry=entry, outcome=outcome, visited_on=visited_on, assessment=assessment)
    problems |= too_long({"note": (note, NOTE_MAX)})
    if problems:
        raise DomainValidationError(problems)
    try:
        with transaction.atomic():
            # Lock the entry so two visits synced at once cannot both compute its status from stale rows.
            locked = CensusEntry.objects.select_for_update().get(id=entry.id)
            visit = CensusVisit.objects.create(
                id=ref or uuid.uuid4(),
                entry=locked,
                visited_on=visited_on,
                worker=actor,
                outcome=outcome,
                note=note.strip(),
                assessment=assessment,
            )
            _refresh_entry(locked)
            if campaign.status == CampaignStatus.PLANNED:
                # The first visit shows the campaign has started in the field.
                campaign.status = CampaignStatus.OPEN
                campaign.save(update_fields=["status", "updated_at"])
            _visit_audit_event(actor=actor, campaign=campaign, visit=visit).save()
    except IntegrityError as error:
        # The same ref sent twice at the same moment: the second finds the first.
        if ref is not None:
            existing = CensusVisit.objects.filter(id=ref, entry_id=entry.id).first()
            if existing is not None:
                return existing
        raise DomainValidationError({"ref": [_("This visit could not be saved; try again.")]}) from error
    for attr in _ENTRY_FIELDS_FROM_VISITS:
        setattr(entry, attr, getattr(locked, attr))
    return visit


def _visit_audit_event(*, actor: User, campaign: CensusCampaign, visit: CensusVisit) -> AuditEvent:
    """Return, unsaved, the audit row of a visit recorded."""
    return AuditEvent(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="census_visit",
        object_id=str(visit.id),
        locality_id=campaign.locality_id,
        changes={
            "entry": [None, str(visit.entry_id)],
            "household": [None, str(visit.entry.household_id)],
            "outcome": [None, visit.outcome],
            "visited_on": [None, visit.visited_on.isoformat()],
            "assessment": [None, str(visit.assessment_id) if visit.assessment_id else None],
        },
    )


def visit_record_for_assessment(*, actor: User, assessment: Assessment) -> CensusVisit | None:
    """Record an "assessed" visit for an assessment in its locality's campaign of the same wave.

    The assessment service calls this after saving. A household that no list had is added as found in the
    field. Nothing is recorded (None) when the locality has no campaign for the wave, when it is closed, or when
    the assessment falls outside the campaign's dates; the household's assessed visit is returned when the
    campaign already has one. A refusal is raised as `DomainValidationError`.
    """
    recorded = visits_record_for_assessments(actor=actor, assessments=[assessment])
    if assessment.id in recorded.refusals:
        raise recorded.refusals[assessment.id]
    return recorded.visits[assessment.id]


@dataclass
class AssessedVisits:
    """What `visits_record_for_assessments` did, by assessment id."""

    # The assessed visit of each assessment, or None when no open campaign of its wave covers its date.
    visits: dict[uuid.UUID, CensusVisit | None] = field(default_factory=dict)
    # Why the census refused to count an assessment (the actor may not edit the locality, a date ahead...).
    refusals: dict[uuid.UUID, DomainValidationError] = field(default_factory=dict)

    def update(self, other: "AssessedVisits") -> None:
        self.visits.update(other.visits)
        self.refusals.update(other.refusals)


def visits_record_for_assessments(*, actor: User, assessments: Sequence[Assessment]) -> AssessedVisits:
    """Record the "assessed" visits of stored assessments, as `visit_record_for_assessment` on each in turn would.

    Reads and writes take a fixed number of queries however many assessments there are. A refusal is returned
    with the others' visits rather than raised, and nothing is written for the assessment refused.
    """
    try:
        with transaction.atomic():
            return _AssessedVisitsBatch(actor, assessments).record()
    except IntegrityError:
        # A concurrent writer got there first (the same household found in the field, the same visit): take
        # the assessments one at a time, so that only the one in conflict is refused.
        if len(assessments) > 1:
            recorded = AssessedVisits()
            for assessment in assessments:
                recorded.update(visits_record_for_assessments(actor=actor, assessments=[assessment]))
            return recorded
        conflict = DomainValidationError({"assessment": [_("This visit could not be saved; try again.")]})
        return AssessedVisits(refusals={assessment.id: conflict for assessment in assessments})


class _AssessedVisitsBatch:
    """The assessments of one call: read up front, decided in memory in order, written in bulk."""

    def __init__(self, actor: User, assessments: Sequence[Assessment]) -> None:
        self.actor = actor
        self.assessments = assessments
        self.now = timezone.now()
        self.recorded = AssessedVisits()
        self.entries: dict[tuple[uuid.UUID, uuid.UUID], CensusEntry] = {}  # by campaign and household
        self.visits: dict[uuid.UUID, list[CensusVisit]] = {}  # by entry
        self.new_entries: list[CensusEntry] = []
        self.changed_entries: dict[uuid.UUID, CensusEntry] = {}
        self.new_visits: list[CensusVisit] = []
        self.opened_campaigns: set[uuid.UUID] = set()
        self.audit: list[AuditEvent] = []
        self.editable: set[int] = set()
        self.household_localities: dict[uuid.UUID, int] = {}

    def record(self) -> AssessedVisits:
        campaigns = {
            (campaign.locality_id, campaign.wave): campaign
            for campaign in CensusCampaign.objects.filter(
                locality_id__in={a.locality_id for a in self.assessments},
                wave__in={a.wave for a in self.assessments},
            ).exclude(status=CampaignStatus.CLOSED)
        }
        covered: list[tuple[Assessment, CensusCampaign]] = []
        for assessment in self.assessments:
            campaign = campaigns.get((assessment.locality_id, assessment.wave))
            if campaign is None or not _covers(campaign, assessment.assessed_on):
                self.recorded.visits[assessment.id] = None
            else:
                covered.append((assessment, campaign))
        if not covered:
            return self.recorded
        linked = {
            visit.assessment_id: visit
            for visit in CensusVisit.objects.filter(assessment_id__in=[a.id for a, _campaign in covered])
        }
        todo = [(a, campaign) for a, campaign in covered if a.id not in linked]
        for assessment, _campaign in covered:
            if assessment.id in linked:
                self.recorded.visits[assessment.id] = linked[assessment.id]
        if todo:
            self._read(todo, {campaign.id: campaign for campaign in campaigns.values()})
            for assessment, campaign in todo:
                self._record_one(assessment, campaign)
            self._write()
        return self.recorded

    def _read(
        self, todo: Sequence[tuple[Assessment, CensusCampaign]], campaigns: Mapping[uuid.UUID, CensusCampaign]
    ) -> None:
        # Locked, in a fixed order, so that two batches cannot compute an entry's status from stale rows.
        entries = CensusEntry.objects.select_for_update().filter(
            campaign_id__in={campaign.id for _a, campaign in todo},
            household_id__in={a.household_id for a, _campaign in todo},
        )
        for entry in entries.order_by("id"):
            entry.campaign = campaigns[entry.campaign_id]
            self.entries[(entry.campaign_id, entry.household_id)] = entry
            self.visits[entry.id] = []
        if self.entries:
            for visit in CensusVisit.objects.filter(entry_id__in=list(self.visits)):
                self.visits[visit.entry_id].append(visit)
        self.editable = set(
            editable_localities(self.actor)
            .filter(siruta__in={campaign.locality_id for _a, campaign in todo})
            .values_list("siruta", flat=True)
        )
        unlisted = [
            a.household_id for a, campaign in todo if (campaign.id, a.household_id) not in self.entries
        ]
        self.household_localities = (
            dict(Household.objects.filter(id__in=unlisted).values_list("id", "locality_id"))
            if unlisted
            else {}
        )

    def _record_one(self, assessment: Assessment, campaign: CensusCampaign) -> None:
        entry = self.entries.get((campaign.id, assessment.household_id))
        if entry is not None and entry.status == EntryStatus.ASSESSED:
            self.recorded.visits[assessment.id] = min(
                (v for v in self.visits[entry.id] if v.outcome == VisitOutcome.ASSESSED),
                key=lambda v: v.visited_on,
            )
            return
        refusal = self._refusal(assessment, campaign, entry)
        if refusal is not None:
            self.recorded.refusals[assessment.id] = refusal
            return
        if entry is None:
            entry, event = _field_entry(
                actor=self.actor, campaign=campaign, household_id=assessment.household_id
            )
            self.entries[(campaign.id, assessment.household_id)] = entry
            self.visits[entry.id] = []
            self.new_entries.append(entry)
            self.audit.append(event)
        else:
            self.changed_entries[entry.id] = entry
        # created_at is given for the status computed below; the insert sets it again, a moment later.
        visit = CensusVisit(
            entry=entry,
            visited_on=assessment.assessed_on,
            worker=self.actor,
            outcome=VisitOutcome.ASSESSED,
            assessment=assessment,
            created_at=self.now,
        )
        self.visits[entry.id].append(visit)
        self.new_visits.append(visit)
        _entry_follow_visits(entry, self.visits[entry.id])
        entry.updated_at = self.now
        if campaign.status == CampaignStatus.PLANNED:
            # The first visit shows the campaign has started in the field.
            campaign.status = CampaignStatus.OPEN
            self.opened_campaigns.add(campaign.id)
        self.audit.append(_visit_audit_event(actor=self.actor, campaign=campaign, visit=visit))
        self.recorded.visits[assessment.id] = visit

    def _refusal(
        self, assessment: Assessment, campaign: CensusCampaign, entry: CensusEntry | None
    ) -> DomainValidationError | None:
        """Return why the census refuses the assessment's visit, checked in the order the single path checks."""
        if campaign.locality_id not in self.editable:
            return _not_an_editor("campaign" if entry is None else "entry")
        if entry is None and self.household_localities.get(assessment.household_id) != campaign.locality_id:
            return _in_another_locality()
        # The entry's checks: the visit date; the assessment's own checks hold by construction.
        problems = _visit_problems(
            entry=entry or CensusEntry(campaign=campaign),
            outcome=VisitOutcome.ASSESSED,
            visited_on=assessment.assessed_on,
            assessment=None,
        )
        return DomainValidationError(problems) if problems else None

    def _write(self) -> None:
        CensusEntry.objects.bulk_create(self.new_entries)
        if self.changed_entries:
            CensusEntry.objects.bulk_update(list(self.changed_entries.values()), _ENTRY_FIELDS_FROM_VISITS)
        CensusVisit.objects.bulk_create(self.new_visits)
        if self.opened_campaigns:
            CensusCampaign.objects.filter(id__in=self.opened_campaigns).update(
                status=CampaignStatus.OPEN, updated_at=self.now
            )
        AuditEvent.objects.bulk_create(self.audit)


def _covers(campaign: CensusCampaign, day: dt.date) -> bool:
    """Tell whether a day falls within the campaign's dates."""
    return campaign.starts_on <= day and (campaign.ends_on is None or day <= campaign.ends_on)
