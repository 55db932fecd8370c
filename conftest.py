"""Project-wide test set-up: browser tests drive Debian's Chromium, never a downloaded browser."""

import importlib
import os
import shutil
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# This machine has no route to the internet: Chromium's background services would only produce refused
# connections and slow start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A 10-inch tablet in landscape, speaking Romanian, like the people who use the platform.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "ro-RO"}


# Reference data that migrations load (fixed facts and catalogue versions): (app label, model, migration).
REFERENCE_DATA = [
    ("geography", "County", "mps.geography.migrations.0002_regions_and_counties"),
    ("assessment", "Vulnerability", "mps.assessment.migrations.0002_vulnerabilities_mps_v1"),
    ("cases", "Service", "mps.cases.migrations.0002_services_mps_v1"),
]


@pytest.fixture(autouse=True)
def _reference_data_survives_flushes(request: pytest.FixtureRequest) -> None:
    """Put back the reference data that a previous transactional test flushed away.

    Transactional tests (browser tests with a live server) end by emptying every table, including what the
    data migrations load; Django's serialized rollback does not restore it reliably under pytest-django, so
    it is reloaded here with each migration's own function.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for app_label, model_name, migration in REFERENCE_DATA:
        if not apps.is_installed(f"mps.{app_label}"):
            continue
        if not apps.get_model(app_label, model_name).objects.exists():
            importlib.import_module(migration).load(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Let the test database's flushes through the audit trail's insert-only triggers.

    Transactional tests end with a TRUNCATE of every table, and the triggers of audit migration 0005 refuse
    one on the trail unless the session sets `mps.audit_maintenance`. It is set on the test database itself,
    so that every connection (the live server's thread too) has it; the tests of the triggers turn it off
    with `SET LOCAL` inside their own transaction.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        names: set[str] = set()
        for connection in connections.all():
            if connection.vendor != "postgresql" or connection.settings_dict["NAME"] in names:
                continue
            name = connection.settings_dict["NAME"]
            if not name.startswith("test_"):
                raise RuntimeError(
                    f"Refusing to lift the audit trail's protection on {name}: not a test database."
                )
            names.add(name)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ALTER DATABASE {connection.ops.quote_name(name)} SET mps.audit_maintenance = 'on'"
                )
        if names:
            # A database's settings reach the connections opened after the change.
            connections.close_all()
