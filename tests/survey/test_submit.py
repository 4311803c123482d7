"""Submitting: one transaction, exactly one response however often it is sent, anonymity."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import (
    Answer,
    ConcernReport,
    FreeTextComment,
    Invitation,
    Response,
    SurveyWindow,
)
from nets_app.services import survey
from nets_app.services.concerns import respond_by
from questionnaires import load_instrument
from tests.survey.helpers import complete_survey, counts, draft_data, make_invitation, post, soup

INST = load_instrument()
CONCERNS = {
    "patient_safety": "yes",
    "patient_safety_details": "Unsafe staffing at night",
    "bullying": "yes",
    "bullying_details": "Shouted at in front of patients",
}


def test_submit_stores_the_response_its_answers_comments_and_concerns_together(client):
    s = make_invitation()
    complete_survey(client, s.token, concerns=CONCERNS)
    r = post(client, "/survey/check", {})
    assert r.status_code == 303 and r.headers["Location"] == "/survey/done"
    assert counts() == {
        "response": 1,
        "answer": len(INST.items_for("nursing")),
        "free_text_comment": 1,
        "concern_report": 2,
    }
    response = db.session.scalar(select(Response))
    assert (response.placement_id, response.window_id) == (s.placement_id, s.window_id)
    assert response.learner_group.code == "nursing"
    assert response.submitted_on == dt.date.today()
    assert {a.value for a in response.answers} == {4}
    assert db.session.scalar(select(FreeTextComment.text)) == "Great teaching."
    reports = {c.kind: c for c in db.session.scalars(select(ConcernReport))}
    today = dt.date.today()
    for kind, report in reports.items():
        assert (report.placement_id, report.window_id) == (s.placement_id, s.window_id)
        assert report.learner_group_id == response.learner_group_id
        assert report.reported_on == today
        assert report.respond_by == respond_by(kind, today)
        assert report.status == "new"
    assert reports["bullying"].details == "Shouted at in front of patients"
    assert db.session.get(Invitation, s.invitation_id).used is True
    assert draft_data(s.invitation_id) is None


def test_not_applicable_is_stored_as_no_value(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    items = [i for i in INST.items if i.theme == "induction"]
    post(client, "/survey/questions/induction", {i.id: "na" if i.allow_na else "5" for i in items})
    complete_survey(client, s.token)  # the rest (induction is answered again with 4s)
    post(
        client,
        "/survey/questions/induction?change=1",
        {i.id: "na" if i.allow_na else "5" for i in items},
    )
    post(client, "/survey/check", {})
    na = db.session.scalars(select(Answer).where(Answer.not_applicable.is_(True))).all()
    assert [(a.item_id, a.value) for a in na] == [(i.id, None) for i in items if i.allow_na]


def test_the_confirmation_repeats_where_to_take_a_concern(client):
    s = make_invitation()
    complete_survey(client, s.token, concerns=CONCERNS)
    post(client, "/survey/check", {})
    page = soup(client.get("/survey/done"))
    assert page.h1.get_text(strip=True) == "Your answers have been sent"
    text = page.get_text(" ", strip=True)
    assert "This survey does not replace incident reporting" in text
    assert len(page.select("ol.nhsuk-list--number li")) == 3


def test_double_tap_refresh_and_back_button_give_one_response_and_the_confirmation(client):
    s = make_invitation()
    complete_survey(client, s.token)
    first = post(client, "/survey/check", {})
    second = post(client, "/survey/check", {})  # double tap / second tab
    assert first.headers["Location"] == second.headers["Location"] == "/survey/done"
    assert client.get("/survey/done").status_code == 200  # refresh
    for path in ("/survey/check", "/survey/questions/induction", "/survey/"):  # back button
        assert client.get(path).headers["Location"] == "/survey/done"
    again = post(client, "/survey/questions/induction", {"ind_1": "1"})  # resubmit an old page
    assert again.headers["Location"] == "/survey/done"
    assert counts()["response"] == 1


def test_the_used_link_after_submitting_says_so(client):
    s = make_invitation()
    complete_survey(client, s.token)
    post(client, "/survey/check", {})
    assert client.get(f"/s/{s.token}").status_code == 410


def test_submit_after_the_window_closed_is_refused_and_nothing_is_stored(client):
    s = make_invitation()
    complete_survey(client, s.token)
    window = db.session.get(SurveyWindow, s.window_id)
    window.opens_on = dt.date.today() - dt.timedelta(days=30)
    window.closes_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    r = post(client, "/survey/check", {})
    assert r.status_code == 410
    assert soup(r).h1.get_text(strip=True) == "This survey has closed"
    assert counts() == {"response": 0, "answer": 0, "free_text_comment": 0, "concern_report": 0}
    assert db.session.get(Invitation, s.invitation_id).used is False


def test_submit_with_a_page_missing_goes_to_that_page_and_stores_nothing(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    r = post(client, "/survey/check", {})
    assert r.headers["Location"] == "/survey/questions/induction"
    assert counts()["response"] == 0


def test_two_submits_at_the_same_instant_store_one_response(app, monkeypatch):
    """Two tabs submit at once: both read the draft, then race to claim the invitation."""
    s = make_invitation()
    client = app.test_client()
    complete_survey(client, s.token)
    token = client.nets_csrf
    both_read = threading.Barrier(2, timeout=10)
    real = survey.flow.response_rows

    def wait_for_the_other(*args):
        rows = real(*args)
        both_read.wait()  # both requests have read used = false before either claims it
        return rows

    monkeypatch.setattr(survey.flow, "response_rows", wait_for_the_other)
    statuses: list[tuple[int, str]] = []

    def send():
        tab = app.test_client()
        tab.set_cookie("session", client.get_cookie("session").value)
        r = tab.post("/survey/check", data={"csrf_token": token})
        statuses.append((r.status_code, r.headers.get("Location")))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [(303, "/survey/done")] * 2
    assert counts()["response"] == 1
    assert counts()["answer"] == len(INST.items_for("nursing"))
