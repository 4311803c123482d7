"""The retest inside the learner survey: offered at submission, answered later, paired by code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import g
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import Invitation, Response, SurveyWindow
from nets_app.services.retest import load_retest_pairs
from questionnaires import load_instrument
from tests.survey.helpers import complete_survey, make_invitation, post, soup

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    from nets_app.extensions import limiter

    limiter.reset()


def submitted_with_retest(client, *, fraction: float = 1.0, closes: int = 21):
    setup = make_invitation(closes=closes)
    window = db.session.get(SurveyWindow, setup.window_id)
    window.retest_fraction = fraction
    db.session.commit()
    complete_survey(client, setup.token)
    response = post(client, "/survey/check", {})
    assert response.headers["Location"] == "/survey/done"
    return setup, soup(client.get("/survey/done"))


def on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr("nets_app.services.survey.today", lambda: day)


def retest_token(page) -> str:
    return page.select_one("#retest-link")["href"].rsplit("/s/", 1)[1]


def test_a_chosen_learner_answers_the_retest_form_later_and_the_answers_pair_up(app, monkeypatch):
    setup, page = submitted_with_retest(app.test_client(), closes=5)
    offer = page.select_one("#retest-offer").get_text(" ", strip=True)
    opens, closes = TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=21)
    assert f"{opens.day} {opens:%B %Y}" in offer and f"{closes.day} {closes:%B %Y}" in offer
    token = retest_token(page)
    first = db.session.scalar(select(Response))
    inv = db.session.scalar(select(Invitation).where(Invitation.kind == "retest"))
    assert first.retest_code == inv.retest_code and first.is_retest is False

    # Ten days later (the survey window itself closed after five), in another browser.
    on(monkeypatch, TODAY + dt.timedelta(days=10))
    learner = app.test_client()
    g.pop("csrf_token", None)  # the test's app context outlives requests: forget browser 1's
    assert learner.get(f"/s/{token}").status_code == 303
    path = learner.get("/survey/").headers["Location"]
    assert path == "/survey/questions/retest"
    form = learner.get(path)
    radios = []
    for radio in soup(form).select("input[type=radio]"):
        if radio["name"] not in radios:
            radios.append(radio["name"])
    inst = load_instrument()
    assert radios == list(inst.retest_items)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    answers = {name: "3" for name in radios}
    response = learner.post(path, data={"csrf_token": csrf, **answers})
    assert response.headers["Location"] == "/survey/check"
    response = learner.post("/survey/check", data={"csrf_token": csrf})
    assert response.headers["Location"] == "/survey/done"
    done = soup(learner.get("/survey/done"))
    assert "Thank you for telling us about" in done.get_text() and " again." in done.get_text()
    assert done.select_one("#retest-offer") is None

    db.session.expire_all()
    second = db.session.scalar(select(Response).where(Response.is_retest.is_(True)))
    assert second.retest_code == first.retest_code
    assert second.submitted_on == TODAY + dt.timedelta(days=10)
    assert sorted(a.item_id for a in second.answers) == sorted(inst.retest_items)
    assert second.comments == []
    pairs, unpaired = load_retest_pairs(
        db.session.get(SurveyWindow, setup.window_id).code, ["ind_1"]
    )
    assert unpaired == 0 and pairs["interval_days"].tolist() == [10, 10]
    assert learner.get(f"/s/{token}").status_code == 410  # used once


@pytest.mark.parametrize(
    ("days", "status", "title"),
    [(6, 403, "Your second survey is not open yet"), (22, 410, "Your second survey has closed")],
)
def test_the_retest_link_outside_its_interval_says_when_it_works(
    app, monkeypatch, days, status, title
):
    _, page = submitted_with_retest(app.test_client())
    on(monkeypatch, TODAY + dt.timedelta(days=days))
    response = app.test_client().get(f"/s/{retest_token(page)}")
    assert response.status_code == status
    assert soup(response).h1.get_text(strip=True) == title


def test_learners_not_chosen_see_no_retest_offer(app):
    _, page = submitted_with_retest(app.test_client(), fraction=0.0)
    assert page.select_one("#retest-offer") is None
    assert db.session.scalar(select(Invitation).where(Invitation.kind == "retest")) is None
    assert db.session.scalar(select(Response.retest_code)) is None
