"""What the census does when other apps report events: each assessment saved counts as an "assessed" visit."""

import logging
from collections.abc import Sequence
from typing import Any

from mps.accounts.models import User
from mps.assessment.models import Assessment
from mps.census.services import visits_record_for_assessments

logger = logging.getLogger(__name__)


def record_assessed_visits(
    sender: Any, *, actor: User | None, assessments: Sequence[Assessment], **kwargs: Any
) -> None:
    """Record the census visits of assessments just saved; a census refusal never undoes an assessment."""
    if actor is None:
        # Imports carry no worker to credit with the visit; their census is imported as a register.
        return
    recorded = visits_record_for_assessments(actor=actor, assessments=assessments)
    for assessment_id, error in recorded.refusals.items():
        logger.warning("No census visit recorded for assessment %s: %s", assessment_id, error)
