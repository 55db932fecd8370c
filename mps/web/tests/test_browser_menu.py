"""The top menu on a 10-inch tablet and narrower: every role's entries whole and in sight at 800, 1024, 1280 px."""

import pytest
from playwright.sync_api import Page

from mps.accounts.models import Role, ScopeKind
from mps.accounts.tests.factories import UserFactory, county_supervisor_of, worker_of
from mps.geography.tests.factories import LocalityFactory
from mps.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (800, 1024, 1280)

# For each link of the menu: where it is, and whether its text is wider than the box that shows it.
MEASURE = """() => [...document.querySelectorAll('nav.menu a')].map(a => {
  const box = a.getBoundingClientRect(), bar = a.parentElement.getBoundingClientRect();
  return {text: a.textContent.trim(), left: box.left, right: box.right, barLeft: bar.left, barRight: bar.right,
          scrollWidth: a.scrollWidth, clientWidth: a.clientWidth};
})"""


def test_every_roles_menu_fits_whole_at_800_1024_and_1280_pixels(live_server, page: Page) -> None:
    locality = LocalityFactory.create(name="Nicolae Bălcescu")
    users = [
        worker_of(locality, username="asistent"),
        # A coordinator who also administers the platform has the longest menu of all.
        worker_of(locality, role=Role.LOCAL_COORDINATOR, username="coordonator", is_staff=True),
        county_supervisor_of(locality.county_id, username="supervizor"),
        UserFactory.create(role=Role.NATIONAL_MONITOR, scope=ScopeKind.NATIONAL, username="monitor"),
        UserFactory.create(
            role=Role.ADMINISTRATOR, scope=ScopeKind.NATIONAL, username="admin", is_staff=True
        ),
    ]
    longest = 0
    for user in users:
        log_in(page, live_server.url, user.username)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            links = page.evaluate(MEASURE)
            assert links, user.username
            longest = max(longest, len(links))
            for link in links:
                where = f"{user.username} at {width} px: {link['text']}"
                assert 0 <= link["barLeft"] <= link["left"], where
                assert link["right"] <= link["barRight"] <= width, where
                assert link["scrollWidth"] <= link["clientWidth"], where
            menu = page.locator("nav.menu .bar")
            assert menu.evaluate("bar => bar.scrollWidth <= bar.clientWidth"), (
                f"{user.username} at {width} px"
            )
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert longest >= 10
