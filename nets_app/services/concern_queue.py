"""The concern queue: patient-safety and bullying reports for the responsible quality team.

Reports reach the queue the moment a learner submits (during the window, as the
GMC survey passes such comments on while it is open), each with its deadline
(``respond_by``, set by :func:`nets_app.services.concerns.respond_by`). Regional
users see and update their region's reports, national users all of them. A
report names the placement, learner group and window, never the learner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import ConcernReport, LearnerGroup, Placement, Provider, Region, SurveyWindow
from nets_app.services import audit
from nets_app.services.access import (
    NotFound,
    Principal,
    find_window,
    placement_scope,
    require,
    require_concern,
)
from nets_app.services.uow import transactional

STATUSES = {"new": "New", "investigating": "Investigating", "closed": "Closed"}
STATUS_FILTERS = {
    "open": ("new", "investigating"),
    "new": ("new",),
    "investigating": ("investigating",),
    "closed": ("closed",),
    "all": ("new", "investigating", "closed"),
}
KINDS = {"patient_safety": "Patient safety", "bullying": "Bullying or undermining"}
MAX_OUTCOME = 5000


@dataclass(frozen=True)
class ConcernLine:
    id: int
    kind: str
    placement_code: str
    placement_name: str
    provider_name: str
    region_name: str
    group_name: str
    window_code: str
    window_open: bool
    reported_on: dt.date
    respond_by: dt.date
    status: str
    outcome: str | None
    details: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def overdue(self) -> bool:
        return self.status != "closed" and self.respond_by < dt.date.today()

    @property
    def days_left(self) -> int:
        return (self.respond_by - dt.date.today()).days


@dataclass(frozen=True)
class QueuePage:
    concerns: tuple[ConcernLine, ...]
    status: str
    kind: str | None
    window_code: str | None
    windows: tuple[tuple[str, str], ...]
    overdue: int


def _line(
    c: ConcernReport, pl: Placement, pr: Provider, rg: Region, g: LearnerGroup, w: SurveyWindow
) -> ConcernLine:
    return ConcernLine(
        id=c.id,
        kind=c.kind,
        placement_code=pl.code,
        placement_name=pl.name,
        provider_name=pr.name,
        region_name=rg.name,
        group_name=g.name,
        window_code=w.code,
        window_open=w.is_open(dt.date.today()),
        reported_on=c.reported_on,
        respond_by=c.respond_by,
        status=c.status,
        outcome=c.outcome,
        details=c.details or "",
    )


def _query(principal: Principal):
    return (
        select(ConcernReport, Placement, Provider, Region, LearnerGroup, SurveyWindow)
        .join(Placement, ConcernReport.placement_id == Placement.id)
        .join(Provider, Placement.provider_id == Provider.id)
        .join(Region, Provider.region_id == Region.id)
        .join(LearnerGroup, ConcernReport.learner_group_id == LearnerGroup.id)
        .join(SurveyWindow, ConcernReport.window_id == SurveyWindow.id)
        .where(placement_scope(principal, ConcernReport.placement_id))
    )


@transactional
def queue(
    principal: Principal,
    status: str | None = None,
    kind: str | None = None,
    window_code: str | None = None,
) -> QueuePage:
    """Reports in scope, soonest deadline first; ``status`` defaults to open (new or investigating)."""
    require(principal, "concerns", "concerns")
    status = status or "open"
    if status not in STATUS_FILTERS:
        raise NotFound("status filter", status, f"use one of {', '.join(STATUS_FILTERS)}")
    if kind and kind not in KINDS:
        raise NotFound("concern kind", kind, f"use one of {', '.join(KINDS)}")
    query = _query(principal).where(ConcernReport.status.in_(STATUS_FILTERS[status]))
    if kind:
        query = query.where(ConcernReport.kind == kind)
    if window_code:
        query = query.where(ConcernReport.window_id == find_window(window_code).id)
    query = query.order_by(ConcernReport.respond_by, ConcernReport.id)
    lines = tuple(_line(*row) for row in db.session.execute(query))
    windows = tuple(
        (w.code, w.name)
        for w in db.session.scalars(select(SurveyWindow).order_by(SurveyWindow.opens_on.desc()))
    )
    audit.record(
        "view",
        "concerns",
        detail={
            "page": "concern queue",
            "status": status,
            "kind": kind or "",
            "window": window_code or "",
            "rows": len(lines),
        },
    )
    return QueuePage(
        lines, status, kind or None, window_code or None, windows, sum(c.overdue for c in lines)
    )


def _one(principal: Principal, concern_id: int) -> ConcernLine:
    require_concern(principal, concern_id)
    row = db.session.execute(_query(principal).where(ConcernReport.id == concern_id)).one()
    return _line(*row)


@transactional
def detail(principal: Principal, concern_id: int) -> ConcernLine:
    line = _one(principal, concern_id)
    audit.record("view", f"concern:{concern_id}", detail={"page": "concern"})
    return line


@transactional
def update(principal: Principal, concern_id: int, status: str, outcome: str | None) -> ConcernLine:
    """Set the status and outcome; closing needs an outcome. Raises ValueError on bad input."""
    concern = require_concern(principal, concern_id)
    if status not in STATUSES:
        raise ValueError(f"Choose a status: {', '.join(STATUSES.values())}")
    outcome = (outcome or "").strip()
    if len(outcome) > MAX_OUTCOME:
        raise ValueError(f"The outcome must be {MAX_OUTCOME} characters or fewer")
    if status == "closed" and not outcome:
        raise ValueError("Enter the outcome before closing the concern: what was found and done")
    before = concern.status
    concern.status = status
    concern.outcome = outcome or None
    audit.record("update", f"concern:{concern_id}", detail={"from": before, "to": status})
    db.session.flush()
    return _one(principal, concern_id)
