"""Households, the people who live in them, and the memberships that join the two over time.

History is kept, never overwritten: a person who moves out or dies keeps their membership row with an end
date and a reason; a merged duplicate keeps its row and points at the record it was merged into.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mps.core.collation import romanian
from mps.core.models import SyncedModel, TimeStampedModel
from mps.core.search_text import fold_address, fold_for_search
from mps.geography.models import Locality, Village


class Household(SyncedModel):
    """A household visited by the community team, stable across waves by its `ref`."""

    # Indexed by (locality, address) below, which starts with it.
    locality = models.ForeignKey(
        Locality,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("locality"),
        db_index=False,
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("village"),
    )
    address = models.CharField(_("address"), max_length=300)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location_accuracy_m = models.FloatField(_("GPS accuracy (m)"), null=True, blank=True)
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_households",
        verbose_name=_("case manager"),
    )
    search_text = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        ordering = ["locality_id", "address"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["locality", "address"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="household_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="household_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.address

    def refresh_search_keys(self) -> None:
        """Recompute the folded search column from the address and village."""
        self.search_text = fold_address(self.address, self.village.name if self.village else "")


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class Person(SyncedModel):
    """A person known to the team, stable across households and waves by its `ref`."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    # NULL, not "", for "no CNP": the unique constraint must not treat every child without one as equal.
    cnp = models.CharField(_("CNP"), max_length=13, null=True, blank=True)  # noqa: DJ001
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    # The links below are empty for most people: they are indexed only where set (see Meta), which costs
    # nothing for the many rows an import writes without them.
    mother = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mother"),
        db_index=False,
    )
    father = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("father"),
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name=_("merged into"),
        db_index=False,
    )
    # A data-subject request (mps.privacy) may restrict processing (GDPR art. 18): the record is then read-only
    # for the services until the restriction is lifted. An erasure anonymises the record in place (art. 17).
    restricted = models.BooleanField(_("processing restricted"), default=False)
    erased_on = models.DateField(_("anonymised on"), null=True, blank=True)
    # Folded "first last" and "first last cnp": diacritics- and case-blind search and duplicate detection.
    name_key = models.CharField(max_length=210, editable=False, default="")
    search_text = models.CharField(max_length=230, editable=False, default="")

    class Meta:
        ordering = [romanian("last_name"), romanian("first_name"), "birth_date"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["name_key", "birth_date"]),
            models.Index(fields=["mother"], condition=Q(mother__isnull=False), name="person_mother_set"),
            models.Index(fields=["father"], condition=Q(father__isnull=False), name="person_father_set"),
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="person_merged_into_set"
            ),
        ]
        constraints = [
            # A CNP identifies one living record; a merged duplicate may keep the number it was recorded with.
            models.UniqueConstraint(
                fields=["cnp"],
                condition=Q(cnp__isnull=False, merged_into__isnull=True),
                name="person_cnp_unique_among_active",
            ),
            models.CheckConstraint(
                condition=Q(death_date__isnull=True) | Q(death_date__gte=models.F("birth_date")),
                name="person_death_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def refresh_search_keys(self) -> None:
        """Recompute the folded search columns from the names and CNP."""
        self.name_key, self.search_text = person_search_keys(self.first_name, self.last_name, self.cnp)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def person_search_keys(first_name: str, last_name: str, cnp: str | None) -> tuple[str, str]:
    """Return a person's folded name key (for duplicates) and search text (names and CNP)."""
    name_key = fold_for_search(first_name, last_name)
    # The CNP is digits, which folding leaves as they are: fold the names once.
    return name_key, " ".join(part for part in (name_key, cnp) if part)


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse or partner")
    CHILD = "child", _("child")
    GRANDCHILD = "grandchild", _("grandchild")
    PARENT = "parent", _("parent")
    SIBLING = "sibling", _("brother or sister")
    OTHER_RELATIVE = "other_relative", _("other relative")
    NON_RELATIVE = "non_relative", _("not related")


class MembershipEnd(models.TextChoices):
    MOVED_OUT = "moved_out", _("moved out")
    DIED = "died", _("died")
    MERGED = "merged", _("merged as a duplicate")


class Membership(TimeStampedModel):
    """A person living in a household from one date to another (open while they still live there)."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("household")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices)
    start_date = models.DateField(_("since"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=12, choices=MembershipEnd.choices, blank=True)

    class Meta:
        ordering = ["household_id", "end_date", "start_date"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(end_date__isnull=True), name="membership_one_current_household"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(end_date__isnull=True, end_reason="") | Q(end_date__isnull=False) & ~Q(end_reason="")
                ),
                name="membership_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.household}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None
