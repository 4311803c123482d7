"""Thin views: parse the request, call one service function, render."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_login import current_user

from nets_app.services import validation
from nets_app.services.validation_report import SECTION_KEYS
from nets_app.validation import bp


def _group() -> str | None:
    value = request.args.get("group", "").strip()
    return value or None


@bp.get("/")
def index():
    page = validation.index_page(current_user)
    return render_template("validation/index.html", page=page)


@bp.get("/<window>")
def report(window: str):
    rep = validation.report_page(current_user, window, _group())
    return render_template("validation/report.html", report=rep, keys=SECTION_KEYS)


def _download(window: str, ext: str, mimetype: str, render) -> Response:
    rep = validation.report_page(current_user, window, _group())
    name = f"{validation.file_stem(rep)}.{ext}"
    return Response(
        render(rep),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/<window>/report.json")
def report_json(window: str):
    return _download(window, "json", "application/json", validation.report_json)


@bp.get("/<window>/report.html")
def report_file(window: str):
    return _download(window, "html", "text/html", validation.render_html)
