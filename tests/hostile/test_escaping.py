"""Free text a learner wrote reaches reviewers as text, never as markup.

A learner reports a concern whose details are a script and an image with an
``onerror`` handler, through the survey as anyone could; the regional reviewer then
opens the concern queue and the concern. Both pages must show the words and run
nothing: no ``<script>`` element and no event-handler attribute from the learner, the
characters escaped in the HTML. The reviewer's own outcome text is held to the same rule.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import ConcernReport, Invitation
from nets_app.services.tokens import new_token, token_hash
from tests.clients import new_client
from tests.dashboard.conftest import _fresh_caches, make_world, sign_in  # noqa: F401
from tests.survey.helpers import complete_survey, post

PAYLOAD = '<script>alert("pwned")</script><img src=x onerror="alert(1)">'


def assert_inert(html: str, *, shown: str) -> None:
    page = BeautifulSoup(html, "html.parser")
    assert not [s for s in page.find_all("script") if "pwned" in (s.string or "")]
    assert not page.find_all(attrs={"onerror": True})
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;pwned&#34;)" in html
    assert shown in page.get_text()  # the reviewer still reads what was written


def test_a_learners_script_is_shown_as_text_to_the_reviewer(app):
    world = make_world()
    token = new_token()
    db.session.add(
        Invitation(
            token_hash=token_hash(token),
            window_id=world.window.id,
            placement_id=world.placements["XASTER"].id,  # Northmoor: the regional user's
        )
    )
    db.session.commit()
    learner = app.test_client()
    concerns = {
        "patient_safety": "yes",
        "patient_safety_details": PAYLOAD,
        "bullying": "no",
        "bullying_details": "",
    }
    complete_survey(learner, token, concerns=concerns)
    assert post(learner, "/survey/check", {}).status_code == 303
    concern_id = db.session.scalar(
        select(ConcernReport.id).where(ConcernReport.details == PAYLOAD)
    )  # stored verbatim: escaping is the page's job, not the database's

    reviewer = new_client(app)
    sign_in(reviewer, world.staff["regional"])
    queue = reviewer.get("/dashboard/concerns")
    assert queue.status_code == 200 and f"/dashboard/concerns/{concern_id}" in queue.text
    assert "<script>alert" not in queue.text and not BeautifulSoup(
        queue.text, "html.parser"
    ).find_all(attrs={"onerror": True})
    detail = reviewer.get(f"/dashboard/concerns/{concern_id}")
    assert detail.status_code == 200
    assert_inert(detail.text, shown=PAYLOAD)

    csrf = BeautifulSoup(detail.text, "html.parser").find("input", {"name": "csrf_token"})
    updated = reviewer.post(
        f"/dashboard/concerns/{concern_id}",
        data={"status": "investigating", "outcome": PAYLOAD, "csrf_token": csrf["value"]},
    )
    assert updated.status_code == 303
    html = reviewer.get(f"/dashboard/concerns/{concern_id}").text
    assert_inert(html, shown=PAYLOAD)
    assert html.count("&lt;script&gt;alert") >= 2  # the details and the outcome (and its edit box)
