"""The API's request and response shapes, which its OpenAPI schema publishes."""

from typing import Any

from ninja import Field, Schema


class ErrorsOut(Schema):
    """A refusal: every problem, keyed by field path."""

    errors: dict[str, list[str]]


class DetailOut(Schema):
    detail: str


class MeOut(Schema):
    username: str
    name: str
    role: str
    device: str
    localities: list[str] = Field(description="SIRUTA codes of the localities whose cases the user may read.")


class PushIn(Schema):
    device_id: str = Field(max_length=64, description="The id the field app generated for this device.")
    assessments: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=1000,
        description="Household assessments in the interchange format v1 (household-assessment-v1.schema.json).",
    )
    visits: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=1000,
        description=(
            "Census visit outcomes: {ref, household, wave?, outcome (assessed | nobody_home | refused | "
            "moved_or_not_found), visited_on, note?, assessment?}."
        ),
    )
    services: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=1000,
        description=(
            "Services delivered: {ref, household, service (code), person?, delivered_on, place (home_visit | "
            "community_centre | office | school | medical_office), duration_minutes, note?}."
        ),
    )
    referrals: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=1000,
        description=(
            "Referral status changes: {ref, referral, status (sent | accepted | completed | rejected | "
            "no_answer), on?, note?}; completed and rejected need the outcome in note."
        ),
    )


class ItemResultOut(Schema):
    ref: str
    kind: str = Field(description="assessment, visit, service or referral_status.")
    status: str = Field(description="accepted, duplicate or rejected.")
    errors: dict[str, list[str]] = Field(description="For a rejected item: every problem by field path.")


class PushOut(Schema):
    results: list[ItemResultOut] = Field(
        description="One result per item, in the order sent: assessments, visits, services, referrals."
    )


class MemberOut(Schema):
    ref: str
    first_name: str
    last_name: str
    sex: str
    birth_date: str
    cnp: str | None
    relation: str
    mother: str | None
    father: str | None


class LatestOut(Schema):
    ref: str
    wave: str
    assessed_on: str
    score: int
    risk: str
    findings: list[list[str | None]] = Field(description="[vulnerability code, member ref or null] pairs.")
    document: dict[str, Any] = Field(description="The assessment in the interchange format v1.")


class CaseOut(Schema):
    ref: str
    status: str
    manager: str | None


class GoalOut(Schema):
    id: int
    code: str
    person: str | None
    critical: bool
    persisting: bool


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    due: str
    urgent: bool
    person: str | None


class ReferralOut(Schema):
    ref: str
    code: str
    institution: str
    status: str
    due_on: str
    urgent: bool
    person: str | None


class CensusOut(Schema):
    entry: str
    wave: str
    status: str
    attempts: int
    last_visited_on: str | None
    head_name: str


class HouseholdOut(Schema):
    ref: str
    locality: str
    village: str
    address: str
    lat: float | None
    lon: float | None
    version: int
    updated_at: str
    members: list[MemberOut]
    latest: LatestOut | None
    case: CaseOut | None
    goals: list[GoalOut]
    tasks: list[TaskOut]
    referrals: list[ReferralOut]
    census: list[CensusOut]


class CampaignOut(Schema):
    ref: str
    wave: str
    starts_on: str
    ends_on: str | None


class LocalityOut(Schema):
    siruta: str
    name: str
    editable: bool
    villages: list[str]
    campaigns: list[CampaignOut]


class GoneOut(Schema):
    """A household the device kept that left the user's localities: delete what is kept of it."""

    ref: str = Field(description="The household.")
    reason: str = Field(description="Why it is gone: transferred (accepted into another locality).")
    on: str = Field(
        description="The date the transfer was accepted (YYYY-MM-DD): the old team's access ended."
    )
    moved_on: str = Field(description="The date the family moved, as the transfer request gave it.")


class TransferOut(Schema):
    """A household transfer waiting for a decision that leaves or reaches the user's localities."""

    ref: str
    direction: str = Field(description="outgoing (the family leaves a locality of the user) or incoming.")
    household: str | None = Field(description="The household, when the user may open it; else null.")
    from_locality: str = Field(
        description="Where the family lived; empty for a family claimed by CNP, until the transfer is accepted."
    )
    to_locality: str
    moved_on: str
    requested_side: str = Field(description="sending (the team the family left) or receiving.")
    requested_on: str
    head_name: str = Field(description="Empty when the user may not be told the family yet.")
    members: int | None = Field(description="How many live in the household; null when withheld.")


class UserOut(Schema):
    username: str
    name: str


class PullOut(Schema):
    cursor: str = Field(description="Send it back as ?cursor= to receive only what changed since this pull.")
    full: bool = Field(description="True when this is everything: the device replaces what it kept.")
    server_time: str
    user: UserOut
    localities: list[LocalityOut]
    households: list[HouseholdOut] = Field(
        description=(
            "Upserted by ref; with a cursor only the households that changed, including those that arrived by "
            "transfer (sent whole)."
        )
    )
    gone: list[GoneOut] = Field(
        default_factory=list,
        description=(
            "With a cursor: households transferred out of the user's localities since; the device deletes "
            "them and keeps unsent records of them for the push to report. Always empty on a full pull."
        ),
    )
    transfers: list[TransferOut] = Field(
        default_factory=list,
        description="Household transfers of the user's localities waiting for a decision.",
    )
    catalogue: dict[str, Any] | None = Field(
        default=None, description="Questions, vulnerabilities and services; sent with full pulls only."
    )


class ConflictOut(Schema):
    id: str
    household: str
    kind: str = Field(
        description="older, same_wave, or moved (an item sent after the household was transferred)."
    )
    assessment: str | None = Field(description="For older and same_wave: the assessment received.")
    other: str | None = Field(description="For older and same_wave: the assessment it clashes with.")
    item_kind: str | None = Field(description="For moved: the kind of the item kept (assessment, visit, …).")
    item_ref: str | None = Field(description="For moved: the ref of the item kept.")
    detected_at: str
    resolved_at: str | None
