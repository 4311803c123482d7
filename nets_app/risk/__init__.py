"""Risk register and Intensive Support Framework pages for quality teams (``/risk``).

Concerns (proposed from NETS flags or opened by hand), their evidence, risk rating,
ISF category, who must be told, action plans and history; the as-needed, monthly and
quarterly summaries with CSV. Every route needs a signed-in user whose role holds the
``concerns`` permission (regional and national quality teams); a regional user sees
their region only. Views parse the request, call one service function and render or
redirect: nothing here decides a rating or a category.
"""

from __future__ import annotations

from flask import Blueprint

from nets_app.staff_web import protect_blueprint

bp = Blueprint("risk", __name__, url_prefix="/risk")
protect_blueprint(bp)

from nets_app.risk import errors, views  # noqa: E402,F401
