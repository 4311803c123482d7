"""Fixtures shared by the whole suite.

Database tests take the ``app`` fixture, which is parametrized over SQLite and
PostgreSQL; each backend's database is built once per worker by running the
migrations (``flask db upgrade``), and every table is emptied after each test.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from nets_app import create_app
from nets_app.extensions import db
from tests.dbutil import BACKENDS, new_database, truncate_all


@pytest.fixture(scope="session", params=BACKENDS)
def _migrated_app(request, tmp_path_factory):
    url, drop = new_database(request.param, tmp_path_factory.mktemp("db"))
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


@pytest.fixture
def app(_migrated_app):
    """An app on a migrated, empty database (SQLite and PostgreSQL)."""
    with _migrated_app.app_context():
        yield _migrated_app
        db.session.rollback()
        truncate_all(db)
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def backend(app) -> str:
    return db.engine.dialect.name
