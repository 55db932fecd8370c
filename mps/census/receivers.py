"""What the census does when other apps report events: an assessment saved counts as an "assessed" visit."""

import logging
from typing import Any

from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.census.services import visit_record_for_assessment
from mps.core.errors import DomainValidationError

logger = logging.getLogger(__name__)


def record_assessed_visit(sender: Any, *, actor: User | None, assessment: Assessment, **kwargs: Any) -> None:
    """Record the census visit of an assessment just saved; a census refusal never undoes the assessment."""
    if actor is None:
        # Imports carry no worker to credit with the visit; their census is imported as a register.
        return
    try:
        visit_record_for_assessment(actor=actor, assessment=assessment)
    except DomainValidationError as error:
        logger.warning("No census visit recorded for assessment %s: %s", assessment.id, error)
