"""Hostile payloads against every survey POST handler: a 4xx with a clear message, never a
500, and nothing stored or changed; text that is a fair answer is kept verbatim, inert.

Every example starts from the same learner and draft; the snapshot (stored rows and
the learner's draft) is compared before and after each refused request.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from nets_app.extensions import db
from nets_app.models import ConcernReport, FreeTextComment, Response
from questionnaires import load_framework
from tests.hostile.strategies import HOSTILE, hostile_names, hostile_text
from tests.survey.helpers import (
    NO_CONCERNS,
    answer_questions,
    complete_survey,
    csrf_token,
    draft_data,
    make_invitation,
    post,
    radio_names,
    snapshot,
    soup,
)

GROUPS = set(load_framework().learner_groups)
LIKERT = {"1", "2", "3", "4", "5", "na"}
#: What a refusal may say: the GOV.UK error summary, or a problem page's heading.
PROBLEM_HEADINGS = {
    "We could not save that page",
    "Your answer was too long",
    "We could not save what you sent",
    "Your page expired",
}


def assert_refused_clearly(response) -> None:
    assert 400 <= response.status_code < 500, response.status_code
    page = soup(response)
    summary = page.select_one(".nhsuk-error-summary__title")
    heading = page.h1.get_text(strip=True) if page.h1 else ""
    assert (summary and summary.get_text(strip=True) == "There is a problem") or (
        heading in PROBLEM_HEADINGS
    ), heading


@pytest.fixture
def learner(client):
    """A learner with the start page done, now on the first question page."""
    s = make_invitation()
    client.get(f"/s/{s.token}")
    assert post(client, "/survey/start", {"group": "nursing"}).status_code == 303
    s.page = client.get("/survey/").headers["Location"]
    s.names = radio_names(client.get(s.page))
    return s


@HOSTILE
@given(data=st.data())
def test_question_pages_refuse_hostile_answers(client, learner, data):
    answers = {n: data.draw(st.sampled_from(sorted(LIKERT - {"na"})), n) for n in learner.names}
    # Spoil at least one answer, and maybe add fields the page never asked for.
    spoilt = data.draw(st.sampled_from(learner.names), "spoilt")
    answers[spoilt] = data.draw(hostile_text.filter(lambda v: v not in LIKERT), "value")
    extra = data.draw(st.dictionaries(hostile_names, hostile_text, max_size=2), "extra")
    form = [(k, v) for k, v in {**answers, **extra}.items() if k != "csrf_token"]
    if data.draw(st.booleans(), "repeat a field"):
        form.append((spoilt, "4"))  # the same question answered twice
    before = snapshot(learner.invitation_id)
    r = client.post(learner.page, data=MultiDict([("csrf_token", csrf_token(client)), *form]))
    assert_refused_clearly(r)
    assert snapshot(learner.invitation_id) == before


@HOSTILE
@given(group=hostile_text, extra=st.dictionaries(hostile_names, hostile_text, max_size=2))
def test_the_start_page_refuses_hostile_groups(client, learner, group, extra):
    assume(group.strip() not in GROUPS)
    before = snapshot(learner.invitation_id)
    r = post(client, "/survey/start", {**extra, "group": group})
    assert_refused_clearly(r)
    assert snapshot(learner.invitation_id) == before


@pytest.fixture
def on_comments(client, learner):
    assert answer_questions(client) == "/survey/comments"
    return learner


@HOSTILE
@given(good=hostile_text, improve=hostile_text)
@example(good="a\x00b", improve="")
@example(good="A" * 70_000, improve="")
def test_comments_are_kept_verbatim_or_refused_with_nothing_changed(
    client, on_comments, good, improve
):
    before = snapshot(on_comments.invitation_id)
    r = post(client, "/survey/comments", {"good": good, "improve": improve})
    if r.status_code == 303:
        # A fair answer, however odd: stored as the learner's words, never interpreted.
        saved = draft_data(on_comments.invitation_id)["comments"]
        norm = lambda t: t.replace("\r\n", "\n").strip()  # noqa: E731 (the form's own rule)
        assert {k: v for k, v in saved.items() if v} == {
            k: norm(v) for k, v in (("good", good), ("improve", improve)) if norm(v)
        }
        assert snapshot(on_comments.invitation_id)[0] == before[0]  # no response stored
    else:
        assert_refused_clearly(r)
        assert snapshot(on_comments.invitation_id) == before


@pytest.fixture
def on_concerns(client, on_comments):
    assert post(client, "/survey/comments", {"good": "", "improve": ""}).status_code == 303
    return on_comments


@HOSTILE
@given(
    answer=hostile_text.filter(lambda v: v not in ("yes", "no")),
    details=hostile_text,
)
def test_concern_questions_refuse_hostile_answers(client, on_concerns, answer, details):
    before = snapshot(on_concerns.invitation_id)
    r = post(
        client,
        "/survey/concerns",
        {
            "patient_safety": answer,
            "patient_safety_details": details,
            "bullying": "no",
            "bullying_details": "",
        },
    )
    assert_refused_clearly(r)
    assert snapshot(on_concerns.invitation_id) == before


@pytest.fixture
def ready(client):
    """A learner with every page answered, on "Check your answers"."""
    s = make_invitation()
    complete_survey(client, s.token)
    return s


@HOSTILE
@given(token=hostile_text, extra=st.dictionaries(hostile_names, hostile_text, max_size=2))
def test_submit_with_a_hostile_csrf_token_stores_nothing(client, ready, token, extra):
    before = snapshot(ready.invitation_id)
    r = client.post("/survey/check", data={**extra, "csrf_token": token})
    assert_refused_clearly(r)
    assert snapshot(ready.invitation_id) == before


@HOSTILE
@given(good=hostile_text, details=hostile_text)
@example(good="before\x00after", details="fine")
@example(good="fine", details="\x00")
@example(good="'; DROP TABLE response; --", details='<script>alert("x")</script>')
@example(good="\u202e👩🏽‍⚕️ e\u0301", details='=HYPERLINK("http://evil.example")')
def test_odd_but_fair_text_survives_submit_verbatim(app, good, details):
    """Whatever text a page accepts must also store at submit, exactly as written."""
    client = app.test_client()
    s = make_invitation()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    answer_questions(client)
    steps = (
        ("/survey/comments", {"good": good, "improve": ""}),
        (
            "/survey/concerns",
            {**NO_CONCERNS, "patient_safety": "yes", "patient_safety_details": details},
        ),
    )
    for path, form in steps:
        r = post(client, path, form)
        if r.status_code != 303:
            assert_refused_clearly(r)
            return
    r = post(client, "/survey/check", {})
    assert r.status_code == 303 and r.headers["Location"] == "/survey/done"
    db.session.expire_all()
    norm = lambda t: t.replace("\r\n", "\n").strip()  # noqa: E731
    comments = db.session.scalars(
        select(FreeTextComment.text).join(Response).where(Response.placement_id == s.placement_id)
    ).all()
    assert comments == ([norm(good)] if norm(good) else [])
    stored = db.session.scalar(
        select(ConcernReport.details).where(ConcernReport.placement_id == s.placement_id)
    )
    assert stored == norm(details)
