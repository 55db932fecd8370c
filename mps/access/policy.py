"""Who may see what: the one place that turns a user's role and scope into the localities they can reach.

Deny by default. A user sees the households and people of the localities their scope names, and only if
their role works with cases: field workers and local coordinators may read and change them, county
supervisors may read them, national monitors and administrators see aggregates only. Every selector that
returns personal records filters through `case_localities`; a record outside it answers 404, so that its
existence does not leak.
"""

from django.db.models import QuerySet

from mps.accounts.models import FIELD_ROLES, Role, ScopeKind, User
from mps.geography.models import County, Locality

CASE_READER_ROLES = frozenset({*FIELD_ROLES, Role.LOCAL_COORDINATOR, Role.COUNTY_SUPERVISOR})
CASE_EDITOR_ROLES = frozenset({*FIELD_ROLES, Role.LOCAL_COORDINATOR})


def scope_localities(user: User) -> QuerySet[Locality]:
    """Return the localities the user's scope covers, whatever the role (used for aggregates)."""
    if not user.is_authenticated or not user.is_active:
        return Locality.objects.none()
    if user.scope == ScopeKind.NATIONAL:
        return Locality.objects.all()
    if user.scope == ScopeKind.COUNTY:
        return Locality.objects.filter(county_id=user.county_id)
    return user.localities.all()


def scope_counties(user: User) -> QuerySet[County]:
    """Return the counties that the user's scope touches."""
    return County.objects.filter(code__in=scope_localities(user).values("county_id")).distinct()


def can_read_cases(user: User) -> bool:
    """Tell whether the user may see named households and people at all."""
    return bool(user.is_authenticated and user.is_active and user.role in CASE_READER_ROLES)


def can_edit_cases(user: User) -> bool:
    """Tell whether the user may record and change households and people in their localities."""
    return bool(user.is_authenticated and user.is_active and user.role in CASE_EDITOR_ROLES)


def case_localities(user: User) -> QuerySet[Locality]:
    """Return the localities whose households and people the user may read; none for aggregate-only users."""
    if not can_read_cases(user):
        return Locality.objects.none()
    return scope_localities(user)


def editable_localities(user: User) -> QuerySet[Locality]:
    """Return the localities whose households and people the user may change."""
    if not can_edit_cases(user):
        return Locality.objects.none()
    return scope_localities(user)


def may_edit_in(user: User, locality_id: int) -> bool:
    """Tell whether the user may change records of this locality."""
    return editable_localities(user).filter(siruta=locality_id).exists()
