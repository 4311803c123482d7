"""The NETS platform's Flask application.

``create_app(config)`` builds an app; ``config`` is a name ("development",
"testing", "production"), a config class, or a dict of overrides.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, abort, send_from_directory

from nets_app.config import INSTANCE_DIR, resolve_config
from nets_app.extensions import csrf, db, limiter, login_manager, migrate
from nets_app.security import init_security

ROOT = Path(__file__).resolve().parent.parent
NHSUK_DIST = ROOT / "node_modules" / "nhsuk-frontend" / "dist"

log = logging.getLogger(__name__)


def create_app(config: str | type | dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.config.from_mapping(resolve_config(config))
    INSTANCE_DIR.mkdir(exist_ok=True)
    init_security(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from nets_app import models  # noqa: F401  (register the models with the metadata)
    from nets_app.cli import register_cli
    from nets_app.cli_risk import risk_cli
    from nets_app.errors import register_errors
    from nets_app.main import bp as main_bp
    from nets_app.resilience import register_unavailable
    from nets_app.risk import bp as risk_bp
    from nets_app.survey import bp as survey_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(survey_bp)
    _register_staff_blueprints(app)
    app.register_blueprint(risk_bp)
    app.cli.add_command(risk_cli)
    register_errors(app)
    register_unavailable(app)
    register_cli(app)
    _register_vendor_assets(app)
    return app


def _register_staff_blueprints(app: Flask) -> None:
    """Staff sign-in, reviewers' dashboards, the JSON/CSV API and survey administration."""
    from nets_app.admin import bp as admin_bp
    from nets_app.api import bp as api_bp
    from nets_app.auth import bp as auth_bp
    from nets_app.dashboard import bp as dashboard_bp
    from nets_app.validation import bp as validation_bp

    for bp in (auth_bp, dashboard_bp, api_bp, admin_bp):
        app.register_blueprint(bp)
    app.register_blueprint(validation_bp)


def _register_vendor_assets(app: Flask) -> None:
    """Serve the NHS.UK frontend from node_modules (installed at setup, not copied into the repo)."""

    @app.get("/vendor/nhsuk/<path:filename>")
    def nhsuk_asset(filename: str):
        if not NHSUK_DIST.is_dir():
            abort(404)
        return send_from_directory(NHSUK_DIST, filename, max_age=86400)
