"""The schema comes from the numbered migrations, and they match the models exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from nets_app import create_app
from nets_app.extensions import db
from tests.dbutil import BACKENDS, new_database

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


@pytest.fixture(params=BACKENDS)
def fresh_app(request, tmp_path):
    url, drop = new_database(request.param, tmp_path)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    drop()


def test_upgrade_from_empty_gives_exactly_the_models_schema(fresh_app):
    upgrade()
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == [], f"models and migrations have drifted: {diff}"


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(fresh_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "response" in inspect(db.engine).get_table_names()


def test_migration_files_are_numbered_and_each_has_a_downgrade():
    files = sorted(p for p in VERSIONS.glob("*.py"))
    assert files, "no migrations found"
    for n, path in enumerate(files, start=1):
        assert re.match(rf"^{n:04d}_\w+\.py$", path.name), path.name
        source = path.read_text()
        assert f"revision = '{n:04d}'" in source or f'revision = "{n:04d}"' in source
        body = source.split("def downgrade", 1)[1]
        assert "op." in body, f"{path.name} has an empty downgrade()"
