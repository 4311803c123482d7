"""Security fixtures: the production configuration served in-process over https.

``prod_client()`` makes a client of an app built with ``ProductionConfig`` (secure
``__Host-`` cookie, HSTS) on the test's migrated database; every request runs in its
own app context, as in a server, and over ``https://`` so that the browser-side
rules for secure cookies apply in the test client too.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from nets_app import create_app
from nets_app.extensions import db

# Empty caches and rate-limit counters for every test (ids restart with each database).
from tests.dashboard.conftest import _fresh_caches  # noqa: F401

ORIGIN = "https://nets.example.nhs.uk"


class HttpsClient(FlaskClient):
    """A browser on https: it sends a same-origin Referer, which CSRF checks on https require."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", ORIGIN)
        kwargs.setdefault("headers", {}).setdefault("Referer", ORIGIN + "/")
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def prod_app(app):
    prod = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "production-test-" + "x" * 48,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    yield prod
    with prod.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def prod_client(prod_app):
    return lambda: HttpsClient(prod_app, prod_app.response_class, use_cookies=True)
