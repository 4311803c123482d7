"""Survey windows, invitations, drafts and anonymous responses.

Anonymity by design: a :class:`Response` holds no link to its invitation or learner,
no IP address or user agent, and only the *date* it was submitted. An
:class:`Invitation` records only that it was used. Drafts (which must be tied to an
invitation to be resumable) are deleted on submission and when the window closes.
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nets_app.extensions import db
from nets_app.models.org import LearnerGroup, Placement, Programme


class InstrumentVersion(db.Model):
    """An instrument file registered in the database; immutable once it has responses."""

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    registered_on: Mapped[dt.date] = mapped_column(Date)


class SurveyWindow(db.Model):
    """A period in which learners answer one instrument version (e.g. "2025")."""

    __tablename__ = "survey_window"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
        CheckConstraint(
            "retest_fraction >= 0 AND retest_fraction <= 1", name="retest_fraction_range"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    retest_fraction: Mapped[float] = mapped_column(default=0.1)
    retest_min_days: Mapped[int] = mapped_column(default=7)
    retest_max_days: Mapped[int] = mapped_column(default=21)

    instrument_version: Mapped[InstrumentVersion] = relationship()

    def is_open(self, today: dt.date) -> bool:
        return self.opens_on <= today <= self.closes_on


class Invitation(db.Model):
    """A one-submission invitation. Only a hash of its token is stored."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id"))
    learner_group_id: Mapped[int | None] = mapped_column(ForeignKey("learner_group.id"))
    kind: Mapped[str] = mapped_column(String(20), default="survey")  # survey | retest
    # For a retest invitation: the random code also held by both responses of the pair.
    retest_code: Mapped[str | None] = mapped_column(String(32))
    used: Mapped[bool] = mapped_column(Boolean, default=False)

    window: Mapped[SurveyWindow] = relationship()
    placement: Mapped[Placement | None] = relationship()
    learner_group: Mapped[LearnerGroup | None] = relationship()


class SurveyDraft(db.Model):
    """Answers so far, held on the server so a learner can close the tab and resume."""

    __tablename__ = "survey_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), unique=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id"))
    learner_group_id: Mapped[int | None] = mapped_column(ForeignKey("learner_group.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Response(db.Model):
    """A submitted, anonymous response: no invitation, no learner, no IP, only a date."""

    __tablename__ = "response"
    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    learner_group_id: Mapped[int] = mapped_column(ForeignKey("learner_group.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_version.id"))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    is_retest: Mapped[bool] = mapped_column(Boolean, default=False)
    retest_code: Mapped[str | None] = mapped_column(String(32), index=True)

    window: Mapped[SurveyWindow] = relationship()
    placement: Mapped[Placement] = relationship()
    learner_group: Mapped[LearnerGroup] = relationship()
    programme: Mapped[Programme | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )
    comments: Mapped[list[FreeTextComment]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(db.Model):
    """One Likert answer: a value 1-5, or "not applicable / don't know" (value NULL)."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        CheckConstraint("value IS NULL OR (value >= 1 AND value <= 5)", name="value_range"),
        CheckConstraint("(value IS NULL) = not_applicable", name="na_xor_value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[int | None] = mapped_column(Integer)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)

    response: Mapped[Response] = relationship(back_populates="answers")


class FreeTextComment(db.Model):
    """A free-text answer ("what was good", "what could improve")."""

    __tablename__ = "free_text_comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    prompt_id: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="comments")


class ConcernReport(db.Model):
    """A patient-safety or bullying concern for the quality team's queue.

    Holds placement, learner group and window, never the learner's identity, and is
    not linked to the response it came with.
    """

    __tablename__ = "concern_report"
    __table_args__ = (CheckConstraint("kind IN ('patient_safety', 'bullying')", name="kind_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"), index=True)
    learner_group_id: Mapped[int] = mapped_column(ForeignKey("learner_group.id"))
    kind: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    reported_on: Mapped[dt.date] = mapped_column(Date)
    respond_by: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="new")  # new | investigating | closed
    outcome: Mapped[str | None] = mapped_column(Text)

    window: Mapped[SurveyWindow] = relationship()
    placement: Mapped[Placement] = relationship()
    learner_group: Mapped[LearnerGroup] = relationship()
