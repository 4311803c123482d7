"""Survey administration: windows, invitations, response rates and the retest sample.

Invitation tokens are created here and returned exactly once (the admin downloads
them as CSV in the same response); only their SHA-256 is stored, so a lost file
means new invitations, never a re-download.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import (
    InstrumentVersion,
    Invitation,
    Placement,
    Response,
    SurveyWindow,
)
from nets_app.services import audit
from nets_app.services.access import NotFound, Principal, find_group, find_window, require
from nets_app.services.instruments import register_instrument
from nets_app.services.response_rates import ResponseRate, response_rates
from nets_app.services.results import learner_groups
from nets_app.services.tokens import new_token, token_hash
from nets_app.services.uow import transactional

MAX_INVITATIONS = 5000


@dataclass(frozen=True)
class WindowRow:
    code: str
    name: str
    opens_on: dt.date
    closes_on: dt.date
    instrument: str
    status: str
    rate: ResponseRate


@dataclass(frozen=True)
class RetestSample:
    fraction: float
    min_days: int
    max_days: int
    invited: int
    responded: int
    retest_responses: int


@dataclass(frozen=True)
class WindowDetail:
    window: WindowRow
    providers: tuple[ResponseRate, ...]
    retest: RetestSample
    groups: tuple[tuple[str, str], ...]  # learner groups to choose from for invitations


def _status(w: SurveyWindow, today: dt.date) -> str:
    if today < w.opens_on:
        return "not open yet"
    return "open" if today <= w.closes_on else "closed"


def _row(w: SurveyWindow, rate: ResponseRate, today: dt.date) -> WindowRow:
    iv = w.instrument_version
    return WindowRow(
        w.code, w.name, w.opens_on, w.closes_on, f"{iv.name}@{iv.version}", _status(w, today), rate
    )


@transactional
def windows(principal: Principal) -> list[WindowRow]:
    require(principal, "admin", "admin:windows")
    today = dt.date.today()
    rates = {r.window_code: r for r in response_rates()}
    rows = db.session.scalars(select(SurveyWindow).order_by(SurveyWindow.opens_on.desc()))
    audit.record("view", "admin:windows")
    return [_row(w, rates[w.code], today) for w in rows]


@transactional
def window_detail(principal: Principal, code: str) -> WindowDetail:
    require(principal, "admin", f"admin:window:{code}")
    w = find_window(code)
    rates = [r for r in response_rates(by_provider=True) if r.window_code == w.code]
    total = next(r for r in response_rates() if r.window_code == w.code)
    kinds = dict(
        db.session.execute(
            select(Invitation.used, func.count())
            .where(Invitation.window_id == w.id, Invitation.kind == "retest")
            .group_by(Invitation.used)
        ).all()
    )
    retests = db.session.scalar(
        select(func.count(Response.id)).where(
            Response.window_id == w.id, Response.is_retest.is_(True)
        )
    )
    audit.record("view", f"admin:window:{w.code}")
    return WindowDetail(
        _row(w, total, dt.date.today()),
        tuple(rates),
        RetestSample(
            w.retest_fraction,
            w.retest_min_days,
            w.retest_max_days,
            sum(int(v) for v in kinds.values()),
            int(kinds.get(True, 0)),
            int(retests or 0),
        ),
        tuple(learner_groups()),
    )


def _date(value: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ValueError(f"Enter the {label} as a date like 2026-03-01") from None


@transactional
def create_window(
    principal: Principal,
    code: str,
    name: str,
    opens_on: str,
    closes_on: str,
    retest_fraction: str = "0.1",
    retest_min_days: str = "7",
    retest_max_days: str = "21",
) -> str:
    """Add a survey window on the newest registered instrument. Raises ValueError naming the problem."""
    require(principal, "admin", "admin:create-window")
    code = (code or "").strip()
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValueError("Enter a window code of up to 40 letters, digits, - or _ (e.g. 2026)")
    if db.session.scalar(select(SurveyWindow.id).where(SurveyWindow.code == code)):
        raise ValueError(f"A window with code {code} already exists: choose another code")
    name = (name or "").strip() or f"NETS {code}"
    opens, closes = _date(opens_on, "opening date"), _date(closes_on, "closing date")
    if closes < opens:
        raise ValueError("The closing date must be on or after the opening date")
    try:
        fraction = float(retest_fraction or "0.1")
        min_days, max_days = int(retest_min_days or "7"), int(retest_max_days or "21")
    except (TypeError, ValueError):
        raise ValueError(
            "Enter the retest fraction as a number 0-1 and the days as whole numbers"
        ) from None
    if not 0 <= fraction <= 1:
        raise ValueError("The retest fraction must be between 0 and 1 (e.g. 0.1 for 10%)")
    if not 1 <= min_days <= max_days:
        raise ValueError("Retest days: the minimum must be at least 1 and no more than the maximum")
    version: InstrumentVersion = register_instrument()
    db.session.add(
        SurveyWindow(
            code=code,
            name=name[:200],
            opens_on=opens,
            closes_on=closes,
            instrument_version_id=version.id,
            retest_fraction=fraction,
            retest_min_days=min_days,
            retest_max_days=max_days,
        )
    )
    audit.record(
        "create",
        f"window:{code}",
        detail={"opens_on": opens.isoformat(), "closes_on": closes.isoformat()},
    )
    return code


@transactional
def create_invitations(
    principal: Principal,
    window_code: str,
    placement_code: str,
    group_code: str | None,
    count: str | int,
) -> list[tuple[str, str, str]]:
    """Create ``count`` invitations; return ``[(placement, group, token)]`` — the only copy of the tokens."""
    require(principal, "admin", "admin:invitations")
    window = find_window(window_code)
    if window.closes_on < dt.date.today():
        raise ValueError(
            f"Window {window.code} closed on {window.closes_on:%d %B %Y}: invite learners to an open window"
        )
    placement = db.session.scalar(
        select(Placement).where(Placement.code == (placement_code or "").strip())
    )
    if placement is None:
        raise ValueError(f"There is no placement with code {placement_code!r}: check the code")
    try:
        group = find_group(group_code)
    except NotFound:
        raise ValueError(
            f"There is no learner group {group_code!r}: choose one from the list"
        ) from None
    try:
        n = int(count)
    except (TypeError, ValueError):
        raise ValueError("Enter how many invitations to create, as a whole number") from None
    if not 1 <= n <= MAX_INVITATIONS:
        raise ValueError(f"Create between 1 and {MAX_INVITATIONS} invitations at a time")
    tokens = [new_token() for _ in range(n)]
    db.session.add_all(
        Invitation(
            token_hash=token_hash(t),
            window_id=window.id,
            placement_id=placement.id,
            learner_group_id=group.id if group else None,
            kind="survey",
        )
        for t in tokens
    )
    audit.record(
        "create",
        f"invitations:{window.code}:{placement.code}",
        detail={"count": n, "group": group.code if group else ""},
    )
    return [(placement.code, group.code if group else "", t) for t in tokens]


def require_admin(principal: Principal) -> None:
    require(principal, "admin", "admin")
