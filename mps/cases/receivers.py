"""What case management does when other apps report events: saved assessments update the households' cases."""

import logging
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError

from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.cases.services import case_update_from_assessment
from mps.core.errors import DomainValidationError

logger = logging.getLogger(__name__)


def update_cases_for_assessments(
    sender: Any, *, actor: User | None, assessments: Sequence[Assessment], **kwargs: Any
) -> None:
    """Open or update the cases of assessments just saved; a failure never undoes the assessments.

    An assessment whose case could not be updated stays unprocessed and `cases_sync_from_assessments` picks it
    up later.
    """
    for assessment in assessments:
        try:
            case_update_from_assessment(actor=actor, assessment=assessment)
        except (DomainValidationError, DatabaseError):
            logger.exception(
                "The case of assessment %s was not updated; the next sync will retry.", assessment.id
            )
