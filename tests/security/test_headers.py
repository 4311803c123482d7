"""Security headers on every kind of response, and the CSP nonce on every inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from nets_app.config import ConfigError
from nets_app.security import check_cookie_config
from tests.survey.helpers import make_invitation

TEMPLATES = Path(__file__).resolve().parents[2] / "nets_app" / "templates"
# Headers do not depend on the database: SQLite only.
sqlite_only = pytest.mark.parametrize("_migrated_app", ["sqlite"], indirect=True)


def csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def survey_client(app):
    client = app.test_client()
    client.get(f"/s/{make_invitation().token}")
    return client


PATHS = {
    "home page": "/",
    "staff sign-in": "/staff/login",
    "survey page": "/survey/start",
    "JSON API (signed out)": "/api/v1/",
    "NHS.UK frontend script": "/vendor/nhsuk/nhsuk.min.js",
    "unknown page": "/no-such-page",
}


@sqlite_only
@pytest.mark.parametrize("path", PATHS.values(), ids=PATHS.keys())
def test_every_response_carries_the_security_headers(app, path):
    r = survey_client(app).get(path)
    r.close()  # the vendor script is streamed from a file
    policy = csp(r)
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{24}'", policy["script-src"])
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["default-src"] == "'self'" and policy["form-action"] == "'self'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    # HSTS only in production (a development server on http must stay reachable).
    assert "Strict-Transport-Security" not in r.headers


@sqlite_only
def test_inline_scripts_carry_this_responses_nonce_and_it_changes(app):
    client = survey_client(app)
    nonces = []
    for _ in range(2):
        r = client.get("/survey/start")
        nonce = csp(r)["script-src"].split("'nonce-")[1].rstrip("'")
        inline = [
            s for s in BeautifulSoup(r.data, "html.parser").find_all("script") if not s.get("src")
        ]
        assert inline, "the survey layout has an inline script (the js-enabled class)"
        assert {s.get("nonce") for s in inline} == {nonce}
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_every_template_script_is_external_or_carries_the_nonce():
    """A new inline script without the nonce would silently not run under the CSP."""
    unsafe = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'nonce="{{ csp_nonce() }}"' not in tag:
                unsafe.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        # Inline event handlers cannot carry a nonce at all.
        unsafe += [
            f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)
        ]
    assert unsafe == []


@sqlite_only
def test_survey_entry_link_sends_no_referrer_and_pages_same_origin(app):
    client = app.test_client()
    entry = client.get(f"/s/{make_invitation().token}")
    assert entry.status_code == 303
    assert entry.headers["Referrer-Policy"] == "no-referrer"  # the token is in that address
    assert client.get("/survey/start").headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE must be True"),
        ({"SESSION_COOKIE_DOMAIN": "nhs.uk"}, "SESSION_COOKIE_DOMAIN must be unset"),
        ({"SESSION_COOKIE_PATH": "/survey"}, "the cookie path"),
    ],
)
def test_a_host_cookie_that_browsers_would_drop_is_a_config_error(override, problem):
    config = {"SESSION_COOKIE_NAME": "__Host-session", "SESSION_COOKIE_SECURE": True, **override}
    with pytest.raises(ConfigError, match=problem):
        check_cookie_config(config)
