"""Public pages: the start page and what the platform is."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from nets_app.main import views  # noqa: E402,F401
