"""Abstract bases shared by the domain tables; no table lives here."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """A record that knows when it was created and last changed, and how many times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class SyncedModel(TimeStampedModel):
    """A record whose key is a UUID that a tablet may create offline and send later."""

    id = models.UUIDField(_("reference"), primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True

    @property
    def ref(self) -> uuid.UUID:
        """The stable identifier used by the interchange format and the field app."""
        return self.id
