"""Helpers for the survey tests: invitations, answering pages as a learner would, snapshots."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import (
    Answer,
    ConcernReport,
    FreeTextComment,
    Invitation,
    Response,
    SurveyDraft,
)
from nets_app.services.tokens import new_token, token_hash
from tests.factories import create_group, create_placement, create_window


@dataclass
class Setup:
    token: str
    invitation_id: int
    window_id: int
    placement_id: int
    placement_name: str


def make_invitation(
    *, group: str | None = None, opens: int = -7, closes: int = 21, used: bool = False
) -> Setup:
    """A committed placement, open window (days from today) and invitation; returns its token."""
    today = dt.date.today()
    for code in ("nursing", "medical", "dental"):
        create_group(code)
    window = create_window(
        opens_on=today + dt.timedelta(days=opens), closes_on=today + dt.timedelta(days=closes)
    )
    placement = create_placement()
    token = new_token()
    inv = Invitation(
        token_hash=token_hash(token),
        window_id=window.id,
        placement_id=placement.id,
        learner_group_id=create_group(group).id if group else None,
        used=used,
    )
    db.session.add(inv)
    db.session.commit()
    return Setup(token, inv.id, window.id, placement.id, placement.name)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(client) -> str:
    """A CSRF token of the client's session (read once from the start page, then reused)."""
    if getattr(client, "nets_csrf", None) is None:
        html = client.get("/survey/start").get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if match is None:
            raise AssertionError("no CSRF token on the start page")
        client.nets_csrf = match.group(1)
    return client.nets_csrf


def radio_names(response) -> list[str]:
    names: list[str] = []
    for radio in soup(response).select("input[type=radio]"):
        if radio["name"] not in names:
            names.append(radio["name"])
    return names


def post(client, path: str, data: dict[str, Any], **kw):
    return client.post(path, data={"csrf_token": csrf_token(client), **data}, **kw)


def answer_questions(client, value: str = "4", *, until: str | None = None) -> str:
    """Answer every question page (each item ``value``) from where the draft is; return next path."""
    path = client.get("/survey/").headers["Location"]
    while "/survey/questions/" in path and path != until:
        names = radio_names(client.get(path))
        r = post(client, path, {n: value for n in names})
        assert r.status_code == 303, (path, r.status_code)
        path = r.headers["Location"]
    return path


NO_CONCERNS = {"patient_safety": "no", "patient_safety_details": "", "bullying": "no"}
NO_CONCERNS["bullying_details"] = ""


def complete_survey(
    client, token: str, *, group: str | None = "nursing", concerns: dict | None = None
) -> None:
    """Go through every page up to "Check your answers" (not submitting)."""
    client.get(f"/s/{token}")
    if group is not None:
        assert post(client, "/survey/start", {"group": group}).status_code == 303
    else:
        assert post(client, "/survey/start", {}).status_code == 303
    assert answer_questions(client) == "/survey/comments"
    r = post(client, "/survey/comments", {"good": "Great teaching.", "improve": ""})
    assert r.headers["Location"] == "/survey/concerns"
    r = post(client, "/survey/concerns", concerns or NO_CONCERNS)
    assert r.status_code == 303


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Response, Answer, FreeTextComment, ConcernReport)
    }


def draft_data(invitation_id: int) -> dict | None:
    db.session.expire_all()
    return db.session.scalar(
        select(SurveyDraft.data).where(SurveyDraft.invitation_id == invitation_id)
    )


def snapshot(invitation_id: int) -> tuple[dict[str, int], dict | None]:
    """Everything a bad input must leave unchanged: stored rows and the learner's draft."""
    return counts(), draft_data(invitation_id)
