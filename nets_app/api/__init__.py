"""The JSON API and CSV exports (``/api/v1``), for notebooks and spreadsheets.

Signed-in staff only (the session cookie; from a notebook, sign in with a
``requests.Session`` first). Every dataset is scoped and suppressed exactly as
the pages are, and every download is written to the audit log.
"""

from __future__ import annotations

from flask import Blueprint

from nets_app.staff_web import protect_blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
protect_blueprint(bp)

from nets_app.api import views  # noqa: E402,F401
