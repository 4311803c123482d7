"""Staff sign-in and sign-out (Flask-Login sessions checked against the database)."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/staff")

from nets_app.auth import views  # noqa: E402,F401
