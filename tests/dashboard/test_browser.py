"""Each role signs in through the form in Chromium at a tablet viewport and sees its dashboard.

Every page visited is scanned with axe-core: no serious or critical violation. The
live server, browser and axe helper are the survey's (tests/browser/conftest.py),
made available here by tests/dashboard/conftest.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nets_app.services.staff import create_staff_user
from tests.browser_fixtures import axe_violations
from tests.dashboard.conftest import make_world

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
PASSWORD = "browser-test-password"

# role -> (heading on landing, further pages to visit and scan)
ROLES = {
    "site_reviewer": (
        "Alder Trust",
        ["/dashboard/placements/XASTER", "/dashboard/placements/XASTER?group=medical"],
    ),
    "regional": ("Northmoor", ["/dashboard/concerns", "/dashboard/register", "/dashboard/isf"]),
    "national": (
        "National Quality Dashboard",
        ["/dashboard/providers/PROW", "/dashboard/downloads"],
    ),
    "researcher": ("Research data", []),
    "admin": ("Survey administration", ["/admin/windows/W2026", "/admin/windows/new"]),
}


@pytest.fixture(scope="module")
def accounts(live_server):
    with live_server.app.app_context():
        world = make_world()
        emails = {}
        for role in ROLES:
            scope = {}
            if role == "site_reviewer":
                scope = {"providers": [world.providers["PALD"]]}
            elif role == "regional":
                scope = {"region": world.regions["RNM"]}
            user = create_staff_user(
                f"browser-{role}@nhs.net", f"Browser {role}", role, PASSWORD, **scope
            )
            emails[role] = user.email
        from nets_app.extensions import db

        db.session.commit()
    return emails


def _violations(page) -> list[dict]:
    return axe_violations(page)


def _tablet_page(new_context):
    context = new_context(viewport=TABLET)
    # staff pages are heavier than survey pages and the machine is shared: allow 30 s
    context.set_default_timeout(30_000)
    return context.new_page()


def _check(page) -> None:
    assert _violations(page) == [], page.url


def test_header_link_label_contains_its_text(live_server, new_context):
    page = _tablet_page(new_context)
    page.goto(live_server("/staff/login"))
    assert axe_violations(page) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_signs_in_and_sees_its_dashboard(live_server, new_context, accounts, role):
    heading, more = ROLES[role]
    page = _tablet_page(new_context)
    page.goto(live_server("/staff/login"))
    _check(page)
    page.get_by_label("Email address").fill(accounts[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text(heading)
    _check(page)
    for path in more:
        response = page.goto(live_server(path))
        assert response.status == 200, path
        _check(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    # the session is over on the server: the dashboard asks to sign in again
    page.goto(live_server("/dashboard/"))
    expect(page.locator("h1")).to_have_text("Sign in")


def test_wrong_password_page_is_accessible(live_server, new_context, accounts):
    page = _tablet_page(new_context)
    page.goto(live_server("/staff/login"))
    page.get_by_label("Email address").fill(accounts["national"])
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    _check(page)
