"""Reviewers' dashboards: placement, provider, region, national, concern queue, register.

Every route needs a signed-in staff member; what each may see is decided in the
service layer (:mod:`nets_app.services.access`), never in a template.
"""

from __future__ import annotations

from flask import Blueprint

from nets_app.staff_web import protect_blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
protect_blueprint(bp)

from nets_app.dashboard import views  # noqa: E402,F401
