"""Quality concerns, their evidence, their audit trail and their action plans.

Rows are written only by :mod:`nets_app.services.risk`, which stores the decisions of
the pure rules in :mod:`nets_app.domain` (risk rating, ISF transitions, SMART actions).
Nothing here decides anything: the columns keep what a rule decided and why.

Times are stored as naive UTC (``DateTime`` without a zone, as SQLite returns them);
the service layer normalises every incoming datetime to naive UTC before it reaches
a domain function, which refuses to mix aware and naive datetimes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nets_app.extensions import db
from nets_app.models.org import Placement, Provider
from nets_app.models.scoring import AdverseFlag
from nets_app.models.survey import SurveyWindow

#: proposed (from flags, awaiting a quality-team decision) -> open | dismissed; open -> closed
CONCERN_STATUSES = ("proposed", "open", "dismissed", "closed")
#: Where a concern came from: NETS flags, or triangulated evidence entered by hand.
CONCERN_SOURCES = ("flags", "manual")
#: Kinds of entry in a concern's audit trail.
EVENT_KINDS = (
    "proposed",
    "created",
    "confirmed",
    "dismissed",
    "closed",
    "rated",
    "overridden",
    "category_change",
    "evidence_added",
    "action_added",
    "action_done",
    "note",
)


class QualityConcern(db.Model):
    """A concern about a placement or a provider, with its risk rating and ISF category.

    The rating columns hold the current :class:`nets_app.domain.risk.Rating`; the
    category columns the current :class:`nets_app.domain.isf.IsfState`. Their history is
    in :class:`ConcernEvent`.
    """

    __tablename__ = "quality_concern"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'open', 'dismissed', 'closed')", name="status_known"
        ),
        CheckConstraint("source IN ('flags', 'manual')", name="source_known"),
        CheckConstraint(
            "likelihood IS NULL OR (likelihood >= 1 AND likelihood <= 5)",
            name="likelihood_range",
        ),
        CheckConstraint("impact IS NULL OR (impact >= 1 AND impact <= 5)", name="impact_range"),
        CheckConstraint(
            "isf_category IS NULL OR (isf_category >= 0 AND isf_category <= 4)",
            name="isf_category_range",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id"), index=True)
    # The window whose flags proposed the concern (NULL for a manual concern).
    window_id: Mapped[int | None] = mapped_column(ForeignKey("survey_window.id"))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Quality Framework standards it touches, e.g. ["1.2", "3.4"].
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # The current risk rating (NULL until rated).
    likelihood: Mapped[int | None] = mapped_column(Integer)
    impact: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    rag: Mapped[str | None] = mapped_column(String(5))
    level: Mapped[str | None] = mapped_column(String(10))
    on_register: Mapped[bool] = mapped_column(Boolean, default=False)
    register_threshold: Mapped[int | None] = mapped_column(Integer)
    rating_basis: Mapped[str | None] = mapped_column(String(20))
    rating_rationale: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str | None] = mapped_column(Text)

    # The current ISF category (NULL until categorised).
    isf_category: Mapped[int | None] = mapped_column(Integer)
    isf_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    isf_changes: Mapped[int] = mapped_column(Integer, default=0)
    # When the action plan was agreed with the provider (NULL: no plan yet).
    plan_agreed_on: Mapped[dt.date | None] = mapped_column(Date)

    provider: Mapped[Provider] = relationship()
    placement: Mapped[Placement | None] = relationship()
    window: Mapped[SurveyWindow | None] = relationship()
    evidence: Mapped[list[ConcernEvidence]] = relationship(
        back_populates="concern", order_by="ConcernEvidence.id"
    )
    events: Mapped[list[ConcernEvent]] = relationship(
        back_populates="concern", order_by="ConcernEvent.id"
    )
    actions: Mapped[list[ConcernAction]] = relationship(
        back_populates="concern", order_by="ConcernAction.id"
    )


class ConcernEvidence(db.Model):
    """One piece of evidence behind a concern: a NETS flag, a GMC result, a visit, ..."""

    __tablename__ = "concern_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("quality_concern.id", ondelete="CASCADE"), index=True
    )
    # An EvidenceKind value (nets_app.domain.isf_config).
    kind: Mapped[str] = mapped_column(String(40))
    # Where to find it again (a flag id, a report reference).
    ref: Mapped[str] = mapped_column(String(300))
    flag_id: Mapped[int | None] = mapped_column(
        ForeignKey("adverse_flag.id", ondelete="SET NULL"), index=True
    )
    window_id: Mapped[int | None] = mapped_column(ForeignKey("survey_window.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(200))

    concern: Mapped[QualityConcern] = relationship(back_populates="evidence")
    flag: Mapped[AdverseFlag | None] = relationship()
    window: Mapped[SurveyWindow | None] = relationship()


class ConcernEvent(db.Model):
    """One entry in a concern's audit trail: who, when, what, why, with what detail.

    For ``kind="category_change"`` ``detail`` is the serialised
    :class:`nets_app.domain.isf.CategoryChange`, so :func:`nets_app.domain.isf.replay`
    can rebuild and re-check the whole history.
    """

    __tablename__ = "concern_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("quality_concern.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    concern: Mapped[QualityConcern] = relationship(back_populates="events")


class ConcernAction(db.Model):
    """One SMART action of a concern's action plan: what, who owns it, by when."""

    __tablename__ = "concern_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(
        ForeignKey("quality_concern.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(Text, default="")
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))

    concern: Mapped[QualityConcern] = relationship(back_populates="actions")
