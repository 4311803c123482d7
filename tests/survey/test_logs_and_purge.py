"""No token or answer in any log line; drafts of closed windows are deleted."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import urllib.request

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from nets_app.extensions import db
from nets_app.models import Invitation, SurveyDraft, SurveyWindow
from nets_app.services import survey
from nets_app.services.tokens import TokenRedactingFilter, redact
from tests.survey.helpers import complete_survey, draft_data, make_invitation, post

SECRET_COMMENT = "Great teaching."


def test_redact_replaces_every_token_path():
    line = 'GET /s/AbC_d-123456789012345 HTTP/1.1" 303 - "https://x/s/QQQQQQQQQQQQQQQQ?a=1"'
    assert redact(line) == 'GET /s/[redacted] HTTP/1.1" 303 - "https://x/s/[redacted]?a=1"'


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        (
            '%s - - [%s] "%s" %s %s',
            ("127.0.0.1", "now", "GET /s/TOKEN123456789012 HTTP/1.1", "303", "-"),
        ),
        (
            '%(h)s "%(r)s" %(s)s',
            {"h": "10.0.0.1", "r": "GET /s/TOKEN123456789012 HTTP/1.1", "s": "303"},
        ),
    ],
    ids=["werkzeug", "gunicorn-access"],
)
def test_the_filter_redacts_werkzeug_and_gunicorn_style_records(msg, args):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, msg, args, None)
    assert TokenRedactingFilter().filter(record) is True
    assert "TOKEN123456789012" not in record.getMessage()
    assert "/s/[redacted]" in record.getMessage()


def test_a_real_server_never_logs_the_token_or_an_answer(app, caplog):
    """Serve the app with werkzeug (as `flask run` does) and read every log line."""
    s = make_invitation()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        caplog.set_level(logging.DEBUG)
        base = f"http://127.0.0.1:{server.server_port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(f"{base}/s/{s.token}") as r:  # follows the redirect
            assert r.url == f"{base}/survey/start"
        with pytest.raises(urllib.error.HTTPError):
            opener.open(f"{base}/s/{s.token[:-2]}AA")  # an unknown token is logged too
    finally:
        server.shutdown()
        thread.join(timeout=5)
    # the in-process part of the journey: answers, a comment, a concern, submit
    client = app.test_client()
    complete_survey(client, s.token)
    post(client, "/survey/check", {})
    lines = [r.getMessage() for r in caplog.records]
    assert any("/s/[redacted]" in line for line in lines), "werkzeug's request lines were captured"
    assert all(s.token not in line and s.token[:-2] not in line for line in lines)
    assert all(SECRET_COMMENT not in line for line in lines)


def _close(window_id: int, days_ago: int = 1) -> None:
    window = db.session.get(SurveyWindow, window_id)
    window.opens_on = dt.date.today() - dt.timedelta(days=60)
    window.closes_on = dt.date.today() - dt.timedelta(days=days_ago)
    db.session.commit()


def _draft_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(SurveyDraft.id)))


def test_purge_deletes_only_drafts_of_closed_windows_and_unused_poster_invitations(app):
    open_one, closed_one = make_invitation(), make_invitation()
    for s in (open_one, closed_one):
        app.test_client().get(f"/s/{s.token}")
    slug = survey.create_open_link(db.session.get(SurveyWindow, closed_one.window_id).code)
    app.test_client().get(f"/p/{slug}")
    assert _draft_count() == 3
    _close(closed_one.window_id)
    assert survey.purge_closed_drafts() == {"drafts": 2, "open_invitations": 1}
    assert draft_data(open_one.invitation_id) == {}
    assert draft_data(closed_one.invitation_id) is None
    assert db.session.get(Invitation, closed_one.invitation_id) is not None  # emailed: kept
    assert survey.purge_closed_drafts() == {"drafts": 0, "open_invitations": 0}


def test_purge_keeps_drafts_on_the_day_the_window_closes(app):
    s = make_invitation(closes=0)
    app.test_client().get(f"/s/{s.token}")
    assert survey.purge_closed_drafts()["drafts"] == 0
    assert survey.purge_closed_drafts(dt.date.today() + dt.timedelta(days=1))["drafts"] == 1


def test_the_purge_command(app):
    s = make_invitation()
    app.test_client().get(f"/s/{s.token}")
    _close(s.window_id)
    result = app.test_cli_runner().invoke(args=["nets", "survey", "purge-drafts"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 drafts" in result.output
    assert _draft_count() == 0


def test_a_draft_of_a_closed_window_is_deleted_when_the_learner_comes_back(app):
    s = make_invitation()
    client = app.test_client()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    _close(s.window_id)
    r = client.get("/survey/questions/induction")
    assert r.status_code == 410
    assert draft_data(s.invitation_id) is None
