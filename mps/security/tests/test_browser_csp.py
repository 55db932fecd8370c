"""The Content-Security-Policy refuses inline scripts and eval, and no page of the platform needs them.

Chromium reports every refused script or style as a `securitypolicyviolation` event; the test listens for them
on the pages that draw charts, maps, forms and the field app, and expects none.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from mps.accounts.models import Role, ScopeKind
from mps.accounts.tests.factories import UserFactory
from mps.cases.tests.factories import builders_locality, record, team_of
from mps.census.tests.factories import CensusCampaignFactory
from mps.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """() => {
  window.__violations = window.__violations || [];
  document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
}"""


def _violations(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Listeners added after load miss what happened before; Chromium also queues the report events, so the
    # listener is installed first by an init script (below) and read here.
    return page.evaluate("() => window.__violations || []")


def test_no_page_needs_inline_scripts_or_eval(live_server, page: Page) -> None:
    locality = builders_locality(name="Pâncești")
    team = team_of(locality)
    assessment = record(team["social_worker"], {"members[2].protection.neglect_signs": True})
    CensusCampaignFactory.create(locality=locality)
    UserFactory.create(role=Role.ADMINISTRATOR, scope=ScopeKind.NATIONAL, username="admin.csp", is_staff=True)
    page.context.add_init_script(script=f"({LISTEN})()")

    response = page.request.get(f"{live_server.url}{reverse('login')}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in policy
    assert "geolocation=(self)" in response.headers["permissions-policy"]

    log_in(page, live_server.url, team["coordinator"].username)
    household = assessment.household_id
    pages = [
        "/",
        reverse("registry:household_list"),
        reverse("registry:household_detail", args=[household]),
        reverse("registry:household_create"),
        reverse("assessment:assessment_new", args=[household]),
        reverse("assessment:assessment_detail", args=[assessment.id]),
        reverse("cases:my_day"),
        reverse("cases:workload"),
        reverse("census:campaign_list"),
        reverse("monitoring:area", args=["locality", locality.siruta]),
        reverse("monitoring:map", args=["locality", locality.siruta]),
        reverse("planning:index"),
        "/teren/",
        "/api/v1/docs",
        # The passkey box is drawn by a script of ours (WebAuthn is feature-detected on load).
        reverse("security:setup"),
        reverse("security:passkeys"),
    ]
    found = {url: _violations(page, f"{live_server.url}{url}") for url in pages}
    assert {url: v for url, v in found.items() if v} == {}
