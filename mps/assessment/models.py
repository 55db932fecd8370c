"""Stored assessments: one visit to one household in one wave, its answers as typed columns, its findings.

Answers are stored twice on purpose: the original interchange document (so the engine can re-run it exactly)
and typed columns (so analytics count and filter real columns, never keys inside a JSON blob). Findings record
the catalogue version that produced them, so waves assessed under different versions stay comparable by code.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mps.core.fields import DocumentField
from mps.core.models import SyncedModel
from mps.geography.models import Locality
from mps.registry.models import Household, Person, Relation, Sex


class Vulnerability(models.Model):
    """One vulnerability of one catalogue version, mirrored from the catalogue data for joins and reports."""

    catalogue = models.CharField(_("catalogue version"), max_length=16)
    code = models.CharField(_("code"), max_length=8)
    dimension = models.CharField(_("dimension"), max_length=16)
    level = models.CharField(_("level"), max_length=10)
    weight = models.PositiveSmallIntegerField(_("weight"))
    critical = models.BooleanField(_("critical"), default=False)
    name_ro = models.CharField(_("name (Romanian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["catalogue", "code"]
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="vulnerability_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.catalogue})"


class RiskLevel(models.TextChoices):
    NONE = "none", _("no risk found")
    LOW = "low", _("low risk")
    MEDIUM = "medium", _("medium risk")
    HIGH = "high", _("high risk")


class Assessment(SyncedModel):
    """One visit of the team to a household in a wave, evaluated by one catalogue version.

    The primary key is the interchange `ref`: sending the same assessment twice finds it instead of storing
    it again.
    """

    # No single-column indexes on household and locality: the composite indexes below start with them, and
    # every index is one more write per row on the import path.
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("household"),
        db_index=False,
    )
    # Denormalised from the household at the time of the visit: dashboards group by it without a join.
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", verbose_name=_("locality"), db_index=False
    )
    wave = models.CharField(_("wave"), max_length=3)
    wave_number = models.PositiveSmallIntegerField(_("wave number"))
    assessed_on = models.DateField(_("visit date"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments_led",
        verbose_name=_("led by"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assessments_joined", verbose_name=_("team")
    )
    catalogue = models.CharField(_("catalogue version"), max_length=16)
    score = models.PositiveSmallIntegerField(_("score"))
    risk_level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices)
    has_critical = models.BooleanField(_("has a critical finding"), default=False)
    # The latest assessment of the household (by visit date, then recording time) is its current picture.
    is_latest = models.BooleanField(_("latest of the household"), default=True)
    source = models.CharField(_("source"), max_length=10, default="web")
    document = DocumentField(_("interchange document"))

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(fields=["household", "wave_number", "assessed_on"]),
            models.Index(fields=["locality", "wave_number", "risk_level"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(is_latest=True), name="assessment_one_latest_per_household"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} {self.assessed_on} {self.household_id}"


class Dwelling(models.TextChoices):
    HOUSE = "house", _("house")
    APARTMENT = "apartment", _("apartment")
    IMPROVISED = "improvised", _("improvised shelter")
    NONE = "none", _("no dwelling (homeless)")


class HouseholdAnswers(models.Model):
    """The household part of an assessment, one typed column per question."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, primary_key=True, related_name="household_answers"
    )
    dwelling = models.CharField(_("dwelling"), max_length=10, choices=Dwelling.choices)
    rooms = models.PositiveSmallIntegerField(_("rooms"))
    electricity = models.BooleanField(_("electricity"))
    safe_water = models.BooleanField(_("safe water"))
    indoor_toilet = models.BooleanField(_("indoor toilet"))
    heating = models.BooleanField(_("heating"))
    unsafe_structure = models.BooleanField(_("unsafe structure"))
    damp_or_unsanitary = models.BooleanField(_("damp or unsanitary"))
    legal_documents = models.BooleanField(_("legal documents for the dwelling"))
    monthly_net_income_ron = models.DecimalField(
        _("monthly net income (RON)"), max_digits=10, decimal_places=2
    )
    receives_minimum_inclusion_income = models.BooleanField(_("receives the minimum inclusion income"))
    domestic_violence_signs = models.BooleanField(_("signs of domestic violence"))
    substance_abuse = models.BooleanField(_("alcohol or drug abuse"))
    consent_given = models.BooleanField(_("consent given"), null=True)
    members_count = models.PositiveSmallIntegerField(_("members"))
    children_count = models.PositiveSmallIntegerField(_("children"))

    class Meta:
        verbose_name = _("household answers")
        verbose_name_plural = _("household answers")

    def __str__(self) -> str:
        return str(self.assessment_id)


class MemberAnswers(models.Model):
    """One member's part of an assessment, one typed column per question, plus the age at the visit."""

    # Indexed by the unique (assessment, person) constraint, which starts with it.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="member_answers", db_index=False
    )
    # Not indexed: every read finds answers by their assessment (the unique constraint below starts with it),
    # people are never deleted (a merge or an erasure keeps the row), and at national size the index cost every
    # import a random page write per member.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="answers", db_index=False)
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(_("age at the visit"))
    roma = models.BooleanField(_("self-declared Roma"), null=True)
    birth_certificate = models.BooleanField(_("birth certificate"))
    identity_card = models.BooleanField(_("identity card"))
    family_doctor = models.BooleanField(_("registered with a family doctor"))
    insured = models.BooleanField(_("health insurance"))
    vaccination = models.CharField(_("vaccination"), max_length=16)
    pregnant = models.BooleanField(_("pregnant"))
    prenatal_care = models.BooleanField(_("prenatal care"))
    chronic_illness = models.BooleanField(_("chronic illness"))
    chronic_illness_followed = models.BooleanField(_("chronic illness followed"))
    disability = models.BooleanField(_("disability"))
    disability_certificate = models.BooleanField(_("disability certificate"))
    malnutrition_signs = models.BooleanField(_("signs of malnutrition"))
    needs_daily_care = models.BooleanField(_("needs daily care"))
    has_caregiver = models.BooleanField(_("has a caregiver"))
    education_status = models.CharField(_("education"), max_length=16)
    highest_grade = models.PositiveSmallIntegerField(_("highest grade completed"))
    unexcused_absences_30d = models.PositiveSmallIntegerField(_("unexcused absences in 30 days (hours)"))
    repeated_grade = models.BooleanField(_("repeated a grade"))
    special_needs = models.BooleanField(_("special educational needs"))
    special_needs_support = models.BooleanField(_("special needs support"))
    employment_status = models.CharField(_("employment"), max_length=24)
    unemployed_months = models.PositiveSmallIntegerField(_("months unemployed"))
    child_allowance = models.BooleanField(_("child allowance"))
    disability_benefit = models.BooleanField(_("disability benefit"))
    parents_abroad = models.BooleanField(_("parents abroad"))
    neglect_signs = models.BooleanField(_("signs of neglect"))
    child_labour = models.BooleanField(_("child labour"))
    in_union = models.BooleanField(_("married or in a union"))
    # What the dashboards count people by, written with the row so that counting the country's people is one
    # pass over this table (see mps/monitoring/refresh_assessments.py): whether the engine found a vulnerability
    # of this member (joining the findings is not needed), and copies of the assessment's locality, wave and
    # risk level, which never change (joining the assessments is not needed). No constraint on the locality, as
    # for findings: the assessment's own is checked already.
    vulnerable = models.BooleanField(_("vulnerable"), default=False, db_default=False)
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    wave_number = models.PositiveSmallIntegerField(_("wave number"))
    household_risk_level = models.CharField(
        _("household risk level"), max_length=6, choices=RiskLevel.choices
    )

    class Meta:
        ordering = ["assessment_id", "-age"]
        verbose_name = _("member answers")
        verbose_name_plural = _("member answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "person"], name="member_answers_once_per_assessment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.person_id}"


class Finding(models.Model):
    """A vulnerability the engine found in an assessment, for the household or for one member."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    # The member the finding is about (none for the household's). Neither indexed nor constrained: every read
    # finds findings by their assessment, and the person is one of the assessment's members, whose answers the
    # database checks already; at national size the index and the check cost every import a random page
    # write and a lookup per finding.
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        db_index=False,
        db_constraint=False,
    )
    code = models.CharField(_("code"), max_length=8)
    catalogue = models.CharField(_("catalogue version"), max_length=16)
    weight = models.PositiveSmallIntegerField(_("weight"))
    critical = models.BooleanField(_("critical"), default=False)
    # Denormalised for aggregates by place and wave without joining the assessment.
    # Indexed by (locality, wave_number, code) below. A copy of the assessment's locality, which the database
    # checks already: no constraint of its own, since checking it again cost every import 5.5 lookups per
    # household (the ORM still protects a locality that findings name from deletion).
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    wave_number = models.PositiveSmallIntegerField(_("wave number"))
    # What the finding counts for in the figures, written with it from the member's answers and the other findings
    # of the assessment (which never change), so that the national figures are one pass over this table: who the
    # member is (all false for a household finding), and whether it is the first finding of its dimension in the
    # assessment (the household has a vulnerability of that dimension) and for its member (the person has one).
    child = models.BooleanField(_("of a child"), default=False, db_default=False)
    roma = models.BooleanField(_("of a self-declared Roma"), default=False, db_default=False)
    disability = models.BooleanField(_("of a person with a disability"), default=False, db_default=False)
    first_in_dimension = models.BooleanField(
        _("first of its dimension in the assessment"), default=False, db_default=False
    )
    member_first_in_dimension = models.BooleanField(
        _("first of its dimension for the member"), default=False, db_default=False
    )

    class Meta:
        ordering = ["assessment_id", "code"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["locality", "wave_number", "code"]),
        ]

    def __str__(self) -> str:
        return self.code
