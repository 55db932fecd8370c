"""What case management does when other apps report events: a saved assessment updates the household's case."""

import logging
from typing import Any

from django.db import DatabaseError

from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.cases.services import case_update_from_assessment
from mps.core.errors import DomainValidationError

logger = logging.getLogger(__name__)


def update_case_for_assessment(
    sender: Any, *, actor: User | None, assessment: Assessment, **kwargs: Any
) -> None:
    """Open or update the case of an assessment just saved; a failure never undoes the assessment.

    The assessment stays unprocessed and `cases_sync_from_assessments` picks it up later.
    """
    try:
        case_update_from_assessment(actor=actor, assessment=assessment)
    except (DomainValidationError, DatabaseError):
        logger.exception(
            "The case of assessment %s was not updated; the next sync will retry.", assessment.id
        )
