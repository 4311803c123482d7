"""Fixtures for the risk tests: a snapshot of every risk table, to prove nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from nets_app.extensions import db

RISK_TABLES = ("quality_concern", "concern_evidence", "concern_event", "concern_action",
               "adverse_flag")  # fmt: skip


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the risk tables, as committed (the session is rolled back first)."""
    db.session.rollback()
    return {
        t: [tuple(r) for r in db.session.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
        for t in RISK_TABLES
    }


@pytest.fixture
def snap():
    return snapshot
