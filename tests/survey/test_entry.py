"""Entering the survey: invitation links, poster links, and every kind of bad link."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib

import pytest
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import Invitation, SurveyDraft, SurveyWindow
from nets_app.services import survey
from tests.survey.helpers import answer_questions, draft_data, make_invitation, post, soup


def session_cookie(client) -> dict:
    """Decode Flask's signed session cookie (its payload is readable, only signed)."""
    cookie = client.get_cookie("session")
    payload = cookie.value.split(".")[1 if cookie.value.startswith(".") else 0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.value.startswith("."):
        raw = zlib.decompress(raw)
    return json.loads(raw)


def test_the_token_is_exchanged_for_a_session_and_a_clean_address(client):
    s = make_invitation()
    r = client.get(f"/s/{s.token}")
    assert r.status_code == 303
    assert r.headers["Location"] == "/survey/"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert s.token not in r.headers["Location"]
    assert session_cookie(client)["survey_invitation"] == s.invitation_id
    assert client.get("/survey/").headers["Location"] == "/survey/start"
    assert draft_data(s.invitation_id) == {}


def test_the_session_cookie_never_carries_answers(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    answer_questions(client, "2", until="/survey/questions/learning")
    cookie = session_cookie(client)
    survey_keys = {k for k in cookie if "survey" in k}
    assert survey_keys == {"survey_invitation"}
    assert isinstance(cookie["survey_invitation"], int)
    text = json.dumps(cookie)
    assert "ind_1" not in text and "answers" not in text and "nursing" not in text
    assert draft_data(s.invitation_id)["answers"]["ind_1"] == 2


def test_survey_pages_keep_the_address_clean_and_are_not_cached(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    r = client.get("/survey/start")
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Cache-Control"] == "no-store"


def test_the_same_link_resumes_where_the_learner_left_off(app):
    s = make_invitation()
    first = app.test_client()
    first.get(f"/s/{s.token}")
    post(first, "/survey/start", {"group": "nursing"})
    answer_questions(first, "5", until="/survey/questions/learning")
    later = app.test_client()  # the tab was closed; a fresh browser opens the same link
    assert later.get(f"/s/{s.token}").status_code == 303
    assert later.get("/survey/").headers["Location"] == "/survey/questions/learning"
    page = soup(later.get("/survey/questions/induction"))
    assert page.select_one("input[name=ind_1][value='5']").has_attr("checked")


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/s/abc", 400, "This survey link is not complete"),
        ("/s/" + "a" * 20 + ".x", 400, "This survey link is not complete"),
        ("/s/" + "A" * 32, 404, "We could not find this survey link"),
    ],
)
def test_a_malformed_or_unknown_token_gets_a_clear_page(client, path, status, heading):
    make_invitation()
    r = client.get(path)
    assert r.status_code == status
    page = soup(r)
    assert page.h1.get_text(strip=True) == heading
    assert "What you can do" in page.get_text()
    assert r.headers["Referrer-Policy"] == "no-referrer"


def test_a_used_token_says_it_was_used(client):
    s = make_invitation(used=True)
    r = client.get(f"/s/{s.token}")
    assert r.status_code == 410
    assert soup(r).h1.get_text(strip=True) == "You have already completed this survey"


def test_a_closed_window_says_so_and_deletes_the_draft(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    window = db.session.get(SurveyWindow, s.window_id)
    window.opens_on = dt.date.today() - dt.timedelta(days=30)
    window.closes_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    r = client.get(f"/s/{s.token}")
    assert r.status_code == 410
    assert soup(r).h1.get_text(strip=True) == "This survey has closed"
    assert draft_data(s.invitation_id) is None


def test_a_window_not_yet_open_says_when_it_opens(client):
    s = make_invitation(opens=3, closes=30)
    r = client.get(f"/s/{s.token}")
    assert r.status_code == 403
    opens = dt.date.today() + dt.timedelta(days=3)
    assert f"{opens.day} {opens:%B %Y}" in soup(r).get_text()


@pytest.mark.parametrize("path", ["/survey/", "/survey/start", "/survey/check", "/survey/done"])
def test_survey_pages_without_a_session_explain_how_to_get_back(client, path):
    r = client.get(path)
    assert r.status_code == 403
    assert soup(r).h1.get_text(strip=True) == "We cannot find your survey"


def test_an_unknown_survey_page_is_not_found(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    assert client.get("/survey/questions/nope").status_code == 404


def test_a_later_page_cannot_be_reached_before_the_earlier_ones(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    r = client.get("/survey/questions/safety")
    assert r.status_code == 303 and r.headers["Location"] == "/survey/start"
    assert client.get("/survey/check").headers["Location"] == "/survey/start"


# -- poster (open) links --------------------------------------------------------------------


def _open_link(s) -> str:
    window = db.session.get(SurveyWindow, s.window_id)
    slug = survey.create_open_link(window.code, None)
    return slug


def _count_invitations() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Invitation.id)))


def test_a_poster_link_starts_an_anonymous_draft_and_the_same_browser_keeps_it(app):
    s = make_invitation()
    slug = _open_link(s)
    before = _count_invitations()
    browser = app.test_client()
    r = browser.get(f"/p/{slug}")
    assert r.status_code == 303 and r.headers["Location"] == "/survey/"
    assert _count_invitations() == before + 1
    post(browser, "/survey/start", {"group": "medical"})
    browser.get(f"/p/{slug}")  # scanning the poster again resumes
    assert _count_invitations() == before + 1
    assert browser.get("/survey/").headers["Location"] == "/survey/questions/induction"
    other = app.test_client()
    other.get(f"/p/{slug}")
    assert _count_invitations() == before + 2
    assert db.session.scalar(select(func.count(SurveyDraft.id))) == 2


def test_the_same_poster_link_is_returned_for_the_same_placement_and_window(app):
    s = make_invitation()
    assert _open_link(s) == _open_link(s)


def test_an_unknown_poster_link_gets_a_clear_page(client):
    make_invitation()
    for slug in ("nope-nope-nope", "x"):
        r = client.get(f"/p/{slug}")
        assert r.status_code == 404
        assert soup(r).h1.get_text(strip=True) == "We could not find this survey"


def test_a_poster_link_of_a_closed_window_says_so(client):
    s = make_invitation()
    slug = _open_link(s)
    window = db.session.get(SurveyWindow, s.window_id)
    window.opens_on = dt.date.today() - dt.timedelta(days=30)
    window.closes_on = dt.date.today() - dt.timedelta(days=2)
    db.session.commit()
    r = client.get(f"/p/{slug}")
    assert r.status_code == 410


def test_new_poster_drafts_are_rate_limited_per_address_but_resuming_is_not(app):
    s = make_invitation()
    slug = _open_link(s)
    app.config["NETS_SURVEY_OPEN_LINK_LIMIT"] = "2 per minute"
    try:
        first = app.test_client()
        assert first.get(f"/p/{slug}").status_code == 303
        for _ in range(3):  # the same browser coming back does not count
            assert first.get(f"/p/{slug}").status_code == 303
        assert app.test_client().get(f"/p/{slug}").status_code == 303
        before = _count_invitations()
        r = app.test_client().get(f"/p/{slug}")
        assert r.status_code == 429
        assert soup(r).h1.get_text(strip=True) == "Too many attempts"
        assert _count_invitations() == before
    finally:
        del app.config["NETS_SURVEY_OPEN_LINK_LIMIT"]


def test_invitation_links_are_rate_limited_per_address(app):
    s = make_invitation()
    app.config["NETS_SURVEY_TOKEN_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        assert [client.get(f"/s/{s.token}").status_code for _ in range(4)] == [303, 303, 303, 429]
    finally:
        del app.config["NETS_SURVEY_TOKEN_LIMIT"]
