"""Romania's administrative geography: development regions, counties, localities (SIRUTA) and villages."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mps.core.collation import romanian


class Region(models.Model):
    """One of the eight development regions (NUTS 2)."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = [romanian("name")]
        verbose_name = _("development region")
        verbose_name_plural = _("development regions")

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    """A county (județ) or Bucharest, keyed by its two-letter code."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    siruta = models.PositiveSmallIntegerField(_("SIRUTA county code"), unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="counties", verbose_name=_("region")
    )

    class Meta:
        ordering = [romanian("name")]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class LocalityKind(models.TextChoices):
    COMMUNE = "commune", _("commune")
    TOWN = "town", _("town")
    CITY = "city", _("city")
    MUNICIPALITY = "municipality", _("municipality")


class Marginalisation(models.TextChoices):
    """Degree of marginalisation of a community, as in the World Bank atlas of marginalised areas."""

    NONE = "none", _("not marginalised")
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


URBAN_KINDS = (LocalityKind.TOWN, LocalityKind.CITY, LocalityKind.MUNICIPALITY)


class Locality(models.Model):
    """An administrative unit (commune, town, city or municipality) keyed by its SIRUTA code."""

    siruta = models.PositiveIntegerField(_("SIRUTA code"), primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="localities", verbose_name=_("county")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LocalityKind.choices)
    marginalisation = models.CharField(
        _("marginalisation"), max_length=8, choices=Marginalisation.choices, blank=True, default=""
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    children = models.PositiveIntegerField(_("children"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["county_id", romanian("name")]
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        indexes = [models.Index(fields=["county", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(children__lte=models.F("population")),
                name="locality_children_within_population",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.county_id})"

    @property
    def is_urban(self) -> bool:
        return self.kind in URBAN_KINDS


class Village(models.Model):
    """A village or a component settlement of a locality."""

    locality = models.ForeignKey(
        Locality, on_delete=models.CASCADE, related_name="villages", verbose_name=_("locality")
    )
    name = models.CharField(_("name"), max_length=120)
    siruta = models.PositiveIntegerField(_("SIRUTA code"), null=True, blank=True, unique=True)

    class Meta:
        ordering = ["locality_id", romanian("name")]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            models.UniqueConstraint(fields=["locality", "name"], name="village_unique_name_in_locality")
        ]

    def __str__(self) -> str:
        return self.name
