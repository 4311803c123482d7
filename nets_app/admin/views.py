"""Thin views over :mod:`nets_app.services.survey_admin`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from nets_app.admin import bp
from nets_app.api.formats import csv_response
from nets_app.services import survey_admin

WINDOW_FIELDS = (
    "code",
    "name",
    "opens_on",
    "closes_on",
    "retest_fraction",
    "retest_min_days",
    "retest_max_days",
)


@bp.get("/")
def windows():
    return render_template("admin/windows.html", windows=survey_admin.windows(current_user))


@bp.route("/windows/new", methods=["GET", "POST"])
def new_window():
    error = None
    if request.method == "POST":
        try:
            code = survey_admin.create_window(
                current_user, **{k: request.form.get(k, "") for k in WINDOW_FIELDS}
            )
        except ValueError as exc:
            error = str(exc)
        else:
            flash(f"Survey window {code} created.", "success")
            return redirect(url_for("admin.window", code=code), 303)
    else:
        survey_admin.require_admin(current_user)
    return render_template(
        "admin/new_window.html", error=error, form=request.form
    ), 400 if error else 200


@bp.get("/windows/<code>")
def window(code: str):
    detail = survey_admin.window_detail(current_user, code)
    return render_template("admin/window.html", detail=detail, error=None, form={})


@bp.post("/windows/<code>/invitations")
def invitations(code: str):
    form = request.form
    try:
        rows = survey_admin.create_invitations(
            current_user,
            code,
            form.get("placement", ""),
            form.get("group") or None,
            form.get("count", ""),
        )
    except ValueError as exc:
        detail = survey_admin.window_detail(current_user, code)
        return render_template(
            "admin/window.html",
            detail=detail,
            error=str(exc),
            form=form,
        ), 400
    return csv_response(
        ("placement_code", "learner_group", "token", "survey_url"),
        [(p, g, t, url_for("survey.enter_token", token=t, _external=True)) for p, g, t in rows],
        f"nets-invitations-{code}-{rows[0][0]}.csv",
    )
