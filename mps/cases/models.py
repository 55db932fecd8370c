"""Case management: the service catalogue, cases, plan goals and actions, family agreements, services delivered,
referrals, tasks and group activities.

A household with findings has one case (reopened, never duplicated) with one case manager. The plan is the set
of the case's goals, one per finding (a vulnerability code for the household or for one person), each with the
actions (catalogue services, who does them, by when) agreed with the family. Statuses of cases and referrals
change only through the transition functions of `transitions.py`, each of which writes a history row here and
an audit event.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mps.accounts.models import FIELD_ROLES, Role
from mps.assessment.models import Assessment
from mps.assessment.rules.catalogue import text_in_language
from mps.core.models import SyncedModel
from mps.geography.models import Locality
from mps.registry.models import Household, Person

# The catalogue roles are the field roles: the ones who deliver services (in the roles' own order).
SERVICE_ROLES = [role for role in Role if role in FIELD_ROLES]


class ServiceKind(models.TextChoices):
    INFORMATION_COUNSELLING = "information_counselling", _("information and counselling")
    ACCOMPANIMENT = "accompaniment", _("accompaniment")
    REFERRAL = "referral", pgettext_lazy("service kind", "referral to another institution")
    HOME_VISIT = "home_visit", pgettext_lazy("service kind", "home visit")
    GROUP_ACTIVITY = "group_activity", _("group activity")
    MATERIAL_SUPPORT = "material_support", _("material support")
    DIRECT_SERVICE = "direct_service", _("direct service")


class ServiceTarget(models.TextChoices):
    PERSON = "person", pgettext_lazy("service target", "a person")
    HOUSEHOLD = "household", pgettext_lazy("service target", "the household")


class Service(models.Model):
    """One service of the minimum package, in one catalogue version, loaded from the catalogue data file."""

    catalogue = models.CharField(_("catalogue version"), max_length=16)
    code = models.CharField(_("code"), max_length=12)
    name_ro = models.CharField(_("name (Romanian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    role = models.CharField(
        _("responsible role"), max_length=24, choices=[(r.value, r.label) for r in SERVICE_ROLES]
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ServiceKind.choices)
    target = models.CharField(_("for"), max_length=10, choices=ServiceTarget.choices)
    addresses = models.JSONField(_("vulnerabilities addressed"), default=list)
    closes_ro = models.CharField(_("closing result (Romanian)"), max_length=300)
    closes_en = models.CharField(_("closing result (English)"), max_length=300)

    class Meta:
        ordering = ["catalogue", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="service_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language."""
        return text_in_language(self.name_ro, self.name_en)

    @property
    def closing_result(self) -> str:
        """The result that closes the service, in the active language."""
        return text_in_language(self.closes_ro, self.closes_en)


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "open")
    ACTIVE = "active", pgettext_lazy("case status", "active")
    MONITORING = "monitoring", pgettext_lazy("case status", "monitoring")
    CLOSED = "closed", pgettext_lazy("case status", "closed")


class CloseReason(models.TextChoices):
    GOALS_ACHIEVED = "goals_achieved", _("the plan's goals were achieved")
    MOVED_AWAY = "moved_away", _("the family moved away")
    FAMILY_REFUSED = "family_refused", _("the family withdrew its consent")
    TRANSFERRED = "transferred", _("taken over by a specialised service")
    DISSOLVED = "dissolved", _("the household no longer exists")


OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.MONITORING)


class Case(SyncedModel):
    """The case management of one household: its case manager, status and plan."""

    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, related_name="case", verbose_name=_("household")
    )
    # Denormalised from the household: caseload and lists filter by it without a join.
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", verbose_name=_("locality")
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_managed",
        verbose_name=_("case manager"),
    )
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=16, choices=CloseReason.choices, blank=True
    )
    last_assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last assessment"),
    )
    reevaluation_due_on = models.DateField(_("re-evaluation due on"), null=True, blank=True)

    class Meta:
        ordering = ["locality_id", "-opened_on"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["locality", "status"]),
            models.Index(fields=["case_manager", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False) & ~Q(close_reason="")
                | ~Q(status="closed") & Q(closed_on__isnull=True, close_reason=""),
                name="case_closed_has_date_and_reason",
            )
        ]

    def __str__(self) -> str:
        return str(self.household)

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseEventKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("case event", "opened")
    STATUS = "status", pgettext_lazy("case event", "status changed")
    TRANSFER = "transfer", pgettext_lazy("case event", "case manager changed")
    ASSESSMENT = "assessment", pgettext_lazy("case event", "assessment processed")
    AGREEMENT = "agreement", pgettext_lazy("case event", "family agreement signed")


class CaseEvent(models.Model):
    """One entry of a case's history: a status change, a transfer to another case manager, an assessment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=12, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    from_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d}"


class AssessmentProcessing(models.Model):
    """Marks an assessment as processed by case management, so that syncing never processes it twice."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-processed_at"]
        verbose_name = _("processed assessment")
        verbose_name_plural = _("processed assessments")

    def __str__(self) -> str:
        return str(self.assessment_id)


class GoalStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("goal status", "open")
    RESOLVED = "resolved", pgettext_lazy("goal status", "resolved")
    CANCELLED = "cancelled", pgettext_lazy("goal status", "no longer followed")


class PlanGoal(models.Model):
    """A goal of the plan: solve one vulnerability of the household or of one person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    code = models.CharField(_("vulnerability"), max_length=8)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    critical = models.BooleanField(_("critical"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    # Found again by a later re-evaluation: the goal stays open and is shown flagged.
    persisting = models.BooleanField(_("persists after re-evaluation"), default=False)
    first_assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    last_seen_assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by_assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "-critical", "code", "person_id"]
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        constraints = [
            # One open goal per vulnerability of the household and per vulnerability of each person.
            models.UniqueConstraint(
                fields=["case", "code", "person"],
                condition=Q(status="open", person__isnull=False),
                name="plan_goal_one_open_per_person_code",
            ),
            models.UniqueConstraint(
                fields=["case", "code"],
                condition=Q(status="open", person__isnull=True),
                name="plan_goal_one_open_per_household_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.person or ''}".strip()


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("action status", "proposed")
    PLANNED = "planned", pgettext_lazy("action status", "planned")
    DONE = "done", pgettext_lazy("action status", "done")
    CANCELLED = "cancelled", pgettext_lazy("action status", "cancelled")


class PlanAction(models.Model):
    """One service of a goal: who does it and by when. Proposed by the platform until the plan is accepted."""

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="actions")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("who"),
    )
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["goal_id", "due_on", "id"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.service.code} → {self.due_on}"


class FamilyAgreement(models.Model):
    """The plan as agreed and signed with the family on a date, with both sides' commitments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    signed_on = models.DateField(_("signed on"))
    signed_by = models.CharField(_("signed for the family by"), max_length=200)
    family_commitments = models.TextField(_("the family's commitments"))
    team_commitments = models.TextField(_("the team's commitments"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The goals and actions as they were when signed, so that a later edit of the plan leaves the print intact.
    plan_snapshot = models.JSONField(default=list)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("family agreement")
        verbose_name_plural = _("family agreements")

    def __str__(self) -> str:
        return f"{self.case_id} {self.signed_on}"


class Place(models.TextChoices):
    HOME_VISIT = "home_visit", pgettext_lazy("place", "home visit")
    COMMUNITY_CENTRE = "community_centre", _("community centre")
    OFFICE = "office", _("office")
    SCHOOL = "school", _("school")
    MEDICAL_OFFICE = "medical_office", _("medical office")


class ServiceDelivery(SyncedModel):
    """A service delivered to a person or to the household, logged by the worker who delivered it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deliveries")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("for")
    )
    action = models.ForeignKey(
        PlanAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("who")
    )
    delivered_on = models.DateField(_("when"))
    place = models.CharField(_("where"), max_length=16, choices=Place.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("how long (minutes)"))
    note = models.TextField(_("note"), blank=True)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-delivered_on", "-created_at"]
        verbose_name = _("service delivered")
        verbose_name_plural = _("services delivered")
        indexes = [
            models.Index(fields=["locality", "delivered_on"]),
            models.Index(fields=["worker", "delivered_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="delivery_duration_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.delivered_on}"


class Institution(models.TextChoices):
    FAMILY_DOCTOR = "family_doctor", _("family doctor")
    DGASPC = "dgaspc", _("county child-protection directorate (DGASPC)")
    IDENTITY_OFFICE = "identity_office", _("identity-card office")
    CIVIL_STATUS = "civil_status", _("civil-status office")
    EMPLOYMENT_AGENCY = "employment_agency", _("employment agency (AJOFM)")
    SCHOOL = "school", pgettext_lazy("institution", "school")
    CJRAE = "cjrae", _("county educational resource centre (CJRAE)")
    HOSPITAL = "hospital", _("hospital")
    NGO = "ngo", _("non-governmental organisation")
    POLICE = "police", _("police")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("referral status", "draft")
    SENT = "sent", pgettext_lazy("referral status", "sent")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "accepted")
    COMPLETED = "completed", pgettext_lazy("referral status", "completed")
    REJECTED = "rejected", pgettext_lazy("referral status", "rejected")
    NO_ANSWER = "no_answer", pgettext_lazy("referral status", "no answer")


# A referral waits for an answer in these statuses; past its due date it is overdue.
PENDING_REFERRAL_STATUSES = (
    ReferralStatus.DRAFT,
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.NO_ANSWER,
)


class Referral(SyncedModel):
    """A referral of a person or of the household to another institution, for one finding."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    code = models.CharField(_("vulnerability"), max_length=8)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("for")
    )
    institution = models.CharField(_("institution"), max_length=20, choices=Institution.choices)
    institution_name = models.CharField(_("name and address of the institution"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    due_on = models.DateField(_("answer due by"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    # Set on the urgent referrals the platform opens for a critical finding: "<assessment>:<code>:<person>".
    opened_for = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-urgent", "due_on", "-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["locality", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_institution_display()} {self.code}"

    @property
    def is_pending(self) -> bool:
        """Whether the referral still waits for an answer."""
        return self.status in PENDING_REFERRAL_STATUSES


class ReferralEvent(models.Model):
    """One status change of a referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    from_status = models.CharField(max_length=10, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.from_status}→{self.to_status}"


class TaskKind(models.TextChoices):
    URGENT_REFERRAL = "urgent_referral", _("urgent referral to send")
    VACCINATION = "vaccination", _("vaccination catch-up")
    FOLLOW_UP = "follow_up", _("follow-up")


class Task(models.Model):
    """A follow-up that comes due, for one worker; urgent ones are also shown to the local coordinator."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    title = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="tasks",
        verbose_name=_("who"),
    )
    due_at = models.DateTimeField(_("due"))
    urgent = models.BooleanField(_("urgent"), default=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="+")
    # "<kind>:<case or assessment>:<code>:<person>": the key that makes opening the same task twice a no-op.
    dedupe_key = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["-urgent", "due_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "done_at", "due_at"]),
            models.Index(fields=["locality", "urgent", "done_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityKind(models.TextChoices):
    PARENTING = "parenting", _("parenting education")
    HEALTH = "health", _("health education")
    SCHOOL = "school", _("school activity")


class GroupActivity(SyncedModel):
    """A group session (parenting education, health education, a school activity) with its participants."""

    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", verbose_name=_("locality")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("facilitator")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = _("group activity")
        verbose_name_plural = _("group activities")
        indexes = [models.Index(fields=["locality", "kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.title} {self.held_on}"


class Participation(models.Model):
    """A person invited to a group activity, from their household, and whether they attended."""

    activity = models.ForeignKey(GroupActivity, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        ordering = ["activity_id", "person__last_name", "person__first_name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="participation_once")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.activity_id}"
