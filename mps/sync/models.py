"""Devices, what they pushed, and the conflicts their offline edits produced.

A device token is stored only as its SHA-256 digest: the token itself is shown once, when it is issued, and a
leaked database cannot be replayed against the API. Every item a device pushes is kept (`PushedItem`), accepted
or rejected, so that nothing a worker typed is lost even when the server refused it; the accepted row of a ref
is also what makes a resend a duplicate for kinds whose services have no idempotency key of their own.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mps.assessment.models import Assessment
from mps.core.fields import DocumentField
from mps.moves.models import HouseholdTransfer
from mps.registry.models import Household


class DeviceToken(models.Model):
    """A bearer token for one device (tablet or browser) of one user; revoked tokens are refused at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="device_tokens",
        verbose_name=_("user"),
    )
    device_name = models.CharField(_("device"), max_length=120)
    # The device id the field app generates; lets pushes and conflicts say which tablet sent what.
    device_id = models.CharField(_("device id"), max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, to tell tokens apart in lists without revealing them.
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self) -> str:
        return f"{self.device_name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ItemKind(models.TextChoices):
    ASSESSMENT = "assessment", _("assessment")
    VISIT = "visit", _("census visit")
    SERVICE = "service", _("service delivered")
    REFERRAL_STATUS = "referral_status", _("referral status change")


class ItemStatus(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class PushedItem(models.Model):
    """One item a device pushed, as it was sent, with what the server did with it."""

    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    ref = models.UUIDField(_("reference"))
    status = models.CharField(_("status"), max_length=8, choices=ItemStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    token = models.ForeignKey(
        DeviceToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("device"),
    )
    device_id = models.CharField(_("device id"), max_length=64, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    payload = DocumentField(_("as sent"))
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("pushed item")
        verbose_name_plural = _("pushed items")
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="pushed_item_one_row_per_ref"),
        ]
        indexes = [models.Index(fields=["household", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} {self.status}"


class ConflictKind(models.TextChoices):
    OLDER_THAN_CURRENT = "older", _("arrived after a more recent visit")
    SAME_WAVE = "same_wave", _("two visits in the same wave")
    MOVED_AWAY = "moved", _("sent after the household was transferred")


class Conflict(models.Model):
    """Offline work on one household that the server could not simply store; a person of its team reviews it.

    Either two assessments recorded apart while offline (both kept), or an item a device of the team the
    family left pushed after the household was transferred (kept as sent, for the team that works with it now).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ConflictKind.choices)
    # The assessment that arrived last, and the one it clashes with.
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessment received"),
    )
    other = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("other assessment"),
    )
    # An item pushed after the household moved away: the transfer, and the item as it was sent.
    transfer = models.ForeignKey(
        HouseholdTransfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer"),
    )
    item_kind = models.CharField(_("item kind"), max_length=16, choices=ItemKind.choices, blank=True)
    item_ref = models.UUIDField(_("item reference"), null=True, blank=True)
    payload = DocumentField(_("as sent"), null=True, blank=True)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    device_id = models.CharField(_("device"), max_length=64, blank=True)
    other_device_id = models.CharField(_("other device"), max_length=64, blank=True)
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        indexes = [models.Index(fields=["household", "resolved_at"])]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "other"], name="conflict_once_per_pair"),
            # Sending the same item again keeps one conflict.
            models.UniqueConstraint(
                fields=["item_kind", "item_ref"],
                condition=Q(item_ref__isnull=False),
                name="conflict_once_per_item",
            ),
            models.CheckConstraint(
                condition=Q(kind="moved", transfer__isnull=False, item_ref__isnull=False)
                | (~Q(kind="moved") & Q(assessment__isnull=False, other__isnull=False)),
                name="conflict_names_what_clashed",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | Q(resolved_at__isnull=False),
                name="conflict_resolver_only_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.household}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
