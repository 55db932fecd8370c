"""Assessment documents for sync tests: the builders' baseline family, with fresh refs."""

import json
import uuid
from typing import Any

from mps.assessment.tests.builders import baseline_assessment, with_answers
from mps.geography.models import Locality


def family(locality: Locality, answers: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """Return the baseline family in this locality with new household, member and assessment refs."""
    baseline = baseline_assessment()
    text = json.dumps(baseline)
    for old in {baseline["ref"], baseline["household"]["ref"], *(m["ref"] for m in baseline["members"])}:
        text = text.replace(old, str(uuid.uuid4()))
    document = json.loads(text)
    document["household"]["locality"] = str(locality.siruta)
    document.update(top)
    return with_answers(document, answers or {})


def again(document: dict[str, Any], **top: Any) -> dict[str, Any]:
    """Return another assessment of the same household (a new ref), with these top-level fields changed."""
    copy = json.loads(json.dumps(document))
    copy["ref"] = str(uuid.uuid4())
    copy.update(top)
    return copy
