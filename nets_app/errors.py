"""One place that turns errors into clear pages (and rolls the session back on a 500)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from nets_app.extensions import db


def register_errors(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

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
