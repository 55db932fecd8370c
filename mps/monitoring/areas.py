"""Areas of the dashboards: the country, a development region, a county or a locality, and who may open them.

A user may open an area only if every locality in it is inside their scope (`scope_localities`): a county
supervisor opens their county and its localities, a national monitor every area, a field worker their
localities. Anything else answers 404, as a record outside the user's scope does.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from mps.access.policy import scope_localities
from mps.accounts.models import ScopeKind, User
from mps.core.collation import romanian
from mps.geography.models import County, Locality, Region

from .models import AreaLevel

COUNTRY_CODE = "RO"
# URL segment of each level, in Romanian like the rest of the site's paths.
LEVEL_SLUGS = {
    AreaLevel.COUNTRY: "tara",
    AreaLevel.REGION: "regiune",
    AreaLevel.COUNTY: "judet",
    AreaLevel.LOCALITY: "localitate",
}
SLUG_LEVELS = {slug: level for level, slug in LEVEL_SLUGS.items()}


@dataclass(frozen=True)
class Area:
    """A place the dashboards can describe, with its parent for the breadcrumb."""

    level: AreaLevel
    code: str
    name: str
    parent: "Area | None" = None
    # SIRUTA code of a locality or a county (DHIS2 organisation units); None for regions and the country.
    siruta: int | None = None

    def localities(self) -> QuerySet[Locality]:
        """Return the localities this area covers."""
        if self.level == AreaLevel.COUNTRY:
            return Locality.objects.all()
        if self.level == AreaLevel.REGION:
            return Locality.objects.filter(county__region_id=self.code)
        if self.level == AreaLevel.COUNTY:
            return Locality.objects.filter(county_id=self.code)
        return Locality.objects.filter(siruta=int(self.code))

    def url(self, name: str = "area") -> str:
        """Return the URL of one of this area's pages (``area``, ``map``, ``waves`` …)."""
        return _area_url(name, LEVEL_SLUGS[self.level], self.code)

    @property
    def slug(self) -> str:
        return LEVEL_SLUGS[self.level]

    @property
    def trail(self) -> list["Area"]:
        """The areas from the country down to this one."""
        trail: list[Area] = []
        area: Area | None = self
        while area is not None:
            trail.insert(0, area)
            area = area.parent
        return trail

    @property
    def child_level(self) -> AreaLevel | None:
        return {
            AreaLevel.COUNTRY: AreaLevel.REGION,
            AreaLevel.REGION: AreaLevel.COUNTY,
            AreaLevel.COUNTY: AreaLevel.LOCALITY,
        }.get(self.level)


@lru_cache(maxsize=50_000)
def _area_url(name: str, slug: str, code: str) -> str:
    # A county dashboard links to every locality of the county: reversing each on every request cost more than
    # reading the figures.
    return reverse(f"monitoring:{name}", args=[slug, code])


def country() -> Area:
    """Return the whole country."""
    return Area(AreaLevel.COUNTRY, COUNTRY_CODE, _("Romania"))


def _region(region: Region) -> Area:
    return Area(AreaLevel.REGION, region.code, region.name, parent=country())


def _county(county: County) -> Area:
    return Area(
        AreaLevel.COUNTY, county.code, county.name, parent=_region(county.region), siruta=county.siruta
    )


def _locality(locality: Locality) -> Area:
    return Area(
        AreaLevel.LOCALITY,
        str(locality.siruta),
        locality.name,
        parent=_county(locality.county),
        siruta=locality.siruta,
    )


def area_get(level: str, code: str) -> Area:
    """Return the area of this level and code; 404 when there is none."""
    try:
        if level == AreaLevel.COUNTRY and code == COUNTRY_CODE:
            return country()
        if level == AreaLevel.REGION:
            return _region(Region.objects.get(code=code))
        if level == AreaLevel.COUNTY:
            return _county(County.objects.select_related("region").get(code=code))
        if level == AreaLevel.LOCALITY and code.isdigit():
            return _locality(Locality.objects.select_related("county__region").get(siruta=int(code)))
    except (Region.DoesNotExist, County.DoesNotExist, Locality.DoesNotExist):
        pass
    raise Http404


def may_open(user: User, area: Area) -> bool:
    """Tell whether every locality of the area is inside the user's scope."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.scope == ScopeKind.NATIONAL:
        return True
    if user.scope == ScopeKind.COUNTY:
        if area.level == AreaLevel.COUNTY:
            return area.code == user.county_id
        if area.level == AreaLevel.LOCALITY:
            return area.parent is not None and area.parent.code == user.county_id
        return False
    outside = area.localities().exclude(siruta__in=scope_localities(user).values("siruta"))
    return area.level == AreaLevel.LOCALITY and not outside.exists()


def area_get_for_user(user: User, level: str, code: str) -> Area:
    """Return an area the user may open; 404 for a missing area and an area outside the scope alike."""
    area = area_get(level, code)
    if not may_open(user, area):
        raise Http404
    return area


def area_children(area: Area) -> list[Area]:
    """Return the areas one level down, by name."""
    if area.level == AreaLevel.COUNTRY:
        return [_region(region) for region in Region.objects.order_by(romanian("name"))]
    if area.level == AreaLevel.REGION:
        return [
            Area(AreaLevel.COUNTY, county.code, county.name, parent=area, siruta=county.siruta)
            for county in County.objects.filter(region_id=area.code).order_by(romanian("name"))
        ]
    if area.level == AreaLevel.COUNTY:
        return [
            Area(AreaLevel.LOCALITY, str(locality.siruta), locality.name, parent=area, siruta=locality.siruta)
            for locality in Locality.objects.filter(county_id=area.code).order_by(romanian("name"))
        ]
    return []


def home_area(user: User) -> Area | None:
    """Return the widest area the user may open, or None when they have several localities and no county."""
    if user.scope == ScopeKind.NATIONAL:
        return country()
    if user.scope == ScopeKind.COUNTY and user.county_id:
        return _county(County.objects.select_related("region").get(code=user.county_id))
    localities = list(scope_localities(user).select_related("county__region")[:2])
    if len(localities) == 1:
        return _locality(localities[0])
    return None


def user_localities(user: User) -> list[Area]:
    """Return the localities a user with several of them may open, as areas."""
    return [
        _locality(loc)
        for loc in scope_localities(user).select_related("county__region").order_by(romanian("name"))
    ]
