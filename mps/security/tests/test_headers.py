"""Every response carries the security headers; the production settings pass `check --deploy` with 0 warnings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from mps.accounts.tests.factories import worker_of
from mps.geography.tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_forbid_inline_scripts_eval_framing_and_unused_device_features():
    client = Client()
    client.force_login(worker_of(LocalityFactory.create()))
    for url in ("/", reverse("registry:household_list"), reverse("login")):
        response = client.get(url)
        directives = _directives(response["Content-Security-Policy"])
        assert directives["script-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_production_settings_pass_the_deployment_check_without_a_warning():
    # The suite's own DJANGO_ALLOW_ASYNC_UNSAFE (for Playwright) is no part of a deployment.
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "MPS_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mps_deploy_check",
        "DJANGO_ALLOWED_HOSTS": "mps.example.ro",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
