"""Thin views: parse the request, call one service function, render."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from nets_app.dashboard import bp
from nets_app.services import (
    concern_queue,
    dashboard,
    dashboard_national,
    dashboard_org,
    home,
    isf_view,
    research,
)
from nets_app.services import exports as export_service


def _arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


@bp.get("/")
def home_page():
    target = home.landing(current_user)
    if target.endpoint:
        return redirect(url_for(target.endpoint, **target.values))
    return render_template("dashboard/home.html", page=target)


@bp.get("/national")
def national():
    page = dashboard_national.national_page(current_user, _arg("window"))
    return render_template("dashboard/national.html", page=page)


@bp.get("/regions/<code>")
def region(code: str):
    page = dashboard_org.region_page(
        current_user, code, _arg("window"), _arg("group"), _arg("scale")
    )
    return render_template("dashboard/org.html", page=page)


@bp.get("/providers/<code>")
def provider(code: str):
    page = dashboard_org.provider_page(
        current_user, code, _arg("window"), _arg("group"), _arg("scale")
    )
    return render_template("dashboard/org.html", page=page)


@bp.get("/placements/<code>")
def placement(code: str):
    page = dashboard.placement_page(current_user, code, _arg("window"), _arg("group"))
    return render_template("dashboard/placement.html", page=page)


@bp.get("/concerns")
def concerns():
    page = concern_queue.queue(current_user, _arg("status"), _arg("kind"), _arg("window"))
    return render_template("dashboard/concerns.html", page=page)


@bp.route("/concerns/<int:concern_id>", methods=["GET", "POST"])
def concern(concern_id: int):
    error = None
    if request.method == "POST":
        try:
            concern_queue.update(
                current_user,
                concern_id,
                request.form.get("status", ""),
                request.form.get("outcome"),
            )
        except ValueError as exc:
            error = str(exc)
        else:
            flash("The concern has been updated.", "success")
            return redirect(url_for("dashboard.concern", concern_id=concern_id), 303)
    line = concern_queue.detail(current_user, concern_id)
    return render_template(
        "dashboard/concern.html",
        concern=line,
        error=error,
        form=request.form if error else None,
        statuses=concern_queue.STATUSES,
    ), 400 if error else 200


@bp.get("/research")
def research_data():
    page = research.page(current_user)
    return render_template("dashboard/research.html", page=page)


@bp.get("/downloads")
def exports():
    return render_template(
        "dashboard/exports.html", page=export_service.downloads_page(current_user)
    )


@bp.get("/register")
def register():
    page = isf_view.register_page(current_user, _arg("region"))
    return render_template("dashboard/register.html", page=page)


@bp.get("/isf")
def isf_board():
    page = isf_view.board_page(current_user, _arg("region"))
    return render_template("dashboard/isf_board.html", page=page)
