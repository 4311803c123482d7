"""Survey administration: windows, invitations, response rates, the retest sample."""

from __future__ import annotations

from flask import Blueprint

from nets_app.staff_web import protect_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
protect_blueprint(bp)

from nets_app.admin import views  # noqa: E402,F401
