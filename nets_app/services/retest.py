"""Test-retest inside the survey: choosing the subsample, the retest link, pairing the answers.

At submission a random ``window.retest_fraction`` of learners is offered the short
retest form (:func:`offer_retest`): a new :class:`~nets_app.models.Invitation` of
kind ``"retest"`` with a random ``retest_code``, and the same code on the learner's
:class:`~nets_app.models.Response`. The learner sees the link once, on the
confirmation page; only its hash is stored. The link works from
``retest_min_days`` to ``retest_max_days`` after the first answer
(:func:`retest_window_open`), shows only ``instrument.retest_items``
(:func:`retest_steps`), and stores a response with ``is_retest=True`` and the same
code. The two responses are paired by that code alone: no identity, and no link
from a response to an invitation.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Protocol

import pandas as pd
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import Invitation, Response, SurveyWindow
from nets_app.services.responses import load_responses
from nets_app.services.survey_errors import SurveyError
from nets_app.services.tokens import new_token, token_hash, well_formed

#: The default source of randomness for choosing the subsample (not reproducible by design).
SYSTEM_RNG = random.SystemRandom()


def _date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


class UniformSource(Protocol):
    def random(self) -> float: ...


class RetestNotOpen(SurveyError):
    status = 403
    title = "Your second survey is not open yet"

    def __init__(self, opens_on: dt.date) -> None:
        super().__init__(
            f"This link opens on {_date(opens_on)}: we ask for your second answers a little "
            "while after the first, to see whether the survey gives the same answers twice.",
            "Use the same link again on or after that date.",
        )


class RetestClosed(SurveyError):
    status = 410
    title = "Your second survey has closed"

    def __init__(self, closes_on: dt.date) -> None:
        super().__init__(
            f"This link could be used until {_date(closes_on)}, so it can no longer take "
            "answers. Thank you for your first answers, which have been kept.",
            "You do not need to do anything else.",
        )


def offer_retest(response: Response, window: SurveyWindow, rng: UniformSource) -> str | None:
    """Offer the retest form to a random share of learners; return the link token or None.

    Call inside the submission's unit of work, after the response is added: on a
    draw below ``window.retest_fraction`` a retest invitation (same window,
    placement and learner group) is added and the response gets its
    ``retest_code``. Nothing is committed here. A retest response is never
    offered another retest.

    Parameters
    ----------
    response : Response
        The learner's new (first) response.
    window : SurveyWindow
    rng : object with ``random() -> float`` in [0, 1)
        :data:`SYSTEM_RNG` in production; a seeded ``random.Random`` in tests.

    Returns
    -------
    str or None
        The token for the learner's personal link ``/s/<token>`` (shown once), or
        None when the learner is not in the subsample.
    """
    if response.is_retest or window.retest_fraction <= 0:
        return None
    if rng.random() >= window.retest_fraction:
        return None
    code = secrets.token_hex(16)
    token = new_token()
    db.session.add(
        Invitation(
            token_hash=token_hash(token),
            window_id=window.id,
            placement_id=response.placement_id,
            learner_group_id=response.learner_group_id,
            kind="retest",
            retest_code=code,
        )
    )
    response.retest_code = code
    return token


def retest_dates(window: SurveyWindow, first_answer: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day a retest link may be used."""
    return (
        first_answer + dt.timedelta(days=window.retest_min_days),
        first_answer + dt.timedelta(days=window.retest_max_days),
    )


def _first_answer(invitation: Invitation) -> dt.date | None:
    return db.session.scalar(
        select(Response.submitted_on).where(
            Response.retest_code == invitation.retest_code, Response.is_retest.is_(False)
        )
    )


def invitation_dates(invitation: Invitation) -> tuple[dt.date, dt.date]:
    """When a retest invitation may be used, from the date of the first answer it pairs with."""
    if invitation.kind != "retest" or not invitation.retest_code:
        raise ValueError(f"invitation {invitation.id} is not a retest invitation")
    first = _first_answer(invitation)
    if first is None:
        raise ValueError(
            f"retest invitation {invitation.id} has no first response with its retest code"
        )
    return retest_dates(invitation.window, first)


def retest_window_open(invitation: Invitation, today: dt.date) -> bool:
    """Whether ``today`` lies within the retest invitation's interval."""
    opens, closes = invitation_dates(invitation)
    return opens <= today <= closes


def check_retest_open(invitation: Invitation, today: dt.date) -> None:
    """Raise :class:`RetestNotOpen` or :class:`RetestClosed` outside the interval."""
    opens, closes = invitation_dates(invitation)
    if today < opens:
        raise RetestNotOpen(opens)
    if today > closes:
        raise RetestClosed(closes)


def retest_steps(inst):
    """The retest form's pages: one page of the instrument's retest items (Likert only)."""
    from nets_app.services.survey_flow import Step

    items = tuple(inst.item(i) for i in inst.retest_items)
    intro = (
        "You answered these questions a little while ago. Please answer them again as they "
        "apply to the same placement; there are no right answers and we do not compare "
        "your two sets of answers with your name."
    )
    return (Step("questions/retest", "questions", inst.retest_title, intro, items),)


@dataclass(frozen=True)
class RetestOffer:
    """What the confirmation page shows a learner chosen for the retest."""

    token: str
    opens_on: dt.date
    closes_on: dt.date


def offer_for_confirmation(token: str | None) -> RetestOffer | None:
    """The retest offer behind a token held by the learner's browser, if still unused."""
    if not token or not well_formed(token):
        return None
    inv = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if inv is None or inv.kind != "retest" or inv.used:
        return None
    opens, closes = invitation_dates(inv)
    return RetestOffer(token, opens, closes)


def load_retest_pairs(
    window_code: str, items: list[str], group: str | None = None
) -> tuple[pd.DataFrame, int]:
    """Retest pairs of a window in long format, and the count of retests left unpaired.

    Returns a frame with two rows per pair: ``retest_code``, ``occasion`` (1 for the
    first response, 2 for the retest), ``interval_days`` (days between the two
    answers), ``group`` and the items. ``group`` restricts to first responses of
    that learner group. A retest whose first response is missing (or outside the
    group) is counted, not paired.
    """
    cols = ["retest_code", "occasion", "interval_days", "group", *items]
    first = load_responses([window_code], items=items)
    first = first[first["retest_code"].notna()]
    second = load_responses([window_code], retest=True, items=items)
    second = second[second["retest_code"].notna()]
    if group is not None:
        first = first[first["group"] == group]
    paired = second["retest_code"].isin(first["retest_code"])
    unpaired = int((~paired).sum())
    if group is not None:
        unpaired = int((~paired & (second["group"] == group)).sum())
    second = second[paired].drop_duplicates("retest_code")
    first = first[first["retest_code"].isin(second["retest_code"])]
    if first.empty:
        return pd.DataFrame(columns=cols), unpaired
    when = first.set_index("retest_code")["submitted_on"]
    days = [
        (pd.Timestamp(d2) - pd.Timestamp(when[c])).days
        for c, d2 in zip(second["retest_code"], second["submitted_on"], strict=True)
    ]
    interval = dict(zip(second["retest_code"], days, strict=True))
    first_group = first.set_index("retest_code")["group"]
    parts = []
    for occasion, frame in ((1, first), (2, second)):
        part = frame[["retest_code", *items]].copy()
        part.insert(1, "occasion", occasion)
        part.insert(2, "interval_days", part["retest_code"].map(interval))
        part.insert(3, "group", part["retest_code"].map(first_group))
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).sort_values(["retest_code", "occasion"])
    return out.reset_index(drop=True)[cols], unpaired
