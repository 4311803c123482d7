"""Learner survey views: parse the request, call one service function, render or redirect."""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for

from nets_app.extensions import limiter
from nets_app.services import survey
from nets_app.services.survey_flow import CHECK
from nets_app.survey import SESSION_KEY, bp
from nets_app.survey.forms import SurveyForm, build_form
from nets_app.survey.limits import open_link_limit, started_new_draft, token_limit

#: The retest link a learner was given at submission (their own browser's session only).
RETEST_KEY = "survey_retest_token"


def _held() -> int | None:
    return session.get(SESSION_KEY)


def _hold(invitation_id: int) -> None:
    session[SESSION_KEY] = invitation_id
    session.permanent = True


def url_for_key(key: str | None, *, to_check: bool = False) -> str | None:
    """The address of a survey page key ("start", "questions/induction", "check", ...)."""
    if key is None:
        return None
    if key == CHECK:
        return url_for("survey.check")
    if key == survey.SIGNPOSTING:
        return url_for("survey.signposting")
    return url_for("survey.page", key=key, **({"change": "1"} if to_check else {}))


@bp.get("/s/<token>")
@limiter.limit(token_limit)
def enter_token(token: str):
    _hold(survey.enter_with_token(token))
    return redirect(url_for("survey.resume"), 303)


@bp.get("/p/<slug>")
@limiter.limit(open_link_limit, deduct_when=started_new_draft)
def enter_open_link(slug: str):
    entry = survey.enter_open_link(slug, _held())
    g.survey_new_draft = entry.created
    _hold(entry.invitation_id)
    return redirect(url_for("survey.resume"), 303)


@bp.get("/survey/")
def resume():
    return redirect(url_for_key(survey.resume(_held())))


@bp.route("/survey/<path:key>", methods=["GET", "POST"])
def page(key: str):
    to_check = request.args.get("change") == "1"
    ctx = survey.page(_held(), key)
    form = build_form(ctx)
    if form.validate_on_submit():
        next_key = survey.save_page(_held(), key, form.answers(), to_check=to_check)
        return redirect(url_for_key(next_key), 303)
    back = url_for_key(CHECK if to_check else ctx.back)
    html = render_template(f"survey/{ctx.step.kind}.html", page=ctx, form=form, back=back)
    return html, 400 if form.errors or form.form_errors else 200


@bp.get("/survey/where-to-report")
def signposting():
    kinds = survey.concerns_raised(_held())
    if not kinds:
        return redirect(url_for("survey.resume"))
    return render_template("survey/signposting.html", kinds=kinds)


@bp.route("/survey/check", methods=["GET", "POST"])
def check():
    if request.method == "POST":
        token = survey.submit(_held())
        if token:
            session[RETEST_KEY] = token
        return redirect(url_for("survey.done"), 303)
    ctx = survey.check_page(_held())
    return render_template(
        "survey/check.html", page=ctx, form=SurveyForm(), back=url_for_key(ctx.back)
    )


@bp.get("/survey/done")
def done():
    ctx = survey.confirmation(_held(), session.get(RETEST_KEY))
    if ctx is None:
        return redirect(url_for("survey.resume"))
    return render_template("survey/done.html", page=ctx)
