"""A database error during the survey: a clear "try again" page (503), nothing half-written.

The failure is injected where it hurts most: on the INSERT of the response, after the
invitation has been claimed in the same transaction. The learner must see a 503
page that says nothing was sent and to try again; no response, answer, comment or
concern may exist; the invitation must be unused and the draft exactly as before;
and once the database is back, the same button stores the response once.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from nets_app.extensions import db
from nets_app.models import Invitation, Response, SurveyDraft
from tests.clients import new_client
from tests.survey.helpers import (
    complete_survey,
    counts,
    draft_data,
    make_invitation,
    post,
    snapshot,
    soup,
)

CONCERNS = {
    "patient_safety": "yes",
    "patient_safety_details": "Unsafe staffing at night",
    "bullying": "no",
    "bullying_details": "",
}


def _fail(*args, **kwargs):
    raise OperationalError("INSERT", {}, ConnectionError("injected: server closed the connection"))


@contextlib.contextmanager
def failing(target, name: str, listener=_fail):
    """Make ``target``'s ``name`` event raise a connection error while the block runs."""
    event.listen(target, name, listener)
    try:
        yield
    finally:
        event.remove(target, name, listener)


def failing_statement(prefix: str):
    """Make each SQL statement that starts with ``prefix`` fail as a dropped connection does."""

    def fail(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(prefix):
            _fail()

    return failing(db.engine, "before_cursor_execute", fail)


def _text(response) -> str:
    return " ".join(soup(response).get_text(" ").split())


def test_a_failed_submit_shows_try_again_stores_nothing_and_keeps_the_draft(client):
    s = make_invitation()
    complete_survey(client, s.token, concerns=CONCERNS)
    before = snapshot(s.invitation_id)
    assert before[1] is not None  # a complete draft

    with failing_statement("INSERT INTO RESPONSE "):
        r = post(client, "/survey/check", {})

    assert r.status_code == 503
    assert r.headers["Retry-After"] == "10"
    page = _text(r)
    assert "please try again" in soup(r).h1.get_text()
    assert "your response has not been sent and nothing from it has been stored" in page
    assert "submit again" in page
    assert soup(r).select_one("a.nhsuk-back-link__link")["href"] == "/survey/check"
    assert snapshot(s.invitation_id) == before
    db.session.expire_all()
    assert db.session.get(Invitation, s.invitation_id).used is False

    again = post(client, "/survey/check", {})
    assert again.status_code == 303 and again.headers["Location"] == "/survey/done"
    after = counts()
    assert after["response"] == 1 and after["concern_report"] == 1
    assert after["answer"] == len(db.session.scalar(select(Response)).answers)
    assert draft_data(s.invitation_id) is None
    assert "Your answers have been sent" in client.get("/survey/done").get_data(as_text=True)


def test_a_failed_page_save_keeps_the_earlier_answers(client):
    s = make_invitation()
    complete_survey(client, s.token)
    before = snapshot(s.invitation_id)

    with failing(SurveyDraft, "before_update"):
        r = post(client, "/survey/comments", {"good": "Changed my mind.", "improve": ""})

    assert r.status_code == 503
    assert "nothing from this page was saved" in _text(r)
    assert soup(r).select_one("a.nhsuk-back-link__link")["href"] == "/survey/comments"
    assert snapshot(s.invitation_id) == before


def test_an_unreachable_database_gives_503_pages_and_json_not_500(app, client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    staff = app.test_client()
    with staff.session_transaction() as session:
        session["_user_id"] = "1:1"  # loading the signed-in user needs the database
    with failing(db.engine, "before_cursor_execute"):
        survey = client.get("/survey/start")
        with app.app_context():  # its own g, as in a server: no user cached from another request
            api = staff.get("/api/v1/")
        home = client.get("/")
    # The learner's page says what to do; the API answers in JSON; staff see a plain page.
    assert survey.status_code == 503
    assert "not available just now" in soup(survey).h1.get_text()
    assert api.status_code == 503 and api.get_json()["retry_after"] == 10
    assert home.status_code == 503
    assert "Sorry, the service is not available just now" in _text(home)


def test_a_connection_that_dies_after_the_last_query_still_serves_the_page(
    app, monkeypatch, caplog
):
    # Seen under load while PostgreSQL restarted (tests/resilience/test_faults.py): the
    # page had been read, then the server ended the connection, and the ROLLBACK that
    # closes the request's session raised in teardown, turning the finished page into
    # a 500. Each request here gets its own app context, so its teardown runs.
    s = make_invitation()
    client = new_client(app)
    assert client.get(f"/s/{s.token}").status_code in (302, 303)
    before = snapshot(s.invitation_id)
    dialect = db.engine.dialect
    real_rollback = dialect.do_rollback
    failed: list[bool] = []

    def dies_once(dbapi_connection):
        if not failed:
            failed.append(True)
            raise dialect.loaded_dbapi.OperationalError(
                "injected: terminating connection due to administrator command"
            )
        return real_rollback(dbapi_connection)

    monkeypatch.setattr(dialect, "do_rollback", dies_once)
    page = client.get("/survey/start")

    assert failed == [True]  # the closing ROLLBACK did fail
    assert page.status_code == 200
    assert soup(page).select_one("input[name=csrf_token]") is not None  # the whole page
    assert "discarded" in caplog.text
    # The dead session was dropped: the next request gets a working connection.
    assert client.get("/survey/start").status_code == 200
    assert snapshot(s.invitation_id) == before
