"""The learners' survey: invitation and poster links, the question pages, submit, confirmation.

Registering the blueprint also sets up what the survey needs around it: the rate
limiter, the log filter that keeps tokens out of access logs, the survey's error
pages and ``flask nets survey purge-drafts``.
"""

from __future__ import annotations

import click
from flask import Blueprint, redirect, render_template, request, url_for
from flask.cli import AppGroup
from werkzeug.exceptions import RequestEntityTooLarge

from nets_app.services.survey_errors import AlreadySubmitted, IncompleteDraft, SurveyError
from nets_app.services.survey_flow import InvalidAnswer
from nets_app.services.tokens import install_log_redaction

bp = Blueprint("survey", __name__)
SESSION_KEY = "survey_invitation"
# A survey page holds at most a few comments of 1,500 characters; refuse anything far larger.
MAX_FORM_BYTES = 64 * 1024

survey_cli = AppGroup("survey", help="Learner survey commands.")


@survey_cli.command("purge-drafts")
def purge_drafts_command() -> None:
    """Delete unsubmitted answers of survey windows that have closed."""
    from nets_app.services.survey import purge_closed_drafts

    counts = purge_closed_drafts()
    click.echo(
        f"Deleted {counts['drafts']} drafts and {counts['open_invitations']} unused "
        "poster invitations of closed survey windows."
    )


@bp.record_once
def _setup(state) -> None:
    from nets_app.cli import nets

    install_log_redaction(state.app.logger)
    nets.add_command(survey_cli)


@bp.url_value_preprocessor
def _limit_body(endpoint, values) -> None:
    # URL value preprocessors run before every before_request function, so the limit
    # is in place before CSRFProtect reads the form.
    request.max_content_length = MAX_FORM_BYTES


@bp.after_request
def _headers(response):
    # The invitation token is in the /s/ address: never send it on as a referrer.
    entry = request.endpoint in ("survey.enter_token", "survey.enter_open_link")
    response.headers["Referrer-Policy"] = "no-referrer" if entry else "same-origin"
    # Shared phones and ward computers: do not keep survey pages in the browser cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(SurveyError)
def _survey_error(error: SurveyError):
    if isinstance(error, AlreadySubmitted):
        return redirect(url_for("survey.done"), 303)
    if isinstance(error, IncompleteDraft):
        from nets_app.survey.views import url_for_key

        return redirect(url_for_key(error.key), 303)
    return render_template("survey/problem.html", error=error), error.status


@bp.errorhandler(InvalidAnswer)
def _invalid_answer(error: InvalidAnswer):
    problem = SurveyError(
        "Something on the page you sent was not one of the answers the survey offers, "
        "so nothing from that page was saved. Your earlier answers are kept.",
        "Go back to the survey and answer the page again.",
    )
    problem.title = "We could not save that page"
    return render_template("survey/problem.html", error=problem), 400


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    problem = SurveyError(
        "The page you sent was much larger than any survey answer can be, so nothing from "
        "it was saved. Your earlier answers are kept.",
        "Go back, shorten your comments (the limit is shown under each box) and continue.",
    )
    problem.title = "Your answer was too long"
    return render_template("survey/problem.html", error=problem), 413


@bp.errorhandler(429)
def _rate_limited(error):
    problem = SurveyError(
        "This survey has been opened too many times from your network in a short time.",
        "Wait a few minutes and try the link again.",
    )
    problem.title = "Too many attempts"
    return render_template("survey/problem.html", error=problem), 429


from nets_app.survey import views  # noqa: E402,F401
