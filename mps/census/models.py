"""Census campaigns: per locality and wave, the households to visit, every visit and its outcome.

An entry's status is the outcome of its latest visit (by visit date; on the same day an "assessed" visit wins,
then the later recording), or "to visit" while nobody went there. The status, the number of attempts and the
last visit date are kept on the entry by the one service that records visits, so that coverage counts are
plain indexed aggregates over entries instead of a subquery per household.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mps.assessment.models import Assessment
from mps.core.models import SyncedModel
from mps.geography.models import Locality
from mps.registry.models import Household


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CensusCampaign(SyncedModel):
    """The social census of one locality in one wave (T0 is the first census, T1… the re-evaluations)."""

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="census_campaigns", verbose_name=_("locality")
    )
    wave = models.CharField(_("wave"), max_length=3)
    wave_number = models.PositiveSmallIntegerField(_("wave number"))
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )

    class Meta:
        ordering = ["locality_id", "wave_number"]
        verbose_name = _("census campaign")
        verbose_name_plural = _("census campaigns")
        constraints = [
            models.UniqueConstraint(fields=["locality", "wave"], name="census_campaign_one_per_wave"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="census_campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EntrySource(models.TextChoices):
    REGISTER = "register", _("register")
    FIELD = "field", _("found in the field")


class VisitOutcome(models.TextChoices):
    ASSESSED = "assessed", _("assessed")
    NOBODY_HOME = "nobody_home", _("nobody home")
    REFUSED = "refused", _("refused")
    MOVED_OR_NOT_FOUND = "moved_or_not_found", _("moved or not found")


class EntryStatus(models.TextChoices):
    """Where an entry stands: the outcome of its latest visit, or not visited yet."""

    TO_VISIT = "to_visit", _("to visit")
    ASSESSED = VisitOutcome.ASSESSED.value, VisitOutcome.ASSESSED.label
    NOBODY_HOME = VisitOutcome.NOBODY_HOME.value, VisitOutcome.NOBODY_HOME.label
    REFUSED = VisitOutcome.REFUSED.value, VisitOutcome.REFUSED.label
    MOVED_OR_NOT_FOUND = VisitOutcome.MOVED_OR_NOT_FOUND.value, VisitOutcome.MOVED_OR_NOT_FOUND.label


class CensusEntry(SyncedModel):
    """A household on a campaign's list: from a register, or found in the field (an "invisible")."""

    campaign = models.ForeignKey(
        CensusCampaign, on_delete=models.PROTECT, related_name="entries", verbose_name=_("campaign")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="census_entries", verbose_name=_("household")
    )
    source = models.CharField(_("source"), max_length=8, choices=EntrySource.choices)
    register_ref = models.CharField(_("register reference"), max_length=64, blank=True)
    # The head's name as the register gives it: the team asks for this person at the door.
    register_head_name = models.CharField(_("head of household (register)"), max_length=200, blank=True)
    listed_at = models.DateTimeField(_("listed at"), default=timezone.now)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("listed by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.TO_VISIT
    )
    attempts = models.PositiveSmallIntegerField(_("visits"), default=0)
    last_visited_on = models.DateField(_("last visit"), null=True, blank=True)

    class Meta:
        ordering = ["campaign_id", "listed_at"]
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["campaign", "source"]),
            models.Index(fields=["campaign", "register_ref"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="census_entry_once_per_campaign"),
            models.UniqueConstraint(
                fields=["campaign", "register_ref"],
                condition=~Q(register_ref=""),
                name="census_entry_register_ref_once_per_campaign",
            ),
            models.CheckConstraint(
                condition=Q(attempts=0, status=EntryStatus.TO_VISIT)
                | Q(attempts__gt=0) & ~Q(status=EntryStatus.TO_VISIT),
                name="census_entry_status_matches_attempts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.household}"

    @property
    def is_invisible(self) -> bool:
        return self.source == EntrySource.FIELD


class CensusVisit(SyncedModel):
    """One attempt to visit a listed household; its key is made by the tablet, so a resend finds it."""

    entry = models.ForeignKey(
        CensusEntry, on_delete=models.PROTECT, related_name="visits", verbose_name=_("entry")
    )
    visited_on = models.DateField(_("visit date"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="census_visits",
        verbose_name=_("worker"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="census_visits",
        verbose_name=_("assessment"),
    )

    class Meta:
        ordering = ["entry_id", "visited_on", "created_at"]
        verbose_name = _("census visit")
        verbose_name_plural = _("census visits")
        indexes = [
            models.Index(fields=["entry", "visited_on"]),
            models.Index(fields=["worker", "visited_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=True) | Q(outcome=VisitOutcome.ASSESSED),
                name="census_visit_assessment_only_when_assessed",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(assessment__isnull=False),
                name="census_visit_one_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_outcome_display()}"
