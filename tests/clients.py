"""Test clients that behave like a real server towards the application context."""

from __future__ import annotations

from flask.testing import FlaskClient


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as in a real server.

    The ``app`` fixture keeps one app context open for the whole test, and a request
    pushed inside it would share its ``g`` (where Flask-Login caches the user and
    Flask-WTF the CSRF token) and its database session with the test and with every
    other request: a signed-out or disabled user would stay "loaded", and the
    request's teardown (which closes its database session) would never run.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def new_client(app) -> FreshContextClient:
    return FreshContextClient(app, app.response_class, use_cookies=True)
