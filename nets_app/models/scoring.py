"""Stored results of scoring a survey window: placement scores and adverse-environment flags.

Rows are written only by ``nets_app.services.scoring`` from the pure functions in
``psychometrics`` (score_placements, benchmark, adverse_flags). Suppressed rows are
stored with status "suppressed" and no numbers, so no page or export can leak them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nets_app.extensions import db
from nets_app.models.org import LearnerGroup, Placement
from nets_app.models.survey import SurveyWindow


class ScoringRun(db.Model):
    """One scoring of one window: when, with which settings, over how many responses."""

    __tablename__ = "scoring_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    n_responses: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)

    window: Mapped[SurveyWindow] = relationship()


class PlacementScore(db.Model):
    """A placement's score on one scale (theme, domain or overall) in one window.

    ``learner_group_id`` is NULL for all learner groups together.
    """

    __tablename__ = "placement_score"
    __table_args__ = (UniqueConstraint("window_id", "placement_id", "learner_group_id", "scale"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("scoring_run.id", ondelete="CASCADE"), index=True
    )
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    learner_group_id: Mapped[int | None] = mapped_column(ForeignKey("learner_group.id"))
    scale: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # ok | suppressed | no data
    n: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    pct_positive: Mapped[float | None] = mapped_column(Float)
    shrunk_score: Mapped[float | None] = mapped_column(Float)
    benchmark_mean: Mapped[float | None] = mapped_column(Float)
    funnel_category: Mapped[str | None] = mapped_column(String(40))
    quartile_category: Mapped[str | None] = mapped_column(String(40))
    change: Mapped[float | None] = mapped_column(Float)
    change_ci_low: Mapped[float | None] = mapped_column(Float)
    change_ci_high: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    placement: Mapped[Placement] = relationship()
    window: Mapped[SurveyWindow] = relationship()
    learner_group: Mapped[LearnerGroup | None] = relationship()


class AdverseFlag(db.Model):
    """An adverse-learning-environment flag with its evidence."""

    __tablename__ = "adverse_flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("scoring_run.id", ondelete="CASCADE"), index=True
    )
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    scale: Mapped[str | None] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    limit: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    placement: Mapped[Placement] = relationship()
    window: Mapped[SurveyWindow] = relationship()
