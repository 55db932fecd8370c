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


@pytest.fixture(autouse=True)
def _reference_geography_survives_flushes(request: pytest.FixtureRequest) -> None:
    """Put back the regions and counties that a previous transactional test flushed away.

    Transactional tests (browser tests with a live server) end by emptying every table, including the fixed
    facts that migration 0002 loads; Django's serialized rollback does not restore them reliably under
    pytest-django, so they are reloaded here with the migration's own function.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from mps.geography.models import County

    if not County.objects.exists():
        importlib.import_module("mps.geography.migrations.0002_regions_and_counties").load(apps, None)
