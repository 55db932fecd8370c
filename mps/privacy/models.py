"""Data-subject requests (GDPR arts. 15-21, Romanian Law 190/2018): who asked what about which person, and the answer.

A request is answered within a month of its receipt (art. 12(3)), extended once by two further months with a
reason told to the requester. Its status changes only through the functions of `services.py`, each of which
writes an audit event; what the answer did to the person's record (restricted, anonymised) is audited on the
person too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mps.core.models import TimeStampedModel
from mps.registry.models import Person


class RequestKind(models.TextChoices):
    ACCESS = "access", _("access to their data (art. 15)")
    RECTIFICATION = "rectification", _("rectification (art. 16)")
    ERASURE = "erasure", _("erasure (art. 17)")
    RESTRICTION = "restriction", _("restriction of processing (art. 18)")
    OBJECTION = "objection", _("objection to processing (art. 21)")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("request status", "received")
    IN_PROGRESS = "in_progress", pgettext_lazy("request status", "in progress")
    ANSWERED = "answered", pgettext_lazy("request status", "answered")
    REFUSED = "refused", pgettext_lazy("request status", "refused")


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class RequestOutcome(models.TextChoices):
    NONE = "", _("not answered yet")
    DATA_PROVIDED = "data_provided", _("the data were provided")
    RECTIFIED = "rectified", _("the record was rectified")
    RESTRICTED = "restricted", _("processing restricted")
    RESTRICTED_INSTEAD = "restricted_instead", _("restricted instead of erased (legal retention)")
    ERASED = "erased", _("the record was anonymised")
    OBJECTION_ANSWERED = "objection_answered", _("the objection was answered")
    REFUSED = "refused", _("refused")


class DataSubjectRequest(TimeStampedModel):
    """One request of a data subject (or of their parent or guardian) about one person's record."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="data_subject_requests", verbose_name=_("person")
    )
    kind = models.CharField(_("request"), max_length=14, choices=RequestKind.choices)
    received_on = models.DateField(_("received on"))
    requester = models.CharField(_("who asked"), max_length=200)
    details = models.TextField(_("what is asked"), blank=True)
    identity_checked = models.BooleanField(_("identity checked"), default=False)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identity checked by"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    due_on = models.DateField(_("answer due by"))
    extension_reason = models.TextField(_("why the answer takes longer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=RequestOutcome.choices, default=RequestOutcome.NONE, blank=True
    )
    outcome_summary = models.TextField(_("outcome summary"), blank=True)
    restriction_lifted_on = models.DateField(_("restriction lifted on"), null=True, blank=True)
    restriction_lift_reason = models.TextField(_("why the restriction was lifted"), blank=True)
    # Rectification: the corrections made through the registry, as the trail recorded them (when, who, fields).
    corrections = models.JSONField(_("corrections"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")), name="subject_request_due_after_receipt"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "in_progress"], decided_on__isnull=True)
                | Q(status__in=["answered", "refused"], decided_on__isnull=False),
                name="subject_request_decided_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.received_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Whether the request is still open after the day its answer was due."""
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def is_extended(self) -> bool:
        return bool(self.extension_reason)
