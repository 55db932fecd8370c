"""The people who use the platform: one role and one scope each."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from mps.geography.models import County, Locality


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("social worker")
    COMMUNITY_NURSE = "community_nurse", _("community nurse")
    SCHOOL_COUNSELLOR = "school_counsellor", _("school counsellor")
    SCHOOL_MEDIATOR = "school_mediator", _("school mediator")
    HEALTH_MEDIATOR = "health_mediator", _("health mediator")
    COMMUNITY_FACILITATOR = "community_facilitator", _("community facilitator")
    LOCAL_COORDINATOR = "local_coordinator", _("local coordinator")
    COUNTY_SUPERVISOR = "county_supervisor", _("county supervisor")
    NATIONAL_MONITOR = "national_monitor", _("national monitor")
    ADMINISTRATOR = "administrator", _("administrator")


FIELD_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.COMMUNITY_NURSE,
        Role.SCHOOL_COUNSELLOR,
        Role.SCHOOL_MEDIATOR,
        Role.HEALTH_MEDIATOR,
        Role.COMMUNITY_FACILITATOR,
    }
)


class ScopeKind(models.TextChoices):
    LOCALITIES = "localities", _("one or more localities")
    COUNTY = "county", _("one county")
    NATIONAL = "national", _("the whole country")


class User(AbstractUser):
    """A professional of a community team, a supervisor, a monitor or an administrator."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    scope = models.CharField(
        _("scope"), max_length=12, choices=ScopeKind.choices, default=ScopeKind.LOCALITIES
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("county")
    )
    localities = models.ManyToManyField(
        Locality, blank=True, related_name="users", verbose_name=_("localities")
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(scope="county", county__isnull=False) | ~models.Q(scope="county")),
                name="user_county_scope_names_county",
            ),
            models.CheckConstraint(
                condition=(models.Q(scope="county") | models.Q(county__isnull=True)),
                name="user_county_only_for_county_scope",
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def is_field_worker(self) -> bool:
        return self.role in FIELD_ROLES
