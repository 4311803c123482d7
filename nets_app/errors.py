"""One place that turns errors into clear pages (and rolls the session back on a 500)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from nets_app.extensions import db
from nets_app.services import audit
from nets_app.services.access import AccessDenied, NotFound


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_errors(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(error):
        if _wants_json():
            return jsonify(error="not found", path=request.path), 404
        return render_template("errors/404.html"), 404

    @app.errorhandler(403)
    def forbidden(error):
        audit.record_refusal(f"path:{request.path}", "forbidden")
        if _wants_json():
            return jsonify(error="forbidden", path=request.path), 403
        return render_template("errors/403.html"), 403

    @app.errorhandler(NotFound)
    def domain_not_found(error: NotFound):
        """An unknown placement, provider, region, window or filter value: say which."""
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(error), what=error.what, value=str(error.value)), 404
        return render_template("dashboard/not_found.html", error=error), 404

    @app.errorhandler(AccessDenied)
    def domain_forbidden(error: AccessDenied):
        """Another scope's data: refuse, and keep the refusal in the audit log."""
        audit.record_refusal(error.target, error.reason)
        if _wants_json():
            return jsonify(error="forbidden", target=error.target), 403
        return render_template("errors/403.html"), 403

    @app.errorhandler(429)
    def too_many(error):
        if _wants_json():
            return jsonify(error="too many requests"), 429
        return render_template("auth/too_many.html"), 429

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return (
            render_template(
                "errors/csrf.html",
                reason=error.description,
                back=request.referrer
                if request.referrer and request.referrer.startswith(request.host_url)
                else None,
            ),
            400,
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
