"""Creating users and changing their scope: the only writes of the accounts app."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mps.accounts.models import FIELD_ROLES, Role, ScopeKind, User
from mps.core.errors import DomainValidationError
from mps.geography.models import County, Locality

# Which scopes each role may hold. A field worker with a county scope would see households that are not
# theirs to serve, so the combination is refused rather than silently narrowed.
ALLOWED_SCOPES: dict[str, frozenset[str]] = {
    **{role: frozenset({ScopeKind.LOCALITIES}) for role in FIELD_ROLES},
    Role.LOCAL_COORDINATOR: frozenset({ScopeKind.LOCALITIES}),
    Role.COUNTY_SUPERVISOR: frozenset({ScopeKind.COUNTY}),
    Role.NATIONAL_MONITOR: frozenset({ScopeKind.NATIONAL}),
    Role.ADMINISTRATOR: frozenset({ScopeKind.NATIONAL, ScopeKind.COUNTY, ScopeKind.LOCALITIES}),
}


@dataclass(frozen=True)
class CreatedUser:
    user: User
    generated_password: str | None


def generate_password() -> str:
    """Return a random password that is easy to read aloud and type on a tablet."""
    return "-".join(secrets.token_urlsafe(6).replace("-", "x").replace("_", "y") for _ in range(3))


def user_create(
    *,
    username: str,
    role: str,
    locality_codes: Sequence[int] = (),
    county_code: str | None = None,
    national: bool = False,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> CreatedUser:
    """Create a user with one role and one scope; generate a password when none is given."""
    problems: dict[str, list[str]] = {}
    username = username.strip()
    if not username:
        problems.setdefault("username", []).append(_("The username is required."))
    elif User.objects.filter(username=username).exists():
        problems.setdefault("username", []).append(
            _("A user named %(name)s already exists.") % {"name": username}
        )
    if role not in Role.values:
        problems.setdefault("role", []).append(
            _("Unknown role %(role)s; choose one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )

    chosen = [kind for kind, given in _scopes_given(locality_codes, county_code, national) if given]
    if len(chosen) != 1:
        problems.setdefault("scope", []).append(
            _("Give exactly one scope: one or more localities, one county, or the whole country.")
        )
    scope = chosen[0] if len(chosen) == 1 else None
    if scope and role in ALLOWED_SCOPES and scope not in ALLOWED_SCOPES[role]:
        problems.setdefault("scope", []).append(
            _("The role %(role)s cannot have the scope %(scope)s.")
            % {"role": Role(role).label, "scope": ScopeKind(scope).label}
        )

    localities = list(Locality.objects.filter(siruta__in=locality_codes))
    missing = sorted(set(locality_codes) - {loc.siruta for loc in localities})
    if missing:
        problems.setdefault("locality", []).append(
            _("No locality has the SIRUTA code %(codes)s.") % {"codes": ", ".join(map(str, missing))}
        )
    county = County.objects.filter(code=county_code.upper()).first() if county_code else None
    if county_code and county is None:
        problems.setdefault("county", []).append(
            _("No county has the code %(code)s.") % {"code": county_code}
        )

    generated = None
    if password is None:
        password = generated = generate_password()
    else:
        try:
            validate_password(password, User(username=username, first_name=first_name, last_name=last_name))
        except ValidationError as error:
            problems.setdefault("password", []).extend(error.messages)

    if problems:
        raise DomainValidationError(problems)
    assert scope is not None

    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            scope=scope,
            county=county,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        user.set_password(password)
        user.save()
        if localities:
            user.localities.set(localities)
    return CreatedUser(user=user, generated_password=generated)


def _scopes_given(
    locality_codes: Sequence[int], county_code: str | None, national: bool
) -> list[tuple[ScopeKind, bool]]:
    return [
        (ScopeKind.LOCALITIES, bool(locality_codes)),
        (ScopeKind.COUNTY, bool(county_code)),
        (ScopeKind.NATIONAL, national),
    ]
