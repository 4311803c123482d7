"""Real-browser fixtures: a live server, the system's Chromium through Playwright, axe-core.

A plugin loaded by the root ``conftest.py``, so every suite shares one Playwright
instance and one live server per worker (two sync Playwright instances in one
process fail).

- ``live_server``: the app on a migrated SQLite file database, served by werkzeug in
  a background thread on 127.0.0.1 and a free port (one per xdist worker). Its
  ``app`` is there for setting up data: ``with live_server.app.app_context(): ...``.
- ``browser``: Debian's ``/usr/bin/chromium`` (never a downloaded browser).
- ``context`` / ``page``: a fresh browser context at a phone viewport (390 x 844);
  ``new_context(**options)`` makes more (another device, JavaScript off, 320 px).
- ``axe_violations(page)``: (JavaScript on) injects ``node_modules/axe-core/axe.min.js`` and returns
  the serious and critical violations on the page, ready to assert ``== []``.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from nets_app import create_app
from nets_app.extensions import db

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


@dataclass
class LiveServer:
    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("live") / "live.sqlite3"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser):
    """Make browser contexts (phone-sized unless told otherwise); all are closed after the test."""
    made = []

    def make(**options):
        options.setdefault("viewport", PHONE)
        ctx = browser.new_context(**options)
        # Generous: under `pytest -n 2` on 2 cores the live server shares the CPU.
        ctx.set_default_timeout(30_000)
        ctx.nets_javascript = options.get("java_script_enabled", True)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


SERIOUS = ("serious", "critical")


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page (all WCAG rules on).

    axe-core needs JavaScript (its checks wait on timers), so a page of a context
    with JavaScript off cannot be scanned: open the same address in a context with
    it on (the server sends the same HTML).
    """
    if not getattr(page.context, "nets_javascript", True):
        raise ValueError("axe-core cannot run with JavaScript off; scan in a context with it on")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated rather than added as a <script>, so it also runs with JavaScript off.
        page.evaluate(f"() => {{ {_axe_source()} }}")
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' '))
            }));
        }"""
    )
    return [v for v in found if v["impact"] in SERIOUS]
