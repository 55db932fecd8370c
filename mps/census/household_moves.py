"""The census side of a household's move to another locality: its visits still due end, it is listed where it went."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.census.models import (
    CampaignStatus,
    CensusCampaign,
    CensusEntry,
    CensusVisit,
    EntryStatus,
    VisitOutcome,
)
from mps.census.services import _field_entry, _refresh_entry, _visit_audit_event
from mps.geography.models import Locality
from mps.registry.models import Household


@dataclass
class MoveFollowed:
    """What the census did when a household moved: entries closed in the locality left, entries added."""

    closed: list[CensusEntry] = field(default_factory=list)
    added: list[CensusEntry] = field(default_factory=list)


# Entries the team still has to go back to: a household that moved away will never be found at them.
_STILL_TO_VISIT = (EntryStatus.TO_VISIT, EntryStatus.NOBODY_HOME)


def entries_follow_household_move(
    *, actor: User, household: Household, from_locality: Locality, to_locality: Locality
) -> MoveFollowed:
    """Close the household's visits still due in the locality it left and list it where it now lives.

    Called by the transfer of a household once it is accepted (``household.locality`` is already the new one),
    in the transfer's transaction: the transfer is the authority, so the actor (the receiving coordinator) need
    not edit the locality left. In every campaign of the locality left that is not closed, an entry still to
    visit (or found with nobody home) gets a visit with the outcome "moved or not found", dated today (the
    campaign's last day if it ended), noting where the family went: it no longer waits to be visited, and the
    campaign's list keeps it, as the team's own visit would. A campaign that has not started yet keeps the entry
    (no visit may be dated ahead). In every campaign of the new locality that is not closed, for a wave in which
    the household has no assessment yet, the household is listed as found in the field.
    """
    today = timezone.localdate()
    followed = MoveFollowed()
    note = _("The family moved to %(locality)s (transfer accepted on %(date)s).") % {
        "locality": to_locality.name,
        "date": date_format(today, "SHORT_DATE_FORMAT"),
    }
    due = (
        CensusEntry.objects.select_for_update()
        .filter(household=household, campaign__locality=from_locality, status__in=_STILL_TO_VISIT)
        .exclude(campaign__status=CampaignStatus.CLOSED)
        .select_related("campaign")
        .order_by("id")
    )
    for entry in due:
        campaign = entry.campaign
        visited_on = min(today, campaign.ends_on) if campaign.ends_on else today
        if visited_on < campaign.starts_on:
            continue
        visit = CensusVisit.objects.create(
            entry=entry,
            visited_on=visited_on,
            worker=actor,
            outcome=VisitOutcome.MOVED_OR_NOT_FOUND,
            note=note,
        )
        _refresh_entry(entry)
        _visit_audit_event(actor=actor, campaign=campaign, visit=visit).save()
        followed.closed.append(entry)
    assessed_waves = set(Assessment.objects.filter(household=household).values_list("wave", flat=True))
    listed = set(CensusEntry.objects.filter(household=household).values_list("campaign_id", flat=True))
    campaigns = (
        CensusCampaign.objects.filter(locality=to_locality)
        .exclude(status=CampaignStatus.CLOSED)
        .exclude(wave__in=assessed_waves)
        .exclude(id__in=listed)
        .order_by("wave_number")
    )
    for campaign in campaigns:
        entry, event = _field_entry(actor=actor, campaign=campaign, household_id=household.id)
        entry.household = household
        entry.save(force_insert=True)
        event.save()
        followed.added.append(entry)
    return followed
