"""The Content-Security-Policy in Chromium: the site's own scripts run, nothing is blocked
on the survey and staff pages, and an injected inline script is refused.

Violations are collected by a ``securitypolicyviolation`` listener installed before
any page script runs.
"""

from __future__ import annotations

import pytest

from nets_app.extensions import db
from nets_app.services.staff import create_staff_user
from tests.dashboard import factories as f
from tests.factories import create_placement, create_window
from tests.survey.helpers import make_invitation

pytestmark = pytest.mark.browser

LISTEN = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
)
PASSWORD = "csp-browser-test-password"


@pytest.fixture
def watched_page(new_context):
    context = new_context()
    context.set_default_timeout(30_000)  # the machine is shared
    context.add_init_script(LISTEN)
    return context.new_page()


def violations(page) -> list[str]:
    """The page's violations so far, once its fonts have loaded (or failed to)."""
    page.evaluate("() => document.fonts.ready.then(() => true)")
    return page.evaluate("() => window.__csp")


def test_survey_pages_run_their_nonced_script_and_break_no_rule(live_server, watched_page):
    with live_server.app.app_context():
        token = make_invitation().token
    page = watched_page
    page.goto(live_server(f"/s/{token}"))
    assert page.url.endswith("/survey/start")
    # The layout's inline script (with the nonce) ran; the NHS.UK script loaded from /vendor.
    assert "js-enabled" in page.evaluate("() => document.documentElement.className")
    page.get_by_label("Nursing").check()
    page.get_by_role("button", name="Start the survey").click()
    assert "/survey/questions/" in page.url
    assert violations(page) == []


def test_an_injected_inline_script_is_refused(live_server, watched_page):
    page = watched_page
    page.goto(live_server("/staff/login"))
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.__injected === undefined")
    assert any(v.startswith("script-src") for v in violations(page))


def test_staff_pages_with_charts_break_no_rule(live_server, watched_page):
    with live_server.app.app_context():
        window = create_window()
        placement = create_placement()
        run = f.create_run(window)
        for scale in ("overall", "induction", "supervision"):
            f.create_score(run, placement, scale)
        user = create_staff_user(f"csp-{placement.code}@nhs.net", "CSP", "national", PASSWORD)
        email, code, window_code = user.email, placement.code, window.code
        db.session.commit()
    page = watched_page
    page.goto(live_server("/staff/login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server(f"/dashboard/placements/{code}?window={window_code}"))
    assert page.locator("h1").count() == 1
    # Server-rendered matplotlib charts: inline SVG with style attributes and <style>.
    assert page.locator("svg.nets-chart__svg[style]").count() >= 1
    assert violations(page) == []
