"""Researchers' validation reports: the windows, and each window's report as a page and JSON.

Every route needs a signed-in staff member; the researcher and national roles may
see reports (checked in :mod:`nets_app.services.validation`).
"""

from __future__ import annotations

from flask import Blueprint

from nets_app.staff_web import protect_blueprint

bp = Blueprint("validation", __name__, url_prefix="/validation")
protect_blueprint(bp)

from nets_app.validation import views  # noqa: E402,F401
