from flask import render_template

from nets_app.main import bp
from nets_app.services import overview


@bp.get("/")
def index():
    return render_template("main/index.html", summary=overview.platform_summary())


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/methods")
def methods():
    return render_template("main/methods.html", page=overview.methods())
