"""Every bad input gets the GOV.UK / NHS error pattern, and nothing is stored or changed.

Each case posts one bad page after the learner has already saved earlier pages,
then checks the message (in the summary, linked to the field, and beside it), the
"Error: " title, and that the stored rows and the learner's draft are exactly as
before.
"""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from questionnaires import load_instrument
from tests.survey.helpers import answer_questions, make_invitation, post, snapshot, soup

INST = load_instrument()
SUP = [i for i in INST.items if i.theme == "supervision"]
FIRST = SUP[0]
COMMENT = INST.free_text[0]
CONCERN = INST.concerns[0]
UNKNOWN = "This page sent an answer to a question that is not in the survey"


def full_page(**overrides):
    return {i.id: "4" for i in SUP} | overrides


@pytest.fixture
def on_supervision(client):
    """A learner who has saved the start and induction pages and is on supervision."""
    s = make_invitation()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    assert answer_questions(client, "2", until="/survey/questions/supervision")
    return s


@pytest.fixture
def on_concerns(client):
    s = make_invitation()
    client.get(f"/s/{s.token}")
    post(client, "/survey/start", {"group": "nursing"})
    answer_questions(client, "2")
    post(client, "/survey/comments", {"good": "Kind team.", "improve": ""})
    return s


def assert_refused(client, s, path, data, message, field):
    """Post ``data``; the page must show ``message`` for ``field`` and nothing may change."""
    before = snapshot(s.invitation_id)
    r = post(client, path, data)
    assert r.status_code == 400
    page = soup(r)
    assert page.title.get_text().startswith("Error: ")
    summary = page.select_one(".nhsuk-error-summary")
    assert summary.select_one(".nhsuk-error-summary__title").get_text(strip=True) == (
        "There is a problem"
    )
    items = summary.select(".nhsuk-error-summary__list li")
    if field is None:
        assert any(message in li.get_text() for li in items)
    else:
        links = [(a["href"], a.get_text(strip=True)) for a in summary.select("a")]
        assert (f"#{field}", message) in links
        assert page.find(id=field) is not None, "the summary link must lead to the field"
        beside = page.find(id=f"{field}-error").get_text(" ", strip=True)
        assert beside == f"Error: {message}"
    assert snapshot(s.invitation_id) == before
    return page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {k: v for k, v in full_page().items() if k != FIRST.id},
            f"Select an answer for “{FIRST.text}”",
            id="missing",
        ),
        pytest.param(
            full_page(**{FIRST.id: ""}), f"Select an answer for “{FIRST.text}”", id="empty"
        ),
        *[
            pytest.param(
                full_page(**{FIRST.id: bad}),
                f"Select one of the answers shown for “{FIRST.text}”",
                id=f"value-{bad}",
            )
            for bad in ("6", "0", "-1", "4.5", "abc", " 4", "na")
        ],
        pytest.param(
            full_page(**{FIRST.id: ["4", "5"]}),
            f"Select one of the answers shown for “{FIRST.text}”",
            id="sent-twice",
        ),
    ],
)
def test_bad_likert_answers(client, on_supervision, data, message):
    assert_refused(client, on_supervision, "/survey/questions/supervision", data, message, FIRST.id)


@pytest.mark.parametrize(
    "extra",
    [
        {"zzz_1": "4"},  # an item id that does not exist
        {"ind_1": "5"},  # an item of another page (would overwrite a saved answer)
        {"<script>alert(1)</script>": "4"},
    ],
    ids=["unknown", "other-page", "markup"],
)
def test_tampered_item_ids(client, on_supervision, extra):
    page = assert_refused(
        client, on_supervision, "/survey/questions/supervision", full_page(**extra), UNKNOWN, None
    )
    assert not page.find("script", string="alert(1)")


def test_a_valid_page_after_an_error_is_saved(client, on_supervision):
    post(client, "/survey/questions/supervision", full_page(**{FIRST.id: "9"}))
    r = post(client, "/survey/questions/supervision", full_page())
    assert r.status_code == 303
    assert snapshot(on_supervision.invitation_id)[1]["answers"][FIRST.id] == 4


def test_the_invalid_answer_is_not_shown_as_chosen_and_valid_ones_are(client, on_supervision):
    r = post(client, "/survey/questions/supervision", full_page(**{FIRST.id: "7"}))
    checked = {i["name"]: i["value"] for i in soup(r).select("input[checked]")}
    assert FIRST.id not in checked and checked[SUP[1].id] == "4"


def test_oversized_comment(client, on_supervision):
    answer_questions(client)
    data = {COMMENT.id: "x" * (COMMENT.max_length + 1), INST.free_text[1].id: ""}
    message = (
        f"Your answer to “{COMMENT.prompt}” must be {COMMENT.max_length:,} characters or fewer"
    )
    page = assert_refused(client, on_supervision, "/survey/comments", data, message, COMMENT.id)
    assert page.find("textarea", id=COMMENT.id).get_text() == data[COMMENT.id]


def test_a_comment_of_exactly_the_limit_is_saved(client, on_supervision):
    answer_questions(client)
    data = {COMMENT.id: "x" * COMMENT.max_length, INST.free_text[1].id: ""}
    assert post(client, "/survey/comments", data).status_code == 303


def concern_page(**overrides):
    base = {}
    for c in INST.concerns:
        base[c.id], base[f"{c.id}_details"] = "no", ""
    return base | overrides


DETAILS = f"{CONCERN.id}_details"


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        pytest.param(
            concern_page(**{CONCERN.id: "yes"}),
            f"Describe what happened, or answer No to “{CONCERN.question}”",
            DETAILS,
            id="yes-without-details",
        ),
        pytest.param(
            concern_page(**{DETAILS: "Something"}),
            f"You answered No to “{CONCERN.question}” but wrote details. "
            "Select Yes to send them, or delete them",
            DETAILS,
            id="no-with-details",
        ),
        pytest.param(
            concern_page(**{CONCERN.id: "yes", DETAILS: "y" * (CONCERN.max_length + 1)}),
            f"Your description for “{CONCERN.question}” must be "
            f"{CONCERN.max_length:,} characters or fewer",
            DETAILS,
            id="details-too-long",
        ),
        pytest.param(
            concern_page(**{CONCERN.id: "maybe"}),
            f"Select Yes or No for “{CONCERN.question}”",
            CONCERN.id,
            id="not-yes-or-no",
        ),
        pytest.param(
            {k: v for k, v in concern_page().items() if k != CONCERN.id},
            f"Select yes or no for “{CONCERN.question}”",
            CONCERN.id,
            id="missing",
        ),
    ],
)
def test_bad_concern_answers(client, on_concerns, data, message, field):
    page = assert_refused(client, on_concerns, "/survey/concerns", data, message, field)
    assert page.find("textarea", id=DETAILS).get_text() == data.get(DETAILS, "")


@pytest.mark.parametrize(
    ("group", "message"),
    [("wizard", "Select one of the learner groups shown"), ("", "Select your learner group")],
)
def test_bad_learner_group(client, on_supervision, group, message):
    assert_refused(client, on_supervision, "/survey/start", {"group": group}, message, "group")


# -- CSRF and request size: refused before the page is read ---------------------------------


def assert_page(response, status, heading):
    assert response.status_code == status
    assert soup(response).h1.get_text(strip=True) == heading


@pytest.mark.parametrize("token", [None, "", "not-a-token"], ids=["missing", "empty", "forged"])
def test_missing_or_forged_csrf_token(client, on_supervision, token):
    before = snapshot(on_supervision.invitation_id)
    data = full_page() | ({} if token is None else {"csrf_token": token})
    r = client.post("/survey/questions/supervision", data=data)
    assert_page(r, 400, "Your page expired")
    assert "your earlier answers are kept" in soup(r).get_text()
    assert snapshot(on_supervision.invitation_id) == before


def test_expired_csrf_token(app, client, on_supervision, monkeypatch):
    # Sign the session's own CSRF token as Flask-WTF does, but five hours ago
    # (the limit is WTF_CSRF_TIME_LIMIT = 4 hours).
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    five_hours_ago = int(time.time()) - 5 * 3600
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: five_hours_ago)
        old = serializer.dumps(raw)
    before = snapshot(on_supervision.invitation_id)
    r = client.post("/survey/questions/supervision", data=full_page() | {"csrf_token": old})
    assert_page(r, 400, "Your page expired")
    assert snapshot(on_supervision.invitation_id) == before


def test_submit_without_csrf_stores_nothing(client, on_supervision):
    answer_questions(client)
    post(client, "/survey/comments", {"good": "", "improve": ""})
    post(client, "/survey/concerns", concern_page())
    before = snapshot(on_supervision.invitation_id)
    r = client.post("/survey/check", data={})
    assert r.status_code == 400
    assert snapshot(on_supervision.invitation_id) == before


def test_an_oversized_request_is_refused_with_a_clear_page(client, on_supervision):
    answer_questions(client)
    data = {COMMENT.id: "x" * 100_000, INST.free_text[1].id: ""}
    before = snapshot(on_supervision.invitation_id)
    r = post(client, "/survey/comments", data)
    assert_page(r, 413, "Your answer was too long")
    assert snapshot(on_supervision.invitation_id) == before


def test_posting_a_page_ahead_of_the_learner_stores_nothing(client, on_supervision):
    before = snapshot(on_supervision.invitation_id)
    r = post(
        client, "/survey/questions/safety", {i.id: "4" for i in INST.items if i.theme == "safety"}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/survey/questions/supervision"
    assert snapshot(on_supervision.invitation_id) == before
