"""The shapes of the items a device pushes besides assessments, checked one item at a time.

Assessments travel in the interchange format, which the assessment service validates itself. The other items
are checked here, each on its own, so that one malformed item is rejected with its field paths while the rest of
the batch is stored: a request-wide schema would refuse the whole batch for one bad item.
"""

import datetime as dt
import uuid
from typing import Any, Literal, TypeVar

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mps.core.errors import DomainValidationError

ItemModel = TypeVar("ItemModel", bound=BaseModel)


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ref: uuid.UUID = Field(description="Client-generated id; sending the same ref again stores nothing new.")


class VisitItem(_Item):
    """A census visit outcome."""

    household: uuid.UUID = Field(description="The household visited.")
    wave: str | None = Field(
        default=None, pattern=r"^T[0-9]{1,2}$", description="The census wave; default: the open campaign."
    )
    outcome: Literal["assessed", "nobody_home", "refused", "moved_or_not_found"]
    visited_on: dt.date
    note: str = Field(default="", max_length=2000)
    assessment: uuid.UUID | None = Field(default=None, description="For an assessed visit: its assessment.")


class ServiceItem(_Item):
    """A service delivered, for the service log of the household's case."""

    household: uuid.UUID
    service: str = Field(max_length=12, description="Service code from the catalogue.")
    person: uuid.UUID | None = Field(default=None, description="The member served; none for the household.")
    delivered_on: dt.date
    place: Literal["home_visit", "community_centre", "office", "school", "medical_office"]
    duration_minutes: int = Field(ge=1, le=720)
    note: str = Field(default="", max_length=2000)


class ReferralStatusItem(_Item):
    """A status change of a referral."""

    referral: uuid.UUID
    status: Literal["sent", "accepted", "completed", "rejected", "no_answer"]
    on: dt.date | None = Field(default=None, description="When it was sent or closed; default: today.")
    note: str = Field(default="", max_length=2000, description="The outcome when completed or rejected.")


def parse_item(model: type[ItemModel], raw: Any) -> ItemModel:
    """Return the item as its model, or raise DomainValidationError naming every bad field by its path."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems: dict[str, list[str]] = {}
        for detail in error.errors(include_url=False):
            path = ".".join(str(part) for part in detail["loc"]) or "$"
            problems.setdefault(path, []).append(_message(detail))
        raise DomainValidationError(problems) from None


def _message(detail: Any) -> str:
    """Say what is wrong in the user's language; pydantic's own words are English only."""
    kind = detail["type"]
    context = detail.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not part of the item.")
    if kind.startswith("uuid"):
        return _("The value must be a UUID such as 123e4567-e89b-12d3-a456-426614174000.")
    if kind.startswith("date"):
        return _("The value must be a real date written as YYYY-MM-DD.")
    if kind == "literal_error":
        return _("The value is not allowed; the allowed values are %(allowed)s.") % {
            "allowed": context.get("expected", "")
        }
    if kind in ("greater_than_equal", "greater_than"):
        return _("The value must be at least %(limit)s.") % {"limit": context.get("ge", context.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("The value must be at most %(limit)s.") % {"limit": context.get("le", context.get("lt"))}
    if kind == "string_too_long":
        return _("The text must have at most %(limit)s characters.") % {"limit": context.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("The wave must be T followed by one or two digits, such as T0 or T1.")
    if kind.startswith("int"):
        return _("The value must be a whole number.")
    if kind.startswith("string"):
        return _("The value must be a text.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("The value must be an object with named fields.")
    return str(detail["msg"])
