"""Test databases: a fresh SQLite file or PostgreSQL database, built by running the migrations."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BACKENDS = ("sqlite", "postgres")


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        raise RuntimeError(
            "TEST_POSTGRES_URL is not set: the database tests run on SQLite and on PostgreSQL. "
            "Run them through `make test` (which sets it), or export "
            "TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    return url


def new_database(backend: str, tmp_dir: Path) -> tuple[str, callable]:
    """Create an empty database; return its URL and a function that drops it."""
    name = f"nets_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        path = tmp_dir / f"{name}.sqlite3"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise RuntimeError(
            f"cannot create a PostgreSQL test database via {postgres_admin_url()}: {exc}. "
            "Is PostgreSQL running? `.ci/run` starts it with pg_ctlcluster."
        ) from exc
    url = make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def truncate_all(db) -> None:
    """Empty every table (keeping the migration version), fast on both backends."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()
