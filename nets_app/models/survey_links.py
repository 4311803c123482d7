"""Open survey links: one per placement and window, printed as a QR code on a poster.

An open link is public by design (anyone who scans the poster may answer), so its
slug is not a secret. Each browser that opens it gets its own invitation of kind
``"open"`` (created by the survey service), so drafts, resuming and exactly-once
submission work the same way as for an emailed invitation.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nets_app.extensions import db
from nets_app.models.org import Placement
from nets_app.models.survey import SurveyWindow


class OpenLink(db.Model):
    """The QR-poster link ``/p/<slug>`` for one placement in one survey window."""

    __tablename__ = "open_link"
    __table_args__ = (UniqueConstraint("window_id", "placement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("survey_window.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"))
    created_on: Mapped[dt.date] = mapped_column(Date)

    window: Mapped[SurveyWindow] = relationship()
    placement: Mapped[Placement] = relationship()
