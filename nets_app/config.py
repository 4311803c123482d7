"""Configuration classes. ``DATABASE_URL`` chooses the database; SQLite is the default."""

from __future__ import annotations

import os
from pathlib import Path

from flask.cli import NoAppException

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(NoAppException):
    """The configuration cannot work; the message says what to set.

    A ``NoAppException`` so that the ``flask`` command prints the message alone,
    without a traceback, and exits non-zero.
    """


def _default_sqlite() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'nets.sqlite3'}"


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` / ``postgresql://`` forms and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", "") or _default_sqlite()
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Minimum respondents before a score is shown (GMC NTS uses 3; see psychometrics.scoring).
    NETS_MIN_N = int(os.environ.get("NETS_MIN_N", "3"))
    NETS_MIN_N_FREE_TEXT = int(os.environ.get("NETS_MIN_N_FREE_TEXT", "5"))
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    # Security headers and the reverse proxy (see nets_app.security).
    NETS_HSTS_SECONDS = 0
    NETS_TRUSTED_PROXIES = int(os.environ.get("NETS_TRUSTED_PROXIES", "0"))


#: Rate limits an installation may tune from the environment (Flask-Limiter strings such as
#: "5 per 15 minutes"; defaults in nets_app/auth/views.py and nets_app/survey/limits.py).
RATE_LIMIT_SETTINGS = (
    "NETS_LOGIN_LIMIT",
    "NETS_LOGIN_LIMIT_PER_ADDRESS",
    "NETS_SURVEY_TOKEN_LIMIT",
    "NETS_SURVEY_OPEN_LINK_LIMIT",
)
for _name in RATE_LIMIT_SETTINGS:
    if os.environ.get(_name):
        setattr(BaseConfig, _name, os.environ[_name])


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-not-secret"
    WTF_CSRF_ENABLED = True


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PREFERRED_URL_SCHEME = "https"
    NETS_HSTS_SECONDS = 31_536_000  # one year
    # Rate-limit counters live in Redis (REDIS_URL) so that every gunicorn worker shares
    # them; if Redis goes down, each worker falls back to its own memory counters rather
    # than refusing every sign-in and survey link.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_KEY_PREFIX = "nets"


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def resolve_config(config: str | type | dict | None) -> dict:
    """Turn a config name, class or mapping into a plain dict, checking what must be set."""
    if config is None:
        config = os.environ.get("NETS_CONFIG", "development")
    if isinstance(config, str):
        if config not in CONFIGS:
            raise ConfigError(
                f"unknown configuration {config!r}; use one of {', '.join(CONFIGS)} (NETS_CONFIG)"
            )
        config = CONFIGS[config]
    if isinstance(config, dict):
        base = dict(_as_dict(CONFIGS[config.get("ENV_NAME", "testing")]))
        base.update(config)
        values = base
    else:
        values = _as_dict(config)
    if values.get("ENV_NAME") == "production" and not values.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY is not set. In production it must come from the environment, e.g. "
            "export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    return values


def _as_dict(cls: type) -> dict:
    return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
