"""What every staff blueprint shares: sign-in required, no caching, labels for templates."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from nets_app.extensions import login_manager
from nets_app.models import ROLES
from nets_app.services.results import FUNNEL_LABELS, QUARTILE_LABELS


def _require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _no_store(response):
    # Results and tokens are confidential: never keep staff pages in shared caches.
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _labels() -> dict:
    return {
        "ROLE_LABELS": ROLES,
        "QUARTILE_LABELS": QUARTILE_LABELS,
        "FUNNEL_LABELS": FUNNEL_LABELS,
    }


def protect_blueprint(bp: Blueprint) -> None:
    """Sign-in for every route of ``bp``, ``Cache-Control: no-store``, and label tables."""
    bp.before_request(_require_login)
    bp.after_request(_no_store)
    bp.context_processor(_labels)
