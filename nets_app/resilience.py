"""When the database is unreachable: a clear "try again" page (HTTP 503), never a 500.

A dropped connection, a database restart, a full connection pool or a locked
SQLite file raise one of :data:`UNAVAILABLE` from inside a unit of work, which has
already rolled the transaction back: nothing half-written is stored, and the
learner's draft (saved page by page) is as it was before the failed request. The
handler rolls the request's session back once more (it may hold a dead
connection), logs the failure without its SQL parameters (they hold answers), and
answers with ``503 Service Unavailable`` and ``Retry-After``:

- on survey pages, the survey's own problem page saying what was and was not saved
  and to try again, with a Back link to where the learner was;
- on the JSON API, ``{"error": ..., "retry_after": ...}``;
- elsewhere, a plain "try again" page.

The connection may also die after the request's last query but before the
request's session is closed: the page was read in full, and only the closing
ROLLBACK fails. :func:`close_session` (run before Flask-SQLAlchemy's own teardown)
then discards the dead session and lets the page go out, instead of turning a
finished page into a 500.

A submit whose commit reached the database before the connection died is safe to
repeat: the invitation is already used, so the retry shows the confirmation and
stores nothing more (see ``nets_app.services.survey.submit``).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy import exc as sa_exc

from nets_app.extensions import db
from nets_app.services.survey_errors import SurveyError

log = logging.getLogger(__name__)

#: Errors that mean "the database cannot be used right now", not "this request is wrong".
UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    # A session whose connection died mid-transaction refuses further use until rolled
    # back; seen on a GET while PostgreSQL restarted under load (tests/resilience).
    sa_exc.PendingRollbackError,
    sa_exc.ResourceClosedError,
)
RETRY_AFTER_SECONDS = 10


class SurveyUnavailable(SurveyError):
    status = 503
    title = "Sorry, we could not save your answers – please try again"


def survey_problem(method: str, endpoint: str | None) -> SurveyUnavailable:
    """What the learner is told, by what they were doing."""
    if endpoint == "survey.check" and method == "POST":
        return SurveyUnavailable(
            "The survey could not reach its database, so your response has not been sent "
            "and nothing from it has been stored. Every answer you saved is kept.",
            "Wait a minute, then go back to “Check your answers” and submit again.",
            "You will not be counted twice: if your response did get through, the survey "
            "will tell you so.",
        )
    if method == "POST":
        return SurveyUnavailable(
            "The survey could not reach its database, so nothing from this page was saved. "
            "Your answers on earlier pages are kept.",
            "Wait a minute, then go back and send this page again.",
        )
    problem = SurveyUnavailable(
        "The survey could not reach its database just now. Any answers you saved are kept.",
        "Wait a minute, then reload this page or open your survey link again.",
    )
    problem.title = "Sorry, the survey is not available just now – please try again"
    return problem


def _back() -> str | None:
    if request.endpoint == "survey.check":
        return request.path
    if request.method == "POST" and request.endpoint == "survey.page":
        return request.full_path.rstrip("?")
    return None


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception as exc:  # the connection is already gone; the pool will replace it
        log.warning("rollback after a database failure also failed: %s", type(exc).__name__)


def close_session(error: BaseException | None = None) -> None:
    """End the request's session; if its connection has died, discard it instead of failing.

    Closing a session rolls back its open transaction (every read opens one). When
    PostgreSQL ended the connection since the last query (a restart, a failover),
    that ROLLBACK raises, although the response is complete and nothing is unsaved.
    The session is then invalidated (its connections are dropped, not reused) and
    forgotten, so the next request starts with a fresh connection from the pool.
    """
    try:
        db.session.remove()
    except UNAVAILABLE as exc:
        cause = type(getattr(exc, "orig", None) or exc).__name__
        log.warning("closing the session after the request failed (%s); discarded", cause)
        try:
            db.session.registry().invalidate()
        except Exception as again:  # already as dead as it can be
            log.warning("invalidating the dead session also failed: %s", type(again).__name__)
        db.session.registry.clear()


def register_unavailable(app: Flask) -> None:
    """Answer :data:`UNAVAILABLE` errors with 503 pages (see the module docstring).

    Call after ``db.init_app``: teardown functions run last-registered first, so
    :func:`close_session` runs before Flask-SQLAlchemy's own (which then finds
    nothing left to close).
    """
    app.teardown_appcontext(close_session)

    def database_unavailable(error: sa_exc.SQLAlchemyError):
        _rollback()
        # Name the failure, never its SQL parameters (which hold answers) or the path
        # (which may hold a survey token).
        cause = type(getattr(error, "orig", None) or error).__name__
        log.warning(
            "database unavailable during %s %s: %s", request.method, request.endpoint, cause
        )
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        if request.path.startswith("/api/"):
            body = jsonify(
                error="the database is not available just now; try again shortly",
                retry_after=RETRY_AFTER_SECONDS,
            )
            return body, 503, headers
        if request.blueprint == "survey":
            problem = survey_problem(request.method, request.endpoint)
            html = render_template("survey/problem.html", error=problem, back=_back())
            return html, 503, headers
        return render_template("errors/unavailable.html"), 503, headers

    for error_class in UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)
