"""Transfers: a household that moves to another locality, a person who moves to another household.

A transfer between localities is a request that the receiving locality's coordinator accepts or refuses; until
then nothing moves and the receiving side learns nothing about the family. A person moving between two
households the same team works with moves at once. Rows are never deleted: the request, its decision and who
took it stay as the history of the move.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mps.core.models import SyncedModel
from mps.geography.models import Locality, Village
from mps.registry.models import Household, Person, Relation


class TransferStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("transfer status", "waiting for a decision")
    ACCEPTED = "accepted", pgettext_lazy("transfer status", "accepted")
    REFUSED = "refused", pgettext_lazy("transfer status", "refused")
    CANCELLED = "cancelled", pgettext_lazy("transfer status", "withdrawn")


class RequestSide(models.TextChoices):
    SENDING = "sending", _("the team the family left")
    RECEIVING = "receiving", _("the team the family came to")


class TransferRequest(SyncedModel):
    """What every transfer has: who asked for it and why, and the decision taken on it by whom and when."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING


class HouseholdTransfer(TransferRequest):
    """A household's move to another locality, with everything that follows it once accepted."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("household")
    )
    from_locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", verbose_name=_("from locality")
    )
    to_locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", verbose_name=_("to locality")
    )
    to_village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    to_address = models.CharField(_("new address"), max_length=300, blank=True)
    moved_on = models.DateField(_("moved on"))
    requested_side = models.CharField(_("requested by"), max_length=10, choices=RequestSide.choices)
    # The CNP the receiving team typed to find the family: all they know of it until the transfer is accepted.
    claimed_cnp = models.CharField(_("CNP given by the family"), max_length=13, blank=True)
    new_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new case manager"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("household transfer")
        verbose_name_plural = _("household transfers")
        indexes = [
            models.Index(fields=["to_locality", "status"]),
            models.Index(fields=["from_locality", "status"]),
            models.Index(fields=["household", "decided_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(status="pending"), name="household_transfer_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(from_locality=models.F("to_locality")),
                name="household_transfer_changes_locality",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.from_locality_id} → {self.to_locality_id}"


class PersonTransfer(TransferRequest):
    """A person's move to another household: the membership ends in one and starts in the other."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("person")
    )
    from_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("from household")
    )
    to_household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("to household")
    )
    # Copies of the households' localities when requested: who decides, and who may see the request.
    from_locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", verbose_name=_("from locality")
    )
    to_locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", verbose_name=_("to locality")
    )
    relation = models.CharField(_("relation to the new head"), max_length=16, choices=Relation.choices)
    moved_on = models.DateField(_("moved on"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("person transfer")
        verbose_name_plural = _("person transfers")
        indexes = [
            models.Index(fields=["to_locality", "status"]),
            models.Index(fields=["from_locality", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="person_transfer_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(from_household=models.F("to_household")),
                name="person_transfer_changes_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_household_id} → {self.to_household_id}"
