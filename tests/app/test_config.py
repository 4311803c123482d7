"""Configuration: SECRET_KEY is required in production; DATABASE_URL is checked clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nets_app import create_app
from nets_app.config import ConfigError, ProductionConfig, normalise_database_url

ROOT = Path(__file__).resolve().parents[2]


def test_production_without_secret_key_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app("production")


def test_production_with_secret_key_starts(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 64)
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_config_name_is_named():
    with pytest.raises(ConfigError, match="unknown configuration 'staging'"):
        create_app("staging")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_forms(given, expected):
    assert normalise_database_url(given) == expected


def _flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "nets_app", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unreachable_database_url_gives_one_clear_message_and_nonzero_exit():
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    result = _flask(
        "nets", "setup", env={"DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:1/nets"}
    )
    assert result.returncode != 0
    assert (
        "cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/nets"
        in result.stderr
    )
    assert "Check DATABASE_URL" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_missing_secret_key_in_production_exits_nonzero_with_the_message():
    env = {"NETS_CONFIG": "production", "SECRET_KEY": ""}
    result = _flask("nets", "instrument", "check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
