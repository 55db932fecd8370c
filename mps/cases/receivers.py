"""What case management does when other apps report events: saved assessments update the households' cases."""

import logging
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError

from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.cases.followup import cases_update_from_assessments
from mps.core.errors import DomainValidationError

logger = logging.getLogger(__name__)


def update_cases_for_assessments(
    sender: Any, *, actor: User | None, assessments: Sequence[Assessment], **kwargs: Any
) -> None:
    """Open or update the cases of assessments just saved, as a batch; a failure never undoes the assessments.

    When the batch fails, each assessment is tried alone, so that one bad case leaves only its own assessment
    unprocessed; `cases_sync_from_assessments` picks that one up later.
    """
    try:
        cases_update_from_assessments(actor=actor, assessments=assessments)
        return
    except (DomainValidationError, DatabaseError):
        if len(assessments) == 1:
            logger.exception(
                "The case of assessment %s was not updated; the next sync will retry.", assessments[0].id
            )
            return
    for assessment in assessments:
        update_cases_for_assessments(sender, actor=actor, assessments=[assessment])
