"""Factories for users; other apps' tests build their professionals with these."""

from typing import Any

import factory

from mps.accounts.models import Role, ScopeKind, User

TEST_PASSWORD = "parola-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user with a role and the scope given by `localities`, `county` or `scope=national`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ioana"
    last_name = factory.Sequence(lambda n: f"Popescu{n}")
    role = Role.SOCIAL_WORKER
    scope = ScopeKind.LOCALITIES
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def localities(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.localities.set(extracted)
        if create:
            obj.save()


def worker_of(*localities: Any, role: str = Role.SOCIAL_WORKER, **kwargs: Any) -> User:
    """Return a professional scoped to these localities."""
    return UserFactory.create(role=role, scope=ScopeKind.LOCALITIES, localities=list(localities), **kwargs)


def county_supervisor_of(county_code: str, **kwargs: Any) -> User:
    """Return a county supervisor of this county."""
    return UserFactory.create(
        role=Role.COUNTY_SUPERVISOR, scope=ScopeKind.COUNTY, county_id=county_code, **kwargs
    )


def national_monitor(**kwargs: Any) -> User:
    """Return a national monitor."""
    return UserFactory.create(role=Role.NATIONAL_MONITOR, scope=ScopeKind.NATIONAL, **kwargs)
