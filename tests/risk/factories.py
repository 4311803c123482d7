"""Factories for the risk tests: scoring runs and adverse flags (until the scoring service lands)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import (
    AdverseFlag,
    Placement,
    PlacementScore,
    ScoringRun,
    StaffUser,
    SurveyWindow,
)
from tests.factories import create_placement, create_provider, create_region, create_window

# Typical flags, one per rule, each past its limit in the rule's direction (see
# nets_app.domain.risk_config.DEFAULT_FLAG_RULES): value and limit as psychometrics.flags
# writes them.
FLAG_DEFAULTS = {
    # a rule the risk configuration does not know (e.g. one added to scoring later)
    "future_rule": {"scale": None, "measure": "something new", "value": 1.0, "limit": 1.0,
                    "n": 14},
    "funnel_low": {"scale": "supervision", "measure": "score (0-100)", "value": 54.0,
                   "limit": 58.0, "n": 14},
    "significant_fall": {"scale": "supervision",
                         "measure": "change in score from the previous window",
                         "value": -9.0, "limit": -6.0, "n": 14},
    "three_poor_windows": {"scale": "overall", "measure": "consecutive poor windows",
                           "value": 3.0, "limit": 3.0, "n": 14},
    "adverse_items": {"scale": None, "measure": "share agreeing with an adverse item (%)",
                      "value": 40.0, "limit": 25.0, "n": 14},
    "patient_safety_concern": {"scale": None,
                               "measure": "concerns reported (concern_patient_safety)",
                               "value": 1.0, "limit": 1.0, "n": None},
    # emitted by the scoring service for bullying reports
    "bullying_concern": {"scale": None, "measure": "concerns reported (concern_bullying)",
                         "value": 2.0, "limit": 1.0, "n": None},
}  # fmt: skip


def create_run(window: SurveyWindow) -> ScoringRun:
    """The scoring run of ``window`` (one per window, made on first use)."""
    run = db.session.scalar(select(ScoringRun).where(ScoringRun.window_id == window.id))
    if run is None:
        run = ScoringRun(
            window_id=window.id,
            computed_at=dt.datetime(2025, 1, 1),
            n_responses=100,
            settings={},
        )
        db.session.add(run)
        db.session.flush()
    return run


def create_score(placement: Placement, window: SurveyWindow, status: str = "ok") -> PlacementScore:
    """A stored overall score of ``placement`` in ``window`` (shown unless ``status`` says not)."""
    shown = status == "ok"
    row = PlacementScore(
        run_id=create_run(window).id,
        window_id=window.id,
        placement_id=placement.id,
        scale="overall",
        status=status,
        n=20 if shown else None,
        score=75.0 if shown else None,
        extra={},
    )
    db.session.add(row)
    db.session.flush()
    return row


def create_flag(placement: Placement, window: SurveyWindow, rule: str = "funnel_low", **kw):
    fields = {**FLAG_DEFAULTS[rule], **kw}
    row = AdverseFlag(
        run_id=create_run(window).id,
        window_id=window.id,
        placement_id=placement.id,
        rule=rule,
        raised_on=window.closes_on,
        evidence={"text": f"{rule} evidence"},
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def create_staff(role: str = "regional", region=None, **kw) -> StaffUser:
    n = db.session.query(StaffUser).count() + 1
    row = StaffUser(
        email=kw.pop("email", f"staff{n}@nets.test"),
        name=kw.pop("name", f"Staff {n}"),
        password_hash="x",
        role=role,
        region_id=region.id if region is not None else None,
        **kw,
    )
    db.session.add(row)
    db.session.flush()
    return row


def two_windows(year: int = 2024) -> tuple[SurveyWindow, SurveyWindow]:
    """Consecutive annual windows, oldest first."""
    w1 = create_window(code=str(year), opens_on=dt.date(year, 3, 1), closes_on=dt.date(year, 4, 30))
    w2 = create_window(
        code=str(year + 1), opens_on=dt.date(year + 1, 3, 1), closes_on=dt.date(year + 1, 4, 30)
    )
    return w1, w2


def flagged_placement(
    window: SurveyWindow,
    rules=("funnel_low", "significant_fall", "three_poor_windows"),
    region=None,
):
    """A placement with one flag per rule in ``window`` (default: the 4 x 3 = 12 case)."""
    provider = create_provider(region=region or create_region())
    placement = create_placement(provider=provider)
    flags = [create_flag(placement, window, r) for r in rules]
    return placement, flags


__all__ = [
    "create_flag",
    "create_placement",
    "create_run",
    "create_staff",
    "flagged_placement",
    "two_windows",
]
