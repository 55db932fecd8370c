"""Append-only audit trail: who read or changed which record, when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("viewed")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    END = "end", _("ended")
    MERGE = "merge", _("merged")
    EXPORT = "export", _("exported")
    LOCKOUT = "lockout", _("locked out")
    UNLOCK = "unlock", _("unlocked")
    # Data-subject requests (mps.privacy): processing restricted, the restriction lifted, a record anonymised.
    RESTRICT = "restrict", _("restricted")
    LIFT = "lift", _("restriction lifted")
    ERASE = "erase", _("anonymised")


class AuditEvent(models.Model):
    """One read or change of a personal record. Rows are only ever inserted."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Imports and background work act for nobody: indexed only where set (see Meta).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("who"),
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=8, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=40)
    object_id = models.CharField(_("record"), max_length=40)
    # The place of the record, for scoping the trail. The trail is append-only and written beside every change
    # and every read of a household page: no database constraint (the record's own locality has one, and the
    # check cost each imported household six lookups); the ORM still protects a locality it names.
    locality = models.ForeignKey(
        "geography.Locality",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("locality"),
        db_constraint=False,
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["actor"], condition=models.Q(actor__isnull=False), name="audit_actor_set"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type} {self.object_id}"
