"""Sign in, sign out, and the Flask-Login wiring (user loader, unauthorised handler)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from nets_app.auth import bp
from nets_app.auth.forms import LoginForm
from nets_app.extensions import limiter, login_manager
from nets_app.services import access, staff


@login_manager.user_loader
def load_user(session_id: str):
    return access.load_principal(session_id)


@login_manager.unauthorized_handler
def unauthorised():
    if request.path.startswith("/api/"):
        return jsonify(error="sign in first", login=url_for("auth.login")), 401
    flash("Sign in to see this page.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never ``//host`` or a full URL) is followed after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_key() -> str:
    """Failed sign-ins are counted per address and per e-mail, so one account can't be guessed at."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"{get_remote_address()}|{email}"


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config.get("NETS_LOGIN_LIMIT", "5 per 15 minutes"),
    key_func=_login_key,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config.get("NETS_LOGIN_LIMIT_PER_ADDRESS", "50 per 15 minutes"),
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home_page"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        principal = staff.authenticate(form.email.data, form.password.data)
        if principal is not None:
            session.clear()
            login_user(principal)
            return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.home_page"))
        error = "Enter a correct email address and password."
    status = 200 if request.method == "GET" or not (form.errors or error) else 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    staff.end_sessions(current_user.staff_id)
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
