"""Aggregate tables of monitoring: small per-area figures, rolled forward in the background by `refresh`.

Dashboards read only these tables. Every figure is one row: an area (a locality by its SIRUTA code, a county,
a development region or the country), a wave or a month, an indicator name and an integer value. One narrow
table instead of one column per indicator, because the indicators follow the catalogue (a code added by a
catalogue version needs no migration), while every column that is counted or filtered stays a real, indexed
column. Rolled-up rows keep the urban/rural and marginalisation split of the localities they sum, so equity
breakdowns at county, region and country level are sums too.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mps.geography.models import Locality


class AreaLevel(models.TextChoices):
    COUNTRY = "country", pgettext_lazy("area level", "country")
    REGION = "region", pgettext_lazy("area level", "development region")
    COUNTY = "county", pgettext_lazy("area level", "county")
    LOCALITY = "locality", pgettext_lazy("area level", "locality")


class AreaFigure(models.Model):
    """One indicator of one area in one wave (households by risk, prevalence of a code, census coverage …)."""

    level = models.CharField(_("level"), max_length=8, choices=AreaLevel.choices)
    # SIRUTA code of a locality, two-letter county code, NUTS 2 region code or "RO".
    area = models.CharField(_("area"), max_length=8)
    urban = models.BooleanField(_("urban"))
    marginalisation = models.CharField(_("marginalisation"), max_length=8, blank=True)
    wave_number = models.PositiveSmallIntegerField(_("wave number"))
    indicator = models.CharField(_("indicator"), max_length=40)
    value = models.IntegerField(_("value"))

    class Meta:
        ordering = ["level", "area", "wave_number", "indicator"]
        verbose_name = _("area figure")
        verbose_name_plural = _("area figures")
        indexes = [
            models.Index(fields=["level", "area", "wave_number", "indicator"], name="monitoring_figure_read")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area", "urban", "marginalisation", "wave_number", "indicator"],
                name="monitoring_figure_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.area} T{self.wave_number} {self.indicator}={self.value}"


class AreaActivity(models.Model):
    """One indicator of the work done in one area in one month: services delivered, referrals.

    ``bucket`` splits an indicator further where a sum is not enough: the days a referral took to complete, so
    that the median of any area is exact from the histogram of its localities.
    """

    level = models.CharField(_("level"), max_length=8, choices=AreaLevel.choices)
    area = models.CharField(_("area"), max_length=8)
    urban = models.BooleanField(_("urban"))
    marginalisation = models.CharField(_("marginalisation"), max_length=8, blank=True)
    month = models.DateField(_("month"))
    indicator = models.CharField(_("indicator"), max_length=40)
    bucket = models.IntegerField(_("bucket"), default=0)
    value = models.IntegerField(_("value"))

    class Meta:
        ordering = ["level", "area", "month", "indicator", "bucket"]
        verbose_name = _("area activity")
        verbose_name_plural = _("area activities")
        indexes = [
            models.Index(fields=["level", "area", "month", "indicator"], name="monitoring_activity_read")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area", "urban", "marginalisation", "month", "indicator", "bucket"],
                name="monitoring_activity_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.area} {self.month:%Y-%m} {self.indicator}={self.value}"


class WorkerCaseload(models.Model):
    """The open cases one worker manages in one locality, as of the last refresh."""

    locality = models.ForeignKey(Locality, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    open_cases = models.PositiveIntegerField(_("open cases"))

    class Meta:
        ordering = ["locality_id", "-open_cases"]
        verbose_name = _("caseload")
        verbose_name_plural = _("caseloads")
        constraints = [
            models.UniqueConstraint(fields=["locality", "worker"], name="monitoring_caseload_unique")
        ]

    def __str__(self) -> str:
        return f"{self.locality_id} {self.worker_id}: {self.open_cases}"


class CountedAssessment(models.Model):
    """The assessment a household's figures in one wave come from: its latest in that wave, as last counted.

    A run compares it with the latest assessment now, and rolls the figures forward by the difference between
    the two (one subtracted, the other added) instead of recounting every household of the locality.
    """

    # Plain columns, not foreign keys: written only by the refresh, from rows that exist; no constraint check
    # on the import's tables.
    household_id = models.UUIDField(_("household"))
    wave_number = models.PositiveSmallIntegerField(_("wave number"))
    assessment_id = models.UUIDField(_("assessment"))

    class Meta:
        ordering = ["household_id", "wave_number"]
        verbose_name = _("counted assessment")
        verbose_name_plural = _("counted assessments")
        constraints = [
            models.UniqueConstraint(fields=["household_id", "wave_number"], name="monitoring_counted_unique")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} T{self.wave_number}: {self.assessment_id}"


class LocalityRefresh(models.Model):
    """When the figures of one locality were last recomputed from the base tables."""

    locality = models.OneToOneField(Locality, on_delete=models.CASCADE, primary_key=True, related_name="+")
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        ordering = ["locality_id"]
        verbose_name = _("locality refresh")
        verbose_name_plural = _("locality refreshes")

    def __str__(self) -> str:
        return f"{self.locality_id} @ {self.refreshed_at:%Y-%m-%d %H:%M:%S}"


class RefreshMark(models.Model):
    """The high-water mark of the background refresh: changes up to ``as_of`` are in every figure."""

    name = models.CharField(max_length=20, primary_key=True, default="default")
    # Rows changed after this instant are looked at again by the next run.
    high_water = models.DateTimeField(_("high-water mark"))
    # The last rebuild's mark: it saw every assessment created up to then, and counted the latest of each
    # household and wave among them unless a CountedAssessment row says otherwise (see refresh_assessments).
    rebuilt_high_water = models.DateTimeField(_("high-water mark of the last rebuild"), null=True, blank=True)
    as_of = models.DateTimeField(_("figures as of"))
    localities = models.PositiveIntegerField(_("localities refreshed by the last run"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration of the last run (ms)"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("refresh mark")
        verbose_name_plural = _("refresh marks")

    def __str__(self) -> str:
        return f"{self.name}: {self.as_of:%Y-%m-%d %H:%M:%S}"


class DashboardCacheEntry(models.Model):
    """One rendered dashboard body in the shared cache of the dashboards (see `pages`).

    The table of Django's database cache backend, with the columns `createcachetable` makes; a model so that
    `migrate` creates it wherever the platform runs (and keeps it unlogged on PostgreSQL: a cache needs no
    crash safety, and writes that skip the write-ahead log halve the cost of storing a page). Only the cache
    backend reads and writes it.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "monitoring_dashboard_cache"
        ordering = ["cache_key"]
        verbose_name = _("cached dashboard")
        verbose_name_plural = _("cached dashboards")

    def __str__(self) -> str:
        return self.cache_key


class WorkerHeartbeat(models.Model):
    """The last sign of life of a background worker, which `/health/` reports to the load balancer."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("last heartbeat"))
    host = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    started_at = models.DateTimeField(_("started at"))
    runs = models.PositiveIntegerField(_("runs since start"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
